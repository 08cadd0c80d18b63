package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/ansi"
)

// step is where the wizard is. The documented steps are stepRedirect to
// stepSyncro, in order; the others come before them.
type step int

const (
	stepProbe step = iota
	stepBlocked
	stepResume
	stepRedirect
	stepRegister
	stepClientID
	stepSecret
	stepDiscovery
	stepSave
	stepSyncro
	// The re-run: a menu over a saved profile, and the guided rotation.
	stepMenu
	stepValues
	stepConfirmOver
	stepRotateSecret
	stepRotateSave
	stepRotateSyncro
	stepRotateDone
)

var stepNames = map[step]string{
	stepProbe: "probe", stepBlocked: "blocked", stepResume: "resume", stepRedirect: "redirect-uri",
	stepRegister: "register-app", stepClientID: "client-id", stepSecret: "client-secret",
	stepDiscovery: "discovery", stepSave: "save", stepSyncro: "syncro",
	stepMenu: "menu", stepValues: "values", stepConfirmOver: "confirm-start-over", stepRotateSecret: "rotate-secret",
	stepRotateSave: "rotate-save", stepRotateSyncro: "rotate-syncro", stepRotateDone: "rotate-done",
}

func (s step) String() string { return stepNames[s] }

// number is the step's number in the procedure, 1 to 7, or 0.
func (s step) number() int {
	if s < stepRedirect || s > stepSyncro {
		return 0
	}
	return int(s-stepRedirect) + 1
}

func stepNumbered(n int) step { return stepRedirect + step(n-1) }

// Exit codes the wizard ends with (DESIGN.md "Exit codes").
const (
	ExitDone        = 0
	ExitStore       = 3
	ExitInterrupted = 130
)

// Messages: each I/O command answers with one.
type (
	probeDoneMsg        struct{ err error }
	progressSavedMsg    struct{ err error }
	discoveryCheckedMsg struct {
		seq      int
		value    string
		check    oidccheck.Check
		tenantID string
	}
	savedMsg struct {
		seq    int
		report oidccheck.Report
		err    error
		note   string
	}
	waitMsg struct {
		seq  int
		info oidccheck.WaitInfo
		ch   <-chan oidccheck.WaitInfo
	}
	copiedMsg struct {
		label, how string
		err        error
	}
	openedMsg struct {
		url string
		err error
	}
)

// live is the check that runs in the background: at most one at a time.
// A result for an older sequence number, or for a value the admin has since
// changed, is dropped.
type live struct {
	seq     int
	running bool
	value   string
	cancel  context.CancelFunc
	result  *oidccheck.Check
	waiting string
}

// Model is the wizard.
type Model struct {
	deps     *Deps
	env      steps.Env
	defs     []steps.Step
	values   *steps.Values
	step     step
	form     *huh.Form
	checks   []oidccheck.Check
	spin     spinner.Model
	live     live
	problem  *oidccheck.Check
	storeErr error
	saved    *oidccheck.Report
	flash    string
	styles   styles
	width    int
	height   int
	resume   *store.Progress
	// choice is on the heap: the Model is copied on every Update, so a
	// value bound to a huh field must not point into one copy.
	choice *string
	// verified is the menu's last live check; oldSecret the secret a
	// finished rotation dropped, to be deleted in Entra.
	verified *oidccheck.Report
	// demoSecret is the demo portal's new secret for a rotation.
	demoSecret, demoSecretID string
	oldSecret                *store.SecretInfo
	deletedOld               bool
	code                     int
}

// New returns the wizard at its first screen: the keyring probe.
func New(d *Deps) Model {
	v := &steps.Values{}
	v.Defaults()
	// Until the admin finishes, any way out (ctrl+c, SIGTERM, a closed
	// terminal) counts as interrupted.
	m := Model{deps: d, values: v, defs: steps.All(), step: stepProbe, width: 100, height: 30, code: ExitInterrupted,
		env:    steps.Env{AuthorityHost: d.AuthorityHost, Now: d.now()},
		styles: newStyles(d.Renderer), spin: spinner.New(spinner.WithSpinner(spinner.Dot))}
	if p, ok := d.Store.LoadProgress(d.Profile); ok && p.Step >= 1 {
		m.resume = &p
	}
	return m
}

// ExitCode is how the wizard ended.
func (m Model) ExitCode() int { return m.code }

// Step names where the wizard is, for tests and logs.
func (m Model) Step() string { return m.step.String() }

// Init starts the keyring probe: nobody should paste five values and then
// learn that nothing can be stored.
func (m Model) Init() tea.Cmd {
	d := m.deps
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), store.DefaultKeyringTimeout+5*time.Second)
		defer cancel()
		return probeDoneMsg{d.probe(ctx)}
	})
}

func (m Model) def() steps.Step {
	switch m.step {
	case stepRotateSecret, stepRotateSave:
		return steps.RotateSecretStep(m.currentInfo())
	case stepRotateSyncro, stepRotateDone, stepValues:
		return steps.RotateSyncroStep()
	}
	return m.defs[m.step.number()-1]
}

// hasDef says whether the current step is one of package steps'.
func (m Model) hasDef() bool {
	return m.step.number() >= 1 || (m.step >= stepRotateSecret && m.step <= stepRotateDone) || m.step == stepValues
}

func (m Model) contentWidth() int { return max(40, min(m.width, 100)-2) }

// enter moves to a step and builds its form. Only Update calls it.
func (m *Model) enter(s step) tea.Cmd {
	if m.live.cancel != nil && m.live.running {
		m.live.cancel()
	}
	m.step, m.form, m.checks, m.flash = s, nil, nil, ""
	m.live = live{seq: m.live.seq + 1}
	var cmds []tea.Cmd
	switch {
	case s == stepResume:
		choice := "resume"
		m.choice = &choice
		m.form = m.newForm(huh.NewGroup(huh.NewSelect[string]().Key("resume").
			Title(fmt.Sprintf("An unfinished setup stopped at step %d (%s) on %s.", m.resume.Step, steps.Names()[m.resume.Step-1], m.resume.Saved.Local().Format("2006-01-02 15:04"))).
			Options(huh.NewOption(resumeLabel(m.resume.Step), "resume"), huh.NewOption("Start over", "over")).Value(m.choice)))
	case s == stepMenu:
		m.form = m.menuForm()
	case s == stepConfirmOver:
		m.form = m.confirmOverForm()
	case s == stepValues || s == stepRotateDone || s == stepRotateSave:
	case m.hasDef() && m.def().Fields != nil:
		var groups []*huh.Group
		for _, f := range m.def().Fields(m.values, m.env) {
			g := huh.NewGroup(f)
			if f.GetKey() == "custom_date" {
				vals := m.values
				g = g.WithHideFunc(func() bool { return vals.SecretExpiry != "custom" })
			}
			groups = append(groups, g)
		}
		m.form = m.newForm(groups...)
		m.checks = m.def().Check(m.values, m.env)
	}
	if m.form != nil {
		cmds = append(cmds, m.form.Init())
	}
	if s == stepDiscovery {
		cmds = append(cmds, m.maybeCheckDiscovery())
	}
	if s.number() >= 1 && s <= stepSave {
		cmds = append(cmds, m.saveProgress())
	}
	return tea.Batch(cmds...)
}

func resumeLabel(n int) string {
	if n > 4 {
		return "Resume at step 4: the portal shows a secret's Value only once, so add a new one"
	}
	return fmt.Sprintf("Resume at step %d", n)
}

func (m *Model) newForm(groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).WithShowHelp(false).WithShowErrors(true).WithWidth(m.contentWidth())
	// Embedded: the parent decides what completing or quitting means.
	f.SubmitCmd, f.CancelCmd = nil, nil
	return f
}

// Update is the only place the step changes.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.width, m.height = msg.Width, msg.Height
		if m.form != nil {
			m.form = m.form.WithWidth(m.contentWidth())
		}
	case tea.KeyMsg:
		if model, cmd, done := m.handleKey(msg); done {
			return model, cmd
		}
		if msg.Paste && len(msg.Runes) <= oidccheck.MaxInput {
			if once, doubled := undoublePaste(string(msg.Runes)); doubled {
				msg.Runes = []rune(once)
				m.flash = "The paste arrived twice (a Windows console does this); entrasso kept it once."
				return m.updateForm(msg)
			}
		}
		// No value is longer than oidccheck.MaxInput: a bigger paste is cut
		// here, before the text input sanitizes every rune of it.
		if msg.Paste && len(msg.Runes) > oidccheck.MaxInput {
			msg.Runes = msg.Runes[:oidccheck.MaxInput]
			m.flash = fmt.Sprintf("The paste was cut to its first %d characters; no Entra or Syncro value is that long.", oidccheck.MaxInput)
			return m.updateForm(msg)
		}
	case spinner.TickMsg:
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case probeDoneMsg:
		return m.probed(msg)
	case progressSavedMsg:
		if msg.err != nil {
			m.flash = "progress not saved: " + msg.err.Error()
		}
		return m, nil
	case discoveryCheckedMsg:
		if msg.seq == m.live.seq && msg.value == m.values.Discovery {
			m.live.running, m.live.result = false, &msg.check
			m.values.TenantID = msg.tenantID
		}
		return m, nil
	case waitMsg:
		if msg.seq == m.live.seq && m.live.running {
			m.live.waiting = fmt.Sprintf("Entra does not accept the new secret yet (it takes seconds to spread); trying again in %s, %s of %s waited",
				msg.info.Next, msg.info.Waited.Round(time.Second), msg.info.Limit)
		}
		return m, listenWait(msg.seq, msg.ch)
	case savedMsg:
		return m.savedResult(msg)
	case verifiedMsg, rotatedMsg, finishedMsg, forgotMsg, deletedMsg, profileLoadedMsg, loginURLMsg, loginDoneMsg:
		return m.rerunResult(msg)
	case copiedMsg:
		if msg.err != nil {
			m.flash = "Could not copy " + msg.label + ": " + msg.err.Error()
		} else {
			m.flash = "Copied " + msg.label + " via " + msg.how
		}
		return m, nil
	case openedMsg:
		if msg.err != nil {
			m.flash = "Open this page in your browser: " + msg.url
		} else {
			m.flash = "Opened " + msg.url
		}
		return m, nil
	}
	return m.updateForm(msg)
}

// handleKey handles the keys that belong to the wizard, not to a field.
// No bare letter acts while an input has focus.
func (m Model) handleKey(k tea.KeyMsg) (tea.Model, tea.Cmd, bool) {
	switch k.String() {
	case "ctrl+c":
		m.code = ExitInterrupted
		return m, tea.Sequence(m.saveProgress(), tea.Quit), true
	case "esc":
		if m.live.running {
			m.live.cancel()
			m.live.running, m.live.waiting = false, ""
			m.flash = "Stopped the check with Entra."
		}
		return m, nil, true
	case "ctrl+b", "pgup":
		if n := m.step.number(); n > 1 && !(m.step == stepSave && m.live.running) {
			return m, m.enter(stepNumbered(n - 1)), true
		}
		return m, nil, true
	case "ctrl+o":
		if m.hasDef() && m.def().Link != nil {
			if l, ok := m.def().Link(m.values, m.env); ok {
				return m, m.open(l.URL), true
			}
		}
		return m, nil, true
	case "ctrl+y":
		if m.hasDef() && m.def().Copies != nil && m.step.number() >= 1 && m.step != stepSyncro {
			if cs := m.def().Copies(m.values, m.env); len(cs) > 0 {
				return m, m.copyValue(cs[0]), true
			}
		}
		return m, nil, true
	}
	if model, cmd, done := m.rerunKey(k); done {
		return model, cmd, true
	}
	switch m.step {
	case stepBlocked:
		if k.String() == "q" || k.String() == "enter" {
			return m, tea.Quit, true
		}
	case stepSave:
		if k.String() == "enter" && !m.live.running {
			return m, m.startSave(), true
		}
		return m, nil, true
	case stepSyncro:
		switch k.String() {
		case "1", "2", "3", "4":
			c := m.def().Copies(m.values, m.env)[k.Runes[0]-'1']
			return m, m.copyValue(c), true
		case "c":
			return m, m.copyValue(steps.Copy{Label: "the test sign-in's redirect URI", Value: oidccheck.LoopbackRedirectURI}), true
		case "t":
			if !m.live.running {
				return m, m.testLogin(), true
			}
			return m, nil, true
		case "enter", "q":
			m.code = ExitDone
			if m.deps.Demo != nil && k.String() == "enter" {
				// The demo goes on to the menu a re-run would open.
				st, name := m.deps.Store, m.deps.Profile
				return m, func() tea.Msg {
					p, _ := st.Load(name)
					return profileLoadedMsg{p}
				}, true
			}
			return m, tea.Quit, true
		}
		return m, nil, true
	}
	return m, nil, false
}

func (m Model) probed(msg probeDoneMsg) (tea.Model, tea.Cmd) {
	if msg.err != nil {
		m.storeErr = msg.err
		m.step, m.code = stepBlocked, ExitStore
		return m, nil
	}
	switch {
	case m.deps.Current != nil && m.deps.Start == StartRotate:
		return m, m.startRotation()
	case m.deps.Current != nil:
		return m, m.enter(stepMenu)
	case m.resume != nil:
		return m, m.enter(stepResume)
	}
	return m, m.enter(stepRedirect)
}

// updateForm forwards a message to the step's form, then checks the
// step's values again, so a paste is judged before any enter.
func (m Model) updateForm(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.form == nil {
		return m, nil
	}
	before := *m.values
	f, cmd := m.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		m.form = ff
	}
	cmds := []tea.Cmd{cmd}
	if *m.values != before && m.hasDef() {
		m.checks = m.def().Check(m.values, m.env)
		m.problem = nil
		if m.step == stepDiscovery && m.values.Discovery != before.Discovery {
			cmds = append(cmds, m.maybeCheckDiscovery())
		}
	}
	switch m.form.State {
	case huh.StateCompleted:
		return m.formDone(cmds)
	case huh.StateAborted:
		m.code = ExitInterrupted
		return m, tea.Sequence(m.saveProgress(), tea.Quit)
	}
	return m, tea.Batch(cmds...)
}

// formDone advances once every field of the step passed huh's validators,
// which are the same pure checks shown under the fields.
func (m Model) formDone(cmds []tea.Cmd) (tea.Model, tea.Cmd) {
	if model, cmd, done := m.rerunFormDone(cmds); done {
		return model, cmd
	}
	if m.step == stepResume {
		p := *m.resume
		m.resume = nil
		if *m.choice == "over" {
			v := &steps.Values{}
			v.Defaults()
			m.values = v
			cmds = append(cmds, m.clearProgress(), m.enter(stepRedirect))
			return m, tea.Batch(cmds...)
		}
		*m.values = steps.Values{RedirectURI: p.RedirectURI, LogoutURL: p.LogoutURL, AppChoice: p.AppChoice, ClientID: p.ClientID,
			SecretDescription: p.SecretDescription, SecretExpiry: p.SecretExpiry, SecretCustomDate: p.SecretCustomDate, Discovery: p.Discovery}
		m.values.Defaults()
		cmds = append(cmds, m.enter(stepNumbered(min(p.Step, 4))))
		return m, tea.Batch(cmds...)
	}
	for _, c := range m.def().Check(m.values, m.env) {
		if c.Status == oidccheck.StatusFail {
			m.checks = m.def().Check(m.values, m.env)
			cmds = append(cmds, m.enter(m.step))
			return m, tea.Batch(cmds...)
		}
	}
	next := m.step + 1
	cmds = append(cmds, m.enter(next))
	if next == stepSave {
		cmds = append(cmds, m.startSave())
	}
	return m, tea.Batch(cmds...)
}

// fieldStep is the step where a field is entered.
func fieldStep(f oidccheck.Field) step {
	switch f {
	case oidccheck.FieldRedirectURI:
		return stepRedirect
	case oidccheck.FieldClientID:
		return stepClientID
	case oidccheck.FieldClientSecret:
		return stepSecret
	case oidccheck.FieldDiscoveryURL:
		return stepDiscovery
	}
	return stepSave
}

// savedResult takes the admin on to Syncro, or back to the field to fix
// with the value still there.
func (m Model) savedResult(msg savedMsg) (tea.Model, tea.Cmd) {
	if msg.seq != m.live.seq || m.step != stepSave {
		return m, nil
	}
	m.live.running, m.live.waiting = false, ""
	rep := msg.report
	if msg.note != "" {
		m.flash = msg.note
	}
	if c, failed := rep.FirstFailure(); failed {
		if s := fieldStep(c.Field); s != stepSave {
			cmd := m.enter(s)
			m.problem = &c
			return m, cmd
		}
		m.problem = &c
		return m, nil
	}
	if msg.err != nil {
		m.problem = &oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Message: msg.err.Error(), Fix: "press enter to try again"}
		return m, nil
	}
	m.saved = &rep
	m.values.DiscoveryURL = rep.Values.DiscoveryURL
	m.values.TenantID = rep.Values.TenantID
	// Verified and stored: the secret leaves memory; copying it for Syncro
	// reads it back from the keyring.
	m.values.Secret = ""
	cmd := m.enter(stepSyncro)
	return m, cmd
}

// View renders the current screen.
func (m Model) View() string {
	s := m.styles
	var b strings.Builder
	b.WriteString(s.header.Render("entrasso") + s.dim.Render(" · Syncro single sign-on with Microsoft Entra ID") + "\n")
	switch m.step {
	case stepProbe:
		b.WriteString("\n" + m.spin.View() + " Checking that this machine's keyring can keep the client secret…\n")
		return s.app.Render(b.String())
	case stepBlocked:
		b.WriteString("\n" + s.fail.Render("The client secret cannot be kept on this machine.") + "\n\n")
		b.WriteString(m.storeProblem() + "\n\n")
		b.WriteString("Nothing was entered or saved yet. Fix the keyring and run entrasso again, or run it\nwith --insecure-storage to keep the secret in a plain 0600 file instead (not advised).\n\n")
		b.WriteString(s.help.Render("q quit"))
		return s.app.Render(b.String())
	case stepResume:
		b.WriteString("\n" + m.form.View() + "\n")
		b.WriteString(s.help.Render("↑/↓ choose · enter confirm · ctrl+c quit"))
		return s.app.Render(b.String())
	}
	if m.step >= stepMenu {
		b.WriteString(m.rerunView())
		return s.app.Render(b.String())
	}
	def := m.def()
	b.WriteString(m.progressLine() + "\n")
	b.WriteString(s.title.Render(fmt.Sprintf("Step %d of 7 · %s", def.Number, def.Title)) + "\n\n")
	b.WriteString(s.instructions.Width(m.contentWidth()).Render(def.Instructions(m.values, m.env)) + "\n")
	if m.problem != nil {
		b.WriteString("\n" + m.checkView(*m.problem, "Entra said: ") + "\n")
	}
	switch m.step {
	case stepSave:
		b.WriteString("\n" + m.saveView())
	case stepSyncro:
		b.WriteString("\n" + m.syncroView())
		switch {
		case m.live.running:
			b.WriteString(m.loginWaitView())
		case m.verified != nil:
			for _, c := range m.verified.Checks {
				b.WriteString(m.checkView(c, "") + "\n")
			}
		}
	default:
		if m.form != nil {
			b.WriteString("\n" + trimBlankLines(m.form.View()) + "\n")
		}
		for _, c := range m.checks {
			b.WriteString(m.checkView(c, "") + "\n")
		}
		if m.step == stepDiscovery {
			b.WriteString(m.liveView())
		}
	}
	if m.deps.Demo != nil {
		if d := m.demoView(); d != "" {
			b.WriteString(d + "\n")
		}
	}
	if m.flash != "" {
		// Not wrapped: a URL broken over lines could not be copied whole.
		b.WriteString(s.flash.Render(m.flash) + "\n")
	}
	b.WriteString(s.help.Width(m.contentWidth()).Render(m.helpLine()))
	return s.app.Render(b.String())
}

func (m Model) progressLine() string {
	s := m.styles
	var parts []string
	for i, name := range steps.Names() {
		n := i + 1
		label := fmt.Sprintf("%d %s", n, name)
		switch {
		case n == m.step.number():
			parts = append(parts, s.stepNow.Render(label))
		case n < m.step.number():
			parts = append(parts, s.stepDone.Render(fmt.Sprintf("%d", n)))
		default:
			parts = append(parts, s.step.Render(fmt.Sprintf("%d", n)))
		}
	}
	return strings.Join(parts, s.dim.Render(" › "))
}

func (m Model) checkView(c oidccheck.Check, prefix string) string {
	s := m.styles
	mark, st := "✓", s.pass
	switch c.Status {
	case oidccheck.StatusWarn:
		mark, st = "!", s.warn
	case oidccheck.StatusFail:
		mark, st = "✗", s.fail
	case oidccheck.StatusSkip:
		mark, st = "·", s.skip
	}
	line := st.Render(mark) + " " + prefix + c.Message
	if c.Code != "" {
		line += " " + s.code.Render("["+string(c.Code)+"]")
	}
	w := m.contentWidth()
	out := []string{s.instructions.Width(w).Render(line)}
	sub := s.dim.PaddingLeft(2).Width(w)
	if c.Fix != "" && c.Status != oidccheck.StatusPass {
		out = append(out, sub.Render("fix: "+c.Fix))
	}
	if c.Cleaned != "" {
		out = append(out, sub.Render("removed from the paste: "+c.Cleaned))
	}
	if c.TraceID != "" || c.CorrelationID != "" {
		out = append(out, sub.Render("Entra trace ID "+c.TraceID+" · correlation ID "+c.CorrelationID))
	}
	return strings.Join(out, "\n")
}

func (m Model) liveView() string {
	switch {
	case m.live.running:
		return m.spin.View() + " Fetching the metadata document from Entra… (esc stops)\n"
	case m.live.result != nil:
		return m.checkView(*m.live.result, "") + "\n"
	}
	return ""
}

func (m Model) saveView() string {
	s := m.styles
	switch {
	case m.live.running:
		out := m.spin.View() + " Checking with Entra: metadata document, signing keys, the secret at the token endpoint…\n"
		if m.live.waiting != "" {
			out += s.warn.Width(m.contentWidth()).Render(m.live.waiting) + "\n"
		}
		return out + s.dim.Render("esc stops the check") + "\n"
	case m.problem != nil:
		return s.dim.Render("Nothing was saved. Press enter to try again, or ctrl+b to go back.") + "\n"
	}
	return s.dim.Render("Stopped. Press enter to check again.") + "\n"
}

func (m Model) syncroView() string {
	s := m.styles
	var b strings.Builder
	if m.saved != nil {
		b.WriteString(s.pass.Render("✓") + " Entra accepted every value; saved as profile " + m.deps.Profile + ".\n")
	}
	w := m.contentWidth()
	for i, c := range m.def().Copies(m.values, m.env) {
		v := c.Value
		if c.Secret {
			v = m.hint() + "… (press 2: copied from the keyring)"
		}
		line := s.header.Render(fmt.Sprintf("%d", i+1)) + " " + c.Label + ": "
		if lipglossWidth(line)+len(v) > w {
			// A long URL gets a line of its own, hard-wrapped only if the
			// screen is narrower than the URL itself.
			b.WriteString(line + "\n" + s.instructions.Width(w).Render(v) + "\n")
			continue
		}
		b.WriteString(line + v + "\n")
	}
	exp, _ := steps.ExpiryDate(m.values, m.env.Now)
	b.WriteString(s.title.Render("Before you enforce SSO for the whole account:") + "\n")
	for _, item := range steps.Checklist(exp) {
		b.WriteString(s.dim.Width(w).Render("• "+item) + "\n")
	}
	return b.String()
}

func (m Model) hint() string {
	if m.saved != nil && m.saved.Values.SecretHint != "" {
		return m.saved.Values.SecretHint
	}
	return "***"
}

func (m Model) demoView() string {
	d := m.deps.Demo
	var rows []string
	switch m.step {
	case stepRedirect:
		rows = []string{"Syncro's Redirect URI:", d.RedirectURI}
	case stepClientID:
		rows = []string{"Application (client) ID: " + d.ClientID, "Object ID:               " + d.ObjectID, "Directory (tenant) ID:   " + d.TenantID}
	case stepSecret:
		rows = []string{"Value:     " + d.Secret, "Secret ID: " + d.SecretID}
	case stepDiscovery:
		rows = []string{"OpenID Connect metadata document:", d.MetadataURL, "Tenant domain: " + d.TenantDomain}
	default:
		return ""
	}
	// No box and no wrapping: a URL broken over lines cannot be copied.
	return m.styles.dim.Render("── Demo portal (copy from here) ──") + "\n" + strings.Join(rows, "\n")
}

func (m Model) helpLine() string {
	var keys []string
	switch m.step {
	case stepSave:
		keys = []string{"esc stop", "enter retry", "ctrl+b back"}
	case stepSyncro:
		keys = []string{"1-4 copy", "t test sign-in", "c copy its localhost URI", "ctrl+o open Authentication", "ctrl+b back", "enter finish"}
	default:
		keys = []string{"enter next", "shift+tab previous field"}
		if m.step.number() > 1 {
			keys = append(keys, "ctrl+b previous step")
		}
		if m.def().Link != nil {
			if _, ok := m.def().Link(m.values, m.env); ok {
				keys = append(keys, "ctrl+o open portal")
			}
		}
		if m.def().Copies != nil {
			keys = append(keys, "ctrl+y copy")
		}
	}
	keys = append(keys, "ctrl+c quit")
	return strings.Join(keys, " · ")
}

func (m Model) storeProblem() string {
	var se *store.Error
	if errors.As(m.storeErr, &se) {
		return m.checkView(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Code: oidccheck.Code(se.Code), Message: se.Message, Fix: se.Fix}, "")
	}
	return m.storeErr.Error()
}

// trimBlankLines drops the empty lines huh pads a short group with (every
// group gets the height of the tallest).
func trimBlankLines(v string) string {
	lines := strings.Split(v, "\n")
	for len(lines) > 0 && strings.TrimSpace(ansiStrip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

func ansiStrip(s string) string { return ansi.Strip(s) }

func lipglossWidth(s string) int { return ansi.StringWidth(s) }
