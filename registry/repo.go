package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// MaxManifestSize is the largest manifest, index or image config read, in
// bytes. Larger documents are refused while streaming (a limit + 1 reader),
// so a hostile registry cannot make a resolve hold more than this in memory.
const MaxManifestSize = 4 << 20

// acceptManifests are the manifest media types a resolve understands.
var acceptManifests = strings.Join([]string{
	string(types.OCIImageIndex), string(types.OCIManifestSchema1),
	string(types.DockerManifestList), string(types.DockerManifestSchema2),
}, ", ")

// A Repo is one repository of one registry (a mirror or the origin),
// reached over the client's bounded, retrying transport. It authenticates
// lazily (see authTransport), with the credentials and tokens the client
// keeps per registry and scope, so an operation's checks and fetches share
// one token exchange, and a registry that asks for none costs none.
type Repo struct {
	repo   name.Repository
	http   *http.Client
	log    *slog.Logger
	scheme *schemeChoice
}

// repo returns the Repo of repo, with the credentials the keychain has for
// its registry.
func (c *Client) repo(ctx context.Context, repo name.Repository) (*Repo, error) {
	auth, err := authn.Resolve(ctx, c.cfg.keychain, repo)
	if err != nil {
		return nil, fmt.Errorf("reading the credentials for %s: %w", repo.RegistryStr(), err)
	}
	at := c.authFor(repo, auth)
	return &Repo{repo: repo, http: &http.Client{Transport: at}, log: c.cfg.log, scheme: c.schemeFor(repo)}, nil
}

// authFor returns the client's authenticating transport for repo's
// registry and pull scope, made on first use; auth replaces the
// credentials it had (they may have changed since).
func (c *Client) authFor(repo name.Repository, auth authn.Authenticator) *authTransport {
	scope := repo.Scope(transport.PullScope)
	key := repo.RegistryStr() + " " + scope
	c.mu.Lock()
	defer c.mu.Unlock()
	at, ok := c.auths[key]
	if !ok {
		at = &authTransport{next: c.rt, host: repo.RegistryStr(), scope: scope}
		c.auths[key] = at
	}
	at.mu.Lock()
	at.auth = auth
	at.mu.Unlock()
	return at
}

func (c *Repo) url(kind, id string) string {
	return fmt.Sprintf("%s://%s/v2/%s/%s/%s", c.scheme.get(), c.repo.RegistryStr(), c.repo.RepositoryStr(), kind, id)
}

// do sends a request for the object kind/id ("manifests", a tag). Where
// the scheme is not known (a loopback registry, or plain HTTP allowed),
// plain HTTP goes first and a server that turns out to speak TLS is asked
// again over HTTPS, which the client then keeps using for that registry.
func (c *Repo) do(ctx context.Context, method, kind, id string, hdr http.Header) (*http.Response, error) {
	for {
		scheme := c.scheme.get()
		req, err := http.NewRequestWithContext(ctx, method, c.url(kind, id), nil)
		if err != nil {
			return nil, err
		}
		for k, v := range hdr {
			req.Header[k] = v
		}
		resp, err := c.http.Do(req)
		var ae *authError
		if errors.As(err, &ae) {
			return nil, ae.err
		}
		if scheme != "http" || !c.scheme.open() || !speaksTLS(resp, err) {
			c.scheme.settle()
			return resp, err
		}
		if resp != nil {
			drain(resp.Body)
		}
		c.log.Debug("registry-scheme", "registry", c.repo.RegistryStr(), "scheme", "https", "reason", "the server speaks TLS")
		c.scheme.upgrade()
	}
}

func isWebPage(resp *http.Response) bool {
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return mt == "text/html" || mt == "application/xhtml+xml"
}

// Head asks what ref points at with one HEAD request; when the registry
// refuses HEAD or answers it without a digest, it falls back to a GET of
// the manifest, whose digest is computed.
func (c *Repo) Head(ctx context.Context, ref name.Reference) (v1.Descriptor, error) {
	resp, err := c.do(ctx, http.MethodHead, "manifests", ref.Identifier(), http.Header{"Accept": {acceptManifests}})
	if err != nil {
		return v1.Descriptor{}, err
	}
	resp.Body.Close()
	why := ""
	switch s := resp.StatusCode; {
	case isWebPage(resp):
		return v1.Descriptor{}, &NotRegistryError{Host: c.repo.RegistryStr(), What: "a web page"}
	case s == http.StatusOK:
		h, err := v1.NewHash(resp.Header.Get("Docker-Content-Digest"))
		if err == nil {
			mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			return v1.Descriptor{Digest: h, MediaType: types.MediaType(mt), Size: resp.ContentLength}, nil
		}
		why = "HEAD answered without a digest"
	case s == http.StatusNotFound, s == http.StatusUnauthorized, s == http.StatusTooManyRequests, s >= 500:
		return v1.Descriptor{}, transport.CheckError(resp, http.StatusOK)
	default:
		why = fmt.Sprintf("HEAD refused with %d", s)
	}
	c.log.Debug("head-fallback", "ref", ref.Name(), "reason", why)
	m, err := c.Manifest(ctx, ref)
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{Digest: m.Digest, MediaType: m.MediaType, Size: int64(len(m.Raw))}, nil
}

// A Manifest is a manifest or index as the registry sent it, verified.
type Manifest struct {
	Raw       []byte
	MediaType types.MediaType
	Digest    v1.Hash
}

// Manifest gets the manifest ref names, at most [MaxManifestSize] bytes,
// and checks it against the digest asked for (a digest reference) or the
// one the registry announced (a tag).
func (c *Repo) Manifest(ctx context.Context, ref name.Reference) (*Manifest, error) {
	resp, err := c.do(ctx, http.MethodGet, "manifests", ref.Identifier(), http.Header{"Accept": {acceptManifests}})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if isWebPage(resp) {
		return nil, &NotRegistryError{Host: c.repo.RegistryStr(), What: "a web page"}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, transport.CheckError(resp, http.StatusOK)
	}
	raw, err := readCapped(resp, MaxManifestSize, "manifest")
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(raw)
	got := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
	want := resp.Header.Get("Docker-Content-Digest")
	if d, ok := ref.(name.Digest); ok {
		want = d.DigestStr()
	}
	if want != "" && want != got.String() {
		return nil, fmt.Errorf("manifest %s: the registry sent content whose digest is %s (wrong bytes): %w", ref.Identifier(), got, ErrRefused)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if !types.MediaType(mt).IsIndex() && !types.MediaType(mt).IsImage() {
		// Some registries send a generic type: the document says.
		var probe struct {
			MediaType types.MediaType `json:"mediaType"`
			Manifests json.RawMessage `json:"manifests"`
			Config    json.RawMessage `json:"config"`
		}
		if json.Unmarshal(raw, &probe) != nil {
			return nil, &NotRegistryError{Host: c.repo.RegistryStr(), What: "a document that is not a manifest"}
		}
		switch {
		case probe.MediaType != "":
			mt = string(probe.MediaType)
		case probe.Manifests != nil: // OCI allows the field to be left out
			mt = string(types.OCIImageIndex)
		case probe.Config != nil:
			mt = string(types.OCIManifestSchema1)
		}
	}
	return &Manifest{Raw: raw, MediaType: types.MediaType(mt), Digest: got}, nil
}

// Config gets a small blob (an image config), at most [MaxManifestSize]
// bytes, and checks its digest.
func (c *Repo) Config(ctx context.Context, desc v1.Descriptor) ([]byte, error) {
	if desc.Size > MaxManifestSize {
		return nil, fmt.Errorf("config %s is %d bytes, over the %d-byte limit: %w", desc.Digest, desc.Size, MaxManifestSize, ErrRefused)
	}
	rc := c.Blob(ctx, desc)
	defer rc.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(rc, MaxManifestSize+1)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readCapped reads a response body of at most max bytes.
func readCapped(resp *http.Response, max int64, what string) ([]byte, error) {
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%s of %d bytes is over the %d-byte limit: %w", what, resp.ContentLength, max, ErrRefused)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%s is over the %d-byte limit: %w", what, max, ErrRefused)
	}
	return raw, nil
}
