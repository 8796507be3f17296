package registry_test

import (
	"crypto/sha256"
	"encoding/hex"

	"github.com/google/go-containerregistry/pkg/authn"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// staticKeychain gives one username and password for every registry.
type staticKeychain struct{ user, pass string }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return &authn.Basic{Username: k.user, Password: k.pass}, nil
}

// remoteDesc is the descriptor of a blob holding content.
func remoteDesc(content string) (v1.Descriptor, error) {
	sum := sha256.Sum256([]byte(content))
	h, err := v1.NewHash("sha256:" + hex.EncodeToString(sum[:]))
	return v1.Descriptor{Digest: h, Size: int64(len(content))}, err
}
