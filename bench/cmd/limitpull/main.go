// Command limitpull is "the limit" of supctl's benchmarks as a process: it
// fetches one gzip layer blob, extracts one file from it and fsyncs it,
// and nothing else (see bench.Limit). With -inflater, the layer is
// inflated by that program (e.g. ISA-L's igzip) instead of Go's gzip
// reader (see bench.ExternalInflater).
//
//	limitpull [-inflater PROGRAM] BLOB-URL NAME DEST
package main

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"

	"github.com/openshell-contrib/supctl/bench"
)

func main() {
	inflater := flag.String("inflater", "", "program that inflates the layer with -d -c (default: Go's gzip reader)")
	flag.Parse()
	if flag.NArg() != 3 {
		fmt.Fprintln(os.Stderr, "usage: limitpull [-inflater PROGRAM] BLOB-URL NAME DEST")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	ctx := context.Background()
	var err error
	if *inflater != "" {
		_, err = bench.LimitWith(ctx, client, flag.Arg(0), flag.Arg(1), flag.Arg(2), bench.ExternalInflater(*inflater))
	} else {
		_, err = bench.Limit(ctx, client, flag.Arg(0), flag.Arg(1), flag.Arg(2))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "limitpull:", err)
		os.Exit(1)
	}
}
