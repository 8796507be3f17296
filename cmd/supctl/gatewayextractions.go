package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/openshell-contrib/supctl/gateway"
)

// gatewayExtractions lists the OpenShell gateway's own extractions in its
// data directory ($XDG_DATA_HOME/openshell), which may be the directory of
// supctl's cache too: supctl never touches them unless asked by name.
func gatewayExtractions(ctx context.Context) (string, []gateway.Extraction, error) {
	dir := gateway.OSEnv().DataDir()
	xs, err := gateway.ListExtractions(ctx, dir)
	if xs == nil {
		xs = []gateway.Extraction{}
	}
	return dir, xs, err
}

// printGatewayExtractions prints them after ls's table.
func printGatewayExtractions(b *strings.Builder, dir string, xs []gateway.Extraction, now time.Time) {
	if len(xs) == 0 {
		return
	}
	fmt.Fprintf(b, "\nthe OpenShell gateway's own extractions in %s (not supctl's; see \"supctl doctor\", \"supctl gc --gateway-extractions\"):\n", dir)
	for _, x := range xs {
		fmt.Fprintf(b, "  %s  %s  %s  extracted %s\n", x.Driver, x.Path, size(x.Size), ago(now, x.ModTime))
	}
}

// gcGatewayReport is the JSON of "supctl gc --gateway-extractions".
type gcGatewayReport struct {
	DryRun  bool                 `json:"dry_run"`
	Dir     string               `json:"dir"`
	Removed []gateway.Extraction `json:"removed"`
	Freed   int64                `json:"freed_bytes"`
}

// gcGatewayExtractions removes the gateway's extractions, or with dryRun
// says which it would remove. The gateway extracts its image again at its
// next start; a running sandbox keeps the binary it has.
func gcGatewayExtractions(ctx context.Context, g *globals, dryRun bool) error {
	dir, xs, err := gatewayExtractions(ctx)
	if err != nil {
		return err
	}
	r := gcGatewayReport{DryRun: dryRun, Dir: dir, Removed: []gateway.Extraction{}}
	for _, x := range xs {
		if !dryRun {
			if err := gateway.RemoveExtraction(x); err != nil {
				return err
			}
		}
		r.Removed = append(r.Removed, x)
		r.Freed += x.Size
	}
	if g.json {
		return g.printJSON(r)
	}
	verb, total := "removed", "removed %d gateway %s, freed %d bytes (%s)\n"
	if dryRun {
		verb, total = "would remove", "would remove %d gateway %s, freeing %d bytes (%s)\n"
	}
	var b strings.Builder
	for _, x := range r.Removed {
		fmt.Fprintf(&b, "%s the gateway's extraction %s (%s, image %s)\n", verb, x.Path, size(x.Size), short(x.ImageID))
	}
	fmt.Fprintf(&b, total, len(r.Removed), plural(len(r.Removed), "extraction", "extractions"), r.Freed, size(r.Freed))
	_, err = fmt.Fprint(g.stdout, b.String())
	return err
}
