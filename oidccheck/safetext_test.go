package oidccheck_test

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"entrasso/oidccheck"
)

func TestSafeText(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"plain text unchanged", "https://login.microsoftonline.com/x/v2.0 (AADSTS7000215)", "https://login.microsoftonline.com/x/v2.0 (AADSTS7000215)"},
		{"empty", "", ""},
		{"letters of other scripts unchanged", "Zoë Ångström, Дмитрий, 山田太郎, مرحبا, 🙂", "Zoë Ångström, Дмитрий, 山田太郎, مرحبا, 🙂"},
		{"backslash unchanged", `C:\x1b`, `C:\x1b`},
		{"ESC", "a\x1b[2Jb", `a\x1b[2Jb`},
		{"OSC 52 with BEL", "\x1b]52;c;cHduZWQ=\x07", `\x1b]52;c;cHduZWQ=\x07`},
		{"title with BEL", "\x1b]0;pwned\x07", `\x1b]0;pwned\x07`},
		{"CR LF TAB", "a\r\nb\tc", `a\x0d\x0ab\x09c`},
		{"NUL", "a\x00b", `a\x00b`},
		{"DEL", "a\x7fb", `a\x7fb`},
		{"C1 CSI", "a\u009b31mb", `a\u009b31mb`},
		{"C1 NEL and first C1", "\u0085\u0080", `\u0085\u0080`},
		{"last C1", "\u009f", `\u009f`},
		{"no-break space is not C1", "\u00a0", "\u00a0"},
		{"right-to-left override", "abc\u202edcba", `abc\u202edcba`},
		{"bidi embeddings and isolates", "\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069", `\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069`},
		{"neighbours of the bidi controls kept", "\u2029\u202f\u2065\u206a", "\u2029\u202f\u2065\u206a"},
		{"invalid UTF-8", "a\xffb\xc3", `a\xffb\xc3`},
		{"a raw C1 byte (invalid UTF-8)", "\x9b31m", `\x9b31m`},
		{"an encoded surrogate", "\xed\xa0\x80", `\xed\xa0\x80`},
		{"escapes after non-ASCII text", "é\x1b", `é\x1b`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := oidccheck.SafeText(c.in)
			if got != c.want {
				t.Fatalf("SafeText(%q) = %q, want %q", c.in, got, c.want)
			}
			if again := oidccheck.SafeText(got); again != got {
				t.Fatalf("not stable: %q -> %q", got, again)
			}
		})
	}
}

// controlIn returns the first character of s a terminal could act on, and
// whether there is one: a C0 or C1 control, DEL, a bidi control, or a
// byte that is not UTF-8.
func controlIn(s string) (string, bool) {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return s[i : i+1], true
		case r < 0x20, r >= 0x7f && r <= 0x9f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
			return string(r), true
		}
	}
	return "", false
}

// safeTextHolds is the property: no control character survives, the
// output is stable, and text without one is returned as it was.
func safeTextHolds(t *testing.T, in string) {
	t.Helper()
	out := oidccheck.SafeText(in)
	if c, ok := controlIn(out); ok {
		t.Fatalf("SafeText(%q) = %q still holds %q", in, out, c)
	}
	if oidccheck.SafeText(out) != out {
		t.Fatalf("SafeText(%q) is not stable", in)
	}
	if _, ok := controlIn(in); !ok && out != in {
		t.Fatalf("SafeText changed %q, which has nothing to escape, to %q", in, out)
	}
}

// TestSafeTextRandom checks the property on random byte strings, drawn
// mostly from the bytes that matter (controls, UTF-8 lead and continuation
// bytes of C1 and bidi characters) so that every kind is hit often.
func TestSafeTextRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	pieces := []string{"\x1b", "\x07", "\r", "\n", "\t", "\x00", "\x7f", "\xc2", "\x9b", "\x85", "\xe2", "\x80", "\xae", "\x81", "\xa6",
		"\xff", "\u009b", "\u202e", "\u2066", "é", "山", "🙂", "\\", "a", "[", "]", ";"}
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := rng.IntN(24); n > 0; n-- {
			if rng.IntN(3) == 0 {
				b.WriteByte(byte(rng.IntN(256)))
			} else {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			}
		}
		safeTextHolds(t, b.String())
	}
}

func FuzzSafeText(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;x\x07", "\u009b\u202e", "\xff\xc2", "é山🙂"} {
		f.Add(s)
	}
	f.Fuzz(safeTextHolds)
}

// TestSafeInProblemError: a failed check used as a validator's error is
// shown on the terminal as well.
func TestSafeInProblemError(t *testing.T) {
	c := oidccheck.Check{Field: oidccheck.FieldClientID, Status: oidccheck.StatusFail, Code: oidccheck.CodeNotGUID,
		Message: "bad \x1b]0;x\x07", Fix: "fix \u009b"}
	for _, got := range []string{c.Err().Error(), c.Safe().Message + c.Safe().Fix} {
		if _, ok := controlIn(got); ok {
			t.Errorf("%q holds a control character", got)
		}
	}
}
