package wizard

import (
	"context"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
)

// state is the screen family the wizard shows (charmbracelet/glow's
// ui/ui.go): the keyring probe, a refusal to go on, or one of the screens
// that own their state.
type state int

const (
	stateProbe state = iota
	stateBlocked
	stateSetup
	stateMenu
	stateRotation
	stateSignIn
)

var stateNames = [...]string{"probe", "blocked", "setup", "menu", "rotation", "sign-in"}

func (s state) String() string { return stateNames[s] }

// Exit codes the wizard ends with (DESIGN.md "Exit codes").
const (
	ExitDone        = 0
	ExitStore       = 3
	ExitInterrupted = 130
)

// blocked is why the wizard cannot go on, shown until the admin quits.
type blocked struct {
	title  string
	check  oidccheck.Check
	advice string
}

// Model is the wizard: a parent that keeps which screen family is shown,
// the window size and the shared dependencies, handles ctrl+c, resizes and
// moves between the families, and hands every other message to the family
// on screen. Each family owns its state.
type Model struct {
	c        *common
	state    state
	blocked  blocked
	setup    setupModel
	menu     menuModel
	rotation rotationModel
	signIn   signInModel
	// spin turns while the keyring is probed.
	spin spinner.Model
	code int
}

// New returns the wizard at its first screen: the keyring probe.
func New(d *Deps) Model {
	c := &common{deps: d, env: steps.Env{AuthorityHost: d.Flow.AuthorityHost, Now: d.now()}, styles: newStyles(d.Renderer),
		width: 100}
	// Until the admin finishes, any way out (ctrl+c, SIGTERM, a closed
	// terminal) counts as interrupted.
	return Model{c: c, state: stateProbe, code: ExitInterrupted, spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
}

// ExitCode is how the wizard ended.
func (m Model) ExitCode() int { return m.code }

// Saved reports whether this run saved a new profile.
func (m Model) Saved() bool { return m.setup.saved != nil }

// ProgressKept reports whether the values the admin entered are on disk for
// `entrasso setup` to resume (never in the demo, which keeps nothing).
func (m Model) ProgressKept() bool { return m.setup.kept }

// Init probes the keyring: nobody should paste five values and then learn
// that nothing can be stored. It also reads an unfinished setup's progress.
func (m Model) Init() tea.Cmd {
	d := m.c.deps
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		// The keyring's own calls are bounded; this bounds an unlock
		// prompt nobody answers.
		ctx, cancel := context.WithTimeout(context.Background(), store.DefaultKeyringTimeout+5*time.Second)
		defer cancel()
		msg := probedMsg{result: flow.Probe(ctx, d.Flow)}
		if d.opening() == openSetup && d.Demo == nil {
			if p, ok := d.Flow.Store.LoadProgress(d.Profile); ok && p.Step >= 1 && entered(p) {
				msg.progress = &p
			}
		}
		return msg
	})
}

// Update handles what belongs to the whole wizard, then hands the message
// to the screen family on screen.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case msg.String() == "ctrl+c":
			m.code = ExitInterrupted
			var save tea.Cmd
			if m.state == stateSetup {
				save = m.setup.saveProgress()
			}
			m.stop()
			return m, tea.Sequence(save, tea.Quit)
		case m.state == stateBlocked && (msg.String() == "q" || msg.String() == "enter"):
			return m, tea.Quit
		}
	case tea.WindowSizeMsg:
		// The family on screen fits its form to the new width; the others
		// build theirs anew when they are shown again.
		m.c.width = msg.Width
	case spinner.TickMsg:
		if m.state == stateProbe {
			m.spin, cmd = m.spin.Update(msg)
			return m, cmd
		}
	case probedMsg:
		return m.probed(msg)
	case quitMsg:
		m.code = msg.code
		m.stop()
		return m, tea.Quit
	case showMenuMsg:
		if c, failed := msg.result.Report.FirstFailure(); failed || msg.result.Profile == nil {
			m.stop()
			m.state, m.code = stateBlocked, msg.result.ExitCode()
			m.blocked = blocked{title: "Profile " + m.c.deps.Profile + " cannot be used.", check: c}
			return m, nil
		}
		m.stop()
		m.state = stateMenu
		m.menu, cmd = newMenu(m.c, msg.result.Profile, msg.flash)
		return m, cmd
	case showSetupMsg:
		m.stop()
		m.state = stateSetup
		m.setup, cmd = newSetup(m.c, nil)
		return m, cmd
	case showRotationMsg:
		m.stop()
		m.state = stateRotation
		m.rotation, cmd = newRotation(m.c, msg.profile)
		return m, cmd
	case showSignInMsg:
		m.stop()
		m.state = stateSignIn
		m.signIn, cmd = newSignIn(m.c, msg.back, msg.profile)
		return m, cmd
	case signInClosedMsg:
		m.state = msg.back
		if msg.back == stateMenu {
			// The menu shows what the sign-in recorded.
			return m, loadMenu(m.c.deps, msg.flash)
		}
		m.setup.flash = msg.flash
		return m, nil
	}
	switch m.state {
	case stateSetup:
		m.setup, cmd = m.setup.Update(msg)
	case stateMenu:
		m.menu, cmd = m.menu.Update(msg)
	case stateRotation:
		m.rotation, cmd = m.rotation.Update(msg)
	case stateSignIn:
		m.signIn, cmd = m.signIn.Update(msg)
	}
	return m, cmd
}

// probed opens the first screen, or refuses to go on when the secret could
// not be kept.
func (m Model) probed(msg probedMsg) (tea.Model, tea.Cmd) {
	d := m.c.deps
	if c, failed := msg.result.Report.FirstFailure(); failed {
		m.state, m.code = stateBlocked, ExitStore
		m.blocked = blocked{title: "The client secret cannot be kept on this machine.", check: c,
			advice: "Nothing was entered or saved yet. Fix the keyring and run entrasso again."}
		if _, file := d.Flow.Store.Keyring.(*store.FileKeyring); !file {
			// Broken by hand: wrapping could split the flag at its hyphen.
			m.blocked.advice = "Nothing was entered or saved yet. Fix the keyring and run entrasso again,\n" +
				"or run it with --insecure-storage to keep the secret in a plain 0600 file\ninstead (not advised)."
		}
		return m, nil
	}
	var cmd tea.Cmd
	switch d.opening() {
	case openRotation:
		m.state = stateRotation
		m.rotation, cmd = newRotation(m.c, d.Current)
	case openMenu:
		m.state = stateMenu
		m.menu, cmd = newMenu(m.c, d.Current, "")
	default:
		m.state = stateSetup
		m.setup, cmd = newSetup(m.c, msg.progress)
	}
	return m, cmd
}

// stop stops the check of the family on screen, as the wizard leaves it.
func (m *Model) stop() {
	switch m.state {
	case stateSetup:
		m.setup.live.stop()
	case stateMenu:
		m.menu.live.stop()
	case stateRotation:
		m.rotation.live.stop()
	case stateSignIn:
		m.signIn.live.stop()
	}
}

// View renders the screen family on screen.
func (m Model) View() string {
	switch m.state {
	case stateProbe:
		return m.c.page("\n" + m.spin.View() + " Checking that this machine's keyring can keep the client secret…\n")
	case stateBlocked:
		return m.blockedView()
	case stateSetup:
		return m.setup.View()
	case stateMenu:
		return m.menu.View()
	case stateRotation:
		return m.rotation.View()
	}
	return m.signIn.View()
}

func (m Model) blockedView() string {
	c, s := m.c, m.c.styles
	body := "\n" + s.fail.Render(m.blocked.title) + "\n\n" + c.checkView(m.blocked.check) + "\n\n"
	if m.blocked.advice != "" {
		body += m.blocked.advice + "\n\n"
	}
	return c.page(body + c.helpView("q quit"))
}
