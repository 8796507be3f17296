// Package registry is supctl's client of the OCI distribution protocol:
// the few requests a resolve makes of a registry — what a reference points
// at, a manifest, a small config, one layer blob — each bounded, retried,
// checked and logged. It knows nothing of caches, platforms or binaries;
// package resolver orchestrates.
//
// # Requests
//
// A [Client] is built once ([New]) and shared. [Client.Each] runs one
// operation on each source of a reference in turn — its mirrors
// ([WithMirror]), then the origin — until one succeeds: any failure of a
// mirror, unreachable, missing or wrong bytes, moves on to the next, and the
// origin's answer is final. [Client.Head] is the check of a tag: one HEAD
// of the manifest (a GET when the registry refuses HEAD or answers it
// without a digest). A [Repo] is one repository of one source, with
// [Repo.Manifest], [Repo.Config] and [Repo.Blob].
//
// # Bounds
//
// Every request goes through one transport the client builds: the
// standard transport's settings (HTTPS_PROXY honoured) with dial,
// TLS-handshake, response-header and idle timeouts, and a stall timeout on
// every body — manifests, blobs, the /v2/ ping, token realms
// ([WithTimeouts], [Timeouts]). [Bound] bounds a whole operation. Failed
// requests (429, 5xx, resets, timeouts) are retried with exponential
// backoff and jitter ([WithRetry]), honouring Retry-After up to
// [WithRetryAfterCap]; beyond the cap a [*RetryAfterError] names the wait
// asked for. Manifests, indexes and configs are capped at [MaxManifestSize]
// while they stream.
//
// # Content
//
// Nothing a registry sends is trusted before it is checked. A manifest is
// checked against the digest asked for, or the one the registry announced.
// [Repo.Blob] returns a reader that hashes as it goes and fails its last
// read when the size or digest does not match. A blob cut mid-stream
// resumes with a Range request from the bytes already hashed; a server that
// ignores Range sends the blob again and the bytes already delivered are
// skipped, so the digest covers every byte once, in order.
//
// # Security
//
// TLS is verified (system roots, SSL_CERT_FILE); plain HTTP is used only
// for loopback registries unless [WithInsecure] is set. Credentials come
// from [WithKeychain] (default: the Docker config and its credential
// helpers, honouring DOCKER_CONFIG). Blob redirects to a CDN are followed
// without forwarding credentials. Secrets are never logged: the debug log
// ([WithLogger]) has the method, the URL without query or credentials, the
// status, the bytes and the duration of each request.
//
// # Errors
//
// [Classify] gives every failure one sentinel and a message that says what
// to do: [ErrNotFound] (404, unknown manifest, name or blob),
// [ErrUnreachable] (refused, reset, timed out, stalled, dropped, 5xx or 429
// after the retries, TLS failures, a web page or something else that is no
// registry: [*NotRegistryError]), [ErrDenied] (401, 403) and [ErrRefused]
// (wrong bytes, over a size limit). Messages name no supctl flag; advice
// that a front end words as its own (a mirror, a longer timeout, plain
// HTTP) comes as a [remedy.Remedy] that ends the message ([remedy.Of]).
package registry
