package oidccheck

import (
	"strings"
	"testing"
)

// Control characters inside a paste (a NUL, an escape sequence's ESC, a C1
// byte, DEL) are terminal or clipboard residue: cleaning removes them from
// every field and says so, so that none is checked, stored or sent.
func TestControlCharactersAreRemovedAndSaid(t *testing.T) {
	const secret = "abc8Q~0123456789abcdefghijklmnopqrstuvw"
	cases := []struct {
		name, in, want string
		check          func(string) Result
	}{
		{"NUL in a secret", secret[:20] + "\x00" + secret[20:], secret, CheckSecret},
		{"C1 in a secret", secret[:5] + "\u009b" + secret[5:], secret, CheckSecret},
		{"DEL in a secret", secret + "\x7f", secret, CheckSecret},
		{"ESC in a client ID", "\x1b0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90", "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90", func(s string) Result { return CheckClientID(s, "") }},
		{"BEL in a redirect URI", "https://acme.syncromsp.com/users/auth/openid_connect/callback\x07", "https://acme.syncromsp.com/users/auth/openid_connect/callback", CheckRedirectURI},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := c.check(c.in)
			if r.Value != c.want || !r.OK() || !strings.Contains(r.Cleaned.Said(), "control characters") {
				t.Fatalf("value %q ok %v cleaned %q", r.Value, r.OK(), r.Cleaned.Said())
			}
		})
	}
}
