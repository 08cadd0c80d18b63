package wizard

import (
	"context"
	"fmt"
	"strings"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// step is where the setup is: the offer to resume an unfinished run, then
// the documented steps 1 to 7, numbered as the procedure numbers them.
type step int

const (
	stepResume step = iota
	stepRedirect
	stepRegister
	stepClientID
	stepSecret
	stepDiscovery
	stepSave
	stepSyncro
)

var stepNames = [...]string{"resume", "redirect-uri", "register-app", "client-id", "client-secret", "discovery", "save", "syncro"}

func (s step) String() string { return stepNames[s] }

// number is the step's number in the procedure, 1 to 7; 0 for the resume.
func (s step) number() int { return int(s) }

// fieldStep is the step where a field is entered; the save for the rest.
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

// Results of the setup's live checks.
type (
	discoveredMsg struct {
		tenantID string
		check    oidccheck.Check
	}
	savedMsg struct{ result flow.Result }
)

// setupModel is the first-time setup: the resume offer and steps 1 to 7.
type setupModel struct {
	c    *common
	defs []steps.Step
	step step
	// values and choice (the answer to the resume offer) are bound to huh
	// fields, so they live on the heap: the model is copied on every
	// Update, and a field must not point into one copy.
	values *steps.Values
	choice *string
	form   *huh.Form
	// resume is the unfinished run offered for resuming.
	resume *store.Progress
	// problem is what the save refused, shown under its field until the
	// value changes; found is step 5's live discovery. (The pure checks of
	// the focused field are shown as the admin pastes: fieldNotes.)
	problem *oidccheck.Check
	found   *oidccheck.Check
	// saved is step 6's result once the profile is saved.
	saved *flow.Result
	// kept says the values entered so far are on disk for a resume.
	kept  bool
	flash string
	live  live
	// demo is what the demo portal shows, with the secret it made for
	// this run (a start over gets a fresh one: the first may be deleted).
	demo *DemoPortal
}

// newSetup starts the setup: at the resume offer when an unfinished run
// left values, else at step 1.
func newSetup(c *common, resume *store.Progress) (setupModel, tea.Cmd) {
	v := &steps.Values{}
	v.Defaults()
	s := setupModel{c: c, defs: steps.All(), values: v, resume: resume, kept: resume != nil, live: newLive()}
	if d := c.deps.Demo; d != nil {
		demo := *d
		s.demo = &demo
	}
	if resume != nil {
		return s, s.enter(stepResume)
	}
	return s, s.enter(stepRedirect)
}

func (s setupModel) def() steps.Step { return s.defs[s.step.number()-1] }

// enter moves to a step: whatever runs stops, and the step's form is built
// and initialised (huh#421: a new form needs its Init).
func (s *setupModel) enter(st step) tea.Cmd {
	s.live.stop()
	s.step, s.form, s.problem, s.found, s.flash = st, nil, nil, nil, ""
	var cmds []tea.Cmd
	switch {
	case st == stepResume:
		choice := "resume"
		s.choice = &choice
		s.form = s.c.newForm(huh.NewGroup(huh.NewSelect[string]().Key("resume").
			Title(fmt.Sprintf("An unfinished setup stopped at step %d (%s) on %s.", s.resume.Step, steps.Names()[s.resume.Step-1], s.resume.Saved.Local().Format("2006-01-02 15:04"))).
			Options(huh.NewOption(resumeLabel(s.resume.Step), "resume"), huh.NewOption("Start over", "over")).Value(s.choice)))
	case s.def().Fields != nil:
		s.form = s.c.stepForm(s.def(), s.values)
	}
	if s.form != nil {
		cmds = append(cmds, s.form.Init())
	}
	if st == stepDiscovery {
		cmds = append(cmds, s.checkDiscovery())
	}
	return tea.Batch(append(cmds, s.saveProgress())...)
}

func resumeLabel(n int) string {
	if n > 4 {
		return "Resume at step 4: the portal shows a secret's Value only once, so add a new one"
	}
	return fmt.Sprintf("Resume at step %d", n)
}

// Update handles the setup's keys and results, then hands the message to
// the step's form.
func (s setupModel) Update(msg tea.Msg) (setupModel, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.form = s.c.resize(s.form)
		return s, nil
	case tea.KeyMsg:
		if cmd, done := s.key(msg); done {
			return s, cmd
		}
		var note string
		if msg, note = normalizePaste(msg); note != "" {
			s.flash = note
		}
		return s.updateForm(msg)
	case spinner.TickMsg:
		return s, s.live.tick(msg)
	case liveNoteMsg:
		_, next, _ := s.live.noted(msg)
		return s, next
	case liveDoneMsg:
		// A discovery result counts only for the value still in the field.
		current := ""
		if _, discovery := msg.result.(discoveredMsg); discovery {
			current = s.values.Discovery
		}
		result, ok := s.live.done(msg, current)
		if !ok {
			return s, nil
		}
		switch r := result.(type) {
		case discoveredMsg:
			s.found, s.values.TenantID = &r.check, r.tenantID
		case savedMsg:
			return s, s.savedResult(r.result)
		}
		return s, nil
	case progressSavedMsg:
		if msg.err != nil {
			s.flash = "Progress not saved: " + msg.err.Error()
		} else {
			s.kept = !msg.cleared
		}
		return s, nil
	case copiedMsg:
		s.flash = msg.flash()
		return s, nil
	case openedMsg:
		s.flash = msg.flash()
		return s, nil
	case demoSecretMsg:
		if s.demo != nil {
			s.demo.Secret, s.demo.SecretID = msg.value, msg.keyID
		}
		return s, nil
	}
	return s.updateForm(msg)
}

// key handles the keys that belong to the setup, not to a field; done is
// false for a key the form should have. No bare letter acts while an input
// has focus.
func (s *setupModel) key(k tea.KeyMsg) (tea.Cmd, bool) {
	d := s.c.deps
	switch k.String() {
	case "esc":
		// esc stops a running check and stays where the admin is.
		if s.live.stop() {
			s.flash = "Stopped the check with Entra."
		}
		return nil, true
	case "ctrl+b":
		// Step 7 has nothing before it to go back to: the profile is
		// saved, and changing a value would need the secret again.
		if n := s.step.number(); n > 1 && s.step != stepSyncro {
			return s.enter(s.step - 1), true
		}
		return nil, true
	case "ctrl+o":
		if s.step != stepResume && s.def().Link != nil {
			if l, ok := s.def().Link(s.values, s.c.env); ok {
				return open(d, l), true
			}
		}
		return nil, true
	case "ctrl+y":
		if s.step != stepResume && s.step != stepSyncro && s.def().Copies != nil {
			if cs := s.def().Copies(s.values, s.c.env); len(cs) > 0 {
				return copyValue(d, cs[0]), true
			}
		}
		return nil, true
	}
	switch s.step {
	case stepSave:
		if k.String() == "enter" && !s.live.running {
			return s.startSave(), true
		}
		return nil, true
	case stepSyncro:
		switch k.String() {
		case "1", "2", "3", "4":
			return copyValue(d, s.def().Copies(s.values, s.c.env)[k.Runes[0]-'1']), true
		case "c":
			return copyValue(d, steps.Copy{Label: "the test sign-in's redirect URI", Value: oidccheck.LoopbackRedirectURI}), true
		case "t":
			return send(showSignInMsg{back: stateSetup, profile: s.saved.Profile}), true
		case "enter":
			if d.Demo != nil {
				// The demo goes on to the menu a re-run would open.
				return loadMenu(d, ""), true
			}
			return send(quitMsg{ExitDone}), true
		case "q":
			return send(quitMsg{ExitDone}), true
		}
		return nil, true
	}
	return nil, false
}

// updateForm forwards a message to the step's form, then checks the
// step's values again, so a paste is judged before any enter.
func (s setupModel) updateForm(msg tea.Msg) (setupModel, tea.Cmd) {
	if s.form == nil {
		return s, nil
	}
	before := *s.values
	f, cmd := s.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		s.form = ff
	}
	cmds := []tea.Cmd{cmd}
	if *s.values != before && s.step != stepResume {
		s.problem = nil
		if s.step == stepDiscovery && s.values.Discovery != before.Discovery {
			cmds = append(cmds, s.checkDiscovery())
		}
	}
	if s.form.State == huh.StateCompleted {
		cmds = append(cmds, s.formDone())
	}
	return s, tea.Batch(cmds...)
}

// formDone advances once every field of the step passed huh's validators,
// which are the same pure checks shown under the fields.
func (s *setupModel) formDone() tea.Cmd {
	if s.step == stepResume {
		p := *s.resume
		s.resume = nil
		if *s.choice == "over" {
			v := &steps.Values{}
			v.Defaults()
			s.values = v
			return tea.Batch(s.clearProgress(), s.enter(stepRedirect))
		}
		*s.values = steps.Values{RedirectURI: p.RedirectURI, LogoutURL: p.LogoutURL, AppChoice: p.AppChoice, ClientID: p.ClientID,
			SecretDescription: p.SecretDescription, SecretExpiry: p.SecretExpiry, SecretCustomDate: p.SecretCustomDate, Discovery: p.Discovery}
		s.values.Defaults()
		return s.enter(step(min(p.Step, stepSecret.number())))
	}
	if failed(s.def().Check(s.values, s.c.env)) {
		return s.enter(s.step)
	}
	if s.step == stepRegister && s.values.AppChoice == steps.AppGraph {
		// entrasso does steps 2 to 6 itself (graph.go).
		return send(showGraphMsg{})
	}
	next := s.step + 1
	cmd := s.enter(next)
	if next == stepSave {
		return tea.Batch(cmd, s.startSave())
	}
	return cmd
}

// checkDiscovery starts step 5's live check once the pasted value passes
// its offline checks; a check of an earlier value stops.
func (s *setupModel) checkDiscovery() tea.Cmd {
	s.found = nil
	value := s.values.Discovery
	if value == "" || failed(s.def().Check(s.values, s.c.env)) {
		s.live.stop()
		return nil
	}
	fd := s.c.deps.Flow
	return s.live.start(value, "Fetching the metadata document from Entra… (esc stops)", func(ctx context.Context, _ func(tea.Msg)) tea.Msg {
		tenantID, c := flow.Discover(ctx, fd, value)
		return discoveredMsg{tenantID: tenantID, check: c}
	})
}

// startSave runs step 6: flow.Setup proves the values live (retrying while
// Entra spreads a new secret), then writes the keyring and the profile.
func (s *setupModel) startSave() tea.Cmd {
	s.problem = nil
	expires, err := steps.ExpiryDate(s.values, s.c.env.Now)
	if err != nil {
		cmd := s.enter(stepSecret)
		cmd = tea.Batch(cmd, focusField(s.form, "secret"))
		s.problem = &oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail,
			Message: "the expiry date cannot be read: " + strings.TrimPrefix(err.Error(), "oidccheck: "), Fix: "choose the expiry you chose in Entra"}
		return cmd
	}
	d, v := s.c.deps, s.values
	in := flow.SetupInput{Profile: d.Profile, RedirectURI: v.RedirectURI, ClientID: v.ClientID, Discovery: v.Discovery,
		Secret: v.Secret, SecretDescription: v.SecretDescription, SecretExpires: expires}
	return s.live.start("", "Checking with Entra: metadata document, signing keys, the secret at the token endpoint…",
		func(ctx context.Context, note func(tea.Msg)) tea.Msg {
			in.Wait = waitFor(note)
			return savedMsg{flow.Setup(ctx, d.Flow, in)}
		})
}

// savedResult takes the admin on to Syncro, or back to the field to fix
// with the value still there.
func (s *setupModel) savedResult(res flow.Result) tea.Cmd {
	if c, failed := res.Report.FirstFailure(); failed {
		var cmd tea.Cmd
		if st := fieldStep(c.Field); st != stepSave {
			cmd = s.enter(st)
			// The refusal stands under the field it concerns.
			cmd = tea.Batch(cmd, focusField(s.form, fieldKey(c.Field)))
		}
		s.problem, s.flash = &c, notes(res.Notes)
		return cmd
	}
	s.saved, s.kept = &res, false
	s.values.DiscoveryURL, s.values.TenantID = res.Report.Values.DiscoveryURL, res.Report.Values.TenantID
	// Proven and stored: the secret leaves memory; copying it for Syncro
	// reads it back from the keyring.
	s.values.Secret = ""
	cmd := s.enter(stepSyncro)
	s.flash = notes(res.Notes)
	return cmd
}

// saveProgress keeps the secret-free progress, so that a quit at any
// point can be resumed. Nothing is written for the demo, which keeps
// nothing, nor before anything was entered, since a resume is offered only
// for values.
func (s *setupModel) saveProgress() tea.Cmd {
	n := s.step.number()
	d := s.c.deps
	p := progressOf(n, s.values)
	if d.Demo != nil || s.saved != nil || n < 1 || n > stepSave.number() || !entered(p) {
		return nil
	}
	return func() tea.Msg { return progressSavedMsg{err: d.Flow.Store.SaveProgress(d.Profile, p)} }
}

func (s *setupModel) clearProgress() tea.Cmd {
	d := s.c.deps
	return func() tea.Msg { return progressSavedMsg{err: d.Flow.Store.ClearProgress(d.Profile), cleared: true} }
}

func progressOf(n int, v *steps.Values) store.Progress {
	return store.Progress{Step: n, RedirectURI: v.RedirectURI, LogoutURL: v.LogoutURL, AppChoice: v.AppChoice, ClientID: v.ClientID,
		SecretDescription: v.SecretDescription, SecretExpiry: v.SecretExpiry, SecretCustomDate: v.SecretCustomDate, Discovery: v.Discovery}
}

// entered reports whether a progress holds anything the admin entered, as
// opposed to the portal's defaults.
func entered(p store.Progress) bool {
	return p.RedirectURI != "" || p.LogoutURL != "" || p.ClientID != "" || p.Discovery != ""
}

// frame lays the step out: the title, the progress line and "Step N of
// 7" above; the instructions, the field with what stands under it and the
// demo portal in the body; the last message and the keys below.
func (s setupModel) frame() frame {
	c, st := s.c, s.c.styles
	var b strings.Builder
	if s.step == stepResume {
		f := c.newFrame("resume")
		f.body = "\n" + s.form.View()
		f.footer = c.helpView("↑/↓ choose", "enter confirm", "ctrl+c quit")
		return f
	}
	def := s.def()
	f := c.newFrame("setup/"+s.step.String(), s.progressLine(),
		st.title.Render(fmt.Sprintf("Step %d of 7 · %s", def.Number, def.Title)))
	b.WriteString("\n" + c.text(def.Instructions(s.values, c.env), st.instructions) + "\n")
	switch s.step {
	case stepSave:
		if s.problem != nil {
			b.WriteString("\n" + c.problemView(*s.problem) + "\n")
		}
		b.WriteString("\n" + s.saveView())
	case stepSyncro:
		b.WriteString("\n" + s.syncroView())
	default:
		if s.form != nil {
			notes, shown := c.fieldNotes(def, s.values, s.form, s.problem)
			if s.problem != nil && !shown {
				b.WriteString("\n" + c.problemView(*s.problem) + "\n")
			}
			part := "\n" + trimBlankLines(s.form.View()) + "\n" + notes
			b.WriteString(part)
			f.markFocus(&b, part)
		}
		if s.step == stepDiscovery {
			b.WriteString(s.live.view(c))
			if s.found != nil {
				b.WriteString(c.checkView(*s.found) + "\n")
			}
		}
	}
	if rows := demoRows(s.demo, s.step); rows != nil {
		b.WriteString(st.dim.Render("── Demo portal (copy from here) ──") + "\n" + c.text(strings.Join(rows, "\n"), st.instructions) + "\n")
	}
	f.body = strings.TrimRight(b.String(), "\n")
	f.footer = strings.TrimRight(c.flashView(s.flash)+c.helpView(s.helpKeys()...), "\n")
	return f
}

func (s setupModel) progressLine() string {
	st := s.c.styles
	var parts []string
	for i, name := range steps.Names() {
		n := i + 1
		switch {
		case n == s.step.number():
			parts = append(parts, st.stepNow.Render(fmt.Sprintf("%d %s", n, name)))
		case n < s.step.number():
			parts = append(parts, st.stepDone.Render(fmt.Sprintf("%d", n)))
		default:
			parts = append(parts, st.step.Render(fmt.Sprintf("%d", n)))
		}
	}
	return strings.Join(parts, st.dim.Render(" › "))
}

func (s setupModel) saveView() string {
	st := s.c.styles
	switch {
	case s.live.running:
		return s.live.view(s.c) + st.dim.Render("esc stops the check") + "\n"
	case s.problem != nil:
		return st.dim.Render("Nothing was saved. Press enter to try again, or ctrl+b to go back.") + "\n"
	}
	return st.dim.Render("Stopped. Press enter to check again, or ctrl+b to go back.") + "\n"
}

// syncroView is step 7: what was saved, the values for Syncro and the
// checklist before SSO is enforced.
func (s setupModel) syncroView() string {
	c, st := s.c, s.c.styles
	var b strings.Builder
	hint := "***"
	if s.saved != nil {
		rep := s.saved.Report
		hint = rep.Values.SecretHint
		var notable []oidccheck.Check
		for _, ch := range rep.Checks {
			if ch.Status == oidccheck.StatusWarn || ch.Status == oidccheck.StatusSkip {
				notable = append(notable, ch)
			}
		}
		if len(notable) == 0 {
			b.WriteString(st.pass.Render("✓") + " Entra accepted every value; saved as profile " + c.deps.Profile + ".\n")
		} else {
			b.WriteString(st.pass.Render("✓") + " Saved as profile " + c.deps.Profile + "; not everything was proven:\n")
			b.WriteString(c.checksView(notable))
		}
	}
	b.WriteString(c.copiesView(s.def().Copies(s.values, c.env), hint))
	exp, _ := steps.ExpiryDate(s.values, c.env.Now)
	b.WriteString(st.title.Render("Before you enforce SSO for the whole account:") + "\n")
	for _, item := range steps.Checklist(exp, c.env) {
		b.WriteString(c.text("• "+item, st.dim) + "\n")
	}
	return b.String()
}

func (s setupModel) helpKeys() []string {
	var keys []string
	switch s.step {
	case stepSave:
		keys = []string{"esc stop", "enter retry", "ctrl+b back"}
	case stepSyncro:
		keys = []string{"1-4 copy", "t test sign-in", "c copy its localhost URI", "ctrl+o open Authentication", "enter finish"}
	default:
		keys = []string{"enter next", "shift+tab previous field"}
		if s.step.number() > 1 {
			keys = append(keys, "ctrl+b previous step")
		}
		if s.def().Link != nil {
			if _, ok := s.def().Link(s.values, s.c.env); ok {
				keys = append(keys, "ctrl+o open portal")
			}
		}
		if s.def().Copies != nil {
			keys = append(keys, "ctrl+y copy")
		}
		if s.live.running {
			keys = append(keys, "esc stop")
		}
	}
	return append(keys, "ctrl+c quit")
}

// demoRows are what the look-alike's portal would show the admin at a
// step, in the full-screen wizard and in the plain prompts alike.
func demoRows(d *DemoPortal, st step) []string {
	if d == nil {
		return nil
	}
	switch st {
	case stepRedirect:
		return []string{"Syncro's Redirect URI:", d.RedirectURI}
	case stepClientID:
		return []string{"Application (client) ID: " + d.ClientID, "Object ID:               " + d.ObjectID, "Directory (tenant) ID:   " + d.TenantID}
	case stepSecret:
		return []string{"Value:     " + d.Secret, "Secret ID: " + d.SecretID}
	case stepDiscovery:
		return []string{"OpenID Connect metadata document:", d.MetadataURL, "Tenant domain: " + d.TenantDomain}
	}
	return nil
}
