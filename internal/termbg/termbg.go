// Package termbg learns whether the terminal's background is dark, once and
// at a bounded cost, so that the wizard can pick its colours before its
// first frame.
//
// lipgloss (through termenv) asks the terminal too, but waits up to
// termenv's OSCTimeout, a five-second constant, for an answer: in a terminal
// that never answers, the wizard's first frame came five seconds late. Here
// COLORFGBG, when a terminal sets it, is taken without asking anything;
// otherwise the terminal is asked once (OSC 11, then a cursor-position
// report that every terminal answers, so that one which ignores OSC 11
// answers at once anyway) and the answer is awaited for Wait at most. A
// reply that comes later is not lost to the first field as typed text:
// LateReplyFilter drops it.
package termbg

import (
	"strconv"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
)

// Wait is the longest the query waits for the terminal. A local terminal
// answers in well under a millisecond and one over SSH in a round trip;
// a terminal that never answers costs exactly this, which keeps the first
// frame within DESIGN.md's 100 ms. A slower answer is dropped (dark is
// assumed) rather than delay every start.
const Wait = 50 * time.Millisecond

// Source says how the background was learned.
type Source int

const (
	// Default: nothing was learned; a dark background is assumed, as termenv
	// does.
	Default Source = iota
	// ColorFGBG: from the COLORFGBG environment variable.
	ColorFGBG
	// Query: from the terminal's answer to OSC 11.
	Query
	// Timeout: the terminal was asked and did not answer within Wait; a
	// late reply may still come (see LateReplyFilter).
	Timeout
)

func (s Source) String() string {
	return [...]string{"default", "COLORFGBG", "query", "timeout"}[s]
}

// fromColorFGBG reads COLORFGBG ("fg;bg" or "fg;default;bg"): its last
// field is the background's ANSI colour number. Colours 0 to 6 are dark,
// the rest light, as termenv judges them (HSL lightness under one half).
func fromColorFGBG(v string) (dark, ok bool) {
	i := strings.LastIndexByte(v, ';')
	if i < 0 {
		return false, false
	}
	n, err := strconv.Atoi(v[i+1:])
	if err != nil || n < 0 || n > 255 {
		return false, false
	}
	return n <= 6, true
}

// fromOSC11 reads an OSC 11 reply such as "\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\"
// (or ended by BEL): dark when the HSL lightness is under one half, as
// termenv and lipgloss judge it.
func fromOSC11(reply string) (dark, ok bool) {
	i := strings.Index(reply, "rgb:")
	if i < 0 {
		return false, false
	}
	s := strings.TrimRight(reply[i+4:], "\x1b\\\a")
	parts := strings.Split(s, "/")
	if len(parts) != 3 {
		return false, false
	}
	var c [3]float64
	for k, p := range parts {
		if len(p) == 0 || len(p) > 4 {
			return false, false
		}
		v, err := strconv.ParseUint(p, 16, 16)
		if err != nil {
			return false, false
		}
		c[k] = float64(v) / float64(uint64(1)<<(4*len(p))-1)
	}
	return (max(c[0], c[1], c[2])+min(c[0], c[1], c[2]))/2 < 0.5, true
}

// LateReplyFilter returns a tea.WithFilter function that drops a reply to
// the query which arrived after Wait. bubbletea v1 does not parse OSC
// replies: "\x1b]11;rgb:…\x1b\\" reaches the model as alt+], the runes
// "11;rgb:…" and alt+\ (or ctrl+g for a BEL), which would be typed into the
// first field. The cursor-position reply that follows is an unknown CSI
// sequence bubbletea already ignores. The filter drops at most one reply,
// and only in the first ten seconds.
func LateReplyFilter(now func() time.Time) func(tea.Model, tea.Msg) tea.Msg {
	until := now().Add(10 * time.Second)
	inReply, done := false, false
	return func(_ tea.Model, msg tea.Msg) tea.Msg {
		k, isKey := msg.(tea.KeyMsg)
		if done || !isKey {
			return msg
		}
		if !inReply && now().After(until) {
			done = true
			return msg
		}
		switch {
		case !inReply && k.Type == tea.KeyRunes && k.Alt && string(k.Runes) == "]":
			inReply = true
			return nil
		case inReply && k.Type == tea.KeyRunes && !k.Alt && replyRunes(string(k.Runes)):
			return nil
		case inReply && (k.Type == tea.KeyCtrlG || k.Type == tea.KeyRunes && k.Alt && string(k.Runes) == "\\"):
			done = true
			return nil
		}
		inReply = false
		return msg
	}
}

// replyRunes reports whether s can be part of an OSC 11 reply's body.
func replyRunes(s string) bool {
	return strings.Trim(s, "0123456789abcdefABCDEF;:/rgb") == ""
}
