package wizard

import (
	"strings"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// Text on the wizard's screens is wrapped here, never by lipgloss's Width:
// lipgloss breaks words at hyphens, which splits a correlation ID or
// `dbus-run-session` over two lines, and pads lines with spaces that a copy
// from the terminal picks up. Here words break only at spaces, and a token
// too long for its line (a URL, a long ID) gets lines of its own, starting
// at the screen's first column and cut at the exact content width with
// nothing inserted: no indent, no hyphen, no trailing space. Joining those
// lines gives the token back. A URL is also an OSC 8 hyperlink, so that a
// terminal that supports them opens it on a click.

// textLine is one line of wrapped text; link is the URL it belongs to,
// when it is (a piece of) one.
type textLine struct {
	text string
	link string
}

// isURL says whether a token is a web address worth a hyperlink.
func isURL(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// splitURL parts a token into the URL it starts with and the punctuation
// that only ends the sentence after it.
func splitURL(tok string) (url, rest string) {
	url = strings.TrimRight(tok, ".,;:)\"'")
	return url, tok[len(url):]
}

// wrapText wraps text at width w, each paragraph's lines but those of long
// tokens indented by indent spaces. Paragraphs are the lines of text.
func wrapText(text string, w, indent int) []textLine {
	var out []textLine
	for _, para := range strings.Split(text, "\n") {
		out = append(out, wrapParagraph(para, w, indent)...)
	}
	return out
}

func wrapParagraph(para string, w, indent int) []textLine {
	pad := strings.Repeat(" ", indent)
	avail := max(1, w-indent)
	var out []textLine
	cur, curW := "", 0
	flush := func() {
		if cur = strings.TrimRight(cur, " "); cur != "" {
			out = append(out, textLine{text: pad + cur})
		}
		cur, curW = "", 0
	}
	add := func(word string) {
		ww := ansi.StringWidth(word)
		switch {
		case cur == "":
			cur, curW = word, ww
		case curW+1+ww <= avail:
			cur, curW = cur+" "+word, curW+1+ww
		default:
			flush()
			cur, curW = word, ww
		}
	}
	words := strings.Split(para, " ")
	// Leading spaces are the paragraph's own indent (a list's bullet).
	lead := 0
	for lead < len(words) && words[lead] == "" {
		lead++
	}
	if lead > 0 && lead < len(words) {
		words[lead] = strings.Repeat(" ", lead) + words[lead]
		words = words[lead:]
	}
	for _, word := range words {
		if word == "" {
			// A run of spaces inside a line (aligned columns) is kept.
			if cur != "" {
				cur, curW = cur+" ", curW+1
			}
			continue
		}
		prefix, tok, rest := "", word, ""
		trimmed := strings.TrimLeft(word, " (\"'")
		if isURL(trimmed) {
			prefix = word[:len(word)-len(trimmed)]
			tok, rest = splitURL(trimmed)
		}
		if ansi.StringWidth(word) <= avail {
			if prefix != "" || rest != "" || isURL(tok) {
				word = prefix + ansi.SetHyperlink(tok) + tok + ansi.ResetHyperlink() + rest
			}
			add(word)
			continue
		}
		// Too long for any line: its own lines at the first column, cut at
		// the exact width; what precedes and follows it stays with the text.
		if prefix != "" {
			add(prefix)
		}
		flush()
		link := ""
		if isURL(tok) {
			link = tok
		}
		for _, chunk := range chunks(tok, w) {
			out = append(out, textLine{text: chunk, link: link})
		}
		if rest != "" {
			add(rest)
		}
	}
	flush()
	if len(out) == 0 {
		out = append(out, textLine{})
	}
	return out
}

// chunks cuts s into pieces of exactly w columns, the last one shorter.
func chunks(s string, w int) []string {
	var out []string
	for ansi.StringWidth(s) > w {
		piece := ansi.Truncate(s, w, "")
		out = append(out, piece)
		s = s[len(piece):]
	}
	return append(out, s)
}

// render styles wrapped lines: each line on its own, so that no padding is
// added, and a URL's lines each linked to the whole URL.
func render(lines []textLine, st lipgloss.Style) string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if l.text == "" {
			continue
		}
		if l.link != "" {
			out[i] = ansi.SetHyperlink(l.link) + st.Render(l.text) + ansi.ResetHyperlink()
			continue
		}
		out[i] = st.Render(l.text)
	}
	return strings.Join(out, "\n")
}

// text wraps and styles text at the content width.
func (c *common) text(s string, st lipgloss.Style) string {
	return render(wrapText(s, c.contentWidth(), 0), st)
}

// indented is text whose lines are indented by n spaces, but for the lines
// of a token too long to fit them.
func (c *common) indented(s string, n int, st lipgloss.Style) string {
	return render(wrapText(s, c.contentWidth(), n), st)
}
