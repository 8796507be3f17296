package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/doctor"
	"github.com/openshell-contrib/supctl/remedy"
)

// TestDoctorWords: doctor's problems speak of kinds and remedies; the CLI
// prints each as before the library dropped its flags: the fix naming
// supctl's flags, the exit code its kind stands for (0 for a warning), and
// the report's exit status by precedence 3 > 6 > 4 > 1.
func TestDoctorWords(t *testing.T) {
	const ref = "r.example/sup:dev"
	with := func(p doctor.Problem, rm doctor.Remedy) doctor.Problem {
		p.Fix, p.Remedy = rm.String(), &rm
		return p
	}
	pull := func(rm doctor.Remedy) doctor.Problem {
		return doctor.Problem{Area: "ref", Severity: doctor.SeverityProblem, Kind: doctor.KindNotCached, Fix: rm.String(), Remedy: &rm}
	}
	tests := []struct {
		name     string
		p        doctor.Problem
		fix      string // as printed before
		code     int
		libWords string // in the library's fix: no flag
	}{
		{"pull", pull(doctor.Remedy{Action: doctor.ActionPull, Ref: ref}), `run "supctl pull r.example/sup:dev"`, 4, "pull r.example/sup:dev"},
		{"pull for a platform", pull(doctor.Remedy{Action: doctor.ActionPull, Ref: ref, Platform: "linux/arm64"}),
			`run "supctl pull --platform linux/arm64 r.example/sup:dev"`, 4, "for linux/arm64"},
		{"repull", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible, Remedy: &doctor.Remedy{Action: doctor.ActionRepull, Ref: ref}},
			`pull a newer tag ("supctl pull --pull always r.example/sup:dev"), pin a compatible digest with "supctl pin", or change the range`, 3, ""},
		{"relink", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindDamaged, Remedy: &doctor.Remedy{Action: doctor.ActionRelink, Ref: ref, Range: ">=0.1.0", Link: "gw"}},
			`run "supctl pull r.example/sup:dev --pull always --compat '>=0.1.0' --link gw", then restart the gateway`, 6, ""},
		{"relink, nothing known", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible, Remedy: &doctor.Remedy{Action: doctor.ActionRelink, Link: "gw"}},
			`run "supctl pull REF --pull always --compat 'RANGE' --link gw", then restart the gateway`, 3, ""},
		{"replace mounted", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible, Remedy: &doctor.Remedy{Action: doctor.ActionReplaceMounted, Range: ">=0.0.47-0", Config: "/etc/gw.toml"}},
			`pull a compatible supervisor ("supctl pull --compat ">=0.0.47-0" IMAGE") and set supervisor_bin in /etc/gw.toml to the path it prints; or remove the stale extraction ("supctl gc --gateway-extractions") so the gateway extracts its image again`, 3, ""},
		{"no cache directory", with(doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindCache}, remedy.Remedy{Action: remedy.CacheDir, Env: "SUPCTL_CACHE_DIR"}), "set --cache-dir or SUPCTL_CACHE_DIR", 1, ""},
		{"unreadable cache", with(doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindCache}, remedy.Remedy{Action: remedy.CacheDir, Before: "make it readable by this user, or "}), "make it readable by this user, or set --cache-dir", 1, ""},
		{"damage", with(doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindDamaged}, remedy.Remedy{Action: remedy.Repair, Before: "run ", After: "; the next pull extracts set-aside entries again"}),
			`run "supctl verify --repair"; the next pull extracts set-aside entries again`, 6, ""},
		{"leftover", with(doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindCache}, remedy.Remedy{Action: remedy.Collect, Before: "run "}), `run "supctl gc" or "supctl verify --repair"`, 0, ""},
		{"no engine", with(doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindEngine}, remedy.Remedy{Action: remedy.Engine, Engine: "auto"}), "use --engine auto", 0, ""},
		{"wrong product", with(doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindEngine}, remedy.Remedy{Action: remedy.Engine, Engine: "auto", Before: "point CONTAINER_HOST at the podman engine, or "}),
			"point CONTAINER_HOST at the podman engine, or use --engine auto", 1, ""},
		{"podman socket", with(doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindEngine}, remedy.Remedy{Action: remedy.Engine, Engine: "docker", Before: "if you meant Docker, set DOCKER_HOST (or a Docker context) to it, or "}),
			"if you meant Docker, set DOCKER_HOST (or a Docker context) to it, or use --engine docker", 0, ""},
		{"gateway version", with(doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindGateway}, remedy.Remedy{Action: remedy.GatewayProgram}),
			"give the gateway's program with --gateway-bin, or a range with --compat", 0, ""},
		{"not judged", with(doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindGateway}, remedy.Remedy{Action: remedy.Range}),
			"give --compat, or the gateway's program with --gateway-bin", 0, ""},
		{"stale extraction", with(doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible}, remedy.Remedy{Action: remedy.CollectExtractions, Before: "remove it with ", After: " (dry run first), or point supervisor_bin in /g.toml at a compatible binary"}),
			`remove it with "supctl gc --gateway-extractions" (dry run first), or point supervisor_bin in /g.toml at a compatible binary`, 3, ""},
		{"no such platform", with(doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindNotCached}, remedy.Remedy{Action: remedy.Platform, After: ", or a reference that has this one"}),
			"choose a platform the image has (--platform), or a reference that has this one", 4, ""},
		{"lookup", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindLookup, Fix: "x"}, "x", 1, ""},
		{"gateway setup", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindGateway, Fix: "fix line 2 of /g.toml"}, "fix line 2 of /g.toml", 1, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := doctorOutput(&doctor.Report{Problems: []doctor.Problem{tc.p}})
			got := out.Problems[0]
			if got.Fix != tc.fix || got.Code != tc.code {
				t.Errorf("fix %q, code %d; want %q, code %d", got.Fix, got.Code, tc.fix, tc.code)
			}
			if tc.p.Remedy != nil {
				lib := tc.p.Remedy.String()
				if strings.Contains(lib, "--") || !strings.Contains(lib, tc.libWords) {
					t.Errorf("the library's words %q name a flag or miss %q", lib, tc.libWords)
				}
			}
		})
	}
	// A message that ends with an error's remedy says it in the CLI's
	// words; one that does not is left as it is.
	said := remedy.Remedy{Action: remedy.Platform, Platforms: []string{"linux/amd64"}}
	for _, tc := range []struct{ msg, want string }{
		{"x has no image for platform linux/s390x (it has: linux/amd64); " + said.String(), "x has no image for platform linux/s390x (it has: linux/amd64); choose one of those with --platform"},
		{"reworded: " + said.String() + ", or not", "reworded: " + said.String() + ", or not"},
	} {
		out := doctorOutput(&doctor.Report{Problems: []doctor.Problem{{Severity: doctor.SeverityProblem, Kind: doctor.KindNotCached, Message: tc.msg, MessageRemedy: &said}}})
		if got := out.Problems[0].Message; got != tc.want {
			t.Errorf("message %q, want %q", got, tc.want)
		}
	}
	// The precedence, whatever the order, warnings aside.
	p := func(k doctor.Kind) doctor.Problem { return doctor.Problem{Severity: doctor.SeverityProblem, Kind: k} }
	warn := doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindIncompatible}
	for _, tc := range []struct {
		ps   []doctor.Problem
		want int
	}{
		{nil, 0},
		{[]doctor.Problem{warn}, 0},
		{[]doctor.Problem{p(doctor.KindEngine), warn}, 1},
		{[]doctor.Problem{p(doctor.KindEngine), p(doctor.KindNotCached)}, 4},
		{[]doctor.Problem{p(doctor.KindNotCached), p(doctor.KindDamaged), p(doctor.KindGateway)}, 6},
		{[]doctor.Problem{p(doctor.KindDamaged), p(doctor.KindIncompatible), p(doctor.KindNotCached)}, 3},
	} {
		if got := doctorOutput(&doctor.Report{Problems: tc.ps}).exitCode(); got != tc.want {
			t.Errorf("exit code of %+v = %d, want %d", tc.ps, got, tc.want)
		}
	}
	// The JSON problem keeps its members and order, code included, and
	// adds none.
	b, err := json.Marshal(doctorOutput(&doctor.Report{Problems: []doctor.Problem{tests[0].p}}).Problems)
	if err != nil {
		t.Fatal(err)
	}
	if want := `[{"area":"ref","severity":"problem","message":"","fix":"run \"supctl pull r.example/sup:dev\"","code":4}]`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}
