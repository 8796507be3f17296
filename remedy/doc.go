// Package remedy says what a user does about a failure: one [Action] and
// its parameters, a [Remedy], carried by the library's errors and by
// doctor's findings.
//
// A library message says what failed and what to do next, in the
// library's words, which name no command line flag: "try again later or
// use a mirror". A front end that has its own words for an action (a flag,
// a command) finds the remedy with [Of] (errors.As underneath) and words it
// itself, from the action and its parameters, never from the message's
// text.
//
// # Messages
//
// An error that carries a remedy ends its message with the remedy's words,
// [Remedy.String], so that a front end may replace exactly that suffix. A
// [*Error] does it for any error: its message is the error's, "; ", then
// the remedy. A typed error with fields of its own carries a remedy by a
// Remedy() Remedy method and ends its message the same way.
//
// The words of a remedy are [Remedy.Before], the action's words and
// [Remedy.After]. Before and After are the library's own words around the
// action (another course first, a consequence after); they name no flag,
// so every front end says them as they are. Only the action's words are
// the front end's to choose.
//
// # Prefixes
//
// The library's messages carry no package prefix (no "supervisor: ",
// "engine: ", "compat: "): a message starts with what it is about (a
// reference, a path, a directory, a range), and an error that wraps
// another puts its own operand in front, so that a message reads as one
// sentence however deep the chain ("r.example/sup:dev: /bin/sup:
// refused: not an ELF file"). A front end prints a message as it is,
// without stripping anything.
//
// This package imports no other package of the module; any may import it.
package remedy
