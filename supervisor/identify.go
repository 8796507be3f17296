package supervisor

import (
	"context"
	_ "crypto/sha256" // for digest.SHA256
	"fmt"
	"io"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/opencontainers/go-digest"
)

// An Identity is what [Identify] learns about a supervisor file: its size,
// its SHA-256 digest and its version, checked against a platform.
type Identity struct {
	Path     string        // the file, as given
	Size     int64         // its size in bytes
	SHA256   digest.Digest // its SHA-256 digest, "sha256:<hex>"
	Version  Version       // its version; Method is MethodUnknown if no prober was sure
	Platform v1.Platform   // the platform it was checked against
	// Tried lists the methods that could not answer, and why; with an
	// unknown version, every method tried.
	Tried []Attempt
}

// Identify checks the file b names in place, without copying it: it must be
// a regular file holding a Linux ELF executable for b.Platform (see
// [CheckELF]); Identify then hashes it and learns its version with
// [Detect] and the given probers. An unknown version is not an error. The
// file must not change while Identify runs.
func Identify(ctx context.Context, b Binary, probers ...Prober) (Identity, error) {
	f, err := os.Open(b.Path)
	if err != nil {
		return Identity{}, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Identity{}, err
	}
	if !st.Mode().IsRegular() {
		return Identity{}, fmt.Errorf("%s is not a regular file (mode %v)", b.Path, st.Mode())
	}
	if err := CheckELF(f, b.Platform); err != nil {
		return Identity{}, err
	}
	sum, err := hashFile(ctx, f, st.Size())
	if err != nil {
		return Identity{}, fmt.Errorf("hashing %s: %w", b.Path, err)
	}
	v, tried, err := DetectTried(ctx, b, probers...)
	if err != nil {
		return Identity{}, err
	}
	return Identity{Path: b.Path, Size: st.Size(), SHA256: sum, Version: v, Platform: b.Platform, Tried: tried}, nil
}

// hashFile returns the SHA-256 digest of the first size bytes of r,
// streaming them, and fails if r is shorter.
func hashFile(ctx context.Context, r io.ReaderAt, size int64) (digest.Digest, error) {
	d := digest.SHA256.Digester()
	h := d.Hash()
	n, err := io.Copy(h, ctxReader{ctx, io.NewSectionReader(r, 0, size)})
	if err != nil {
		return "", err
	}
	if n != size {
		return "", fmt.Errorf("read %d bytes, want %d: the file changed", n, size)
	}
	return d.Digest(), nil
}

// ctxReader stops reading once ctx is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
