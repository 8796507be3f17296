package resolver

import (
	"context"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/supervisor"
)

// learnVersion learns the version of bin, whose bytes' digest is sum, with
// the resolver's probers, or takes it from the probe record of an earlier
// resolve (manifest.Probe) when every method asked then would be asked
// with the same environment now: the same engine endpoint, the same
// emulators. A binary whose --version hangs costs its timeout once, not on
// every use; starting an engine or registering an emulator takes effect on
// the next resolve, and fresh (the pull policy always, for a binary not
// probed by this resolve yet) asks again. Recording is best effort: a
// cache that cannot record only costs another probe.
func (r *Resolver) learnVersion(ctx context.Context, bin supervisor.Binary, sum digest.Digest, fresh bool) (supervisor.Version, []supervisor.Attempt, error) {
	v, tried, rec, err := r.probeVersion(ctx, bin, sum, fresh)
	if rec != nil {
		r.putProbe(rec)
	}
	return v, tried, err
}

// probeVersion is learnVersion without the recording: it returns the
// probe record to write, nil when it reused one, for a caller that writes
// it while it does other work.
func (r *Resolver) probeVersion(ctx context.Context, bin supervisor.Binary, sum digest.Digest, fresh bool) (supervisor.Version, []supervisor.Attempt, *manifest.Probe, error) {
	envs := make([]string, len(r.cfg.probers))
	for i, p := range r.cfg.probers {
		envs[i] = supervisor.ProbeEnv(p, bin)
	}
	store := r.cache.Records()
	if !fresh {
		if rec, err := store.Probe(sum); err == nil && r.probeHolds(rec, bin, envs) {
			r.cfg.log.Debug("version-probe-reused", "binary_sha256", sum.Encoded(), "version", rec.Version, "probed_at", rec.ProbedAt)
			v, tried, err := fromProbe(rec)
			return v, tried, nil, err
		}
	}
	v, tried, err := supervisor.DetectTried(ctx, bin, r.cfg.probers...)
	if err != nil {
		return v, tried, nil, err
	}
	rec := &manifest.Probe{BinarySHA256: sum, Platform: platformString(bin.Platform), Version: v.Version,
		VersionSource: string(v.Method), ProbedAt: r.cfg.now().UTC()}
	j := 0
	for i, p := range r.cfg.probers {
		m := manifest.ProbeMethod{Method: string(supervisor.MethodOf(p)), Env: envs[i]}
		if j < len(tried) && string(tried[j].Method) == m.Method {
			a := tried[j]
			m.NotApplicable, m.Reason, m.Fix = a.NotApplicable, a.Reason, a.Fix
			j++
			rec.Methods = append(rec.Methods, m)
			continue
		}
		m.Answered = true
		rec.Methods = append(rec.Methods, m)
		break
	}
	return v, tried, rec, nil
}

// putProbe writes the probe record rec, best effort.
func (r *Resolver) putProbe(rec *manifest.Probe) {
	if err := r.cache.Records().PutProbe(rec); err != nil {
		r.cfg.log.Warn("could not record the version probe; the next use probes again", "binary_sha256", rec.BinarySHA256.Encoded(), "err", err)
	}
}

// probeHolds reports whether rec answers for bin now: same platform, and
// every method it asked is the resolver's method at that place, with the
// same environment; an unknown version needs every method asked.
func (r *Resolver) probeHolds(rec *manifest.Probe, bin supervisor.Binary, envs []string) bool {
	if rec.Platform != platformString(bin.Platform) || len(rec.Methods) > len(r.cfg.probers) {
		return false
	}
	if rec.Version == "" && len(rec.Methods) != len(r.cfg.probers) {
		return false
	}
	for i, m := range rec.Methods {
		if m.Method != string(supervisor.MethodOf(r.cfg.probers[i])) || m.Env != envs[i] {
			return false
		}
	}
	return rec.Version == "" || rec.Methods[len(rec.Methods)-1].Answered
}

// fromProbe is the version and attempts a probe record holds.
func fromProbe(rec *manifest.Probe) (supervisor.Version, []supervisor.Attempt, error) {
	var tried []supervisor.Attempt
	for _, m := range rec.Methods {
		if !m.Answered {
			tried = append(tried, supervisor.Attempt{Method: supervisor.Method(m.Method), NotApplicable: m.NotApplicable, Reason: m.Reason, Fix: m.Fix})
		}
	}
	return supervisor.Version{Version: rec.Version, Method: supervisor.Method(rec.VersionSource)}, tried, nil
}
