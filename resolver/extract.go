package resolver

import (
	"archive/tar"
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/openshell-contrib/supctl/cache"
	"github.com/openshell-contrib/supctl/registry"
	"github.com/openshell-contrib/supctl/remedy"
)

// maxZstdWindow bounds the memory a zstd layer may make the decoder use.
const maxZstdWindow = 64 << 20

// verdict is what one layer says about the binary.
type verdict int

const (
	undecided verdict = iota // the layer does not touch the binary
	found                    // the layer holds the binary (now in the fill)
	absent                   // the layer deletes it (whiteout or opaque directory)
	directory                // the layer makes the binary's path a directory
)

// findBinary searches src's layers from the top down for the binary and
// writes it to fill. It stops at the first layer that decides: one that
// holds the binary, or one that deletes it. Layers below are never
// downloaded. The uncompressed bytes read across the layers searched are
// bounded by the resolver's total ([Limits].Inflated) as well as each
// layer's ([Limits].Layer). It returns the digest of the deciding
// layer.
func (r *Resolver) findBinary(ctx context.Context, ref name.Reference, src imageSource, fill *cache.Fill) (v1.Hash, error) {
	layers := src.layers()
	budget := r.cfg.maxInflated
	for i := len(layers) - 1; i >= 0; i-- {
		desc := layers[i]
		v, used, err := r.scanLayer(ctx, src, desc, fill, budget)
		budget -= used
		if err != nil {
			if errors.Is(err, ErrRefused) {
				return v1.Hash{}, fmt.Errorf("%s: layer %s: %w", ref, desc.Digest, err)
			}
			return v1.Hash{}, registry.Classify(ctx, ref, fmt.Errorf("layer %s: %w", desc.Digest, err))
		}
		switch v {
		case found:
			return desc.Digest, nil
		case absent:
			return v1.Hash{}, fmt.Errorf("%s: %s is deleted by layer %s (a whiteout): %w; the image has no supervisor binary at that path",
				ref, r.cfg.file, desc.Digest, ErrNotFound)
		case directory:
			return v1.Hash{}, fmt.Errorf("%s: %s is a directory in layer %s, which hides the file of the layers below: %w; the image has no supervisor binary at that path",
				ref, r.cfg.file, desc.Digest, ErrNotFound)
		}
	}
	return v1.Hash{}, &remedy.Error{Err: fmt.Errorf("%s: no layer holds %s: %w", ref, r.cfg.file, ErrNotFound),
		Fix: remedy.Remedy{Action: remedy.BinaryPath, Before: "check the image or "}}
}

// scanLayer streams one layer: compressed bytes -> digest check ->
// decompression -> tar. The whole compressed blob is read and its digest
// checked before scanLayer returns, whatever the verdict.
// budget bounds the bytes inflated, with the per-layer limit; scanLayer
// returns how many it used.
func (r *Resolver) scanLayer(ctx context.Context, src imageSource, desc v1.Descriptor, fill *cache.Fill, budget int64) (verdict, int64, error) {
	if fill.Size() > 0 {
		if err := fill.Reset(); err != nil {
			return undecided, 0, err
		}
	}
	rc, err := src.open(ctx, desc)
	if err != nil {
		return undecided, 0, err
	}
	rc = r.track(rc, desc.Digest.String(), desc.Size)
	// The blob reader checks the blob's size and digest as it reaches its
	// end, failing the last read on a mismatch. The download and that
	// check run in a goroutine a few chunks ahead of decompression.
	ahead := newReadAhead(rc)
	defer func() {
		ahead.stop()
		rc.Close() // unblocks a read in progress
		ahead.wait()
	}()
	br := bufio.NewReaderSize(ahead, 64<<10)
	limit := min(r.cfg.maxLayerSize, budget)
	guard := &bombGuard{ctx: ctx, left: limit + 1, total: limit < r.cfg.maxLayerSize}
	v, err := r.scanTar(ctx, br, fill, guard)
	used := limit + 1 - guard.left
	var we *cache.WriteError
	if err != nil && (errors.Is(err, ErrRefused) || errors.As(err, &we) || ctx.Err() != nil) {
		return undecided, used, err // the layer is not to blame
	}
	// tar stops at its end marker and decompressors may stop before the
	// end of the blob: read the rest, so that the whole blob is checked.
	// After a broken stream, the blob's check says best what went wrong.
	_, derr := io.Copy(io.Discard, br)
	switch {
	case derr != nil:
		// The blob reader says what went wrong: a network failure, a
		// status, or bytes that do not match the digest or size.
		return undecided, used, derr
	case err != nil:
		// The blob is whole and matches its digest: its content is broken.
		return undecided, used, fmt.Errorf("layer is not a readable tar stream: %v: %w", err, ErrRefused)
	}
	return v, used, nil
}

// scanTar decompresses br as sniffed (gzip, zstd or plain tar) and reads its
// tar stream to the end, writing the binary to fill if it is there.
func (r *Resolver) scanTar(ctx context.Context, br *bufio.Reader, fill *cache.Fill, limited *bombGuard) (verdict, error) {
	magic, _ := br.Peek(4)
	var plain io.Reader = br
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return undecided, err
		}
		defer zr.Close()
		plain = zr
	case bytes.HasPrefix(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderLowmem(true), zstd.WithDecoderMaxWindow(maxZstdWindow))
		if err != nil {
			return undecided, err
		}
		defer zr.Close()
		plain = zr
	}
	limited.r = plain
	tr := tar.NewReader(limited)
	target := r.cfg.file
	v := undecided
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return v, nil
		}
		if err != nil {
			return undecided, fmt.Errorf("reading layer: %w", err)
		}
		p, ok := cleanName(hdr.Name)
		if !ok {
			return undecided, fmt.Errorf("tar entry %q escapes the image root: %w", hdr.Name, ErrRefused)
		}
		// Within one layer the last entry at the binary's path wins, as
		// when the engine applies it; whiteouts apply to lower layers only.
		switch {
		case p == target && hdr.Typeflag == tar.TypeDir:
			v = directory // replaces a file earlier in the layer, too
		case p == target:
			if err := r.takeEntry(tr, hdr, fill); err != nil {
				return undecided, err
			}
			v = found
		case isAncestor(target, p):
			// An entry below the binary's path, a whiteout or an opaque
			// marker included, makes it a directory.
			if v == found {
				return undecided, fmt.Errorf("layer holds %s as a file and %s below it, which no engine can apply: %w", target, p, ErrRefused)
			}
			v = directory
		case v == found || v == directory:
			// Decided by an entry at or below the path; whiteouts in the
			// same layer do not touch it.
		case deletes(p, target):
			v = absent
		case isAncestor(p, target) && hdr.Typeflag != tar.TypeDir:
			if hdr.Typeflag == tar.TypeSymlink {
				return undecided, fmt.Errorf("%s, a directory above the binary, is a symlink to %q; supctl does not follow links: %w", p, hdr.Linkname, ErrRefused)
			}
			v = absent // replaced by a file: nothing below it exists
		}
	}
}

// takeEntry copies the binary's tar entry to fill after checking its type
// and size.
func (r *Resolver) takeEntry(tr *tar.Reader, hdr *tar.Header, fill *cache.Fill) error {
	switch hdr.Typeflag {
	case tar.TypeReg: // the reader reports the old TypeRegA as TypeReg
	case tar.TypeSymlink:
		return fmt.Errorf("%s is a symlink to %q, not a file: %w", hdr.Name, hdr.Linkname, ErrRefused)
	case tar.TypeLink:
		return fmt.Errorf("%s is a hard link to %q, not a file: %w", hdr.Name, hdr.Linkname, ErrRefused)
	case tar.TypeDir:
		return fmt.Errorf("%s is a directory, not a file: %w", hdr.Name, ErrRefused)
	default:
		return fmt.Errorf("%s is a special file (tar type %q), not a regular file: %w", hdr.Name, hdr.Typeflag, ErrRefused)
	}
	if hdr.Size > r.cfg.maxSize {
		return fmt.Errorf("%s is %d bytes, over the %d-byte limit: %w", hdr.Name, hdr.Size, r.cfg.maxSize, ErrRefused)
	}
	if fill.Size() > 0 {
		if err := fill.Reset(); err != nil {
			return err
		}
	}
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(fill, io.LimitReader(tr, r.cfg.maxSize+1), buf)
	if err != nil {
		return fmt.Errorf("extracting %s: %w", hdr.Name, err)
	}
	if n > r.cfg.maxSize {
		return fmt.Errorf("%s is over the %d-byte limit: %w", hdr.Name, r.cfg.maxSize, ErrRefused)
	}
	return nil
}

// cleanName turns a tar entry name into an absolute slash path, reporting
// false for a name that climbs above the root ("../x", "/../x", "a/../../x").
func cleanName(n string) (string, bool) {
	depth := 0
	for _, el := range strings.Split(n, "/") {
		switch el {
		case "", ".":
		case "..":
			if depth == 0 {
				return "", false
			}
			depth--
		default:
			depth++
		}
	}
	return path.Clean("/" + n), true
}

// isAncestor reports whether dir is a directory strictly above p.
func isAncestor(dir, p string) bool {
	return dir == "/" || strings.HasPrefix(p, dir+"/")
}

// deletes reports whether the tar entry at p is a whiteout that removes
// target from the layers below: a whiteout of target or of a directory
// above it, or an opaque whiteout of a directory above it.
func deletes(p, target string) bool {
	dir, base := path.Split(p)
	if !strings.HasPrefix(base, ".wh.") {
		return false
	}
	dir = path.Clean(dir)
	if base == ".wh..wh..opq" {
		return isAncestor(dir, target)
	}
	victim := path.Join(dir, strings.TrimPrefix(base, ".wh."))
	return victim == target || isAncestor(victim, target)
}

// bombGuard stops reading a decompressed layer past its limit, and when
// ctx is done.
type bombGuard struct {
	ctx   context.Context
	r     io.Reader
	left  int64 // bytes still allowed, plus one
	total bool  // the limit is what is left of the total for all layers
}

func (b *bombGuard) Read(p []byte) (int, error) {
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left <= 0 {
		if b.total {
			return n, fmt.Errorf("the layers searched inflate to more than the total limit (a decompression bomb?): %w", ErrRefused)
		}
		return n, fmt.Errorf("layer inflates to more than its limit (a decompression bomb?): %w", ErrRefused)
	}
	return n, err
}
