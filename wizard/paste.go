package wizard

import (
	"fmt"
	"strings"

	"entrasso/oidccheck"

	tea "github.com/charmbracelet/bubbletea"
)

// undoublePaste undoes the doubled paste some Windows consoles deliver
// inside huh (charmbracelet/huh#439): text that is the same value twice,
// back to back (with or without a line break between), becomes that value
// once. No Entra or Syncro value is itself a value repeated twice, so on
// every system this only removes what the console added; the screen says so.
func undoublePaste(s string) (string, bool) {
	t := strings.TrimRight(s, "\r\n")
	for _, sep := range []string{"", "\r\n", "\n"} {
		n := len(t) - len(sep)
		if n < 2 || n%2 != 0 {
			continue
		}
		half := n / 2
		if t[:half] == t[half+len(sep):] && t[half:half+len(sep)] == sep && strings.TrimSpace(t[:half]) != "" {
			return t[:half], true
		}
	}
	return s, false
}

// normalizePaste prepares a bracketed paste for an input: a paste longer
// than any Entra or Syncro value is cut before the text input sanitises
// every rune of it, and a doubled one is kept once. note says what was done,
// for the screen; "" when nothing was.
func normalizePaste(k tea.KeyMsg) (tea.KeyMsg, string) {
	switch {
	case !k.Paste:
		return k, ""
	case len(k.Runes) > oidccheck.MaxInput:
		k.Runes = k.Runes[:oidccheck.MaxInput]
		return k, fmt.Sprintf("The paste was cut to its first %d characters; no Entra or Syncro value is that long.", oidccheck.MaxInput)
	}
	if once, doubled := undoublePaste(string(k.Runes)); doubled {
		k.Runes = []rune(once)
		return k, "The paste arrived twice (a Windows console does this); entrasso kept it once."
	}
	return k, ""
}
