package cache

import (
	"fmt"
	"io/fs"
	"strconv"
)

// An UnsafeError reports a directory or file of the cache that breaks the
// ownership rule (see the package documentation): another user could
// change what it holds. It matches [ErrUnsafeDir].
type UnsafeError struct {
	// Path is the offending directory or file; Why what is wrong with it
	// ("is not owned by you", "is writable by other users", "is a symbolic
	// link", "is not a directory").
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
	you := e.UserName
	if you == "" {
		you = strconv.Itoa(e.UID)
	}
	var fix string
	switch e.Why {
	case "is a symbolic link":
		fix = "replace the link by the directory itself, or use a real directory as the cache directory"
	case "is not a directory":
		fix = "move it away, or choose another cache directory"
	case "is not owned by you":
		fix = fmt.Sprintf("if its files are yours, run \"chown -R %s %s\" as root; otherwise choose another cache directory", you, e.Path)
	case "is writable by other users":
		fix = fmt.Sprintf("run \"chmod go-w %s\", or choose another cache directory", e.Path)
	default: // the parent
		fix = fmt.Sprintf("run \"chmod o-w %s\" or \"chmod +t %s\", or choose another cache directory elsewhere", e.Path, e.Path)
	}
	return fmt.Sprintf("unsafe cache directory: %s %s (owner %s, mode %v; you are %s): another user could plant binaries there; %s",
		e.Path, e.Why, who(e.Owner, e.OwnerName), e.Mode, who(e.UID, e.UserName), fix)
}

func (e *UnsafeError) Is(target error) bool { return target == ErrUnsafeDir }
