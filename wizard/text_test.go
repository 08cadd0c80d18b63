package wizard

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
)

// TestWrapKeepsTokensWhole: words break only at spaces (never at a
// hyphen, so an ID or `dbus-run-session` stays whole); a token longer than
// a line gets lines of its own at the first column, cut at the exact
// width; no line ends in a space; a URL is a hyperlink on every line.
func TestWrapKeepsTokensWhole(t *testing.T) {
	url := "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Credentials/appId/0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90/isMSAApp~/false"
	text := "fix: start a session bus with dbus-run-session and try again; correlation ID 0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90 · open " + url + ". Then go on."
	for _, w := range []int{38, 78, 98} {
		lines := wrapText(text, w, 2)
		var plain []string
		for _, l := range lines {
			s := ansi.Strip(l.text)
			plain = append(plain, s)
			if ansi.StringWidth(s) > w || strings.HasSuffix(s, " ") {
				t.Fatalf("width %d: line %q", w, s)
			}
			if strings.HasSuffix(s, "-") || strings.HasSuffix(s, "dbus") {
				t.Fatalf("width %d: broken at a hyphen: %q", w, s)
			}
		}
		all := strings.Join(plain, "\n")
		for _, whole := range []string{"dbus-run-session", "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90"} {
			if !strings.Contains(all, whole) {
				t.Fatalf("width %d: %q broken:\n%s", w, whole, all)
			}
		}
		seesWhole(t, all, url)
		out := render(lines, lipgloss.NewStyle())
		if !strings.Contains(out, ansi.SetHyperlink(url)) {
			t.Fatalf("width %d: no hyperlink", w)
		}
		// Every line of the URL is at the first column, the width of the
		// screen but the last.
		for _, l := range lines {
			if l.link == url && strings.HasPrefix(l.text, " ") {
				t.Fatalf("an indented URL line %q", l.text)
			}
		}
	}
	if got := wrapText("Value:     abc", 40, 0)[0].text; got != "Value:     abc" {
		t.Fatalf("aligned columns lost: %q", got)
	}
}
