package depcheck

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/openshell-contrib/supctl"

// library lists the packages a gateway imports (those present are checked).
var library = []string{"resolver", "registry", "cache", "manifest", "supervisor", "compat", "engine", "gateway", "doctor", "remedy"}

// forbidden reports whether a library package may not depend on p.
func forbidden(p string) bool {
	switch {
	case p == "testing" || strings.HasPrefix(p, "testing/") || p == "net/http/httptest":
		return true
	case p == module+"/cmd" || strings.HasPrefix(p, module+"/cmd/"):
		return true
	case testOnly(p):
		return true
	}
	for _, helper := range []string{"internal/fixture", "internal/registrytest", "internal/clocktest", "internal/proctest", "internal/enginetest"} {
		if p == module+"/"+helper || strings.HasPrefix(p, module+"/"+helper+"/") {
			return true
		}
	}
	return false
}

// testOnly reports whether p is a module used by tests only, which
// neither the library nor the command may link: the JSON Schema validator
// that checks the --json documents against schema/.
func testOnly(p string) bool {
	return strings.HasPrefix(p, "github.com/santhosh-tekuri/jsonschema/")
}

// TestCommandDependencies: the supctl command links no test-only module.
func TestCommandDependencies(t *testing.T) {
	root := module + "/cmd/supctl"
	for _, v := range violations(list(t, root), []string{root}, testOnly) {
		t.Error(v)
	}
}

// exampleMay reports whether an example may import the module's package p.
func exampleMay(p string) bool {
	return p == module+"/internal/fixture" || slices.Contains(library, strings.TrimPrefix(p, module+"/"))
}

func TestLibraryDependencies(t *testing.T) {
	var roots []string
	for _, p := range library {
		if _, err := os.Stat(filepath.Join("..", "..", p)); err == nil {
			roots = append(roots, module+"/"+p)
		}
	}
	g := list(t, roots...)
	for _, r := range roots {
		if _, ok := g[r]; !ok {
			t.Fatalf("go list did not list %s", r)
		}
	}
	for _, v := range violations(g, roots, forbidden) {
		t.Error(v)
	}
}

func TestExampleImports(t *testing.T) {
	g := list(t, module+"/examples/...")
	n := 0
	for path, imports := range g {
		if !strings.HasPrefix(path, module+"/examples/") {
			continue
		}
		n++
		for _, imp := range imports {
			if strings.HasPrefix(imp, module+"/") && !exampleMay(imp) {
				t.Errorf("%s imports %s: an example uses only the public API and the demo registry", path, imp)
			}
		}
	}
	if n == 0 {
		t.Fatal("no examples listed")
	}
}

// layers says which of the module's packages each library package may
// import: the layering the package docs describe. remedy (what to do about
// a failure) is a leaf that every package may import; compat, registry and
// manifest are leaves besides it; the cache sits on its records, the
// engine client on the supervisor probes, the gateway model on the engine
// client; the resolver orchestrates them all, and no library package but
// doctor reads the resolver or the gateway model.
var layers = map[string][]string{
	"remedy":     {},
	"compat":     {"remedy"},
	"registry":   {"remedy"},
	"manifest":   {"remedy"},
	"supervisor": {"compat", "remedy"},
	"cache":      {"manifest", "remedy"},
	"engine":     {"supervisor", "remedy"},
	"gateway":    {"compat", "engine", "supervisor", "remedy"},
	"resolver":   {"cache", "compat", "engine", "manifest", "registry", "supervisor", "remedy"},
	"doctor":     {"cache", "compat", "engine", "gateway", "manifest", "resolver", "supervisor", "remedy"},
}

// internalMay lists the internal packages the library may use.
var internalMay = []string{"internal/shorten", "internal/reexec", "internal/atomicfile", "internal/fileid", "internal/regularfile"}

func TestLayering(t *testing.T) {
	var roots []string
	for p := range layers {
		if _, err := os.Stat(filepath.Join("..", "..", p)); err == nil {
			roots = append(roots, module+"/"+p)
		}
	}
	g := list(t, roots...)
	for _, root := range roots {
		me := strings.TrimPrefix(root, module+"/")
		for _, imp := range g[root] {
			rel, ok := strings.CutPrefix(imp, module+"/")
			if !ok || slices.Contains(internalMay, rel) || strings.HasPrefix(rel, me+"/internal/") {
				continue // a package's own internal packages are its own
			}
			if !slices.Contains(layers[me], rel) {
				t.Errorf("%s imports %s; the layering allows %s only %v (internal/depcheck/depcheck_test.go)", me, rel, me, layers[me])
			}
		}
	}
}

// The check finds a forbidden package however deep, and names the chain.
func TestViolations(t *testing.T) {
	g := graph{
		module + "/resolver":         {module + "/cache", "fmt"},
		module + "/cache":            {module + "/internal/shorten"},
		module + "/internal/shorten": {"testing"},
		module + "/compat":           {"strings"},
		"fmt":                        nil, "strings": nil, "testing": nil,
	}
	got := violations(g, []string{module + "/resolver", module + "/compat"}, forbidden)
	want := []string{module + "/resolver depends on testing: " + module + "/resolver -> " + module + "/cache -> " + module + "/internal/shorten -> testing"}
	if !slices.Equal(got, want) {
		t.Fatalf("violations = %q, want %q", got, want)
	}
}

// A graph maps each package to its imports.
type graph map[string][]string

// violations lists, for each root, the forbidden packages it depends on,
// with one import chain that leads there.
func violations(g graph, roots []string, bad func(string) bool) []string {
	var out []string
	for _, root := range roots {
		from := map[string]string{root: ""}
		queue := []string{root}
		for len(queue) > 0 {
			p := queue[0]
			queue = queue[1:]
			if bad(p) {
				chain := []string{p}
				for q := from[p]; q != ""; q = from[q] {
					chain = append(chain, q)
				}
				slices.Reverse(chain)
				out = append(out, root+" depends on "+p+": "+strings.Join(chain, " -> "))
				continue
			}
			for _, imp := range g[p] {
				if _, seen := from[imp]; !seen {
					from[imp] = p
					queue = append(queue, imp)
				}
			}
		}
	}
	return out
}

// list runs "go list -deps -json" on patterns (without tests) and returns
// the import graph of everything listed.
func list(t *testing.T, patterns ...string) graph {
	t.Helper()
	// "go" from PATH: go test puts the running toolchain's first on it.
	cmd := exec.Command("go", append([]string{"list", "-deps", "-json=ImportPath,Imports,Error"}, patterns...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.Bytes())
	}
	g := graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p struct {
			ImportPath string
			Imports    []string
			Error      *struct{ Err string }
		}
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		if p.Error != nil {
			t.Fatalf("go list %s: %s", p.ImportPath, p.Error.Err)
		}
		g[p.ImportPath] = p.Imports
	}
	return g
}

// The library's messages name no supctl flags: the CLI words its own
// advice (cmd/supctl/advice.go, and doctor's remedies in
// cmd/supctl/doctorwords.go). Package supervisor runs binaries with their
// flags, so it is not checked; the one flag doctor names is the gateway's
// own (its generate-certs command), not supctl's.
func TestLibraryMessagesNameNoFlags(t *testing.T) {
	flag := regexp.MustCompile(`(?:^|[\s("])(--[a-z][a-z-]+)`)
	otherPrograms := map[string]string{"doctor": "--output-dir"}
	for _, pkg := range []string{"resolver", "registry", "cache", "manifest", "compat", "engine", "doctor", "remedy"} {
		files, _ := filepath.Glob(filepath.Join("..", "..", pkg, "*.go"))
		if len(files) == 0 {
			t.Fatalf("no Go files in package %s", pkg)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			fset := token.NewFileSet()
			af, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(af, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				for _, m := range flag.FindAllStringSubmatch(lit.Value, -1) {
					if m[1] != otherPrograms[pkg] {
						t.Errorf("%s: %s names a flag; word the advice without it, as a remedy (package remedy) that cmd/supctl/advice.go words with the flag", fset.Position(lit.Pos()), lit.Value)
						break
					}
				}
				return true
			})
		}
	}
}
