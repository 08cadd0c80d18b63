package wizard

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// live is the one component behind every check that runs in the
// background: the discovery at step 5, the save at step 6, verify, the test
// sign-in and a rotation's proof. While a check runs, live always holds the
// cancel of its context, so esc (or leaving the screen) stops it at any
// moment. Every start takes a new sequence number, and a result is taken
// only from the check that runs now, for the value it was started on: the
// result of a check that was stopped or replaced, or that concerned a value
// the admin has since changed, is dropped.
type live struct {
	// id tells this component's messages from another screen's, whose
	// sequence numbers may be the same.
	id      int64
	seq     int
	running bool
	cancel  context.CancelFunc
	// value is what the check concerns, "" for a check of the whole profile.
	value string
	// label says what runs, beside the spinner.
	label string
	// wait is the propagation wait of a new secret, once Entra refused it
	// the first time: a bar of the seconds waited out of the limit.
	wait *waitedMsg
	spin spinner.Model
	bar  progress.Model
}

var liveIDs atomic.Int64

func newLive() live {
	return live{id: liveIDs.Add(1), spin: spinner.New(spinner.WithSpinner(spinner.Dot)),
		bar: progress.New(progress.WithoutPercentage(), progress.WithSolidFill("#7571F9"))}
}

// work is what a live check runs: a flow call, bounded by ctx. It reports
// progress (a propagation wait, the sign-in page) with note, and returns
// its result as a message.
type work func(ctx context.Context, note func(tea.Msg)) tea.Msg

// liveNoteMsg is progress of a running check; next waits for its following
// event.
type liveNoteMsg struct {
	id   int64
	seq  int
	note tea.Msg
	next tea.Cmd
}

// liveDoneMsg is the result of a check.
type liveDoneMsg struct {
	id     int64
	seq    int
	value  string
	result tea.Msg
}

// start stops whatever runs and starts w for value. The work runs on its
// own goroutine so that its notes reach the screen while it runs (the
// bubbletea realtime pattern: a channel, and a command that waits on it);
// it starts only when the returned command runs, never inside Update.
func (l *live) start(value, label string, w work) tea.Cmd {
	l.stop()
	l.seq++
	ctx, cancel := context.WithCancel(context.Background())
	l.running, l.cancel, l.value, l.label = true, cancel, value, label
	id, seq := l.id, l.seq
	run := func() tea.Msg {
		// Notes are progress only: when the screen lags behind, one is
		// dropped rather than the work held up. The result has a slot of
		// its own, so the goroutine ends even if nobody reads it.
		notes := make(chan tea.Msg, 8)
		done := make(chan tea.Msg, 1)
		go func() {
			defer cancel()
			done <- w(ctx, func(n tea.Msg) {
				select {
				case notes <- n:
				default:
				}
			})
		}()
		return awaitLive(id, seq, value, notes, done)()
	}
	return tea.Batch(l.spin.Tick, run)
}

// awaitLive waits for the next event of a check. The work sends every note
// before its result, so notes waiting in the channel go first.
func awaitLive(id int64, seq int, value string, notes, done <-chan tea.Msg) tea.Cmd {
	return func() tea.Msg {
		note := func(n tea.Msg) tea.Msg {
			return liveNoteMsg{id: id, seq: seq, note: n, next: awaitLive(id, seq, value, notes, done)}
		}
		select {
		case n := <-notes:
			return note(n)
		default:
		}
		select {
		case n := <-notes:
			return note(n)
		case r := <-done:
			return liveDoneMsg{id: id, seq: seq, value: value, result: r}
		}
	}
}

// stop cancels the running check, if any, and reports whether one ran. Its
// result, when it comes, is dropped.
func (l *live) stop() bool {
	if !l.running {
		return false
	}
	l.cancel()
	l.running, l.cancel, l.label, l.wait = false, nil, "", nil
	return true
}

// noted takes a note of the running check: it returns the note and the
// command that waits for what follows; ok is false for a stale one. A
// propagation wait is kept as the component's own, for its progress bar.
func (l *live) noted(msg liveNoteMsg) (note tea.Msg, next tea.Cmd, ok bool) {
	if msg.id != l.id || msg.seq != l.seq || !l.running {
		return nil, nil, false
	}
	if w, isWait := msg.note.(waitedMsg); isWait {
		l.wait = &w
	}
	return msg.note, msg.next, true
}

// done takes the result of the running check, which then no longer runs.
// ok is false for a stale result: of another check, or for a value other
// than current.
func (l *live) done(msg liveDoneMsg, current string) (result tea.Msg, ok bool) {
	if msg.id != l.id || msg.seq != l.seq || !l.running || msg.value != current {
		return nil, false
	}
	l.stop() // the work is over; this releases its context
	return msg.result, true
}

// tick turns the spinner while a check runs; a stopped check lets the
// spinner's chain of ticks end.
func (l *live) tick(msg spinner.TickMsg) tea.Cmd {
	if !l.running {
		return nil
	}
	var cmd tea.Cmd
	l.spin, cmd = l.spin.Update(msg)
	return cmd
}

// view is the spinner line and, during a propagation wait, a bar of the
// seconds waited and left; "" when nothing runs.
func (l live) view(c *common) string {
	if !l.running {
		return ""
	}
	out := l.spin.View() + " " + c.text(l.label, c.styles.instructions) + "\n"
	if w := l.wait; w != nil {
		bar := l.bar
		bar.Width = min(40, c.contentWidth()-24)
		waited, limit := w.Waited.Round(time.Second), w.Limit.Round(time.Second)
		out += bar.ViewAs(min(1, float64(w.Waited)/float64(max(w.Limit, 1)))) +
			fmt.Sprintf(" %ds waited, %ds left", int(waited.Seconds()), int(max(0, limit-waited).Seconds())) + "\n"
		out += c.text(w.text(), c.styles.warn) + "\n"
	}
	return out
}
