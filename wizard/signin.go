package wizard

import (
	"context"
	"strings"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// Messages of the test sign-in.
type (
	// signInOpenedMsg says where the browser was sent: opened, or a URL
	// the admin opens themselves.
	signInOpenedMsg struct {
		url    string
		opened bool
	}
	signedInMsg struct{ result flow.Result }
)

// signInModel is the test sign-in: a real user signs in through the browser
// with the saved profile (flow.TestLogin). It returns to where it was
// opened from: step 7 or the menu.
type signInModel struct {
	c    *common
	back state
	// profile is the saved profile, for the app's Authentication page.
	profile *store.Profile
	// url is the page to open when no browser could be opened.
	url    string
	result *flow.Result
	flash  string
	live   live
}

func newSignIn(c *common, back state, p *store.Profile) (signInModel, tea.Cmd) {
	s := signInModel{c: c, back: back, profile: p, live: newLive()}
	d := c.deps
	cmd := s.live.start("", "Waiting for the sign-in in the browser… (esc stops)", func(ctx context.Context, note func(tea.Msg)) tea.Msg {
		return signedInMsg{flow.TestLogin(ctx, d.Flow, flow.LoginInput{Profile: d.Profile, Timeout: oidccheck.DefaultLoginTimeout,
			Open: func(u string) error {
				opened := !d.NoBrowser && d.OpenURL != nil && d.OpenURL(u) == nil
				note(signInOpenedMsg{url: u, opened: opened})
				return nil
			}})}
	})
	return s, cmd
}

// Update handles the sign-in's keys and results.
func (s signInModel) Update(msg tea.Msg) (signInModel, tea.Cmd) {
	d := s.c.deps
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch msg.String() {
		case "esc":
			// esc stops a sign-in that still waits, and goes back.
			if s.live.stop() {
				return s, send(signInClosedMsg{back: s.back, flash: "Stopped the test sign-in."})
			}
			return s, send(signInClosedMsg{back: s.back})
		case "enter", "q":
			if !s.live.running {
				return s, send(signInClosedMsg{back: s.back})
			}
		case "c":
			return s, copyValue(d, steps.Copy{Label: "the test sign-in's redirect URI", Value: oidccheck.LoopbackRedirectURI})
		case "u":
			if s.url != "" {
				return s, copyValue(d, steps.Copy{Label: "the sign-in address", Value: s.url})
			}
		case "ctrl+o":
			if s.profile != nil {
				return s, open(d, steps.Link{Label: "the app's Authentication page", URL: AuthenticationURL(s.profile)})
			}
		}
	case spinner.TickMsg:
		return s, s.live.tick(msg)
	case liveNoteMsg:
		note, next, ok := s.live.noted(msg)
		if o, isOpen := note.(signInOpenedMsg); ok && isOpen && !o.opened {
			s.url = o.url
		}
		return s, next
	case liveDoneMsg:
		if r, ok := s.live.done(msg, ""); ok {
			res := r.(signedInMsg).result
			s.result, s.url, s.flash = &res, "", notes(res.Notes)
			if res.Profile != nil {
				s.profile = res.Profile
			}
		}
	case copiedMsg:
		s.flash = msg.flash()
	case openedMsg:
		s.flash = msg.flash()
	}
	return s, nil
}

// worked reports whether the sign-in went through and nothing failed.
func (s signInModel) worked() bool {
	return s.result != nil && s.result.Identity != nil && !s.result.Failed()
}

// frame renders the wait for the browser, then who signed in.
func (s signInModel) frame() frame {
	c, st := s.c, s.c.styles
	f := c.newFrame("sign-in", st.stepNow.Render("Test sign-in")+st.dim.Render(" · profile "+c.deps.Profile))
	var b strings.Builder
	b.WriteString("\n")
	if s.live.running {
		b.WriteString(s.live.view(c))
		b.WriteString(c.text("The app needs "+oidccheck.LoopbackRedirectURI+" as a Web redirect URI under Authentication (c copies it, ctrl+o opens the page).", st.dim) + "\n")
		if s.url != "" {
			// The short loopback address, whole: it sends the browser on
			// to Entra's long sign-in page.
			b.WriteString("\nOpen this address in a browser on this machine (u copies it):\n" + c.text(s.url, st.instructions) + "\n")
		}
	}
	if s.result != nil {
		b.WriteString(c.checksView(s.result.Report.Checks))
		if s.worked() {
			b.WriteString(c.text("The sign-in works. You may remove "+oidccheck.LoopbackRedirectURI+" from the app again (Authentication, ctrl+o).", st.dim) + "\n")
		}
	}
	keys := []string{"esc stop"}
	if s.url != "" && s.live.running {
		keys = append(keys, "u copy the address")
	}
	if !s.live.running {
		keys = []string{"enter back"}
	}
	keys = append(keys, "c copy the localhost URI", "ctrl+o open Authentication", "ctrl+c quit")
	f.body = strings.TrimRight(b.String(), "\n")
	f.footer = strings.TrimRight(c.flashView(s.flash)+c.helpView(keys...), "\n")
	return f
}
