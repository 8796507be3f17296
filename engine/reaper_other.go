//go:build !unix

package engine

import "os/exec"

func setOwnGroup(*exec.Cmd) {}

func ignoreSignals() {}
