package wizard

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	"github.com/charmbracelet/bubbles/viewport"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
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
	stateGraph
	stateGraphRotation
	statePick
)

var stateNames = [...]string{"probe", "blocked", "setup", "menu", "rotation", "sign-in", "graph", "graph-rotation", "pick-profile"}

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
	// graph is step 2's Graph path; graphRotation the rotation by Graph.
	graph         graphModel
	graphRotation graphRotationModel
	// pick asks which of several profiles to open; picked is bound to it.
	pick   *huh.Form
	picked *string
	// spin turns while the keyring is probed.
	spin spinner.Model
	code int
	// shown is the screen as last laid out; vp scrolls its body under
	// the header (charmbracelet/glow keeps its header over a scrolling
	// pager the same way); scrolled says the admin scrolled this screen,
	// which then stays where they put it.
	shown    frame
	vp       viewport.Model
	scrolled bool
}

// New returns the wizard at its first screen: the keyring probe.
func New(d *Deps) Model {
	c := &common{deps: d, env: steps.Env{AuthorityHost: d.Flow.AuthorityHost, Now: d.now()}, styles: newStyles(d.Renderer),
		width: 100}
	// Until the admin finishes, any way out (ctrl+c, SIGTERM, a closed
	// terminal) counts as interrupted.
	m := Model{c: c, state: stateProbe, code: ExitInterrupted, spin: spinner.New(spinner.WithSpinner(spinner.Dot)), vp: viewport.New(0, 0)}
	m.layout()
	return m
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

// Update handles what belongs to the whole wizard, hands the message to
// the screen family on screen, then lays out what it shows.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	next, cmd := m.update(msg)
	nm := next.(Model)
	nm.layout()
	return nm, cmd
}

func (m Model) update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case tea.KeyMsg:
		switch {
		case m.scroll(msg.String()):
			// The body's scroll keys are the wizard's own: no field and no
			// screen uses them.
			return m, nil
		case msg.String() == "ctrl+c":
			m.code = ExitInterrupted
			var save tea.Cmd
			if m.state == stateSetup || m.state == stateGraph {
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
		m.c.width, m.c.height = msg.Width, msg.Height
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
		if d := m.c.deps; d.Demo != nil && d.DemoNewSecret != nil {
			// The demo's first secret may be deleted by now (a finished
			// rotation deletes it in the look-alike): start over with a
			// fresh one, as the admin would add one in Entra.
			cmd = tea.Batch(cmd, func() tea.Msg {
				value, keyID := d.DemoNewSecret()
				return demoSecretMsg{value: value, keyID: keyID}
			})
		}
		return m, cmd
	case showRotationMsg:
		m.stop()
		return m, m.openRotation(msg.profile)
	case showGraphMsg:
		return m, m.toGraph()
	case graphClosedMsg:
		return m, m.fromGraph(msg)
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
	case statePick:
		return m.updatePick(msg)
	case stateSetup:
		m.setup, cmd = m.setup.Update(msg)
	case stateMenu:
		m.menu, cmd = m.menu.Update(msg)
	case stateRotation:
		m.rotation, cmd = m.rotation.Update(msg)
	case stateSignIn:
		m.signIn, cmd = m.signIn.Update(msg)
	case stateGraph:
		m.graph, cmd = m.graph.Update(msg)
	case stateGraphRotation:
		m.graphRotation, cmd = m.graphRotation.Update(msg)
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
	case openPick:
		m.state = statePick
		name := d.Profiles[0]
		m.picked = &name
		var opts []huh.Option[string]
		for _, p := range d.Profiles {
			opts = append(opts, huh.NewOption(p, p))
		}
		m.pick = m.c.newForm(huh.NewGroup(huh.NewSelect[string]().Key("profile").
			Title(fmt.Sprintf("There are %d profiles. Which one?", len(d.Profiles))).Options(opts...).Value(m.picked)))
		cmd = m.pick.Init()
	case openRotation:
		cmd = m.openRotation(d.Current)
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
	case stateGraph:
		m.graph.live.stop()
	case stateGraphRotation:
		m.graphRotation.live.stop()
	}
}

// updatePick hands a message to the profile picker; the profile picked
// becomes the one every screen works on, and the menu opens on it.
func (m Model) updatePick(msg tea.Msg) (tea.Model, tea.Cmd) {
	f, cmd := m.pick.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		m.pick = ff
	}
	if m.pick.State == huh.StateCompleted {
		m.c.deps = m.c.deps.withProfile(*m.picked)
		return m, tea.Batch(cmd, loadMenu(m.c.deps, ""))
	}
	return m, cmd
}

// frame is the screen family's screen.
func (m Model) frame() frame {
	c := m.c
	switch m.state {
	case statePick:
		f := c.newFrame("pick")
		f.body = "\n" + trimBlankLines(m.pick.View())
		f.footer = c.helpView("↑/↓ choose", "enter open", "ctrl+c quit")
		return f
	case stateProbe:
		f := c.newFrame("probe")
		f.body = "\n" + m.spin.View() + " Checking that this machine's keyring can keep the client secret…"
		return f
	case stateBlocked:
		return m.blockedFrame()
	case stateSetup:
		return m.setup.frame()
	case stateMenu:
		return m.menu.frame()
	case stateRotation:
		return m.rotation.frame()
	case stateGraph:
		return m.graph.frame()
	case stateGraphRotation:
		return m.graphRotation.frame()
	}
	return m.signIn.frame()
}

// layout renders the screen and fits its body between the header and the
// footer: what does not fit scrolls in the viewport. A new screen starts at
// its top; until the admin scrolls, the focused field is kept in view.
func (m *Model) layout() {
	f := m.frame()
	newScreen := f.key != m.shown.key
	m.shown = f
	if newScreen {
		m.scrolled = false
		m.vp.SetYOffset(0)
	}
	if m.c.height <= 0 {
		return
	}
	body := strings.Split(f.body, "\n")
	room := m.c.height - lineCount(f.header) - lineCount(f.footer)
	if len(body) > room {
		room-- // the line that says it scrolls
	}
	m.vp.Width, m.vp.Height = m.c.width, max(1, room)
	m.vp.SetContent(f.body)
	if f.focus >= 0 && !m.scrolled {
		top := m.vp.YOffset
		if f.focusEnd >= top+m.vp.Height {
			top = f.focusEnd - m.vp.Height + 1
		}
		top = min(top, f.focus)
		m.vp.SetYOffset(top)
	}
	m.vp.SetYOffset(m.vp.YOffset) // within bounds
}

// scroll moves the body for the scroll keys; false for any other key.
func (m *Model) scroll(k string) bool {
	switch k {
	case "pgdown":
		m.vp.PageDown()
	case "pgup":
		m.vp.PageUp()
	case "ctrl+down":
		m.vp.ScrollDown(1)
	case "ctrl+up":
		m.vp.ScrollUp(1)
	default:
		return false
	}
	m.scrolled = true
	return true
}

func lineCount(s string) int {
	if s == "" {
		return 0
	}
	return strings.Count(s, "\n") + 1
}

// View renders the header, the part of the body in view, a line saying
// that more is above or below when the body scrolls, and the footer.
func (m Model) View() string {
	f := m.shown
	if m.c.height <= 0 {
		return m.fullView()
	}
	body := strings.Split(f.body, "\n")
	top := min(m.vp.YOffset, max(0, len(body)-1))
	end := min(len(body), top+m.vp.Height)
	parts := []string{f.header}
	parts = append(parts, body[top:end]...)
	if len(body) > m.vp.Height {
		parts = append(parts, m.scrollHint(top > 0, end < len(body)))
	}
	if f.footer != "" {
		parts = append(parts, f.footer)
	}
	return strings.Join(parts, "\n")
}

// fullView is the whole screen, nothing scrolled away.
func (m Model) fullView() string {
	f := m.shown
	return strings.Join([]string{f.header, f.body, f.footer}, "\n")
}

func (m Model) scrollHint(above, below bool) string {
	var where string
	switch {
	case above && below:
		where = fmt.Sprintf("↑↓ more above and below (%d%%)", int(m.vp.ScrollPercent()*100))
	case below:
		where = "↓ more below"
	default:
		where = "↑ more above"
	}
	return m.c.styles.dim.Render(where + " · pgup/pgdown or ctrl+↑/↓ scroll")
}

func (m Model) blockedFrame() frame {
	c, s := m.c, m.c.styles
	f := c.newFrame("blocked")
	body := "\n" + s.fail.Render(m.blocked.title) + "\n\n" + c.checkView(m.blocked.check) + "\n"
	if m.blocked.advice != "" {
		body += "\n" + m.blocked.advice + "\n"
	}
	f.body = body
	f.footer = c.helpView("q quit")
	return f
}
