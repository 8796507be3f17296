package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/resolver"
)

// advise returns err with the CLI's own advice in its message (see
// cliText; an incompatible supervisor gets the commands that fix it). The
// error returned wraps err.
func advise(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var ie *resolver.IncompatibleError
	if errors.As(err, &ie) && ie.Ref != "" && ie.Version != "" {
		msg = replaceSuffix(msg, ie.Error(), fmt.Sprintf("supervisor %s (%s, %s) is version %s, outside the required range %q; "+
			"pull a newer tag (\"supctl pull --pull always %s\"), pin a compatible digest with \"supctl pin\", or change the range",
			ie.Ref, ie.Digest, ie.Platform, ie.Version, ie.Range, ie.Ref))
	}
	msg = cliText(msg)
	if msg == err.Error() {
		return err
	}
	return &advised{msg: msg, err: err}
}

// cliText is a library message in the CLI's words: the library's advice
// names no flags, and each of its phrases below becomes the flag that
// does it, word for word as supctl has always printed it.
func cliText(msg string) string {
	for _, p := range phrases {
		msg = strings.ReplaceAll(msg, p.lib, p.cli)
	}
	for _, p := range tidy {
		msg = strings.ReplaceAll(msg, p.lib, p.cli)
	}
	return msg
}

// tidy drops the package prefixes that a library error carries in the
// middle of a message, where the CLI's reader has no use for them.
var tidy = []struct{ lib, cli string }{
	{": refused: supervisor: ", ": refused: "},
}

// phrases maps the library's advice to the CLI's.
var phrases = []struct{ lib, cli string }{
	{"try again later or use a mirror", "try again later or use --mirror"},
	{"; check the image or the binary's path", "; check the image or --file"},
	{"; pin it for one platform: ", "; pin it with one --platform: "},
	{"; choose one of those platforms", "; choose one of those with --platform"},
	{"choose another cache directory", "choose another --cache-dir"},
	{"must be on a local file system, use another one:", "must be on a local file system, use --cache-dir:"},
	{"; give a cache directory", "; set --cache-dir"},
	{"or use a real directory as the cache directory", "or point --cache-dir at a real directory"},
	{" (the timeout set)", " (--timeout)"},
	{"(no scheme, no path); plain HTTP needs the insecure option", "(no scheme, no path); use --insecure for plain HTTP"},
	{"or raise the timeout", "or raise --timeout"},
	{"if the registry serves plain HTTP, allow insecure registries", "if the registry serves plain HTTP, pass --insecure"},
	{"(\"supctl pin\" with the range there)", "(\"supctl pin --compat\" there)"},
	{"or resolve it from the registry instead", "or use --source registry"},
	{"; a repairing verification replaces it", "; run \"supctl verify --repair\" to replace it"},
	{"(not damage: a collection or a repairing verification removes it)", "(not damage: \"supctl gc\" or \"supctl verify --repair\" removes it)"},
	{"(HTTPS is used, and plain HTTP for loopback registries or with the insecure option)", "(supctl uses HTTPS, and plain HTTP for loopback registries or with --insecure)"},
	// doctor's advice
	{"give a cache directory or set SUPCTL_CACHE_DIR", "set --cache-dir or SUPCTL_CACHE_DIR"},
	{", or give another cache directory", ", or set --cache-dir"},
	{"run a repairing verification; ", "run \"supctl verify --repair\"; "},
	{"run a collection or a repairing verification", "run \"supctl gc\" or \"supctl verify --repair\""},
	{"discover the engine automatically", "use --engine auto"},
	{"or choose the Docker engine", "or use --engine docker"},
	{"name the gateway's program, or give a range", "give the gateway's program with --gateway-bin, or a range with --compat"},
	{"give a range, or name the gateway's program", "give --compat, or the gateway's program with --gateway-bin"},
	{"remove it with a collection of the gateway's extractions", "remove it with \"supctl gc --gateway-extractions\""},
	{"choose a platform the image has, or", "choose a platform the image has (--platform), or"},
}

// replaceSuffix replaces the suffix lib of msg with cli; a message that
// does not end with lib is left as it is.
func replaceSuffix(msg, lib, cli string) string {
	if rest, ok := strings.CutSuffix(msg, lib); ok {
		return rest + cli
	}
	return msg
}

// An advised error is an error with the CLI's advice in its message.
type advised struct {
	msg string
	err error
}

func (e *advised) Error() string { return e.msg }
func (e *advised) Unwrap() error { return e.err }
