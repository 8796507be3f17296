package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// buildVersion is what "supctl version" reports, from the build
// information the go command records: the main module's version (a tag or
// pseudo-version for "go install", "(devel)" for "go build" in a clone), the
// commit and whether the tree had uncommitted changes (both from the VCS
// stamp, with -buildvcs's default of auto).
type buildVersion struct {
	Version    string `json:"version"`
	Commit     string `json:"commit,omitempty"`
	CommitTime string `json:"commit_time,omitempty"`
	Modified   bool   `json:"modified"`
	Go         string `json:"go"`
	Platform   string `json:"platform"`
}

func readBuildVersion(bi *debug.BuildInfo, ok bool) buildVersion {
	v := buildVersion{Version: "devel", Go: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || bi == nil {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	if bi.GoVersion != "" {
		v.Go = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Commit = s.Value
		case "vcs.time":
			v.CommitTime = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}

// String is the one line "supctl --version" prints.
func (v buildVersion) String() string {
	s := "supctl " + v.Version
	if v.Commit != "" {
		s += ", commit " + v.Commit
		if v.Modified {
			s += " (modified)"
		}
	}
	return s + ", " + v.Go + " " + v.Platform
}

func currentVersion() buildVersion { return readBuildVersion(debug.ReadBuildInfo()) }

func newVersion(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print supctl's own version, commit and Go version",
		Long: "version prints supctl's version (a release tag or pseudo-version when built\n" +
			"by \"go install\", \"devel\" for \"go build\" in a clone), the commit it was\n" +
			"built from and whether that tree had uncommitted changes, and the Go\n" +
			"version. \"supctl --version\" prints the same line.",
		Example: "  supctl version\n  supctl --version\n  supctl version --json",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			v := currentVersion()
			if g.json {
				return g.printJSON(v)
			}
			_, err := fmt.Fprintln(g.stdout, v)
			return err
		},
	}
}
