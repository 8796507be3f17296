//go:build !unix

package supervisor

import "os/exec"

// ownProcessGroup does nothing: RunProber only runs binaries on Linux.
func ownProcessGroup(*exec.Cmd) {}

func isTextBusy(error) bool { return false }

func cannotExec(error) bool { return false }
