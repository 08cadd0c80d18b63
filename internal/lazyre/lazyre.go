// Package lazyre compiles a regular expression on its first use instead
// of in package init: every command pays for package inits, `entrasso
// --version` included, and a dozen patterns compiled at start cost about a
// millisecond of a start that should be a few (DESIGN.md "Start-up").
package lazyre

import (
	"regexp"
	"sync"
)

// New returns a function that compiles expr once, on its first call, and
// returns the compiled expression ever after. expr must compile (as for
// regexp.MustCompile): a bad pattern is a programming error.
func New(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
