package main

import (
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
			Message: doctorMessage(p), Fix: doctorFix(p), Code: code})
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

// doctorMessage is the message of p in the CLI's words: the remedy it
// ends with, if any, said as the CLI says it.
func doctorMessage(p doctor.Problem) string {
	if p.MessageRemedy == nil {
		return p.Message
	}
	return withCLIRemedy(p.Message, *p.MessageRemedy)
}

// doctorFix is the fix of p in the CLI's words: a remedy as the supctl
// flags and commands that do it, other advice as it is.
func doctorFix(p doctor.Problem) string {
	if p.Remedy == nil {
		return p.Fix
	}
	return cliRemedy(*p.Remedy)
}

func orWord(s, word string) string {
	if s == "" {
		return word
	}
	return s
}
