package cache

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"
)

// EnvDir is the environment variable that names the cache directory when
// no directory is given.
const EnvDir = "SUPCTL_CACHE_DIR"

// ErrBadDir is returned by [ResolveDir] for a directory that cannot be
// used as written: a "~" that cannot be expanded.
var ErrBadDir = errors.New("unusable cache directory")

// ResolveDir is the one place the cache directory is resolved, for the CLI,
// doctor and every library user alike: dir if given (a --cache-dir flag,
// say), else $SUPCTL_CACHE_DIR, else [DefaultDir]
// ($XDG_DATA_HOME/openshell/docker-supervisor, else
// ~/.local/share/openshell/docker-supervisor). A leading "~" or "~user" is
// expanded as a shell would have (quoted in an environment file or a unit,
// the shell did not); one that cannot be expanded is refused with an error
// matching [ErrBadDir], never created. It reads the environment and the
// user database only; it creates nothing.
func ResolveDir(dir string) (string, error) {
	if dir == "" {
		dir = os.Getenv(EnvDir)
	}
	if dir == "" {
		return DefaultDir()
	}
	return expandHome(dir)
}

func expandHome(dir string) (string, error) {
	if !strings.HasPrefix(dir, "~") {
		return dir, nil
	}
	name, rest, _ := strings.Cut(dir[1:], "/")
	var home string
	if name == "" {
		h, err := os.UserHomeDir()
		if err != nil {
			return "", badDir(fmt.Sprintf("cache directory %q: cannot expand ~ (%v); give an absolute path", dir, err))
		}
		home = h
	} else {
		u, err := user.Lookup(name)
		if err != nil {
			return "", badDir(fmt.Sprintf("cache directory %q: cannot expand ~%s (%v); give an absolute path", dir, name, err))
		}
		home = u.HomeDir
	}
	if home == "" || !filepath.IsAbs(home) {
		return "", badDir(fmt.Sprintf("cache directory %q: the home directory %q is not absolute; give an absolute path", dir, home))
	}
	return filepath.Join(home, rest), nil
}

// badDir is an error matching [ErrBadDir] whose text is msg alone.
type badDir string

func (e badDir) Error() string        { return string(e) }
func (e badDir) Is(target error) bool { return target == ErrBadDir }
