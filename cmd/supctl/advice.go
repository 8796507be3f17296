package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/resolver"
)

// advise returns err with the CLI's own advice in its message: the
// library's messages name no flags, and where the library's advice ends
// the message the CLI replaces it with the flag or command that helps. The
// error returned wraps err.
func advise(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	var (
		pe *resolver.PlatformError
		ie *resolver.IncompatibleError
	)
	switch {
	case errors.As(err, &ie) && ie.Ref != "" && ie.Version != "":
		msg = replaceSuffix(msg, ie.Error(), fmt.Sprintf("supervisor %s (%s, %s) is version %s, outside the required range %q; "+
			"pull a newer tag (\"supctl pull --pull always %s\"), pin a compatible digest with \"supctl pin\", or change the range",
			ie.Ref, ie.Digest, ie.Platform, ie.Version, ie.Range, ie.Ref))
	case errors.As(err, &pe):
		have := "none"
		if len(pe.Have) > 0 {
			have = strings.Join(pe.Have, ", ")
		}
		msg = replaceSuffix(msg, pe.Error(), fmt.Sprintf("%s has no image for platform %s (it has: %s); choose one of those with --platform", pe.Ref, pe.Want, have))
	}
	for _, a := range advice {
		if errors.Is(err, a.kind) {
			msg = replaceSuffix(msg, a.lib, a.cli)
		}
	}
	if msg == err.Error() {
		return err
	}
	return &advised{msg: msg, err: err}
}

// advice is the CLI's wording of the library's advice that ends the
// message of an error of a kind.
var advice = []struct {
	kind     error
	lib, cli string
}{
	{resolver.ErrUnreachable, "; try again later or use a mirror", "; try again later or use --mirror"},
	{resolver.ErrNotFound, "; check the image or the binary's path", "; check the image or --file"},
	{resolver.ErrNotFound, "; pin it for one platform: " + resolver.ErrNotFound.Error(), "; pin it with one --platform: " + resolver.ErrNotFound.Error()},
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
