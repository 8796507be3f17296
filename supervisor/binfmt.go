package supervisor

import (
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// BinfmtDir is where the Linux kernel lists its binfmt_misc handlers: the
// directory [Emulators] reads by default and a confined [Run] of a foreign
// binary consults to find the emulator that runs it.
const BinfmtDir = "/proc/sys/fs/binfmt_misc"

// binfmtHandler is one registered binfmt_misc handler.
type binfmtHandler struct {
	name        string // the entry's file name, e.g. "qemu-aarch64"
	enabled     bool
	interpreter string
	flags       string // e.g. "POCF"
	offset      int
	magic, mask []byte // nil for a handler that matches by file name extension
	malformed   bool   // an offset, magic or mask the parser could not read
}

// usable reports whether the kernel would run a file through h by its
// magic: h is enabled, well formed, and matches by magic.
func (h binfmtHandler) usable() bool {
	return h.enabled && !h.malformed && len(h.magic) > 0
}

// matches reports whether a file starting with head is one the handler
// runs, by the kernel's rule: every byte at offset+i, masked, equals the
// masked magic byte.
func (h binfmtHandler) matches(head []byte) bool {
	if h.offset+len(h.magic) > len(head) {
		return false
	}
	for i, m := range h.magic {
		mask := byte(0xff)
		if i < len(h.mask) {
			mask = h.mask[i]
		}
		if (head[h.offset+i]^m)&mask != 0 {
			return false
		}
	}
	return true
}

// fixedBinary reports whether the handler has the F flag: the kernel opened
// its interpreter when it was registered, so the interpreter runs in a
// chroot or another mount namespace where its path does not exist.
func (h binfmtHandler) fixedBinary() bool { return strings.Contains(h.flags, "F") }

// binfmtHandlers returns the enabled magic handlers listed in dir. It
// returns a reason, for messages, when there are none to use.
func binfmtHandlers(dir string) ([]binfmtHandler, string) {
	status, err := os.ReadFile(filepath.Join(dir, "status"))
	if err != nil {
		return nil, fmt.Sprintf("binfmt_misc is not mounted at %s", dir)
	}
	if strings.TrimSpace(string(status)) != "enabled" {
		return nil, "binfmt_misc is disabled"
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Sprintf("cannot list %s: %v", dir, err)
	}
	var hs []binfmtHandler
	for _, e := range ents {
		if e.Name() == "status" || e.Name() == "register" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || len(data) > 4096 {
			continue
		}
		if h := parseBinfmtEntry(e.Name(), string(data)); h.usable() {
			hs = append(hs, h)
		}
	}
	return hs, ""
}

// parseBinfmtEntry parses a handler's file in binfmt_misc, which reads
//
//	enabled
//	interpreter /usr/bin/qemu-aarch64-static
//	flags: F
//	offset 0
//	magic 7f454c460201010000000000000000000200b700
//	mask ffffffffffffff00fffffffffffffffffeffffff
//
// A field it cannot read (an offset out of 0..128, a magic or mask that is
// not hex) is left zero and marks the handler malformed.
func parseBinfmtEntry(name, data string) binfmtHandler {
	h := binfmtHandler{name: name}
	for _, line := range strings.Split(data, "\n") {
		key, val, _ := strings.Cut(strings.TrimSpace(line), " ")
		val = strings.TrimSpace(val)
		var err error
		switch key {
		case "enabled":
			h.enabled = true
		case "interpreter":
			h.interpreter = val
		case "flags:":
			h.flags = val
		case "offset":
			if h.offset, err = strconv.Atoi(val); err != nil || h.offset < 0 || h.offset > 128 {
				h.offset, h.malformed = 0, true
			}
		case "magic":
			if h.magic, err = hex.DecodeString(val); err != nil {
				h.magic, h.malformed = nil, true
			}
		case "mask":
			if h.mask, err = hex.DecodeString(val); err != nil {
				h.mask, h.malformed = nil, true
			}
		}
	}
	return h
}

// binfmtFor returns the handler the kernel would use for the file at path,
// or a reason why there is none usable for a confined run.
func binfmtFor(dir, path string) (binfmtHandler, string, error) {
	f, err := os.Open(path)
	if err != nil {
		return binfmtHandler{}, "", err
	}
	defer f.Close()
	head := make([]byte, 256)
	n, err := io.ReadFull(f, head)
	if err != nil && n == 0 {
		return binfmtHandler{}, "", fmt.Errorf("reading %s: %w", path, err)
	}
	head = head[:n]
	hs, why := binfmtHandlers(dir)
	if why != "" {
		return binfmtHandler{}, why, nil
	}
	for _, h := range hs {
		if !h.matches(head) {
			continue
		}
		if !h.fixedBinary() {
			return h, fmt.Sprintf("binfmt_misc handler %q (%s) lacks the F flag, so it cannot run inside the confinement; register it with F (qemu-user-static's handlers have it)", h.name, h.interpreter), nil
		}
		return h, "", nil
	}
	return binfmtHandler{}, "no binfmt_misc handler is registered for its ELF machine", nil
}
