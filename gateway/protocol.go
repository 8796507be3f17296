package gateway

import (
	"bytes"
	"context"
	"io"

	"github.com/openshell-contrib/supctl/internal/regularfile"
)

// The strings the protocol heuristic looks for in a supervisor binary.
// Upstream's supervisor reads its sandbox JWT from the file named by
// OPENSHELL_SANDBOX_TOKEN_FILE since NVIDIA/OpenShell PR #1404
// (crates/openshell-core/src/sandbox_env.rs SANDBOX_TOKEN_FILE,
// crates/openshell-core/src/grpc_client.rs); the same series removed the
// x-sandbox-secret request header the older supervisors sent (commit
// d250f7a1, "per-sandbox JWT identity over Bearer (wire break)").
const (
	TokenFileMarker  = "OPENSHELL_SANDBOX_TOKEN_FILE"
	OldSecretMarker  = "x-sandbox-secret"
	maxProtocolBytes = 512 << 20
)

// Protocol is the heuristic's finding about one supervisor binary: which
// of the two markers its bytes contain. It is a heuristic: a string in a
// binary is a sign, not proof, of what the program does with it.
type Protocol struct {
	Path      string `json:"path"`
	TokenFile bool   `json:"token_file"` // OPENSHELL_SANDBOX_TOKEN_FILE found
	OldSecret bool   `json:"old_secret"` // x-sandbox-secret found
	Error     string `json:"error,omitempty"`
}

// ScanProtocol scans the file at path for the two markers, streaming,
// at most maxProtocolBytes. It only reads the file.
func ScanProtocol(ctx context.Context, path string) Protocol {
	p := Protocol{Path: path}
	f, err := regularfile.Open(path)
	if err != nil {
		p.Error = err.Error()
		return p
	}
	defer f.Close()
	markers := [][]byte{[]byte(TokenFileMarker), []byte(OldSecretMarker)}
	found := []*bool{&p.TokenFile, &p.OldSecret}
	const overlap = len(TokenFileMarker)
	buf := make([]byte, 1<<20+overlap)
	r := io.LimitReader(f, maxProtocolBytes)
	keep := 0
	for {
		if err := ctx.Err(); err != nil {
			p.Error = err.Error()
			return p
		}
		n, err := io.ReadFull(r, buf[keep:])
		chunk := buf[:keep+n]
		for i, m := range markers {
			if !*found[i] && bytes.Contains(chunk, m) {
				*found[i] = true
			}
		}
		if err != nil {
			if err != io.EOF && err != io.ErrUnexpectedEOF {
				p.Error = err.Error()
			}
			return p
		}
		keep = copy(buf, chunk[len(chunk)-overlap:])
	}
}
