package oidccheck

import (
	"regexp"
	"strings"
	"unicode"
)

// MaxInput bounds how much of a paste is looked at. Every real value is far
// shorter (a redirect URI is at most 256 characters, a secret at most 64); a
// larger paste is cut here so that no check does work in proportion to it.
const MaxInput = 8 << 10

// Cleaned is a pasted value with the clipboard junk taken off, and what was
// taken off, in words, so it can be said rather than hidden.
type Cleaned struct {
	Value   string
	Removed []string
}

// Said joins what was removed for the report's "cleaned" entry.
func (c Cleaned) Said() string { return strings.Join(c.Removed, ", ") }

func (c *Cleaned) note(what string) {
	for _, r := range c.Removed {
		if r == what {
			return
		}
	}
	c.Removed = append(c.Removed, what)
}

// invisible reports runes that a copy from a web page or a chat can carry
// along without showing them: zero-width spaces and joiners, the byte-order
// mark, soft hyphens and the bidirectional marks.
func invisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f', '\u180e':
		return true
	}
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// oddSpace reports spaces that are not the plain ASCII one: the portal and
// Office documents use non-breaking spaces between words.
func oddSpace(r rune) bool {
	switch r {
	case '\u00a0', '\u2007', '\u202f', '\u3000', '\u205f':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}

var quotePairs = [][2]rune{
	{'"', '"'}, {'\'', '\''}, {'`', '`'}, {'“', '”'}, {'‘', '’'}, {'«', '»'}, {'‹', '›'}, {'„', '“'}, {'<', '>'},
}

func isQuote(r rune) bool {
	switch r {
	case '"', '\'', '`', '“', '”', '‘', '’', '«', '»', '‹', '›', '„':
		return true
	}
	return false
}

// knownLabel matches the labels that the portal and Syncro print beside the
// values, which a sweep of the mouse easily copies along.
var knownLabel = regexp.MustCompile(`(?i)^(openid connect metadata document|openid connect discovery( \(discovery document\))?|discovery document|metadata document|discovery url|application \(client\) id|application id|client id|directory \(tenant\) id|tenant id|client secret value|client secret|secret value|value|redirect \(callback\) url|redirect uri|redirect url|callback url|logout url)(\s*[:=]\s*|\s+)`)

// genericLabel matches any short run of words ending in ": " at the start.
var genericLabel = regexp.MustCompile(`^[\p{L}][\p{L}\p{N} ()/&.'-]{0,60}:\s+`)

// Clean takes the clipboard junk off a pasted value. For every field it
// removes invisible characters, turns odd spaces into plain ones, trims
// surrounding whitespace and line breaks, surrounding quotes or angle
// brackets and a leading label. For every field but the secret it also drops
// trailing punctuation; a secret may end in '.', '-' or '~' (entra-facts.md
// section 1), so nothing is ever cut from its end.
func Clean(raw string, f Field) Cleaned {
	c := Cleaned{}
	if len(raw) > MaxInput {
		raw = raw[:MaxInput]
		c.note("everything after the first 8 KiB")
	}
	// Bytes that are not UTF-8 text are dropped, not turned into
	// replacement characters (which are longer than what they replace).
	if valid := strings.ToValidUTF8(raw, ""); valid != raw {
		raw = valid
		c.note("bytes that are not text")
	}
	var b strings.Builder
	b.Grow(len(raw))
	for _, r := range raw {
		switch {
		case invisible(r):
			c.note("invisible characters")
		case oddSpace(r):
			c.note("non-breaking spaces")
			b.WriteByte(' ')
		case r == '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	if strings.ContainsAny(s, "\r\n") {
		c.note("line breaks")
		s = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(s)
	}
	for i := 0; i < 4; i++ {
		before := s
		s = c.trimSpace(s)
		s = c.stripWrapping(s)
		s = c.stripLabel(s)
		if s == before {
			break
		}
	}
	if f != FieldClientSecret {
		s = c.stripTrailingPunctuation(s)
	}
	// A value broken over lines (a narrow window, a mail client) is joined
	// again; spaces on one line are left for the field's own check to name.
	if strings.Contains(s, "\n") {
		s = strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), "")
		c.note("a line break inside the value")
	}
	c.Value = s
	return c
}

func (c *Cleaned) trimSpace(s string) string {
	t := strings.TrimFunc(s, unicode.IsSpace)
	if t != s {
		c.note("surrounding whitespace")
	}
	return t
}

func (c *Cleaned) stripWrapping(s string) string {
	for _, p := range quotePairs {
		if len(s) >= 2 && strings.HasPrefix(s, string(p[0])) && strings.HasSuffix(s, string(p[1])) {
			inner := strings.TrimSuffix(strings.TrimPrefix(s, string(p[0])), string(p[1]))
			if p[0] == '<' {
				c.note("angle brackets")
			} else {
				c.note("quotes")
			}
			return inner
		}
	}
	// A quote at one end only: the other one stayed behind in the document.
	rs := []rune(s)
	if len(rs) > 0 && isQuote(rs[0]) {
		c.note("quotes")
		return string(rs[1:])
	}
	if len(rs) > 0 && isQuote(rs[len(rs)-1]) {
		c.note("quotes")
		return string(rs[:len(rs)-1])
	}
	return s
}

func (c *Cleaned) stripLabel(s string) string {
	if m := knownLabel.FindStringIndex(s); m != nil && m[1] < len(s) {
		c.note("the label " + quoteLabel(s[:m[1]]))
		return s[m[1]:]
	}
	if m := genericLabel.FindStringIndex(s); m != nil && m[1] < len(s) {
		c.note("the label " + quoteLabel(s[:m[1]]))
		return s[m[1]:]
	}
	return s
}

// quoteLabel names a removed label in one line: a label split over lines
// ("Client ID" then ":" on the next) is said with its line break as a space.
func quoteLabel(l string) string {
	return `"` + strings.TrimRight(strings.Join(strings.Fields(l), " "), ":= ") + `"`
}

func (c *Cleaned) stripTrailingPunctuation(s string) string {
	t := s
	for len(t) > 0 {
		last := t[len(t)-1]
		switch {
		case strings.IndexByte(".,;:!?", last) >= 0:
			t = t[:len(t)-1]
		case last == ')' && strings.Count(t, "(") < strings.Count(t, ")"):
			t = t[:len(t)-1]
		case last == ']' && strings.Count(t, "[") < strings.Count(t, "]"):
			t = t[:len(t)-1]
		default:
			goto done
		}
	}
done:
	if t != s {
		c.note(`trailing punctuation "` + s[len(t):] + `"`)
	}
	return t
}
