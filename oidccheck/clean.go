package oidccheck

import (
	"entrasso/internal/lazyre"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// MaxInput bounds how much of a paste is looked at. Every real value is far
// shorter (a redirect URI is at most 256 characters, a secret at most 64); a
// larger paste is cut here so that no check does work in proportion to it.
const MaxInput = 8 << 10

// Cleaned is a pasted value with the clipboard junk taken off, and what was
// taken off or changed, in words, so it can be said rather than hidden.
// Removed holds one entry per kind of change, in the order they were met.
type Cleaned struct {
	Value   string
	Removed []string

	// kinds[i] is the kind of Removed[i]; lists holds the items of the
	// kinds that name what they removed (labels, punctuation), so that a
	// kind met again grows its entry instead of adding a second one.
	kinds []string
	lists [][]string
}

// Said joins what was removed for the report's "cleaned" entry.
func (c Cleaned) Said() string { return strings.Join(c.Removed, ", ") }

// note records a kind of change that needs no more words than its name.
func (c *Cleaned) note(what string) { c.set(what, what, nil) }

// set gives the entry of a kind its text (and items), adding the entry the
// first time the kind is met and rewriting it after that.
func (c *Cleaned) set(kind, text string, items []string) {
	// Copies of a Cleaned (a Result is passed by value) must not see each
	// other's notes, so the slices are never written in place; entries
	// that a caller put into Removed itself are their own kind.
	if i := slices.Index(c.kinds, kind); i >= 0 && i < len(c.Removed) && c.Removed[i] == text {
		return
	}
	kinds, lists := slices.Clone(c.kinds), slices.Clone(c.lists)
	for len(kinds) < len(c.Removed) {
		kinds, lists = append(kinds, c.Removed[len(kinds)]), append(lists, nil)
	}
	removed := slices.Clone(c.Removed)
	if i := slices.Index(kinds, kind); i >= 0 {
		removed[i], lists[i] = text, items
	} else {
		kinds, lists, removed = append(kinds, kind), append(lists, items), append(removed, text)
	}
	c.kinds, c.lists, c.Removed = kinds, lists, removed
}

// items returns what the entry of a kind lists so far.
func (c *Cleaned) items(kind string) []string {
	if i := slices.Index(c.kinds, kind); i >= 0 && i < len(c.lists) {
		return c.lists[i]
	}
	return nil
}

// addItem adds item to a listing kind, once, at the front or the back; the
// entry is then rewritten by render.
func (c *Cleaned) addItem(kind, item string, front bool, render func([]string) string) {
	old := c.items(kind)
	for _, it := range old {
		if it == item {
			return
		}
	}
	items := make([]string, 0, len(old)+1)
	if front {
		items = append(append(items, item), old...)
	} else {
		items = append(append(items, old...), item)
	}
	c.set(kind, render(items), items)
}

// and joins words as a sentence does: "a", "a and b", "a, b and c".
func and(ws []string) string {
	if len(ws) < 2 {
		return strings.Join(ws, "")
	}
	return strings.Join(ws[:len(ws)-1], ", ") + " and " + ws[len(ws)-1]
}

const (
	kindLabel = "label"
	kindPunct = "trailing punctuation"
	kindCase  = "case"
	kindLines = "line breaks"
)

// noteUpper says that the upper-case letters of a part of the value (one
// of caseGUID, caseScheme, caseHost) were lowered. All such notes share one
// entry.
func (c *Cleaned) noteUpper(what string) {
	c.addItem(kindCase, what, false, func(ws []string) string {
		// A fixed order reads the same whichever part was met first.
		var ordered []string
		for _, w := range []string{caseGUID, caseScheme, caseHost} {
			if slices.Contains(ws, w) {
				ordered = append(ordered, w)
			}
		}
		return "upper-case letters (" + and(ordered) + " are reported in lower case)"
	})
}

// The parts whose letter case is not significant, as noteUpper names them.
const (
	caseGUID   = "GUIDs"
	caseScheme = "the scheme"
	caseHost   = "domain names"
)

// invisible reports runes that a copy from a web page or a chat can carry
// along without showing them: zero-width spaces and joiners, the byte-order
// mark, soft hyphens and the bidirectional marks.
func invisible(r rune) bool {
	switch r {
	case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u200e', '\u200f', '\u180e', '\u061c':
		return true
	}
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// control reports the C0 and C1 control characters and DEL, apart from
// the tab and the line breaks, which are spaces and lines to the cleaning.
func control(r rune) bool {
	return (r < 0x20 && r != '\t' && !lineBreak(r)) || r == 0x7f || (r >= 0x80 && r <= 0x9f)
}

// oddSpace reports spaces that are not the plain ASCII one: the portal and
// Office documents use non-breaking spaces between words.
func oddSpace(r rune) bool {
	switch r {
	case '\u00a0', '\u2007', '\u202f', '\u3000', '\u205f', '\u1680':
		return true
	}
	return r >= '\u2000' && r <= '\u200a'
}

// lineBreak reports the characters that end a line: a document may use
// CR, LF, NEL or the Unicode line and paragraph separators.
func lineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\u0085', '\u2028', '\u2029':
		return true
	}
	return false
}

// isQuote reports the quotation marks a document, a chat or a word
// processor may put around a value, straight or typographic, in any
// language's habit (German „…“ and »…«, French « … », Swedish ”…”).
// None of them can be part of a URL Entra accepts, a GUID or a secret.
func isQuote(r rune) bool {
	switch r {
	case '"', '\'', '`', '“', '”', '‘', '’', '«', '»', '‹', '›', '„', '‚':
		return true
	}
	return false
}

// brackets are the pairs that may enclose a whole value: angle brackets
// (mail clients, Markdown), parentheses and square brackets (prose, lists).
var brackets = []struct {
	open, close byte
	name        string
}{{'<', '>', "angle brackets"}, {'(', ')', "parentheses"}, {'[', ']', "square brackets"}}

// knownLabel matches the labels that the portal and Syncro print beside the
// values, which a sweep of the mouse easily copies along.
var knownLabel = lazyre.New(`(?i)^(openid connect metadata document|openid connect discovery( \(discovery document\))?|discovery document|metadata document|discovery url|application \(client\) id|application id|client id|directory \(tenant\) id|tenant id|client secret value|client secret|secret value|value|redirect \(callback\) url|redirect uri|redirect url|callback url|logout url)(\s*[:=]\s*|\s+)`)

// genericLabel matches any short run of words ending in ": " at the start.
var genericLabel = lazyre.New(`^[\p{L}][\p{L}\p{N} ()/&.'-]{0,60}:\s+`)

// Clean takes the clipboard junk off a pasted value. For every field it
// removes invisible characters, turns odd spaces into plain ones, and takes
// off, in any order and nesting, surrounding whitespace and line breaks,
// quotes, angle brackets, parentheses and square brackets around the whole
// value and a leading label; a value broken over lines is joined again. For
// every field but the secret it also drops trailing punctuation: a secret
// may end in '.', '-' or '~' (entra-facts.md section 1), so nothing is ever
// cut from its end but what encloses it.
//
// Cleaning goes on until nothing changes, so cleaning its own output
// changes nothing. Each kind of change is said once in Removed.
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
		case lineBreak(r):
			c.note(kindLines)
			b.WriteByte('\n')
		case control(r):
			// No value from the portal or Syncro holds one: it is terminal
			// or clipboard residue (an escape sequence, a NUL), and would
			// otherwise be checked and even sent as part of a secret.
			c.note("control characters")
		default:
			b.WriteRune(r)
		}
	}
	s := b.String()
	// Each pass takes off one layer of whatever is outermost. A pass that
	// changes nothing ends the loop, and every other pass shortens the
	// value, so there are at most len(s)+1 passes; the bound only makes
	// that visible.
	for pass := 0; pass <= MaxInput; pass++ {
		n := len(s)
		s = c.trimSpace(s)
		s = c.stripEnclosing(s, f)
		s = c.stripLabel(s)
		if f != FieldClientSecret {
			s = c.stripTrailingPunctuation(s)
		}
		// The guesses come last, when nothing certain is left to do.
		if len(s) == n {
			s = c.stripLoneQuote(s)
		}
		if len(s) == n {
			s = c.joinLines(s)
		}
		if len(s) == n {
			break
		}
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

// stripEnclosing takes off one pair of quotes or brackets around the whole
// value. Quotes of any kind count as a pair (a word processor often curls
// only one of them); brackets only when the first one closes at the end.
func (c *Cleaned) stripEnclosing(s string, f Field) string {
	first, fs := utf8.DecodeRuneInString(s)
	last, ls := utf8.DecodeLastRuneInString(s)
	if len(s) >= fs+ls && isQuote(first) && isQuote(last) {
		c.note("quotes")
		return s[fs : len(s)-ls]
	}
	for _, p := range brackets {
		n := enclosingLayers(s, p.open, p.close)
		if n == 0 {
			continue
		}
		// A legacy secret may begin with '[' and end with ']'
		// (entra-facts.md section 1): such a value is left whole.
		if f == FieldClientSecret && p.open == '[' {
			if secretShaped(s) {
				return s
			}
			n = 1
		}
		c.note(p.name)
		return s[n : len(s)-n]
	}
	return s
}

// enclosingLayers counts the pairs of brackets that enclose the whole of s,
// outermost first: "((a))" has 2, "((a)(b))" 1, "(a)(b)" none. One scan
// does for all layers what one scan per layer would do.
func enclosingLayers(s string, open, close byte) int {
	if len(s) < 2 || s[0] != open || s[len(s)-1] != close {
		return 0
	}
	lead := 0
	for lead < len(s)/2 && s[lead] == open {
		lead++
	}
	// closedAt[i] is where the bracket opened at i (one of the leading
	// run, which is the one open at depth i+1 until it closes) is closed;
	// layer i encloses s when that is len(s)-1-i.
	var buf [64]int
	closedAt := buf[:0]
	if lead > len(buf) {
		closedAt = make([]int, 0, lead)
	}
	for range lead {
		closedAt = append(closedAt, -1)
	}
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case open:
			depth++
		case close:
			if depth == 0 {
				continue // closes nothing
			}
			if depth <= lead && closedAt[depth-1] < 0 {
				closedAt[depth-1] = i
			}
			depth--
		}
	}
	n := 0
	for n < lead && closedAt[n] == len(s)-1-n {
		n++
	}
	return n
}

// stripLoneQuote takes off a quote at one end whose partner stayed behind in
// the document. It is only done when the value has no other quote, so a
// quote closed before trailing text ("…". in a secret) is left for the
// field's check to name.
func (c *Cleaned) stripLoneQuote(s string) string {
	first, fs := utf8.DecodeRuneInString(s)
	last, ls := utf8.DecodeLastRuneInString(s)
	var t string
	switch {
	case fs > 0 && isQuote(first):
		t = s[fs:]
	case ls > 0 && isQuote(last):
		t = s[:len(s)-ls]
	default:
		return s
	}
	if strings.ContainsFunc(t, isQuote) {
		return s
	}
	c.note("quotes")
	return t
}

func (c *Cleaned) stripLabel(s string) string {
	m := knownLabel().FindStringIndex(s)
	if m == nil {
		m = genericLabel().FindStringIndex(s)
	}
	// What follows a label must have a letter or digit in it: "x: ." is a
	// value with punctuation after it, not a label before nothing.
	if m == nil || !strings.ContainsFunc(s[m[1]:], func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
		return s
	}
	c.addItem(kindLabel, quoteLabel(s[:m[1]]), false, func(ls []string) string {
		if len(ls) == 1 {
			return "the label " + ls[0]
		}
		return "the labels " + and(ls)
	})
	return s[m[1]:]
}

// quoteLabel names a removed label in one line: a label split over lines
// ("Client ID" then ":" on the next) is said with its line break as a space.
func quoteLabel(l string) string {
	return `"` + strings.TrimRight(strings.Join(strings.Fields(l), " "), ":= ") + `"`
}

func (c *Cleaned) stripTrailingPunctuation(s string) string {
	// A closing bracket is punctuation only when it closes nothing: the
	// counts are taken once, so a long run costs one scan.
	last := s[max(0, len(s)-1):]
	if last == "" || !strings.Contains(".,;:!?)]", last) {
		return s
	}
	parens := strings.Count(s, ")") - strings.Count(s, "(")
	squares := strings.Count(s, "]") - strings.Count(s, "[")
	t := s
	for len(t) > 0 {
		switch b := t[len(t)-1]; {
		case strings.IndexByte(".,;:!?", b) >= 0:
		case b == ')' && parens > 0:
			parens--
		case b == ']' && squares > 0:
			squares--
		default:
			goto done
		}
		t = t[:len(t)-1]
	}
done:
	if t != s {
		// What a later pass takes off stood before what an earlier one did.
		c.addItem(kindPunct, quoteRun(s[len(t):]), true, func(ps []string) string {
			return "trailing punctuation " + and(ps)
		})
	}
	return t
}

// quoteRun shows a run of removed characters in quotes, shortened when a
// hostile paste made it long.
func quoteRun(r string) string {
	if len(r) > 12 {
		return fmt.Sprintf("%q… (%d characters)", r[:6], len(r))
	}
	return `"` + r + `"`
}

// joinLines joins a value broken over lines (a narrow window, a mail
// client): every run of whitespace with a line break in it is taken out.
// Spaces within one line are left for the field's own check to name.
func (c *Cleaned) joinLines(s string) string {
	if !strings.Contains(s, "\n") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !blank(s[i]) {
			b.WriteByte(s[i])
			i++
			continue
		}
		j, broken := i, false
		for j < len(s) && blank(s[j]) {
			broken = broken || s[j] == '\n'
			j++
		}
		if !broken {
			b.WriteString(s[i:j])
		}
		i = j
	}
	c.set(kindLines, "line breaks (one inside the value: its parts were joined)", nil)
	return b.String()
}

// blank reports the ASCII white space left once odd spaces and line
// breaks were turned into ' ' and '\n'.
func blank(b byte) bool {
	switch b {
	case ' ', '\t', '\n', '\v', '\f':
		return true
	}
	return false
}

// guid reads a GUID as ParseGUID does and says what reading it changed:
// the braces it was given in and its upper-case letters.
func (c *Cleaned) guid(s string) (string, bool) {
	id, ok := ParseGUID(s)
	if !ok {
		return "", false
	}
	if strings.HasPrefix(s, "{") {
		c.note("braces around the GUID")
	}
	if id != strings.Trim(s, "{}") {
		c.noteUpper(caseGUID)
	}
	return id, true
}

// secretShaped reports a value that already has one of the shapes of a
// client secret's Value.
func secretShaped(v string) bool {
	for _, re := range []*regexp.Regexp{secretCurrent(), secretPrevious(), secretCommunity(), secretLegacy32(), secretURLSafe34(), secretBase64()} {
		if re.MatchString(v) {
			return true
		}
	}
	return false
}
