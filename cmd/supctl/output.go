package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/compat"
	"github.com/openshell-contrib/supctl/manifest"
	"github.com/openshell-contrib/supctl/resolver"
	"github.com/openshell-contrib/supctl/supervisor"
)

// printJSON writes v as the command's one JSON document: indented, with
// '<', '>' and '&' as they are (no HTML escaping).
func (g *globals) printJSON(v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return err
	}
	g.printed = true
	_, err = g.stdout.Write(b)
	return err
}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// A docError is a failure that comes with the command's document, such as
// inspect's report on an incompatible binary or verify's list of problems:
// with --json the document is printed with an "error" member added.
type docError struct {
	err error
	doc any
}

func (e *docError) Error() string { return e.err.Error() }
func (e *docError) Unwrap() error { return e.err }

// errorBody is the "error" member of a failure's JSON document. Fields that
// do not apply to an error are omitted.
type errorBody struct {
	Message  string `json:"message"`
	ExitCode int    `json:"exit_code"`
	// Kind is one of: usage, not_found, unreachable, not_cached,
	// incompatible, refused, denied, corrupt, cache, interrupted, failure.
	Kind string `json:"kind"`

	Ref           string   `json:"ref,omitempty"`
	Digest        string   `json:"digest,omitempty"`
	Platform      string   `json:"platform,omitempty"`
	Platforms     []string `json:"platforms,omitempty"` // the platforms an image has
	Version       string   `json:"version,omitempty"`
	VersionSource string   `json:"version_source,omitempty"`
	Range         string   `json:"range,omitempty"`
	Path          string   `json:"path,omitempty"`
	Problems      int      `json:"problems,omitempty"`
}

// describe builds the error member for err, which exits with code.
func describe(err error, code int) errorBody {
	b := errorBody{Message: oneLine(err), ExitCode: code, Kind: kind(err, code)}
	var (
		ie *resolver.IncompatibleError
		pe *resolver.PlatformError
		me *supervisor.MachineError
		ee *cache.EntryError
		we *cache.WriteError
		ce *compat.ParseError
		ve *verifyError
	)
	switch {
	case errors.As(err, &ie):
		b.Ref, b.Digest, b.Platform, b.Version, b.Range = ie.Ref, ie.Digest.String(), ie.Platform, ie.Version, ie.Range
		if ie.Result != nil {
			b.VersionSource, b.Path = ie.Result.VersionSource, ie.Result.Path
		}
	case errors.As(err, &pe):
		b.Ref, b.Platform, b.Platforms = pe.Ref, pe.Want, pe.Have
	case errors.As(err, &me):
		b.Path, b.Platform = me.Path, me.Platform
	case errors.As(err, &ce):
		b.Range = ce.Input
	case errors.As(err, &ee):
		b.Path = ee.Path
	case errors.As(err, &we):
		b.Path = we.Dir
	case errors.As(err, &ve):
		b.Path, b.Problems = ve.dir, ve.problems
	}
	return b
}

// kind names the class of err for scripts: the exit code says less (1 is
// several kinds).
func kind(err error, code int) string {
	switch code {
	case exitUsage:
		return "usage"
	case exitIncompatible:
		return "incompatible"
	case exitNotFound:
		return "not_found"
	case exitCorrupt:
		return "corrupt"
	case exitInterrupted:
		return "interrupted"
	case exitUnreachable:
		if errors.Is(err, cache.ErrNotCached) {
			return "not_cached"
		}
		return "unreachable"
	}
	switch {
	case errors.Is(err, resolver.ErrRefused):
		return "refused"
	case errors.Is(err, resolver.ErrDenied):
		return "denied"
	case errors.Is(err, cache.ErrDamaged), errors.Is(err, manifest.ErrCorrupt), errors.Is(err, manifest.ErrSchema),
		errors.Is(err, cache.ErrLocking), errors.Is(err, cache.ErrUnsafeDir), errors.Is(err, cache.ErrInUse):
		return "cache"
	}
	var we *cache.WriteError
	if errors.As(err, &we) {
		return "cache"
	}
	return "failure"
}

// fail reports err, the command's failure: the one error line on stderr
// (a JSON record with --log-format json) and, with --json, the failure's
// document on stdout unless the command printed one.
func (g *globals) fail(err error, code int) {
	body := describe(err, code)
	if g.json && !g.printed {
		var doc any = struct {
			Error errorBody `json:"error"`
		}{body}
		var de *docError
		if errors.As(err, &de) {
			doc = withError(de.doc, body)
		}
		if b, merr := marshalJSON(doc); merr == nil {
			_, _ = g.stdout.Write(b)
		}
	}
	if g.logFormat == "json" {
		attrs := []any{"exit_code", code, "kind", body.Kind}
		slog.New(slog.NewJSONHandler(g.stderr, nil)).Error(body.Message, attrs...)
		return
	}
	fmt.Fprintf(g.stderr, "supctl: %s\n", body.Message)
}

// withError adds an "error" member to the JSON object doc marshals to.
func withError(doc any, body errorBody) any {
	b, err := marshalJSON(doc)
	e, err2 := marshalJSON(body)
	b = bytes.TrimSpace(b)
	if err != nil || err2 != nil || len(b) < 2 || b[0] != '{' {
		return struct {
			Error errorBody `json:"error"`
		}{body}
	}
	sep := ","
	if string(b) == "{}" {
		sep = ""
	}
	out := append(b[:len(b)-1:len(b)-1], sep+`"error":`...)
	out = append(out, e...)
	return json.RawMessage(append(out, '}'))
}

// resultDoc is a resolve's or a file check's result as --json prints it:
// the library's result without the fields that do not apply (a local file
// has no ref, digests, or registry check).
type resultDoc struct {
	Ref           string     `json:"ref,omitempty"`
	Digest        string     `json:"digest,omitempty"`
	IndexDigest   *string    `json:"index_digest,omitempty"`
	Platform      string     `json:"platform"`
	Path          string     `json:"path"`
	Version       string     `json:"version"`
	VersionSource string     `json:"version_source"`
	BinarySHA256  string     `json:"binary_sha256"`
	Size          int64      `json:"size"`
	ResolvedFrom  string     `json:"resolved_from"`
	Extracted     bool       `json:"extracted"`
	CheckedAt     *time.Time `json:"checked_at,omitempty"`
	// VersionAttempts, with an unknown version: what was tried, why each
	// method could not answer, what would fix it.
	VersionAttempts []supervisor.Attempt `json:"version_attempts,omitempty"`
}

func newResultDoc(r *resolver.Result) resultDoc {
	d := resultDoc{
		Ref: r.Ref, Digest: r.Digest.String(), Platform: r.Platform, Path: r.Path, Version: r.Version,
		VersionSource: r.VersionSource, BinarySHA256: r.BinarySHA256, Size: r.Size,
		ResolvedFrom: string(r.ResolvedFrom), Extracted: r.Extracted, VersionAttempts: r.VersionAttempts,
	}
	if r.ResolvedFrom != resolver.FromFile {
		idx, at := r.IndexDigest.String(), r.CheckedAt
		d.IndexDigest = &idx
		if !at.IsZero() {
			d.CheckedAt = &at
		}
	}
	return d
}
