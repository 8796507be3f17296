// Package depcheck holds no code: its test keeps the module's dependency
// rules. The library packages (resolver, cache, manifest, supervisor,
// compat, engine, gateway, registry, doctor, remedy) never depend on the
// command, on test fixtures and helpers, or on package testing; neither they
// nor the command link a test-only module (the JSON Schema validator of the
// --json tests); each imports only the packages below it in the layering of
// TestLayering, and of the internal packages only those it lists
// (internalMay: shorten, reexec, atomicfile, fileid, regularfile), besides
// their own (such as supervisor/internal/confine); the examples import only
// the library's public packages and the demo registry of internal/fixture.
package depcheck
