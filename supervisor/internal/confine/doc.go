// Package confine is the first process of a confined version run of the
// supervisor package: supctl itself, started again by that package in new
// namespaces, which sets up the confinement with system calls Go's fork
// and exec cannot make between the two, and then executes the binary in
// its place. The supervisor package documentation says what the
// confinement is; this package is the process that builds it.
//
// It is a package of its own so that the process starts its work early:
// Go initialises a program's packages in dependency order, then by import
// path, and the process dispatches to [Main] from this package's init, so
// every package initialised after this one costs the run nothing. This
// package therefore imports only packages of the standard library that the
// runtime initialises before os is ready (no fmt, strings, os/exec or
// golang.org/x/sys/unix, which would let the packages sorting before this
// one, regular expressions and crypto tables among them, go first). It
// reads the variable of internal/reexec itself, and writes the few system
// call numbers and constants the syscall package lacks; a test checks them
// against golang.org/x/sys/unix.
//
// # Protocol
//
// The process is started through reexec.Command with the name [Name] and
// three arguments: the binary's path, the name it gets in its root, and
// the mode, [ModeBind] (the binary mounted read-only) or [ModeCopy] (the
// binary copied into the root, for a binary open for writing or on a file
// system mounted noexec). Its descriptors: 0 the null device, 1 and 2
// pipes to supctl, [FdGo] the read end of the "go" pipe (one byte once
// supctl has put it in its control group; end of file if supctl died),
// [FdReport] the write end of the report pipe, which reaches end of file
// when the exec succeeds, or carries what failed:
// "<stage>\x00<errno>\x00<text>", errno being 0 when the failure has none.
package confine
