package main

import (
	"fmt"

	"github.com/openshell-contrib/supctl/doctor"
)

// doctorReport is doctor's report in the CLI's words: each problem with
// the exit code its kind stands for and its fix naming supctl's flags.
type doctorReport struct {
	*doctor.Report
	Problems []doctorProblem `json:"problems"`
}

// doctorProblem is a problem as "supctl doctor" prints it.
type doctorProblem struct {
	Area     string          `json:"area"`
	Severity doctor.Severity `json:"severity"`
	Message  string          `json:"message"`
	Fix      string          `json:"fix"`
	// Code is the exit code the problem stands for; 0 for a warning.
	Code int `json:"code"`
}

// doctorOutput words rep for the CLI.
func doctorOutput(rep *doctor.Report) *doctorReport {
	out := &doctorReport{Report: rep, Problems: make([]doctorProblem, 0, len(rep.Problems))}
	for _, p := range rep.Problems {
		code := 0
		if p.Severity == doctor.SeverityProblem {
			code = kindExitCode(p.Kind)
		}
		out.Problems = append(out.Problems, doctorProblem{Area: p.Area, Severity: p.Severity,
			Message: cliText(p.Message), Fix: doctorFix(p), Code: code})
	}
	return out
}

// kindExitCode is the exit status a problem of kind k stands for.
func kindExitCode(k doctor.Kind) int {
	switch k {
	case doctor.KindIncompatible:
		return exitIncompatible
	case doctor.KindDamaged:
		return exitCorrupt
	case doctor.KindNotCached:
		return exitNotFound
	}
	return exitFailure
}

// exitCode is the exit status of the report: 0 when there is no problem;
// else by precedence 3 (incompatible) > 6 (corrupt) > 4 (not cached) > 1.
func (r *doctorReport) exitCode() int {
	rank := map[int]int{exitIncompatible: 4, exitCorrupt: 3, exitNotFound: 2, exitFailure: 1}
	best := 0
	for _, p := range r.Problems {
		if p.Severity == doctor.SeverityProblem && rank[p.Code] > rank[best] {
			best = p.Code
		}
	}
	return best
}

// doctorFix is the fix of p in the CLI's words: a remedy as the supctl
// command that does it, other advice through the phrase table.
func doctorFix(p doctor.Problem) string {
	rm := p.Remedy
	if rm == nil {
		return cliText(p.Fix)
	}
	switch rm.Action {
	case doctor.ActionPull:
		if rm.Platform != "" {
			return fmt.Sprintf("run \"supctl pull --platform %s %s\"", rm.Platform, rm.Ref)
		}
		return fmt.Sprintf("run \"supctl pull %s\"", rm.Ref)
	case doctor.ActionRepull:
		return fmt.Sprintf("run \"supctl pull --pull always %s\" to take the tag's current image, pin a compatible digest with \"supctl pin\", or change the range", rm.Ref)
	case doctor.ActionRelink:
		return fmt.Sprintf("run \"supctl pull %s --pull always --compat '%s' --link %s\", then restart the gateway", orWord(rm.Ref, "REF"), orWord(rm.Range, "RANGE"), rm.Link)
	case doctor.ActionReplaceMounted:
		return fmt.Sprintf("pull a compatible supervisor (\"supctl pull --compat %q IMAGE\") and set supervisor_bin in %s to the path it prints; or remove the stale extraction (\"supctl gc --gateway-extractions\") so the gateway extracts its image again",
			rm.Range, rm.Config)
	}
	return cliText(p.Fix)
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}
