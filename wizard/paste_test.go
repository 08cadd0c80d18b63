package wizard

import "testing"

func TestUndoublePaste(t *testing.T) {
	id := "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90"
	for in, want := range map[string]string{
		id + id:               id,
		id + "\r\n" + id:      id,
		id + "\n" + id + "\n": id,
		id:                    id,
		"aa":                  "a", // a doubled single character is still doubled
		"abcab":               "abcab",
		"  ":                  "  ",
	} {
		got, _ := undoublePaste(in)
		if got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
}

func TestDoubledPasteIsKeptOnceAndSaid(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.paste(redirect + redirect)
	h.sees("arrived twice", "a redirect URI Entra accepts")
	if h.m.setup.values.RedirectURI != redirect {
		t.Fatalf("value %q", h.m.setup.values.RedirectURI)
	}
}
