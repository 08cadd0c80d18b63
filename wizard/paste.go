package wizard

import "strings"

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
