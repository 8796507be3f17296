package main

import (
	"fmt"
	"strings"

	"github.com/openshell-contrib/supctl/remedy"
)

// advise returns err with the CLI's own words for the remedy it carries
// (see [remedy.Of]): the library's words for it, which end the message,
// become the flags and commands that do it. The error returned wraps err.
func advise(err error) error {
	if err == nil {
		return nil
	}
	rm, ok := remedy.Of(err)
	if !ok {
		return err
	}
	msg := err.Error()
	if said := withCLIRemedy(msg, rm); said != msg {
		return &advised{msg: said, err: err}
	}
	return err
}

// withCLIRemedy is msg with the remedy rm it ends with, in the library's
// words, said in the CLI's; a message that does not end with it is left
// as it is.
func withCLIRemedy(msg string, rm remedy.Remedy) string {
	if rest, ok := strings.CutSuffix(msg, rm.String()); ok {
		return rest + cliRemedy(rm)
	}
	return msg
}

// cliRemedy is rm in the CLI's words: the library's words around the
// action (which name no flag) and the action as supctl's flags and
// commands do it.
func cliRemedy(rm remedy.Remedy) string {
	return rm.Before + cliAction(rm) + rm.After
}

// cliAction is the action of rm in the CLI's words, word for word as
// supctl has always printed it; "" for an action it does not know.
func cliAction(rm remedy.Remedy) string {
	switch rm.Action {
	case remedy.Pull:
		if rm.Platform != "" {
			return fmt.Sprintf("run \"supctl pull --platform %s %s\"", rm.Platform, rm.Ref)
		}
		return fmt.Sprintf("run \"supctl pull %s\"", rm.Ref)
	case remedy.Repull:
		return fmt.Sprintf("pull a newer tag (\"supctl pull --pull always %s\"), pin a compatible digest with \"supctl pin\", or change the range", orWord(rm.Ref, "REF"))
	case remedy.Relink:
		return fmt.Sprintf("run \"supctl pull %s --pull always --compat '%s' --link %s\", then restart the gateway", orWord(rm.Ref, "REF"), orWord(rm.Range, "RANGE"), rm.Link)
	case remedy.ReplaceMounted:
		return fmt.Sprintf("pull a compatible supervisor (\"supctl pull --compat %q IMAGE\") and set supervisor_bin in %s to the path it prints; or remove the stale extraction (\"supctl gc --gateway-extractions\") so the gateway extracts its image again",
			rm.Range, rm.Config)
	case remedy.ReplaceBinary:
		return "install a compatible supervisor binary there, or change the range"
	case remedy.PinElsewhere:
		return fmt.Sprintf("check the image on a machine that runs %s binaries (\"supctl pin --compat\" there) and use that digest here without a range", rm.Platform)
	case remedy.Platform:
		if rm.Platforms == nil {
			return "choose a platform the image has (--platform)"
		}
		return "choose one of those with --platform"
	case remedy.OnePlatform:
		return "pin it with one --platform"
	case remedy.BinaryPath:
		return "--file"
	case remedy.Mirror:
		return "use --mirror"
	case remedy.Timeout:
		return "raise --timeout"
	case remedy.DropScheme:
		return fmt.Sprintf("drop the scheme and write %s (supctl uses HTTPS, and plain HTTP for loopback registries or with --insecure)", rm.Ref)
	case remedy.Insecure:
		return "pass --insecure"
	case remedy.Registry:
		return "use --source registry"
	case remedy.Engine:
		return "use --engine " + rm.Engine
	case remedy.CacheDir:
		if rm.Env != "" {
			return "set --cache-dir or " + rm.Env
		}
		return "set --cache-dir"
	case remedy.OtherCacheDir:
		return "choose another --cache-dir"
	case remedy.LocalCacheDir:
		return "use --cache-dir"
	case remedy.RealCacheDir:
		return "point --cache-dir at a real directory"
	case remedy.Repair:
		return "\"supctl verify --repair\""
	case remedy.Collect:
		return "\"supctl gc\" or \"supctl verify --repair\""
	case remedy.CollectExtractions:
		return "\"supctl gc --gateway-extractions\""
	case remedy.GatewayProgram:
		return "give the gateway's program with --gateway-bin, or a range with --compat"
	case remedy.Range:
		return "give --compat, or the gateway's program with --gateway-bin"
	}
	return ""
}

// An advised error is an error with the CLI's advice in its message.
type advised struct {
	msg string
	err error
}

func (e *advised) Error() string { return e.msg }
func (e *advised) Unwrap() error { return e.err }
