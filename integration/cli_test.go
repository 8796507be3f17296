package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	buildTimeout = 5 * time.Minute  // go build of supctl
	runTimeout   = 60 * time.Second // one supctl process
)

// user is one person at one machine running supctl: a home directory, a
// Docker config directory (no credentials unless the test writes a
// config.json into it), a supctl cache and extra environment variables.
// An empty cache leaves SUPCTL_CACHE_DIR unset.
type user struct {
	home, dockerConfig, cache string
	env                       []string // extra KEY=VALUE
}

func newUser(t *testing.T) *user {
	t.Helper()
	return &user{home: t.TempDir(), dockerConfig: t.TempDir(), cache: t.TempDir()}
}

// withEnv returns a copy of u with extra environment variables.
func (u *user) withEnv(kv ...string) *user {
	c := *u
	c.env = append(append([]string(nil), u.env...), kv...)
	return &c
}

// environ is the whole environment of a supctl process: nothing of the
// test process's environment but PATH and TMPDIR, so that no proxy, CA
// bundle, XDG directory, Docker config or cache of the machine is used.
func (u *user) environ() []string {
	env := []string{
		"HOME=" + u.home,
		"DOCKER_CONFIG=" + u.dockerConfig,
		"PATH=" + os.Getenv("PATH"),
		"TMPDIR=" + os.TempDir(),
	}
	if u.cache != "" {
		env = append(env, "SUPCTL_CACHE_DIR="+u.cache)
	}
	if raceBuild {
		// The race runtime sleeps a second at exit by default.
		env = append(env, "GORACE=atexit_sleep_ms=0")
	}
	return append(env, u.env...)
}

// outcome is what one supctl process did.
type outcome struct {
	args           []string
	code           int
	stdout, stderr string
	took           time.Duration
}

func (o outcome) String() string {
	return "supctl " + strings.Join(o.args, " ") + ": exit " + strconv.Itoa(o.code) +
		"\nstdout: " + o.stdout + "\nstderr: " + o.stderr
}

// supctl runs the supctl binary with args as u and returns what it did.
// It fails the test if the process cannot be started, is killed by the
// timeout, or reports a data race.
func (u *user) supctl(t *testing.T, args ...string) outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), runTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := u.command(ctx, &stdout, &stderr, args...)
	start := time.Now()
	err := cmd.Run()
	return finish(t, args, err, &stdout, &stderr, time.Since(start))
}

// command is the exec.Cmd of one supctl run as u, killed when ctx ends.
func (u *user) command(ctx context.Context, stdout, stderr io.Writer, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, supctlBin, args...)
	cmd.Env = u.environ()
	cmd.Dir = u.home
	cmd.Stdout, cmd.Stderr = stdout, stderr
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// finish turns the result of a supctl process into an outcome, failing the
// test if it did not exit by itself or reported a data race.
func finish(t *testing.T, args []string, err error, stdout, stderr *bytes.Buffer, took time.Duration) outcome {
	t.Helper()
	o := outcome{args: args, stdout: stdout.String(), stderr: stderr.String(), took: took}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee) && ee.Exited():
		o.code = ee.ExitCode()
	default:
		t.Fatalf("supctl %s: %v (after %v)\nstderr: %s", strings.Join(args, " "), err, took.Round(time.Millisecond), o.stderr)
	}
	if strings.Contains(o.stderr, "WARNING: DATA RACE") {
		t.Errorf("data race in supctl:\n%s", o)
	}
	return o
}

// pullResult is the JSON document of "supctl pull --json".
type pullResult struct {
	Ref           string    `json:"ref"`
	Digest        string    `json:"digest"`
	IndexDigest   string    `json:"index_digest"`
	Platform      string    `json:"platform"`
	Path          string    `json:"path"`
	Version       string    `json:"version"`
	VersionSource string    `json:"version_source"`
	BinarySHA256  string    `json:"binary_sha256"`
	Size          int64     `json:"size"`
	ResolvedFrom  string    `json:"resolved_from"`
	Extracted     bool      `json:"extracted"`
	CheckedAt     time.Time `json:"checked_at"`
}

// pullFields are the fields the CLI contract requires of pull --json.
var pullFields = []string{"ref", "digest", "index_digest", "platform", "path", "version", "version_source",
	"binary_sha256", "size", "resolved_from", "extracted", "checked_at"}

// pullJSON runs "supctl pull --json args..." as u, requires exit 0 and
// exactly one JSON document with every contract field on stdout, and
// returns it.
func (u *user) pullJSON(t *testing.T, args ...string) (pullResult, outcome) {
	t.Helper()
	o := u.supctl(t, append([]string{"pull", "--json"}, args...)...)
	if o.code != 0 {
		t.Fatalf("want exit 0:\n%s", o)
	}
	return decodePull(t, o), o
}

// decodePull parses the stdout of pull --json: exactly one JSON object,
// with every field of the contract, checked_at in RFC 3339.
func decodePull(t *testing.T, o outcome) pullResult {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(o.stdout))
	var fields map[string]json.RawMessage
	if err := dec.Decode(&fields); err != nil {
		t.Fatalf("stdout is not a JSON object: %v\n%s", err, o)
	}
	var extra json.RawMessage
	if err := dec.Decode(&extra); err != io.EOF {
		t.Fatalf("stdout holds more than one JSON document (next: %s, %v)\n%s", extra, err, o)
	}
	for _, f := range pullFields {
		if _, ok := fields[f]; !ok {
			t.Errorf("pull --json has no %q field\n%s", f, o)
		}
	}
	var ca string
	if err := json.Unmarshal(fields["checked_at"], &ca); err != nil {
		t.Errorf("checked_at %s is not a string: %v", fields["checked_at"], err)
	} else if _, err := time.Parse(time.RFC3339, ca); err != nil {
		t.Errorf("checked_at %q is not RFC 3339: %v", ca, err)
	}
	var r pullResult
	if err := json.Unmarshal([]byte(o.stdout), &r); err != nil {
		t.Fatalf("pull --json: %v\n%s", err, o)
	}
	return r
}

// pullPath runs "supctl pull args..." as u, requires exit 0 and exactly
// one line on stdout, an absolute path, and returns it.
func (u *user) pullPath(t *testing.T, args ...string) (string, outcome) {
	t.Helper()
	o := u.supctl(t, append([]string{"pull"}, args...)...)
	if o.code != 0 {
		t.Fatalf("want exit 0:\n%s", o)
	}
	p, ok := strings.CutSuffix(o.stdout, "\n")
	if !ok || p == "" || strings.Contains(p, "\n") || !filepath.IsAbs(p) {
		t.Fatalf("stdout is not one line holding an absolute path: %q", o.stdout)
	}
	return p, o
}

// errorLine checks that a failed run printed exactly one line on stderr,
// starting "supctl: ", and nothing on stdout; it returns the line.
func errorLine(t *testing.T, o outcome) string {
	t.Helper()
	if o.stdout != "" {
		t.Errorf("a failed pull printed on stdout: %q", o.stdout)
	}
	line, ok := strings.CutSuffix(o.stderr, "\n")
	if !ok || strings.Contains(line, "\n") || !strings.HasPrefix(line, "supctl: ") {
		t.Errorf("stderr is not one line starting \"supctl: \": %q", o.stderr)
	}
	return line
}
