package wizard

import (
	"context"
	"fmt"
	"strings"

	"entrasso/flow"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// menuScreen is what the menu shows: the choices, the values for Syncro,
// or the question before starting over.
type menuScreen int

const (
	menuList menuScreen = iota
	menuValues
	menuConfirmOver
)

var menuScreenNames = [...]string{"menu", "values", "confirm-start-over"}

func (s menuScreen) String() string { return menuScreenNames[s] }

// Menu choices.
const (
	menuRotate = "rotate"
	menuVerify = "verify"
	menuLogin  = "login"
	menuValue  = "values"
	menuOver   = "over"
	menuQuit   = "quit"
)

// menuOptions are the menu's choices, in the full-screen wizard and the
// plain prompts alike.
func menuOptions(p *store.Profile) []huh.Option[string] {
	rotate := "Rotate the client secret"
	if p.Previous != nil {
		rotate = "Finish the rotation in progress"
	}
	return []huh.Option[string]{
		huh.NewOption(rotate, menuRotate),
		huh.NewOption("Verify now (live check with the stored secret)", menuVerify),
		huh.NewOption("Test sign-in through the browser", menuLogin),
		huh.NewOption("Show the values for Syncro", menuValue),
		huh.NewOption("Start over (forget this profile, then set up again)", menuOver),
		huh.NewOption("Quit", menuQuit),
	}
}

// Results of the menu's commands.
type (
	verifiedMsg struct{ result flow.Result }
	forgotMsg   struct{ result flow.Result }
)

// menuModel is the re-run over a saved profile: rotate, verify, test
// sign-in, the values for Syncro, start over.
type menuModel struct {
	c      *common
	screen menuScreen
	// profile is the saved profile as the menu last learned it.
	profile *store.Profile
	form    *huh.Form
	// choice is on the heap: huh binds to it, and the model is copied.
	choice *string
	// verified is the last verify's result.
	verified *flow.Result
	flash    string
	live     live
}

func newMenu(c *common, p *store.Profile, flash string) (menuModel, tea.Cmd) {
	m := menuModel{c: c, profile: p, live: newLive()}
	cmd := m.enter(menuList)
	m.flash = flash
	return m, cmd
}

// enter moves to a screen of the menu; a running verify stops.
func (m *menuModel) enter(s menuScreen) tea.Cmd {
	m.live.stop()
	m.screen, m.form, m.flash = s, nil, ""
	switch s {
	case menuList:
		choice := menuRotate
		m.choice = &choice
		m.form = m.c.newForm(huh.NewGroup(huh.NewSelect[string]().Key("menu").Title("What now?").
			Options(menuOptions(m.profile)...).Value(m.choice)))
	case menuConfirmOver:
		choice := "no"
		m.choice = &choice
		m.form = m.c.newForm(huh.NewGroup(huh.NewSelect[string]().Key("over").
			Title("Forget profile "+m.profile.Name+" and its stored secrets? The app and its secrets in Entra stay as they are.").
			Options(huh.NewOption("No, back to the menu", "no"), huh.NewOption("Yes, forget it and set up again", "yes")).Value(m.choice)))
	}
	if m.form == nil {
		return nil
	}
	return m.form.Init()
}

// Update handles the menu's keys and results, then hands the message to
// its form.
func (m menuModel) Update(msg tea.Msg) (menuModel, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.form = m.c.resize(m.form)
		return m, nil
	case tea.KeyMsg:
		if cmd, done := m.key(msg); done {
			return m, cmd
		}
	case spinner.TickMsg:
		return m, m.live.tick(msg)
	case liveDoneMsg:
		if r, ok := m.live.done(msg, ""); ok {
			res := r.(verifiedMsg).result
			m.verified, m.flash = &res, notes(res.Notes)
			if res.Profile != nil {
				m.profile = res.Profile
			}
		}
		return m, nil
	case forgotMsg:
		if c, failed := msg.result.Report.FirstFailure(); failed {
			cmd := m.enter(menuList)
			m.flash = "Could not forget the profile: " + c.Message
			return m, cmd
		}
		return m, send(showSetupMsg{})
	case copiedMsg:
		m.flash = msg.flash()
		return m, nil
	}
	if m.form == nil {
		return m, nil
	}
	f, cmd := m.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		m.form = ff
	}
	if m.form.State == huh.StateCompleted {
		return m, tea.Batch(cmd, m.chosen())
	}
	return m, cmd
}

func (m *menuModel) key(k tea.KeyMsg) (tea.Cmd, bool) {
	switch m.screen {
	case menuList:
		if k.String() == "esc" {
			if m.live.stop() {
				m.flash = "Stopped the check with Entra."
			}
			return nil, true
		}
	case menuValues:
		switch k.String() {
		case "1", "2", "3", "4":
			return copyValue(m.c.deps, m.copies()[k.Runes[0]-'1']), true
		case "enter", "esc", "q":
			return m.enter(menuList), true
		}
		return nil, true
	case menuConfirmOver:
		if k.String() == "esc" || k.String() == "ctrl+b" {
			return m.enter(menuList), true
		}
	}
	return nil, false
}

// chosen acts on a completed form.
func (m *menuModel) chosen() tea.Cmd {
	d := m.c.deps
	if m.screen == menuConfirmOver {
		if *m.choice != "yes" {
			return m.enter(menuList)
		}
		return func() tea.Msg { return forgotMsg{flow.Forget(d.Flow, d.Profile)} }
	}
	switch *m.choice {
	case menuRotate:
		return send(showRotationMsg{profile: m.profile})
	case menuVerify:
		return tea.Batch(m.enter(menuList), m.verify())
	case menuLogin:
		return send(showSignInMsg{back: stateMenu, profile: m.profile})
	case menuValue:
		return m.enter(menuValues)
	case menuOver:
		return m.enter(menuConfirmOver)
	}
	return send(quitMsg{ExitDone})
}

// verify checks the saved profile live with its stored secret: the same
// checks as `entrasso verify`, which also records a proof.
func (m *menuModel) verify() tea.Cmd {
	m.verified = nil
	d := m.c.deps
	return m.live.start("", "Checking with Entra: metadata document, signing keys, the stored secret at the token endpoint… (esc stops)",
		func(ctx context.Context, _ func(tea.Msg)) tea.Msg {
			return verifiedMsg{flow.Verify(ctx, d.Flow, d.Profile)}
		})
}

func (m menuModel) copies() []steps.Copy {
	return steps.RotateSyncroStep(false).Copies(syncroValues(m.profile), m.c.env)
}

// frame renders the profile's state above the menu, or the values for
// Syncro.
func (m menuModel) frame() frame {
	c, s := m.c, m.c.styles
	var b strings.Builder
	p := m.profile
	f := c.newFrame("menu/"+m.screen.String(), s.title.Render("Profile "+p.Name)+s.dim.Render(" · client ID "+p.ClientID))
	if m.screen == menuValues {
		b.WriteString("\n" + s.title.Render("The values for Syncro's \"Single Sign On with OpenID Connect\"") + "\n\n")
		b.WriteString(c.copiesView(m.copies(), p.Secret.Hint))
		f.body = strings.TrimRight(b.String(), "\n")
		f.footer = strings.TrimRight(c.flashView(m.flash)+c.helpView("1-4 copy", "enter back to the menu", "ctrl+c quit"), "\n")
		return f
	}
	if len(c.deps.Profiles) > 1 {
		b.WriteString(c.text("Profiles: "+strings.Join(c.deps.Profiles, ", ")+" (another one: entrasso --profile NAME)", s.dim) + "\n")
	}
	b.WriteString(fmt.Sprintf("Secret %s… %q expires %s: %s\n", p.Secret.Hint, p.Secret.Description, orNone(p.Secret.Expires), c.daysView(p.Secret)))
	if p.Previous != nil {
		b.WriteString(c.text("A rotation is in progress: the previous secret "+p.Previous.Hint+"… is still kept.", s.warn) + "\n")
	}
	b.WriteString(s.dim.Render("Last verified: "+when(p.LastVerified)+" · last sign-in: "+when(p.LastSignIn)) + "\n")
	part := "\n" + trimBlankLines(m.form.View()) + "\n"
	b.WriteString(part)
	f.markFocus(&b, part)
	b.WriteString(m.live.view(c))
	if m.verified != nil {
		b.WriteString(c.checksView(m.verified.Report.Checks))
	}
	keys := []string{"↑/↓ choose", "enter confirm"}
	if m.live.running {
		keys = append(keys, "esc stop")
	}
	f.body = strings.TrimRight(b.String(), "\n")
	f.footer = strings.TrimRight(c.flashView(m.flash)+c.helpView(append(keys, "ctrl+c quit")...), "\n")
	return f
}
