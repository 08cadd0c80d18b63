package termbg

import (
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

func TestColorFGBG(t *testing.T) {
	for _, c := range []struct {
		v        string
		dark, ok bool
	}{
		{"15;0", true, true}, {"0;15", false, true}, {"7;default;0", true, true}, {"0;7", false, true},
		{"15;6", true, true}, {"0;8", false, true}, {"", false, false}, {"default;default", false, false}, {"15", false, false},
	} {
		if dark, ok := fromColorFGBG(c.v); dark != c.dark || ok != c.ok {
			t.Errorf("COLORFGBG=%q: dark %v ok %v, want %v %v", c.v, dark, ok, c.dark, c.ok)
		}
	}
}

func TestOSC11(t *testing.T) {
	for _, c := range []struct {
		reply    string
		dark, ok bool
	}{
		{"\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\", true, true},
		{"\x1b]11;rgb:ffff/ffff/ffff\a", false, true},
		{"\x1b]11;rgb:fd/f6/e3\x1b\\", false, true},
		{"\x1b]11;rgb:0/0/0\x1b\\", true, true},
		{"\x1b]11;rgb:zz/00/00\x1b\\", false, false},
		{"\x1b]11;?\x1b\\", false, false},
	} {
		if dark, ok := fromOSC11(c.reply); dark != c.dark || ok != c.ok {
			t.Errorf("%q: dark %v ok %v, want %v %v", c.reply, dark, ok, c.dark, c.ok)
		}
	}
}

// The key messages bubbletea v1 makes of a late "\x1b]11;rgb:…\x1b\\" are
// dropped; keys typed before and after it are not.
func TestLateReplyFilter(t *testing.T) {
	now := time.Now()
	f := LateReplyFilter(func() time.Time { return now })
	runes := func(s string, alt bool) tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Alt: alt} }
	in := []tea.Msg{runes("a", false), runes("]", true), runes("11;rgb:1e1e/1e1e/1e1e", false), runes("\\", true),
		runes("b", false), runes("]", true), runes("c", false)}
	var kept []string
	for _, m := range in {
		if out := f(nil, m); out != nil {
			kept = append(kept, out.(tea.KeyMsg).String())
		}
	}
	// After one reply the filter is spent: a later alt+] is a key again.
	want := []string{"a", "b", "alt+]", "c"}
	if len(kept) != len(want) {
		t.Fatalf("kept %q, want %q", kept, want)
	}
	for i := range want {
		if kept[i] != want[i] {
			t.Fatalf("kept %q, want %q", kept, want)
		}
	}
}
