package registrytest

import "net/http"

// A Match selects requests.
type Match func(r *http.Request) bool

// Ping matches GET /v2/.
func Ping() Match { return func(r *http.Request) bool { return r.URL.Path == "/v2/" } }

// Manifests matches manifest requests with method ("" for any).
func Manifests(method string) Match {
	return func(r *http.Request) bool {
		return (method == "" || r.Method == method) && ParseRoute(r.URL.Path).Kind == KindManifest
	}
}

// Blob matches GETs of the blob with digest ("" for any blob).
func Blob(digest string) Match {
	return func(r *http.Request) bool {
		rt := ParseRoute(r.URL.Path)
		return r.Method == http.MethodGet && rt.Kind == KindBlob && (digest == "" || rt.Ref == digest)
	}
}

// Path matches requests for exactly path.
func Path(path string) Match { return func(r *http.Request) bool { return r.URL.Path == path } }
