// Package depcheck holds no code: its test keeps the module's dependency
// rules. The library packages (resolver, cache, manifest, supervisor,
// compat, engine, gateway, doctor) never depend on the command, on test fixtures and
// helpers, or on package testing; the examples import only the library's
// public packages and the demo registry of internal/fixture.
package depcheck
