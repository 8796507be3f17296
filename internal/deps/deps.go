package deps

import (
	_ "github.com/google/go-containerregistry/pkg/v1/remote"
	_ "github.com/google/go-containerregistry/pkg/registry"
	_ "github.com/google/go-containerregistry/pkg/v1/daemon"
	_ "github.com/opencontainers/go-digest"
	_ "github.com/klauspost/compress/zstd"
	_ "github.com/gofrs/flock"
	_ "golang.org/x/mod/semver"
	_ "github.com/spf13/cobra"
)
