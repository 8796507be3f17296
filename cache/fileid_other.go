//go:build !linux

package cache

import "io/fs"

// A fileID is what stat says of a file that any change of it moves; it
// is known on Linux only, and elsewhere records and seals are read every time.
type fileID struct{ ctimeNs int64 }

func idOf(fs.FileInfo) (fileID, bool) { return fileID{}, false }
