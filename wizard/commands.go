package wizard

import (
	"errors"
	"fmt"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
)

// Messages the screens' commands answer with. The results of live checks
// arrive inside a liveDoneMsg; their notes inside a liveNoteMsg.
type (
	// progressSavedMsg answers a write (or removal) of the setup progress.
	progressSavedMsg struct {
		err     error
		cleared bool
	}
	copiedMsg struct {
		label, how string
		err        error
	}
	// openedMsg says whether a portal page opened; when no browser could
	// open it, its address was copied instead (how, or copyErr).
	openedMsg struct {
		label, url string
		err        error
		how        string
		copyErr    error
	}
	// waitedMsg is a propagation wait of a new secret.
	waitedMsg oidccheck.WaitInfo
)

// Messages that move between screen families; the parent handles them.
type (
	probedMsg struct {
		result flow.Result
		// progress is an unfinished setup worth resuming, if any.
		progress *store.Progress
	}
	// showMenuMsg opens the menu on the profile as flow.Load found it.
	showMenuMsg struct {
		result flow.Result
		flash  string
	}
	// showSetupMsg starts the setup afresh, after start over.
	showSetupMsg struct{}
	// showRotationMsg opens the rotation of the profile.
	showRotationMsg struct{ profile *store.Profile }
	// showSignInMsg opens the test sign-in; back is where it returns.
	showSignInMsg struct {
		back    state
		profile *store.Profile
	}
	// signInClosedMsg returns from the test sign-in.
	signInClosedMsg struct {
		back  state
		flash string
	}
	quitMsg struct{ code int }
)

// send is a command that delivers msg: how a screen asks the parent to
// move to another.
func send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// loadMenu reads the profile again, settling any change an earlier run left
// unfinished, and opens the menu on it: the menu shows what is on disk, not
// what a screen last believed.
func loadMenu(d *Deps, flash string) tea.Cmd {
	return func() tea.Msg { return showMenuMsg{result: flow.Load(d.Flow, d.Profile), flash: flash} }
}

// copyValue copies a value. The secret is read back from the keyring
// (flow.Secret): once stored, it is no longer in the wizard's memory.
func copyValue(d *Deps, c steps.Copy) tea.Cmd {
	return func() tea.Msg {
		text := c.Value
		if c.Secret {
			s, res := flow.Secret(d.Flow, d.Profile)
			if f, failed := res.Report.FirstFailure(); failed {
				return copiedMsg{label: c.Label, err: errors.New(f.Message)}
			}
			text = s
		}
		if text == "" {
			return copiedMsg{label: c.Label, err: errors.New("nothing to copy yet")}
		}
		if d.Copy == nil {
			return copiedMsg{label: c.Label, err: errors.New("no clipboard")}
		}
		how, err := d.Copy(text)
		return copiedMsg{label: c.Label, how: how, err: err}
	}
}

func (m copiedMsg) flash() string {
	if m.err != nil {
		return "Could not copy " + m.label + ": " + m.err.Error()
	}
	return "Copied " + m.label + " via " + m.how
}

// open opens a portal page. Where no browser can open it, the address is
// copied to the clipboard and shown whole, to open elsewhere.
func open(d *Deps, l steps.Link) tea.Cmd {
	return func() tea.Msg {
		m := openedMsg{label: l.Label, url: l.URL}
		if d.NoBrowser || d.OpenURL == nil {
			m.err = errors.New("no browser")
		} else {
			m.err = d.OpenURL(l.URL)
		}
		if m.err != nil {
			if d.Copy == nil {
				m.copyErr = errors.New("no clipboard")
			} else {
				m.how, m.copyErr = d.Copy(l.URL)
			}
		}
		return m
	}
}

func (m openedMsg) flash() string {
	switch {
	case m.err == nil:
		return "Opened " + m.label + " in the browser."
	case m.copyErr == nil:
		return "No browser here; the address of " + m.label + " is copied (" + m.how + "). Open it in your browser: " + m.url
	}
	return "No browser here. Open " + m.label + " in your browser: " + m.url
}

// text says, while a new secret is retried, that Entra is still spreading it.
func (w waitedMsg) text() string {
	return fmt.Sprintf("Entra does not accept the new secret yet (it takes seconds to spread); try %d, the next in %s, %s of %s waited",
		w.Attempt+1, w.Next, w.Waited.Round(time.Second), w.Limit)
}

// waitFor is the flow.Wait of a new secret, passing each wait on as a note.
func waitFor(note func(tea.Msg)) flow.Wait {
	return flow.Wait{Limit: PropagationWait, OnWait: func(w oidccheck.WaitInfo) { note(waitedMsg(w)) }}
}
