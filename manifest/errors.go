package manifest

import "errors"

var (
	// ErrCorrupt reports a record file that could not be decoded, failed
	// validation or is not a regular file of the caller's. It is left
	// where it is (see [Store.SetAside]).
	ErrCorrupt = errors.New("corrupt record")

	// ErrSchema reports a record written with a schema version this package
	// does not know (a newer supctl wrote it). The file is left untouched.
	ErrSchema = errors.New("record schema not supported")
)
