package cache

import (
	"fmt"
	"io/fs"
	"strconv"
	"strings"

	"github.com/openshell-contrib/supctl/remedy"
)

// An UnsafeError reports a directory or file of the cache that breaks the
// ownership rule (see the package documentation): another user could
// change what it holds. It matches [ErrUnsafeDir].
type UnsafeError struct {
	// Path is the offending directory or file; Why what is wrong with it
	// ("is not owned by you", "is writable by other users", "is a symbolic
	// link", "is not a directory"; for a directory above the cache
	// directory, that its owner or others could rename the cache directory
	// away).
	Path, Why string
	// Mode is its mode; Owner the uid owning it, OwnerName that user's name
	// if known. UID and UserName are the caller's.
	Mode      fs.FileMode
	Owner     int
	OwnerName string
	UID       int
	UserName  string
}

func (e *UnsafeError) Error() string {
	who := func(uid int, name string) string {
		if name == "" {
			return "uid " + strconv.Itoa(uid)
		}
		return fmt.Sprintf("uid %d (%s)", uid, name)
	}
	you := e.you()
	fix := e.Remedy().String()
	switch why := e.Why; {
	case e.Remedy().Action != "":
	case strings.HasPrefix(why, whyForeignAncestor):
		fix = fmt.Sprintf("run \"chown root %s\" as root if it is a system directory (or \"chown %s %s\" if it is yours), or choose a cache directory whose every parent belongs to root or to you", e.Path, you, e.Path)
	default: // a parent writable by others
		fix = fmt.Sprintf("run \"chmod go-w %s\" (or \"chmod +t %s\" for a shared directory such as /tmp), or choose a cache directory whose every parent only root or you can write", e.Path, e.Path)
	}
	return fmt.Sprintf("unsafe cache directory: %s %s (owner %s, mode %v; you are %s): another user could plant binaries there; %s",
		e.Path, e.Why, who(e.Owner, e.OwnerName), e.Mode, who(e.UID, e.UserName), fix)
}

// Remedy is, for the directory itself, another cache directory (a real
// one for a link), after what would make this one safe. For a parent it
// is none: the fix is the parent's, and any directory elsewhere will do.
func (e *UnsafeError) Remedy() remedy.Remedy {
	switch e.Why {
	case "is a symbolic link":
		return remedy.Remedy{Action: remedy.RealCacheDir, Before: "replace the link by the directory itself, or "}
	case "is not a directory":
		return remedy.Remedy{Action: remedy.OtherCacheDir, Before: "move it away, or "}
	case "is not owned by you":
		return remedy.Remedy{Action: remedy.OtherCacheDir, Before: fmt.Sprintf("if its files are yours, run \"chown -R %s %s\" as root; otherwise ", e.you(), e.Path)}
	case "is writable by other users":
		return remedy.Remedy{Action: remedy.OtherCacheDir, Before: fmt.Sprintf("run \"chmod go-w %s\", or ", e.Path)}
	}
	return remedy.Remedy{}
}

// you names the user, for a command line.
func (e *UnsafeError) you() string {
	if e.UserName == "" {
		return strconv.Itoa(e.UID)
	}
	return e.UserName
}

func (e *UnsafeError) Is(target error) bool { return target == ErrUnsafeDir }

// The Why of an [UnsafeError] for a directory above the cache directory,
// followed by the cache directory.
const (
	whyForeignAncestor  = "is not owned by root or by you, so its owner could rename the cache directory away and put another in its place: "
	whyWritableAncestor = "is writable by other users without the sticky bit, so they could rename the cache directory away and put another in its place: "
)
