package oidccheck

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// Text from outside entrasso (a pasted value, Entra's error description,
// a trace ID, a server's redirect target) may carry bytes that a terminal
// obeys instead of printing: ESC starts a sequence that can retitle the
// window, rewrite the clipboard (OSC 52) or move the cursor over what was
// printed; C1 controls do the same in one byte on some terminals; bidi
// controls reorder what the reader sees. Such text is shown escaped, so it
// is still there to read and report, but inert.

// bidiControl reports the Unicode controls that override or isolate the
// direction of the text after them.
func bidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// unsafeRune reports a rune that SafeText escapes: C0 controls, DEL, C1
// controls and the bidi controls.
func unsafeRune(r rune) bool {
	return r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) || bidiControl(r)
}

// SafeText returns s with every character a terminal could act on shown as
// an escape instead: C0 controls (ESC, CR, LF and TAB included) and DEL as
// \xNN, C1 controls and the bidi override and isolate controls as \uNNNN,
// and each byte that is not part of valid UTF-8 as \xNN. Everything else,
// letters of any script included, is kept as it is. SafeText of its own
// output changes nothing.
func SafeText(s string) string {
	i := 0
	for i < len(s) {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size <= 1) || unsafeRune(r) {
			break
		}
		i += size
	}
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	b.WriteString(s[:i])
	for i < len(s) {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafeRune(r):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// Safe returns the check with every text field passed through SafeText,
// for a front end that shows a check it did not take from a Report
// (Report.Add already does this to every check it keeps).
func (c Check) Safe() Check {
	c.Field = Field(SafeText(string(c.Field)))
	c.Status = Status(SafeText(string(c.Status)))
	c.Code = Code(SafeText(string(c.Code)))
	c.Message = capText(SafeText(c.Message))
	c.Fix = capText(SafeText(c.Fix))
	c.Cleaned = capText(SafeText(c.Cleaned))
	c.TraceID = capText(SafeText(c.TraceID))
	c.CorrelationID = capText(SafeText(c.CorrelationID))
	return c
}

// maxCheckText bounds one text of a check. Entra's descriptions are a few
// hundred characters; a server that sends 300,000 would otherwise fill the
// terminal (and every log) with them, once per field it put them in.
const maxCheckText = 2000

// capSlack is more than the note capText appends.
const capSlack = 64

// capText cuts s at maxCheckText runes and says how much was left out. A
// text within the note's length of the limit is kept whole, so that a text
// already cut is never cut again (checks pass through Safe more than once).
func capText(s string) string {
	if len(s) <= maxCheckText+capSlack || utf8.RuneCountInString(s) <= maxCheckText+capSlack {
		return s
	}
	n := 0
	for i := range s {
		if n == maxCheckText {
			return s[:i] + fmt.Sprintf("… (%d more characters not shown)", utf8.RuneCountInString(s[i:]))
		}
		n++
	}
	return s
}

// redactedSecret stands where a secret was.
const redactedSecret = "[secret]"

// secretReplacer replaces each secret of three bytes or more with
// [secret]: as it is, as SafeText shows it (a check in a report has
// already been through SafeText, so a secret with a control character in
// it only appears there escaped), and percent-encoded in any mix, as a
// server echoing a form field or a URL writes it (`~` as %7E, `+` as %2B,
// or every byte as %XX). It returns nil when there is nothing to replace.
func secretReplacer(secrets ...string) *redactor {
	var olds []string
	for _, s := range secrets {
		if len(s) < 3 {
			continue
		}
		olds = append(olds, s)
		if safe := SafeText(s); safe != s {
			olds = append(olds, safe)
		}
	}
	if len(olds) == 0 {
		return nil
	}
	// The longest first: where one secret holds another, the whole of the
	// longer one goes (Go's regexp prefers the first alternative that
	// matches at a position). One pass, so [secret] is never rescanned.
	slices.SortStableFunc(olds, func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	alts := make([]string, 0, len(olds))
	for _, o := range olds {
		alts = append(alts, encodedPattern(o))
	}
	return &redactor{re: regexp.MustCompile(strings.Join(alts, "|"))}
}

// encodedPattern matches s with any of its characters percent-encoded
// (hex digits in either case), a space also written as +.
func encodedPattern(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteString("(?:")
		b.WriteString(regexp.QuoteMeta(string(r)))
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		b.WriteByte('|')
		for _, c := range buf[:n] {
			fmt.Fprintf(&b, "%%(?i:%02x)", c)
		}
		if r == ' ' {
			b.WriteString(`|\+`)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// redactor replaces secrets wherever they stand.
type redactor struct{ re *regexp.Regexp }

// Replace returns s with every secret replaced by [secret].
func (r *redactor) Replace(s string) string {
	if r == nil {
		return s
	}
	return r.re.ReplaceAllLiteralString(s, redactedSecret)
}

// redacted returns c with rep applied to every text field.
func (c Check) redacted(rep *redactor) Check {
	if rep == nil {
		return c
	}
	c.Message = rep.Replace(c.Message)
	c.Fix = rep.Replace(c.Fix)
	c.Cleaned = rep.Replace(c.Cleaned)
	c.TraceID = rep.Replace(c.TraceID)
	c.CorrelationID = rep.Replace(c.CorrelationID)
	return c
}

// Redact replaces every secret given (empty ones and those shorter than
// three bytes are ignored) with [secret] in every text of every check, in
// the values and in the profile name, wherever a server or a paste put it.
func (r *Report) Redact(secrets ...string) {
	rep := secretReplacer(secrets...)
	if rep == nil {
		return
	}
	for i := range r.Checks {
		r.Checks[i] = r.Checks[i].redacted(rep)
	}
	r.Profile = rep.Replace(r.Profile)
	v := &r.Values
	for _, s := range []*string{&v.RedirectURI, &v.ClientID, &v.TenantID, &v.Issuer, &v.DiscoveryURL, &v.SecretHint, &v.SecretExpires} {
		*s = rep.Replace(*s)
	}
}

// SafeJSON applies escapeJSONControls to a JSON document that a front end
// encoded itself (entrasso status --json), so that every JSON output is as
// safe to print as a report.
func SafeJSON(b []byte) []byte { return escapeJSONControls(b) }

// escapeJSONControls rewrites, inside encoding/json's output, the
// characters it leaves raw but a terminal may act on (DEL, the C1 controls
// and the bidi controls) as \u escapes. The document stays valid and
// decodes to the same values: these characters only ever occur inside
// strings, and encoding/json's output is valid UTF-8, so the byte patterns
// below cannot be part of another character.
func escapeJSONControls(b []byte) []byte {
	needs := false
	for i := 0; i < len(b) && !needs; i++ {
		needs = b[i] == 0x7f || b[i] == 0xc2 || b[i] == 0xe2
	}
	if !needs {
		return b
	}
	out := make([]byte, 0, len(b)+32)
	for i := 0; i < len(b); {
		r, size := rune(b[i]), 1
		if b[i] >= utf8.RuneSelf {
			r, size = utf8.DecodeRune(b[i:])
		}
		if r == 0x7f || (r >= 0x80 && r <= 0x9f) || bidiControl(r) {
			out = fmt.Appendf(out, `\u%04x`, r)
		} else {
			out = append(out, b[i:i+size]...)
		}
		i += size
	}
	return out
}
