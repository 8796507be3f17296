package supervisor

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseVersionLine(t *testing.T) {
	tests := []struct {
		name, out string
		want      string // "" means ErrUnknownVersion
	}{
		{"", "openshell-sandbox 0.0.47-dev.13+g57b71c68f\n", "0.0.47-dev.13+g57b71c68f"},
		{"openshell-sandbox", "openshell-sandbox 0.0.47-dev.13+g57b71c68f", "0.0.47-dev.13+g57b71c68f"},
		{"", "openshell-sandbox 0.0.47\r\n", "0.0.47"},
		{"", "openshell-sandbox 0.0.47 \t\nbuilt 2024-01-01\n", "0.0.47"},
		{"", "openshell-sandbox v0.0.47\n", "v0.0.47"},
		{"my-sup", "my-sup 1.2.3-rc.1\n", "1.2.3-rc.1"},
		{"", "", ""},
		{"", "\n", ""},
		{"", "openshell-sandbox\n", ""},
		{"", "openshell-sandbox \n", ""},
		{"", "openshell-sandbox 0.0\n", ""},
		{"", "openshell-sandbox 0.0.47.1\n", ""},
		{"", "openshell-sandbox  0.0.47\n", ""},
		{"", " openshell-sandbox 0.0.47\n", ""},
		{"", "openshell-sandbox 0.0.47 (abc)\n", ""},
		{"", "openshell-sandbox-0.0.47\n", ""},
		{"", "OpenShell-Sandbox 0.0.47\n", ""},
		{"", "error: unexpected argument '--version'\n", ""},
		{"", "\nopenshell-sandbox 0.0.47\n", ""},
		{"my-sup", "openshell-sandbox 0.0.47\n", ""},
	}
	for _, tt := range tests {
		got, err := ParseVersionLine(tt.name, tt.out)
		if tt.want == "" {
			if !errors.Is(err, ErrUnknownVersion) || got != "" {
				t.Errorf("ParseVersionLine(%q, %q) = %q, %v; want ErrUnknownVersion", tt.name, tt.out, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseVersionLine(%q, %q) = %q, %v; want %q", tt.name, tt.out, got, err, tt.want)
		}
	}
}

func TestParseVersionLineMessage(t *testing.T) {
	_, err := ParseVersionLine("", "error: unexpected argument '--version'\nmore\n")
	if err == nil || !strings.Contains(err.Error(), `"error: unexpected argument '--version'"`) {
		t.Errorf("error %v should quote the offending line", err)
	}
	_, err = ParseVersionLine("", strings.Repeat("x", 10000))
	if err == nil || len(err.Error()) > 300 {
		t.Errorf("error for long output should be cut short, got %d bytes", len(err.Error()))
	}
}

func TestVersionString(t *testing.T) {
	if got := (Version{testVersion, MethodRun}).String(); got != testVersion+" (run)" {
		t.Errorf("String = %q", got)
	}
	if got := (Version{Method: MethodUnknown}).String(); got != "unknown" {
		t.Errorf("String = %q", got)
	}
}

func ExampleParseVersionLine() {
	v, err := ParseVersionLine("openshell-sandbox", "openshell-sandbox 0.0.47-dev.13+g57b71c68f\n")
	fmt.Println(v, err)
	_, err = ParseVersionLine("", "openshell-sandbox version 0.0.47\n")
	fmt.Println(err)
	// Output:
	// 0.0.47-dev.13+g57b71c68f <nil>
	// version unknown: output "openshell-sandbox version 0.0.47" is not "openshell-sandbox MAJOR.MINOR.PATCH"
}
