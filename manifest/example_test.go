package manifest_test

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/openshell-contrib/supctl/manifest"
)

// A Store keeps supctl's records: what each reference pointed at when it was
// last checked, and the pins. Every record is a versioned JSON file written
// by rename.
func ExampleStore() {
	dir, _ := os.MkdirTemp("", "supctl-example-")
	defer os.RemoveAll(dir)
	s, err := manifest.OpenStore(dir)
	if err != nil {
		fmt.Println(err)
		return
	}
	checked := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	err = s.PutRef(&manifest.Ref{
		Name:      "ghcr.io/nvidia/openshell/supervisor:dev",
		Digest:    digest.FromString("an image index"),
		CheckedAt: checked,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := s.Ref("ghcr.io/nvidia/openshell/supervisor:dev")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.SchemaVersion, r.Digest == digest.FromString("an image index"), r.CheckedAt.Equal(checked))

	_, err = s.Ref("ghcr.io/nvidia/openshell/supervisor:latest")
	fmt.Println(errors.Is(err, os.ErrNotExist))
	// Output:
	// 1 true true
	// true
}
