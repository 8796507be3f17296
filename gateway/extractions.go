package gateway

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// The directories under the gateway's data directory
// ($XDG_DATA_HOME/openshell) where its drivers extract the supervisor
// (supervisor_cache_path in NVIDIA/OpenShell
// crates/openshell-core/src/driver_utils.rs, called with these names by
// crates/openshell-driver-docker/src/lib.rs and
// crates/openshell-driver-podman/src/driver.rs).
const (
	DockerExtractions = "docker-supervisor"
	PodmanExtractions = "podman-supervisor"
)

// ExtractionBinary is the file name of an extracted supervisor.
const ExtractionBinary = "openshell-sandbox"

// Extraction is a supervisor binary the gateway extracted from an image:
// <data dir>/<driver>-supervisor/<image ID, ":" made "-">/openshell-sandbox.
// The gateway keys it by the image's ID (the digest of its configuration)
// and reuses it whenever that ID comes up again; it never removes one.
type Extraction struct {
	Driver  string    `json:"driver"` // "docker" or "podman"
	ImageID string    `json:"image_id"`
	Path    string    `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"mtime"`
}

// ExtractionPath is where the gateway's driver keeps the supervisor of the
// image imageID ("sha256:<hex>"), under dataDir ($XDG_DATA_HOME/openshell).
func ExtractionPath(dataDir, driver, imageID string) string {
	return filepath.Join(dataDir, driver+"-supervisor", strings.ReplaceAll(imageID, ":", "-"), ExtractionBinary)
}

// ListExtractions lists the extractions of both drivers under dataDir
// ($XDG_DATA_HOME/openshell), oldest first. Only directories named
// sha256-<hex> that hold a regular openshell-sandbox count: in a directory
// shared with supctl's cache, nothing of supctl's is one. It reads only.
func ListExtractions(ctx context.Context, dataDir string) ([]Extraction, error) {
	var out []Extraction
	for _, drv := range []string{"docker", "podman"} {
		dir := filepath.Join(dataDir, drv+"-supervisor")
		des, err := os.ReadDir(dir)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return out, fmt.Errorf("listing the gateway's extractions in %s: %w", dir, err)
		}
		for _, de := range des {
			if err := ctx.Err(); err != nil {
				return out, err
			}
			hex, ok := strings.CutPrefix(de.Name(), "sha256-")
			if !ok || !de.IsDir() || !isHex(hex) {
				continue
			}
			p := filepath.Join(dir, de.Name(), ExtractionBinary)
			fi, err := os.Lstat(p)
			if err != nil || !fi.Mode().IsRegular() {
				continue
			}
			out = append(out, Extraction{Driver: drv, ImageID: "sha256:" + hex, Path: p, Size: fi.Size(), ModTime: fi.ModTime()})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ModTime.Before(out[j].ModTime) })
	return out, nil
}

func isHex(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !(s[i] >= '0' && s[i] <= '9' || s[i] >= 'a' && s[i] <= 'f') {
			return false
		}
	}
	return true
}

// RemoveExtraction removes one extraction: its openshell-sandbox, then its
// directory if nothing else is left in it. The gateway extracts it again
// from its image when it needs it. A sandbox running from it keeps its
// open file. Nothing else is touched.
func RemoveExtraction(e Extraction) error {
	if filepath.Base(e.Path) != ExtractionBinary || !strings.HasPrefix(filepath.Base(filepath.Dir(e.Path)), "sha256-") {
		return fmt.Errorf("%s is not a gateway extraction", e.Path)
	}
	if err := os.Remove(e.Path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("removing the gateway's extraction: %w", err)
	}
	if err := os.Remove(filepath.Dir(e.Path)); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotEmpty(err) {
		return fmt.Errorf("removing the gateway's extraction directory: %w", err)
	}
	return nil
}

func isNotEmpty(err error) bool {
	return errors.Is(err, syscall.ENOTEMPTY) || errors.Is(err, syscall.EEXIST)
}
