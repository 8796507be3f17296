package registrytest

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"golang.org/x/crypto/bcrypt"
)

// writeHtpasswd writes an htpasswd file at path for users (user name ->
// password), the passwords bcrypt-hashed, one line per user in name order.
// User names must be non-empty, without ':' or line breaks.
func writeHtpasswd(path string, users map[string]string) error {
	names := make([]string, 0, len(users))
	for u := range users {
		if u == "" || strings.ContainsAny(u, ":\r\n") {
			return fmt.Errorf("htpasswd user name %q: must be non-empty, without ':' or line breaks", u)
		}
		names = append(names, u)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, u := range names {
		hash, err := bcrypt.GenerateFromPassword([]byte(users[u]), bcrypt.MinCost)
		if err != nil {
			return fmt.Errorf("hashing the password of %q: %w", u, err)
		}
		fmt.Fprintf(&b, "%s:%s\n", u, hash)
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}
