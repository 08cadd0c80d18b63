package oidccheck

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// A server may echo the secret percent-encoded, in any mix: each form is
// redacted, and text that merely resembles it is left alone.
func TestRedactEncodedEchoes(t *testing.T) {
	const secret = "1Yk8Q~vKmLg3DeDvXQebsFN3eAJgVrrYZ6irtmYX"
	const legacy = "kX3+f9Qz/Pq8Lm=Ab9Cd"
	full := func(s string) string {
		var b strings.Builder
		for i := 0; i < len(s); i++ {
			fmt.Fprintf(&b, "%%%02X", s[i])
		}
		return b.String()
	}
	cases := map[string]string{
		"raw":                    secret,
		"tilde as %7E":           strings.ReplaceAll(secret, "~", "%7E"),
		"tilde as %7e":           strings.ReplaceAll(secret, "~", "%7e"),
		"every byte encoded":     full(secret),
		"query-escaped legacy":   url.QueryEscape(legacy),
		"path-escaped legacy":    url.PathEscape(legacy),
		"legacy, lower-case hex": strings.NewReplacer("%2B", "%2b", "%2F", "%2f", "%3D", "%3d").Replace(url.QueryEscape(legacy)),
	}
	for name, echo := range cases {
		t.Run(name, func(t *testing.T) {
			r := Report{}
			r.Add(Check{Field: FieldClientSecret, Status: StatusFail, Message: "desc " + echo + " end", CorrelationID: "x" + echo})
			r.Redact(secret, legacy)
			c := r.Checks[0]
			if c.Message != "desc [secret] end" || c.CorrelationID != "x[secret]" {
				t.Fatalf("got %q / %q", c.Message, c.CorrelationID)
			}
		})
	}
	r := Report{}
	r.Add(Check{Message: "1Yk8Q~vKmLg3 is only the start"})
	r.Redact(secret)
	if r.Checks[0].Message != "1Yk8Q~vKmLg3 is only the start" {
		t.Fatalf("a prefix was redacted: %q", r.Checks[0].Message)
	}
}

// A hostile server's 300,000-character description does not flood the
// terminal: each text of a check is cut, saying so.
func TestHugeOutsideTextIsCut(t *testing.T) {
	r := Report{}
	r.Add(Check{Message: strings.Repeat("é", 300000), TraceID: strings.Repeat("x", 5000)})
	c := r.Checks[0]
	if again := c.Safe(); again != c {
		t.Fatalf("a second pass cut again: %q", again.Message[len(again.Message)-60:])
	}
	if len([]rune(c.Message)) > 2100 || !strings.Contains(c.Message, "298000 more characters not shown") || len(c.TraceID) > 2100 {
		t.Fatalf("message of %d runes, trace of %d bytes", len([]rune(c.Message)), len(c.TraceID))
	}
}
