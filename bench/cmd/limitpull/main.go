// Command limitpull is "the limit" of supctl's benchmarks as a process: it
// fetches one gzip layer blob, extracts one file from it and fsyncs it,
// and nothing else (see bench.Limit).
//
//	limitpull BLOB-URL NAME DEST
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"

	"github.com/openshell-contrib/supctl/bench"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: limitpull BLOB-URL NAME DEST")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{Proxy: nil}}
	if _, err := bench.Limit(context.Background(), client, os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, "limitpull:", err)
		os.Exit(1)
	}
}
