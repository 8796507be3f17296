package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/doctor"
)

// TestDoctorWords: doctor's problems speak of kinds and remedies; the CLI
// prints each as before the library dropped its flags: the fix naming
// supctl's flags, the exit code its kind stands for (0 for a warning), and
// the report's exit status by precedence 3 > 6 > 4 > 1.
func TestDoctorWords(t *testing.T) {
	const ref = "r.example/sup:dev"
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
			`run "supctl pull --pull always r.example/sup:dev" to take the tag's current image, pin a compatible digest with "supctl pin", or change the range`, 3, ""},
		{"relink", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindDamaged, Remedy: &doctor.Remedy{Action: doctor.ActionRelink, Ref: ref, Range: ">=0.1.0", Link: "gw"}},
			`run "supctl pull r.example/sup:dev --pull always --compat '>=0.1.0' --link gw", then restart the gateway`, 6, ""},
		{"relink, nothing known", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible, Remedy: &doctor.Remedy{Action: doctor.ActionRelink, Link: "gw"}},
			`run "supctl pull REF --pull always --compat 'RANGE' --link gw", then restart the gateway`, 3, ""},
		{"replace mounted", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible, Remedy: &doctor.Remedy{Action: doctor.ActionReplaceMounted, Range: ">=0.0.47-0", Config: "/etc/gw.toml"}},
			`pull a compatible supervisor ("supctl pull --compat ">=0.0.47-0" IMAGE") and set supervisor_bin in /etc/gw.toml to the path it prints; or remove the stale extraction ("supctl gc --gateway-extractions") so the gateway extracts its image again`, 3, ""},
		{"no cache directory", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindCache, Fix: "give a cache directory or set SUPCTL_CACHE_DIR"}, "set --cache-dir or SUPCTL_CACHE_DIR", 1, ""},
		{"unreadable cache", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindCache, Fix: "make it readable by this user, or give another cache directory"}, "make it readable by this user, or set --cache-dir", 1, ""},
		{"damage", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindDamaged, Fix: "run a repairing verification; the next pull extracts set-aside entries again"},
			`run "supctl verify --repair"; the next pull extracts set-aside entries again`, 6, ""},
		{"leftover", doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindCache, Fix: "run a collection or a repairing verification"}, `run "supctl gc" or "supctl verify --repair"`, 0, ""},
		{"no engine", doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindEngine, Fix: "discover the engine automatically"}, "use --engine auto", 0, ""},
		{"wrong product", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindEngine, Fix: "point CONTAINER_HOST at the podman engine, or discover the engine automatically"},
			"point CONTAINER_HOST at the podman engine, or use --engine auto", 1, ""},
		{"podman socket", doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindEngine, Fix: "if you meant Docker, set DOCKER_HOST (or a Docker context) to it, or choose the Docker engine"},
			"if you meant Docker, set DOCKER_HOST (or a Docker context) to it, or use --engine docker", 0, ""},
		{"gateway version", doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindGateway, Fix: "name the gateway's program, or give a range"},
			"give the gateway's program with --gateway-bin, or a range with --compat", 0, ""},
		{"not judged", doctor.Problem{Severity: doctor.SeverityWarning, Kind: doctor.KindGateway, Fix: "give a range, or name the gateway's program"},
			"give --compat, or the gateway's program with --gateway-bin", 0, ""},
		{"stale extraction", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindIncompatible, Fix: "remove it with a collection of the gateway's extractions (dry run first), or point supervisor_bin in /g.toml at a compatible binary"},
			`remove it with "supctl gc --gateway-extractions" (dry run first), or point supervisor_bin in /g.toml at a compatible binary`, 3, ""},
		{"no such platform", doctor.Problem{Severity: doctor.SeverityProblem, Kind: doctor.KindNotCached, Fix: "choose a platform the image has, or a reference that has this one"},
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
