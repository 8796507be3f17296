package resolver

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"github.com/openshell-contrib/supctl/supervisor"
)

// FromFile: the result describes a local binary checked in place.
const FromFile ResolvedFrom = "file"

// CheckFile checks a local supervisor binary in place, without copying it:
// the gateway's supervisor_bin setting. The file must be a regular ELF file
// for the resolver's platform; its version is learned like an extracted
// binary's and checked against the range, if one is set. The result's Ref,
// Digest and IndexDigest are empty. It returns an error matching
// [ErrRefused] for a file that is not such a binary, an
// [*IncompatibleError] for a version out of range, and the error of
// reading the file otherwise (matching fs.ErrNotExist when it is missing).
func (r *Resolver) CheckFile(ctx context.Context, path string) (*Result, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if err := checkRegular(abs); err != nil {
		return nil, err
	}
	info, err := supervisor.Identify(ctx, supervisor.Binary{Path: abs, Name: r.programName(), Platform: r.cfg.platform}, r.cfg.probers...)
	if err != nil {
		if errors.Is(err, supervisor.ErrNotELF) || errors.Is(err, supervisor.ErrWrongMachine) || errors.Is(err, supervisor.ErrNotExecutable) {
			return nil, fmt.Errorf("%w: %w", ErrRefused, err)
		}
		return nil, err
	}
	res := &Result{
		Path:          abs,
		Platform:      platformString(r.cfg.platform),
		Version:       info.Version.Version,
		VersionSource: string(info.Version.Method),
		BinarySHA256:  info.SHA256.Encoded(),
		Size:          info.Size,
		ResolvedFrom:  FromFile,
	}
	if !info.Version.Known() {
		res.VersionAttempts = append([]supervisor.Attempt{}, info.Tried...)
	}
	if err := r.checkRange(ctx, res); err != nil {
		return nil, err
	}
	r.cfg.log.Info("checked-file", "path", abs, "platform", res.Platform, "version", res.Version, "version_source", res.VersionSource)
	return res, nil
}
