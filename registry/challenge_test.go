package registry

import (
	"reflect"
	"testing"
)

func TestParseChallenge(t *testing.T) {
	for _, tc := range []struct {
		name    string
		headers []string
		want    challenge
		ok      bool
	}{
		{"ghcr.io", []string{`Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:nvidia/openshell/supervisor:pull"`},
			challenge{"bearer", map[string]string{"realm": "https://ghcr.io/token", "service": "ghcr.io", "scope": "repository:nvidia/openshell/supervisor:pull"}}, true},
		{"docker hub, spaces", []string{`Bearer realm="https://auth.docker.io/token", service="registry.docker.io"`},
			challenge{"bearer", map[string]string{"realm": "https://auth.docker.io/token", "service": "registry.docker.io"}}, true},
		{"basic", []string{`Basic realm="Registry Realm"`}, challenge{"basic", map[string]string{"realm": "Registry Realm"}}, true},
		{"bearer preferred over basic", []string{`Basic realm="x"`, `Bearer realm="https://a/t"`},
			challenge{"bearer", map[string]string{"realm": "https://a/t"}}, true},
		{"two in one header", []string{`Basic realm="x", Bearer realm="https://a/t",service="s"`},
			challenge{"bearer", map[string]string{"realm": "https://a/t", "service": "s"}}, true},
		{"comma and escaped quote in a value", []string{`Bearer realm="https://a/t?x=1,2",scope="a\"b"`},
			challenge{"bearer", map[string]string{"realm": "https://a/t?x=1,2", "scope": `a"b`}}, true},
		{"token values", []string{`bearer realm=https://a/t,service=s`},
			challenge{"bearer", map[string]string{"realm": "https://a/t", "service": "s"}}, true},
		{"first of a repeated parameter", []string{`Bearer realm="https://a/t",realm="https://evil/t"`},
			challenge{"bearer", map[string]string{"realm": "https://a/t"}}, true},
		{"unknown scheme only", []string{`Negotiate abc`}, challenge{}, false},
		{"empty", nil, challenge{}, false},
		{"garbage", []string{`="`, `,,,`}, challenge{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := parseChallenge(tc.headers)
			if ok != tc.ok || (ok && !reflect.DeepEqual(got, tc.want)) {
				t.Fatalf("parseChallenge(%q) = %+v, %v; want %+v, %v", tc.headers, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func FuzzParseChallenge(f *testing.F) {
	for _, s := range []string{`Bearer realm="https://ghcr.io/token",service="ghcr.io"`, `Basic realm="x", Bearer realm="y"`, `a =b "c`, `Bearer realm="\`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		c, ok := parseChallenge([]string{h})
		if ok && c.scheme != "bearer" && c.scheme != "basic" {
			t.Fatalf("parseChallenge(%q) chose scheme %q", h, c.scheme)
		}
	})
}
