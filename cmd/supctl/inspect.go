package main

import (
	"errors"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/openshell-contrib/supctl/resolver"
	"github.com/openshell-contrib/supctl/supervisor"
)

func newInspect(g *globals) *cobra.Command {
	var rf resolveFlags
	cmd := &cobra.Command{
		Use:   "inspect TARGET",
		Short: "Show the version, platform, sha256 and range verdict of a binary or image",
		Long: "inspect identifies a supervisor binary: TARGET is a path to a local binary\n" +
			"(the gateway's supervisor_bin, checked in place) or an image reference\n" +
			"(resolved like pull). It exits 3 when the binary is outside --compat.\n" +
			"For a path, the platform defaults to the one its ELF header names.\n\n" +
			"TARGET is a path when it starts with \"/\" or \".\", or exists and contains a\n" +
			"\"/\" (write ./NAME for a file in this directory); a path is never sent to a\n" +
			"registry, and one that is not a regular file (a directory, a FIFO, a device)\n" +
			"is refused without being read. Anything else is an image reference; a TARGET\n" +
			"that is neither an existing file nor a valid reference is \"no such file\".",
		Args: exactArgs(1, "one path or image reference"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rf.inPlace = mayBePath(args[0])
			defer rf.close()
			r, err := rf.resolver(g)
			if err != nil {
				return err
			}
			if rf.inPlace && !r.IsPath(args[0]) { // a reference: a pull's cache
				rf.close()
				rf.inPlace = false
				if r, err = rf.resolver(g); err != nil {
					return err
				}
			}
			if rf.platform == "" && r.IsPath(args[0]) { // the file says which platform it is for
				if p, perr := supervisor.PlatformOfFile(args[0]); perr == nil {
					rf.platform = p.String()
					if r, err = rf.resolver(g); err != nil {
						return err
					}
				}
			}
			ctx, cancel := rf.context(cmd.Context())
			defer cancel()
			res, err := r.Inspect(ctx, args[0])
			verdict := "none required"
			var ie *resolver.IncompatibleError
			switch {
			case errors.As(err, &ie) && ie.Result != nil && ie.Version == "":
				res, verdict = ie.Result, "unknown (required: "+ie.Range+")"
			case errors.As(err, &ie) && ie.Result != nil:
				res, verdict = ie.Result, "outside "+ie.Range
			case err != nil:
				return err
			case rf.rng != "":
				verdict = "within " + rf.rng
			}
			if g.json {
				doc := struct {
					resultDoc
					Compatible bool   `json:"compatible"`
					Verdict    string `json:"verdict"`
				}{newResultDoc(res), ie == nil, verdict}
				if err != nil {
					return &docError{err, doc}
				}
				return g.printJSON(doc)
			} else {
				tw := tabwriter.NewWriter(g.stdout, 0, 0, 2, ' ', 0)
				if res.Ref != "" {
					fmt.Fprintf(tw, "ref\t%s\ndigest\t%s\n", res.Ref, res.Digest)
				}
				fmt.Fprintf(tw, "path\t%s\nplatform\t%s\nversion\t%s\nversion source\t%s\nsha256\t%s\nsize\t%d\nrange\t%s\n",
					res.Path, res.Platform, orUnknown(res.Version), res.VersionSource, res.BinarySHA256, res.Size, verdict)
				if ferr := tw.Flush(); ferr != nil {
					return ferr
				}
			}
			return err
		},
	}
	rf.register(cmd.Flags(), true)
	rf.registerSource(cmd.Flags())
	return document(cmd, []string{
		"supctl inspect /usr/local/bin/openshell-sandbox --compat '>=0.0.47-0 <0.1.0'",
		"supctl inspect " + exampleRef + " --platform linux/arm64",
		"supctl inspect ./openshell-sandbox --json | jq .verdict",
	}, exitOK, exitFailure, exitUsage, exitIncompatible, exitNotFound, exitUnreachable, exitInterrupted)
}

// orUnknown is v, or "unknown" for the empty version.
func orUnknown(v string) string {
	if v == "" {
		return "unknown"
	}
	return v
}
