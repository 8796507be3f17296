package engine

// Exported for the tests of package engine_test, which may use
// internal/enginetest (a package that imports this one).
var (
	ProbeBinary  = probeBinary
	WriteContext = writeContext
)
