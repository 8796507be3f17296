package supervisor

import (
	"debug/elf"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// PlatformOfFile returns the Linux platform the ELF executable at path is
// built for, from its header's machine, class and byte order, for example
// linux/arm64. The variant is left empty: the header does not say it. A
// file that is not an ELF executable, or for a machine this package does not
// know, gives an error wrapping [ErrNotELF] or [ErrUnsupportedPlatform].
//
// Only a regular file is opened (a FIFO or device is refused unread).
func PlatformOfFile(path string) (v1.Platform, error) {
	st, err := os.Stat(path)
	if err != nil {
		return v1.Platform{}, err
	}
	if !st.Mode().IsRegular() {
		return v1.Platform{}, &fileError{path: path, kind: ErrNotELF, detail: fmt.Sprintf("not a regular file (mode %v)", st.Mode())}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscallNonblock, 0)
	if err != nil {
		return v1.Platform{}, err
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return v1.Platform{}, &fileError{path: path, kind: ErrNotELF, detail: "not a regular file"}
	}
	ef, err := elf.NewFile(f)
	if err != nil {
		return v1.Platform{}, &fileError{path: path, kind: ErrNotELF, detail: err.Error()}
	}
	arch := archOf(ef.Machine, ef.Class, ef.Data)
	if arch == "" {
		return v1.Platform{}, &fileError{path: path, kind: ErrUnsupportedPlatform,
			detail: fmt.Sprintf("no known Linux architecture builds %v (%s) executables", ef.Machine, layout(ef.Class, ef.Data))}
	}
	return v1.Platform{OS: "linux", Architecture: arch}, nil
}
