package wizard

// The menu's rotation through Microsoft Graph, for a profile whose app
// entrasso knows by its object ID (DESIGN.md "Rotating"): addPassword ->
// live proof -> promote (flow.RotateGraph) -> the admin pastes the new
// secret into Syncro and confirms -> removePassword of the previous keyId,
// only then (flow.FinishGraph). A failure at any point leaves the working
// secret in Entra, the keyring and the profile.

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

// graphRotationScreen is where a rotation by Graph stands.
type graphRotationScreen int

const (
	grForm graphRotationScreen = iota
	grRunning
	grFailed
	grSyncro
	grFinishing
	grDone
)

var graphRotationScreenNames = [...]string{"graph-rotate-form", "graph-rotate-running", "graph-rotate-failed", "graph-rotate-syncro",
	"graph-rotate-finishing", "graph-rotate-done"}

func (s graphRotationScreen) String() string { return graphRotationScreenNames[s] }

// graphFinishedMsg is flow.FinishGraph's result.
type graphFinishedMsg struct {
	result flow.Result
	gs     *flow.GraphSession
}

// graphRotationModel is the rotation by Graph.
type graphRotationModel struct {
	c       *common
	screen  graphRotationScreen
	profile *store.Profile
	// values and method are bound to huh fields, so they live on the heap.
	values *steps.Values
	method *string
	// confirm is the answer at the Syncro screen.
	confirm *string
	form    *huh.Form
	signIn  adminSignIn
	// gs is the admin's Graph session, kept from the rotation for the
	// finish; nil until signed in (a rotation found in progress signs in
	// at the finish).
	gs *flow.GraphSession
	// promoted is RotateGraph's result, finished FinishGraph's.
	promoted, finished *flow.Result
	failed             *flow.Result
	problem            *oidccheck.Check
	// finishing says the failure was the finish's.
	finishing bool
	flash     string
	live      live
}

func newGraphRotation(c *common, p *store.Profile) (graphRotationModel, tea.Cmd) {
	v := syncroValues(p)
	method := defaultMethod(c.deps)
	confirm := "no" // never default to removing a secret
	r := graphRotationModel{c: c, profile: p, values: v, method: &method, confirm: &confirm, live: newLive()}
	if p.Previous != nil {
		return r, r.enter(grSyncro)
	}
	v.SecretExpiry, v.SecretDescription = "", "Syncro SSO "+c.env.Now.Format("2006")
	v.Defaults()
	return r, r.enter(grForm)
}

func (r graphRotationModel) def() steps.Step {
	return steps.GraphRotateStep(currentSecret(r.profile, r.c.env), r.method)
}

func (r *graphRotationModel) enter(s graphRotationScreen) tea.Cmd {
	r.live.stop()
	r.screen, r.form = s, nil
	if s != grFailed {
		r.failed, r.problem = nil, nil
	}
	if s == grRunning || s == grFinishing {
		r.signIn = adminSignIn{}
	}
	switch s {
	case grForm:
		r.form = r.c.stepForm(r.def(), r.values)
	case grSyncro:
		*r.confirm = "no"
		r.form = r.c.newForm(huh.NewGroup(huh.NewSelect[string]().Key("syncro").
			Title("Did Save & Verify SSO pass in Syncro with the new secret? Then entrasso removes the old one in Entra.").
			Options(huh.NewOption("Not yet", "no"), huh.NewOption("Yes: remove the old secret in Entra and here", "yes")).Value(r.confirm)))
	}
	if r.form == nil {
		return nil
	}
	return r.form.Init()
}

// Update handles the rotation's keys and results, then hands the message
// to its form.
func (r graphRotationModel) Update(msg tea.Msg) (graphRotationModel, tea.Cmd) {
	d := r.c.deps
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		r.form = r.c.resize(r.form)
		return r, nil
	case tea.KeyMsg:
		if cmd, done := r.key(msg); done {
			return r, cmd
		}
		var note string
		if msg, note = normalizePaste(msg); note != "" {
			r.flash = note
		}
	case spinner.TickMsg:
		return r, r.live.tick(msg)
	case liveNoteMsg:
		ackProgress(msg)
		note, next, ok := r.live.noted(msg)
		if !ok {
			return r, nil
		}
		return r, tea.Batch(next, r.signIn.noted(d, note))
	case liveDoneMsg:
		res, ok := r.live.done(msg, "")
		if !ok {
			return r, nil
		}
		switch m := res.(type) {
		case graphRegisteredMsg:
			return r, r.rotated(m)
		case graphFinishedMsg:
			return r, r.finishedResult(m)
		}
		return r, nil
	case copiedMsg:
		r.flash = msg.flash()
		return r, nil
	case openedMsg:
		r.flash = msg.flash()
		return r, nil
	}
	if r.form == nil {
		return r, nil
	}
	f, cmd := r.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		r.form = ff
	}
	if r.form.State == huh.StateCompleted {
		return r, tea.Batch(cmd, r.formDone())
	}
	return r, cmd
}

func (r *graphRotationModel) key(k tea.KeyMsg) (tea.Cmd, bool) {
	d := r.c.deps
	switch r.screen {
	case grForm:
		switch k.String() {
		case "esc", "ctrl+b":
			return loadMenu(d, ""), true
		case "ctrl+o":
			if l, ok := r.def().Link(r.values, r.c.env); ok {
				return open(d, l), true
			}
			return nil, true
		}
	case grRunning, grFinishing:
		switch k.String() {
		case "esc":
			// esc stops and returns; what was stopped left the working
			// secret where it was.
			back := grForm
			if r.screen == grFinishing {
				back = grSyncro
			}
			cmd := r.enter(back)
			r.flash = "Stopped. The working secret is unchanged in Entra, the keyring and the profile."
			return cmd, true
		case "u":
			if cp, ok := r.signIn.signInCopy(); ok {
				return copyValue(d, cp), true
			}
		case "y":
			if r.signIn.code != nil && len(r.signIn.calls) == 0 {
				return copyValue(d, steps.Copy{Label: "the code", Value: r.signIn.code.UserCode}), true
			}
		}
		return nil, true
	case grFailed:
		switch k.String() {
		case "enter":
			if r.finishing {
				return r.finish(), true
			}
			return r.enter(grForm), true
		case "o":
			*r.method = otherMethod(*r.method)
			r.gs = nil
			if r.finishing {
				return r.finish(), true
			}
			return r.start(), true
		case "l":
			if r.problem != nil && r.problem.Code == oidccheck.CodeConsentRequired {
				return copyValue(d, steps.Copy{Label: "the consent link", Value: r.consent()}), true
			}
		case "esc", "ctrl+b":
			return loadMenu(d, ""), true
		}
		return nil, true
	case grSyncro:
		switch k.String() {
		case "2":
			return copyValue(d, steps.Copy{Label: "Client Secret", Secret: true}), true
		case "4":
			return copyValue(d, r.syncroCopies()[3]), true
		case "ctrl+b", "esc":
			return loadMenu(d, "The new secret stays current and the old one is kept. Finish from the menu later, or with entrasso rotate --finish --graph."), true
		}
	case grDone:
		switch k.String() {
		case "enter", "esc", "q":
			return loadMenu(d, ""), true
		}
		return nil, true
	}
	return nil, false
}

func (r graphRotationModel) consent() string {
	return consentURL(r.profile.AuthorityHost, r.tenant(), r.c.deps.Graph.ClientID)
}

func (r graphRotationModel) tenant() string {
	if t := r.c.deps.Graph.Tenant; t != "" {
		return t
	}
	return r.profile.TenantID
}

func (r *graphRotationModel) formDone() tea.Cmd {
	if r.screen == grSyncro {
		if *r.confirm != "yes" {
			cmd := r.enter(grSyncro)
			r.flash = "The new secret stays current and the old one is kept, in Entra and here. Finish once Syncro works with the new one."
			return cmd
		}
		return r.finish()
	}
	if failed(r.def().Check(r.values, r.c.env)) {
		cmd := r.enter(grForm)
		r.flash = "The expiry date cannot be read."
		return cmd
	}
	return r.start()
}

// session signs the admin in, unless the rotation already did.
func (r *graphRotationModel) session(ctx context.Context, fd *flow.Deps, tr *graphTracker, note func(tea.Msg)) (*flow.GraphSession, flow.Result, bool) {
	if r.gs != nil {
		gs, err := fd.NewGraphSession(r.gs.Client.Host(), r.gs.Session)
		if err == nil {
			tr.started("Microsoft Graph (signed in earlier)")
			return gs, flow.Result{}, true
		}
	}
	gs, sr := flow.SignIn(ctx, fd, signInInput(r.c.deps, r.profile.AuthorityHost, r.tenant(), *r.method, note))
	if gs == nil {
		return nil, sr, false
	}
	tr.started(signedInAs(sr))
	return gs, sr, true
}

// start signs in and runs flow.RotateGraph: addPassword, the live proof,
// the promote.
func (r *graphRotationModel) start() tea.Cmd {
	expires, err := steps.ExpiryDate(r.values, r.c.env.Now)
	if err != nil {
		cmd := r.enter(grForm)
		r.flash = "The expiry date cannot be read: " + err.Error()
		return cmd
	}
	d := r.c.deps
	in := flow.GraphRotateInput{Profile: d.Profile, Description: r.values.SecretDescription, Expires: expires}
	r.enter(grRunning)
	r.finishing, r.flash = false, ""
	cur := *r
	return r.live.start("", "Rotating through Microsoft Graph: sign-in, addPassword, live proof, promote… (esc stops)",
		func(ctx context.Context, note func(tea.Msg)) tea.Msg {
			fd, tr := observe(d.Flow, note)
			gs, sr, ok := cur.session(ctx, fd, tr, note)
			if !ok {
				return graphRegisteredMsg{result: sr}
			}
			in.Wait = waitFor(note)
			return graphRegisteredMsg{result: withSignIn(sr, flow.RotateGraph(ctx, fd, gs, in)), gs: gs}
		})
}

// took keeps what a Graph run learned (its session, the profile as flow
// left it) and, when a check failed, shows the failure; ok is false then.
func (r *graphRotationModel) took(res flow.Result, gs *flow.GraphSession, finishing bool) (ok bool) {
	if gs != nil {
		r.gs = gs
	}
	if res.Profile != nil {
		r.profile = res.Profile
	}
	if c, bad := res.Report.FirstFailure(); bad {
		r.enter(grFailed)
		r.failed, r.problem, r.finishing = &res, &c, finishing
		r.flash = notes(res.Notes)
		return false
	}
	return true
}

func (r *graphRotationModel) rotated(m graphRegisteredMsg) tea.Cmd {
	res := m.result
	if !r.took(res, m.gs, false) {
		return nil
	}
	r.promoted = &res
	r.values = syncroValues(r.profile)
	r.values.DiscoveryURL = r.profile.DiscoveryURL
	cmd := r.enter(grSyncro)
	r.flash = notes(res.Notes)
	return cmd
}

// finish runs flow.FinishGraph: the current secret proven again, then the
// previous one removed in Entra, and only then dropped here.
func (r *graphRotationModel) finish() tea.Cmd {
	d := r.c.deps
	r.enter(grFinishing)
	r.finishing, r.flash = true, ""
	cur := *r
	return r.live.start("", "Finishing through Microsoft Graph: the new secret proven again, then the old one removed in Entra… (esc stops)",
		func(ctx context.Context, note func(tea.Msg)) tea.Msg {
			fd, tr := observe(d.Flow, note)
			gs, sr, ok := cur.session(ctx, fd, tr, note)
			if !ok {
				return graphFinishedMsg{result: sr}
			}
			return graphFinishedMsg{result: withSignIn(sr, flow.FinishGraph(ctx, fd, gs, d.Profile)), gs: gs}
		})
}

func (r *graphRotationModel) finishedResult(m graphFinishedMsg) tea.Cmd {
	res := m.result
	if !r.took(res, m.gs, true) {
		return nil
	}
	r.finished = &res
	cmd := r.enter(grDone)
	r.flash = notes(res.Notes)
	return cmd
}

func (r graphRotationModel) syncroCopies() []steps.Copy {
	return steps.RotateSyncroStep(true).Copies(r.values, r.c.env)
}

// frame renders the rotation by Graph.
func (r graphRotationModel) frame() frame {
	c, st := r.c, r.c.styles
	f := c.newFrame("graph-rotation/"+r.screen.String(), st.stepNow.Render("Rotating the client secret through Microsoft Graph"))
	var b strings.Builder
	p := r.profile
	switch r.screen {
	case grForm:
		b.WriteString("\n" + c.text("The app's object ID "+p.AppObjectID+" is recorded: entrasso rotates through Microsoft Graph.", st.dim) + "\n")
		b.WriteString(fmt.Sprintf("The stored secret %s… %q expires %s: %s\n", p.Secret.Hint, p.Secret.Description, orNone(p.Secret.Expires), c.daysView(p.Secret)))
		b.WriteString("\n" + c.text(r.def().Instructions(r.values, c.env), st.instructions) + "\n")
		if r.form != nil {
			notes, _ := c.fieldNotes(r.def(), r.values, r.form, nil)
			part := "\n" + trimBlankLines(r.form.View()) + "\n" + notes
			b.WriteString(part)
			f.markFocus(&b, part)
		}
	case grRunning, grFinishing:
		b.WriteString("\n" + r.live.view(c))
		b.WriteString(r.signIn.view(c, r.live.spin.View()))
	case grFailed:
		b.WriteString("\n" + r.signIn.view(c, "·"))
		b.WriteString("\n" + c.checksView(r.failed.Report.Checks))
		if way := graphWayOut(*r.problem, *r.method, r.consent()); way != "" {
			b.WriteString(c.text(way, st.warn) + "\n")
		}
		b.WriteString(c.text("The working secret is unchanged in Entra, the keyring and the profile.", st.dim) + "\n")
	case grSyncro:
		if r.promoted != nil {
			for _, ch := range r.promoted.Report.Checks {
				if ch.Field == oidccheck.FieldGraph && strings.HasPrefix(ch.Message, "added a new client secret") {
					b.WriteString("\n" + c.checkView(ch) + "\n")
				}
			}
			if stored, ok := storeCheck(r.promoted.Report); ok {
				b.WriteString(c.checkView(stored) + "\n")
			}
		}
		if p.Previous != nil {
			b.WriteString("\n" + c.text(fmt.Sprintf("The old secret %s… stays in Entra and here until you confirm below; then entrasso removes it in Entra (removePassword), and only then here.", p.Previous.Hint), st.instructions) + "\n")
		}
		b.WriteString("\n" + c.text("In Syncro's Login Settings paste the new Client Secret (key 2 copies it from the keyring), set Client Secret Expiration Date (key 4), and click Save & Verify SSO.", st.instructions) + "\n\n")
		b.WriteString(c.copiesView(r.syncroCopies(), p.Secret.Hint))
		if r.form != nil {
			part := "\n" + trimBlankLines(r.form.View()) + "\n"
			b.WriteString(part)
			f.markFocus(&b, part)
		}
	case grDone:
		b.WriteString("\n" + r.signIn.view(c, "·") + "\n")
		if r.finished != nil {
			b.WriteString(c.checksView(r.finished.Report.Checks))
		}
		if r.finished != nil && r.finished.Old != nil {
			b.WriteString("\n" + st.pass.Render("✓") + " " + c.text(fmt.Sprintf("The rotation is finished: the old secret %s… is removed in Entra and gone from this machine; Syncro uses the new one.", r.finished.Old.Hint), st.instructions) + "\n")
		}
	}
	f.body = strings.TrimRight(b.String(), "\n")
	f.footer = strings.TrimRight(c.flashView(r.flash)+c.helpView(r.helpKeys()...), "\n")
	return f
}

func (r graphRotationModel) helpKeys() []string {
	switch r.screen {
	case grRunning, grFinishing:
		keys := []string{"esc stop"}
		if _, ok := r.signIn.signInCopy(); ok {
			keys = append(keys, "u copy the address")
		}
		if r.signIn.code != nil && len(r.signIn.calls) == 0 {
			keys = append(keys, "y copy the code")
		}
		return append(keys, "ctrl+c quit")
	case grFailed:
		keys := []string{"enter try again", "o sign in with " + methodName(otherMethod(*r.method))}
		if r.problem != nil && r.problem.Code == oidccheck.CodeConsentRequired {
			keys = append(keys, "l copy the consent link")
		}
		return append(keys, "esc menu", "ctrl+c quit")
	case grSyncro:
		return []string{"2 copy the new secret", "4 copy its expiry", "enter answer", "esc menu (finish later)", "ctrl+c quit"}
	case grDone:
		return []string{"enter back to the menu", "ctrl+c quit"}
	}
	return []string{"enter next", "ctrl+o open Certificates & secrets", "esc menu", "ctrl+c quit"}
}

// openRotation opens the rotation of p: through Microsoft Graph when the
// profile knows its app's object ID, by pasting otherwise.
func (m *Model) openRotation(p *store.Profile) tea.Cmd {
	var cmd tea.Cmd
	if p.AppObjectID != "" {
		m.state = stateGraphRotation
		m.graphRotation, cmd = newGraphRotation(m.c, p)
		return cmd
	}
	m.state = stateRotation
	m.rotation, cmd = newRotation(m.c, p)
	return cmd
}
