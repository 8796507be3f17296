package manifest

import "errors"

var (
	// ErrCorrupt reports a record file that could not be decoded or failed
	// validation. The file has been moved aside.
	ErrCorrupt = errors.New("corrupt record")

	// ErrSchema reports a record written with a schema version this package
	// does not know (a newer supctl wrote it). The file is left untouched.
	ErrSchema = errors.New("record schema not supported")
)
