package remedy_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	"github.com/openshell-contrib/supctl/remedy"
)

func ExampleOf() {
	err := fmt.Errorf("pulling: %w", &remedy.Error{
		Err: fmt.Errorf("r.example/sup:dev: registry failed after retries: %w", fs.ErrNotExist),
		Fix: remedy.Remedy{Action: remedy.Mirror, Before: "try again later or "},
	})
	fmt.Println(err)
	if rm, ok := remedy.Of(err); ok {
		fmt.Println(rm.Action)
	}
	// Output:
	// pulling: r.example/sup:dev: registry failed after retries: file does not exist; try again later or use a mirror
	// mirror
}

// carrier carries a remedy of its own, or none.
type carrier struct{ rm remedy.Remedy }

func (c carrier) Error() string         { return "failed; " + c.rm.String() }
func (c carrier) Remedy() remedy.Remedy { return c.rm }

func TestOf(t *testing.T) {
	base := errors.New("base")
	e := &remedy.Error{Err: base, Fix: remedy.Remedy{Action: remedy.Timeout}}
	if rm, ok := remedy.Of(fmt.Errorf("x: %w", e)); !ok || rm.Action != remedy.Timeout || !errors.Is(e, base) {
		t.Errorf("Of(wrapped *Error) = %+v, %v", rm, ok)
	}
	if rm, ok := remedy.Of(carrier{remedy.Remedy{Action: remedy.Repair, Before: "run "}}); !ok || rm.Action != remedy.Repair {
		t.Errorf("Of(carrier) = %+v, %v", rm, ok)
	}
	if _, ok := remedy.Of(carrier{}); ok {
		t.Error("a zero remedy is one")
	}
	if _, ok := remedy.Of(base); ok {
		t.Error("an error without a remedy has one")
	}
	if _, ok := remedy.Of(nil); ok {
		t.Error("nil has a remedy")
	}
}

// Every action has words of its own, none a flag, none its bare name.
func TestWords(t *testing.T) {
	seen := map[remedy.Action]bool{}
	for _, a := range remedy.Actions() {
		if seen[a] {
			t.Errorf("action %q listed twice", a)
		}
		seen[a] = true
		w := remedy.Remedy{Action: a, Before: "<", After: ">"}.String()
		if w == "<"+string(a)+">" || strings.Contains(w, "--") || !strings.HasPrefix(w, "<") || !strings.HasSuffix(w, ">") {
			t.Errorf("action %q in words: %q", a, w)
		}
	}
}
