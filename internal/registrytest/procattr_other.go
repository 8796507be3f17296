//go:build !linux

package registrytest

import "os/exec"

func setProcAttr(cmd *exec.Cmd) {}
