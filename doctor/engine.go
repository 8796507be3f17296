package doctor

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/engine"
	"github.com/openshell-contrib/supctl/remedy"
)

// checkEngine fills r.Engine and adds its problems.
func (r *Report) checkEngine(ctx context.Context, cfg config) {
	d := engine.Diagnose(ctx, append([]engine.Option{engine.WithKind(cfg.kind)}, cfg.engine...)...)
	r.Engine = Engine{Diagnosis: d}
	if d.Endpoint != nil {
		r.Engine.Why = d.Endpoint.Why()
	}
	if d.Err != nil {
		r.Engine.Error = d.Err.Error()
	}
	hostRuns := r.Host.Platform == r.Host.Target
	var pe *engine.ProductError
	var ue *engine.UnreachableError
	switch {
	case cfg.kind == engine.None:
		if !hostRuns {
			r.addRemedy("engine", SeverityWarning, KindEngine, fmt.Sprintf("no engine is used, and this host (%s) cannot run %s supervisors: their versions can only be read without running them", r.Host.Platform, r.Host.Target),
				Remedy{Action: remedy.Engine, Engine: "auto"})
		}
	case errors.Is(d.Err, engine.ErrNoEngine):
		sev := SeverityWarning
		if !hostRuns {
			sev = SeverityProblem
		}
		msg := oneLine(d.Err)
		var ne *engine.NoEngineError
		if errors.As(d.Err, &ne) {
			msg = fmt.Sprintf("no container engine found (no DOCKER_HOST, no current Docker context, none of %s)", strings.Join(ne.Tried, ", "))
			if cfg.kind == engine.Podman {
				msg = fmt.Sprintf("no Podman engine found (no CONTAINER_HOST, none of %s)", strings.Join(ne.Tried, ", "))
			}
		}
		r.add("engine", sev, KindEngine, msg, fmt.Sprintf("start Docker or Podman, or set %s to the engine the gateway uses", envName(cfg.kind)))
	case errors.As(d.Err, &pe):
		r.addRemedy("engine", SeverityProblem, KindEngine, fmt.Sprintf("%s is %s %s, not %s", pe.Endpoint, pe.Got.Product, pe.Got.Version, pe.Want),
			Remedy{Action: remedy.Engine, Engine: "auto", Before: fmt.Sprintf("point %s at the %s engine, or ", envName(cfg.kind), cfg.kind)})
	case errors.As(d.Err, &ue):
		msg := fmt.Errorf("no container engine answers at %s: %w", ue.Endpoint, ue.Err)
		if ue.NotEngine {
			msg = fmt.Errorf("%s answers, but not as a container engine: %w", ue.Endpoint, ue.Err)
		}
		r.add("engine", SeverityProblem, KindEngine, oneLine(msg), ue.Endpoint.Fix())
	case d.Err != nil:
		r.add("engine", SeverityProblem, KindEngine, oneLine(d.Err), "fix DOCKER_HOST or the Docker context, or unset them")
	}
	r.checkSocket(d)
	if d.Info != nil {
		r.checkEmulation(d)
	}
}

// checkSocket warns when /var/run/docker.sock leads somewhere other than
// the engine in use, or nowhere, or to Podman: tools that use it talk to
// another engine than the one meant.
func (r *Report) checkSocket(d engine.Diagnosis) {
	s := d.DockerSocket
	switch {
	case s.Dangling:
		r.add("engine", SeverityWarning, KindEngine, fmt.Sprintf("%s is a symlink to %s, which does not exist", s.Path, s.Target),
			"start the engine that owns it, or remove or re-point the symlink")
	case !s.Exists || d.Endpoint == nil:
	case d.Endpoint.Socket != s.Path && !sameSocket(*d.Endpoint, s):
		r.add("engine", SeverityWarning, KindEngine, fmt.Sprintf("%s leads to %s, but the engine in use is %s: tools that use the default socket talk to another engine", s.Path, orSelf(s), d.Endpoint),
			"point the symlink at the engine you mean, or set DOCKER_HOST for those tools too")
	case d.Endpoint.Socket == s.Path && d.Info != nil && d.Info.Product == engine.ProductPodman:
		r.addRemedy("engine", SeverityWarning, KindEngine, fmt.Sprintf("%s leads to Podman %s (%s)", s.Path, d.Info.Version, orSelf(s)),
			Remedy{Action: remedy.Engine, Engine: "docker", Before: "if you meant Docker, set DOCKER_HOST (or a Docker context) to it, or "})
	}
}

func sameSocket(ep engine.Endpoint, s engine.SocketState) bool {
	a := ep.Socket
	if ep.Target != "" {
		a = ep.Target
	}
	return a == orSelf(s)
}

func orSelf(s engine.SocketState) string {
	if s.Target != "" {
		return s.Target
	}
	return s.Path
}

// checkEmulation warns when the engine's architecture is not the target's
// and nothing on this host emulates it.
func (r *Report) checkEmulation(d engine.Diagnosis) {
	target := r.Host.Target
	if d.Info.Platform() == target || !strings.HasPrefix(target, d.Info.OS+"/") {
		return
	}
	arch := strings.SplitN(strings.TrimPrefix(target, d.Info.OS+"/"), "/", 2)[0]
	if d.Info.Product == engine.ProductDockerDesktop {
		return // Docker Desktop's VM brings its own emulation
	}
	for _, em := range r.Host.Emulators {
		if em.Arch == arch && em.Enabled {
			if !em.Fixed {
				r.add("engine", SeverityWarning, KindEngine, fmt.Sprintf("the %s emulator %s is registered without the F flag: containers cannot use it", arch, em.Name),
					"register it with the F flag (Debian's qemu-user-static does)")
			}
			return
		}
	}
	r.add("engine", SeverityWarning, KindEngine, fmt.Sprintf("the engine runs %s and this host has no emulator for %s: the versions of %s supervisors cannot be learned by running them", d.Info.Platform(), arch, target),
		"install qemu-user-static (binfmt_misc) on the engine's host")
}

func envName(k engine.Kind) string {
	if k == engine.Podman {
		return "CONTAINER_HOST"
	}
	return "DOCKER_HOST"
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
