// Package registrytest starts OCI registries for tests.
//
// Two kinds are offered, both satisfying the Registry interface:
//
//   - Server (Start) runs a real, separate registry process: the
//     "docker-registry" binary of Debian's package of the same name (CNCF
//     distribution v2.8), listening on a free port of 127.0.0.1, with its own
//     configuration and storage in a temporary directory. It can serve HTTPS
//     with a certificate generated on the spot and require htpasswd (basic)
//     authentication. Requests are recorded by parsing the registry's access
//     log.
//   - InProcess (NewInProcess) wraps go-containerregistry's in-memory
//     registry in an httptest.Server with a recording middleware. It is
//     cheap and always available, for unit tests.
//
// Both record every request (method, path, status, bytes, user agent) so a
// test can assert how many requests an operation made, e.g. that a blob was
// fetched only once:
//
//	reg := registrytest.Start(t, registrytest.Options{})
//	mark := reg.Mark()
//	pull(reg.Host() + "/app:v1") // the operation under test
//	reg.Sync()                   // wait until its requests are recorded
//	got := registrytest.CountBlobGets(reg.Since(mark), layerDigest)
//
// Recording is asynchronous for the real server: the registry writes an
// access log line after it has sent the response, so the line of a request
// can arrive a moment after the client saw the response. Call Sync before
// reading the requests of an operation; see Server.Sync and InProcess.Sync.
//
// Fault (NewFault) is a reverse proxy to put in front of either: its rules
// (Match, Action) make chosen requests stall, trickle, fail or change, and
// it records every request it receives when it arrives, so its record
// needs no Sync. To count what a client asked for, count at a Fault in
// front of the registry; read the registry's own record only to assert
// what the registry itself saw.
//
// Start skips the test when the docker-registry binary is not installed,
// unless the environment variable SUPCTL_REQUIRE_REGISTRY is "1", in which
// case the test fails instead (CI sets it).
package registrytest
