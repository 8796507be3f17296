package registry

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// maxTokenBody is the most read of a token service's answer.
const maxTokenBody = 64 << 10

// authTransport authenticates the requests of one repository, lazily: a
// request goes out with the credentials already learned (none at first),
// and only a 401 with a challenge costs a token exchange, once per
// repository and operation; the request is then sent again. A registry that
// needs no credentials costs no round trip for them, and none for a /v2/
// ping. Requests to other hosts (blob redirects to a CDN) never get the
// registry's credentials.
type authTransport struct {
	next  http.RoundTripper // the client's bounded, retrying transport
	host  string            // the registry's host[:port]
	auth  authn.Authenticator
	scope string // the scope asked for, e.g. "repository:org/supervisor:pull"

	mu     sync.Mutex
	header string // the Authorization value, once learned
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Host != t.host {
		return t.next.RoundTrip(req)
	}
	t.mu.Lock()
	sent := t.header
	t.mu.Unlock()
	resp, err := t.next.RoundTrip(withAuth(req, sent))
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		return resp, err
	}
	ch, ok := parseChallenge(resp.Header.Values("WWW-Authenticate"))
	if !ok {
		return resp, nil // classified as denied
	}
	value, err := t.authorize(req.Context(), ch, sent)
	if err != nil || value == "" || value == sent {
		if err != nil {
			drain(resp.Body)
			return nil, &authError{err}
		}
		return resp, nil // nothing better to send: denied
	}
	drain(resp.Body)
	t.mu.Lock()
	t.header = value
	t.mu.Unlock()
	return t.next.RoundTrip(withAuth(req, value))
}

// An authError is the failure of getting credentials for a request: it
// says what the token service did, and [Repo] reports it as it is, not as
// the failure of the request that needed them.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

func withAuth(req *http.Request, value string) *http.Request {
	if value == "" {
		return req
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", value)
	return r
}

// authorize returns the Authorization value that answers ch: the basic
// credentials, or a bearer token from the challenge's realm. It returns ""
// when there is nothing to send.
func (t *authTransport) authorize(ctx context.Context, ch challenge, sent string) (string, error) {
	cfg, err := t.auth.Authorization()
	if err != nil {
		return "", fmt.Errorf("reading the credentials for %s: %w", t.host, err)
	}
	switch ch.scheme {
	case "basic":
		if cfg.Username == "" && cfg.Password == "" {
			return "", nil
		}
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(cfg.Username+":"+cfg.Password)), nil
	case "bearer":
		if cfg.RegistryToken != "" && sent == "" {
			return "Bearer " + cfg.RegistryToken, nil
		}
		tok, err := t.token(ctx, ch, cfg)
		if err != nil {
			return "", err
		}
		return "Bearer " + tok, nil
	}
	return "", nil
}

// token asks the challenge's realm for a token: with a refresh token when
// the credentials have one (OAuth2 POST), else a GET with basic credentials
// or none (anonymous pull).
func (t *authTransport) token(ctx context.Context, ch challenge, cfg *authn.AuthConfig) (string, error) {
	realm, err := url.Parse(ch.params["realm"])
	if err != nil || realm.Host == "" || (realm.Scheme != "https" && realm.Scheme != "http") {
		return "", &NotRegistryError{Host: t.host, What: fmt.Sprintf("a token challenge with an unusable realm %q", ch.params["realm"])}
	}
	scopes := []string{t.scope}
	if s := ch.params["scope"]; s != "" && s != t.scope {
		scopes = append(scopes, s)
	}
	q := url.Values{}
	if s := ch.params["service"]; s != "" {
		q.Set("service", s)
	}
	var req *http.Request
	if cfg.IdentityToken != "" {
		q.Set("grant_type", "refresh_token")
		q.Set("refresh_token", cfg.IdentityToken)
		q.Set("client_id", "supctl")
		q.Set("scope", strings.Join(scopes, " "))
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, realm.String(), strings.NewReader(q.Encode()))
		if err == nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
	} else {
		for _, s := range scopes {
			q.Add("scope", s)
		}
		u := *realm
		u.RawQuery = mergeQuery(realm.RawQuery, q.Encode())
		req, err = http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err == nil && (cfg.Username != "" || cfg.Password != "") {
			req.SetBasicAuth(cfg.Username, cfg.Password)
		}
	}
	if err != nil {
		return "", err
	}
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if isWebPage(resp) {
		return "", &NotRegistryError{Host: realm.Host + " (the token service)", What: "a web page"}
	}
	if resp.StatusCode != http.StatusOK {
		return "", transport.CheckError(resp, http.StatusOK)
	}
	raw, err := readCapped(resp, maxTokenBody, "token response")
	if err != nil {
		return "", err
	}
	var body struct {
		Token       string `json:"token"`
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return "", err // a *json.SyntaxError: Classify says no token service answered
	}
	if body.Token == "" {
		body.Token = body.AccessToken
	}
	if body.Token == "" {
		return "", &NotRegistryError{Host: realm.Host + " (the token service)", What: "a response that is not a token"}
	}
	return body.Token, nil
}

func mergeQuery(a, b string) string {
	if a == "" {
		return b
	}
	return a + "&" + b
}
