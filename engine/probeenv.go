package engine

import (
	"fmt"
	"os"
)

// ProbeEnv describes, without contacting anything, the engine the runner
// would use: the endpoint discovery chooses now (or why there is none)
// and, for a unix socket, the socket file's identity, which changes when
// the engine starts again. A version probe's outcome recorded under one
// description is reused while the description stays the same (see
// [supervisor.EnvProber]).
func (r *Runner) ProbeEnv() string {
	cfg := config{kind: Auto}
	for _, o := range r.opts {
		if o(&cfg) != nil {
			return "bad engine options"
		}
	}
	env := FromOS()
	if cfg.env != nil {
		env = *cfg.env
	}
	ep, err := Discover(cfg.kind, env)
	if err != nil {
		return fmt.Sprintf("engine %s: none (%v)", cfg.kind, err)
	}
	s := fmt.Sprintf("engine %s: %s", cfg.kind, ep.Host)
	if ep.Socket != "" {
		fi, err := os.Stat(ep.Socket)
		if err != nil {
			return s + " (no socket)"
		}
		s += fmt.Sprintf(" inode %d mtime %d", inode(fi), fi.ModTime().UnixNano())
	}
	return s
}
