package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"

	"github.com/opencontainers/go-digest"
)

// DefaultFile is the binary's path inside the image unless told otherwise.
const DefaultFile = "/openshell-sandbox"

// A Key names a cache entry: the binary at File inside the image whose
// platform manifest has digest Manifest.
type Key struct {
	Manifest digest.Digest
	// File is the binary's absolute path inside the image; "" means
	// [DefaultFile].
	File string
}

func (k Key) file() string {
	if k.File == "" {
		return DefaultFile
	}
	return path.Clean("/" + k.File)
}

// name is the entry's directory name.
func (k Key) name() string {
	n := k.Manifest.Algorithm().String() + "-" + k.Manifest.Encoded()
	if f := k.file(); f != DefaultFile {
		sum := sha256.Sum256([]byte(f))
		n += "-" + hex.EncodeToString(sum[:6])
	}
	return n
}

// base is the binary's file name inside the entry directory.
func (k Key) base() string { return path.Base(k.file()) }

func (k Key) validate() error {
	if err := k.Manifest.Validate(); err != nil {
		return fmt.Errorf("cache key %q: %w", k.Manifest, err)
	}
	if b := k.base(); b == "/" || b == "." || b == ".." {
		return fmt.Errorf("cache key: %q is not a file path", k.File)
	}
	return nil
}

// String returns the key as "<digest>" or "<digest>:<file>".
func (k Key) String() string {
	if f := k.file(); f != DefaultFile {
		return k.Manifest.String() + ":" + f
	}
	return k.Manifest.String()
}
