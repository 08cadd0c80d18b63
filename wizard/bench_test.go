package wizard

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// atClientID is a model at step 3 (an input with focus) at 100x30.
func atClientID(b *testing.B) Model {
	f := newFixture(b)
	h := newHarness(b, f)
	h.paste(redirect).key("enter").key("enter").key("enter")
	h.at(stepClientID)
	return h.m
}

// BenchmarkKeystroke is one key through Update and a full View at 100x30:
// what every keypress costs the wizard.
func BenchmarkKeystroke(b *testing.B) {
	m := atClientID(b)
	keys := []tea.KeyMsg{{Type: tea.KeyRunes, Runes: []rune("a")}, {Type: tea.KeyBackspace}}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		next, _ := m.Update(keys[i%2])
		m = next.(Model)
		_ = m.View()
		i++
	}
}

// BenchmarkPaste1MiB pastes 1 MiB into the client ID field: the input is
// bounded (oidccheck.MaxInput) and the wizard does not freeze.
func BenchmarkPaste1MiB(b *testing.B) {
	m := atClientID(b)
	huge := tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(strings.Repeat("0ddbb6a1-", 1<<20/9)), Paste: true}
	clear := tea.KeyMsg{Type: tea.KeyCtrlU}
	b.ReportAllocs()
	for b.Loop() {
		next, _ := m.Update(huge)
		m = next.(Model)
		_ = m.View()
		if n := len(m.setup.values.ClientID); n > 8<<10 {
			b.Fatalf("input not bounded: %d bytes", n)
		}
		next, _ = m.Update(clear)
		m = next.(Model)
	}
}
