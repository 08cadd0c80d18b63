//go:build !windows

package termbg

import "testing"

func TestParseReplies(t *testing.T) {
	for _, c := range []struct {
		in, osc string
		done    bool
	}{
		{"\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\\x1b[12;1R", "\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\", true},
		{"\x1b]11;rgb:ffff/ffff/ffff\a\x1b[3;40R", "\x1b]11;rgb:ffff/ffff/ffff\a", true},
		{"\x1b[1;1R", "", true},
		{"\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\", "", false},
		{"\x1b]11;rgb:1e1e/1e", "", false},
		{"\x1b[12;1", "", false},
	} {
		if osc, done := parseReplies(c.in); osc != c.osc || done != c.done {
			t.Errorf("%q: %q %v, want %q %v", c.in, osc, done, c.osc, c.done)
		}
	}
}
