// Package shorten makes untrusted strings fit for error messages.
package shorten

import "strconv"

// Max is how many bytes of a string [Quote] keeps.
const Max = 80

// Quote quotes s as a Go string, cut short after [Max] bytes, with "..."
// after the closing quote.
func Quote(s string) string {
	if len(s) > Max {
		return strconv.Quote(s[:Max]) + "..."
	}
	return strconv.Quote(s)
}
