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

// rotationScreen is where a rotation stands, in DESIGN.md's order: the new
// secret, its live proof, the hand-over to Syncro, and the old secret to
// delete in Entra.
type rotationScreen int

const (
	rotateSecret rotationScreen = iota
	rotateProving
	rotateSyncro
	rotateDone
)

var rotationScreenNames = [...]string{"rotate-secret", "rotate-save", "rotate-syncro", "rotate-done"}

func (s rotationScreen) String() string { return rotationScreenNames[s] }

// Results of the rotation's commands.
type (
	rotatedMsg  struct{ result flow.Result }
	finishedMsg struct{ result flow.Result }
	deletedMsg  struct{ err error }
	// demoSecretMsg is the new secret the demo portal made.
	demoSecretMsg struct{ value, keyID string }
)

// rotationModel is the guided rotation of the client secret.
type rotationModel struct {
	c      *common
	screen rotationScreen
	// profile is the saved profile: as the rotation began, then as flow
	// left it.
	profile *store.Profile
	// values is on the heap: huh binds to it, and the model is copied.
	values  *steps.Values
	form    *huh.Form
	problem *oidccheck.Check
	// promoted is flow.Rotate's result once the new secret is current;
	// old is the secret the finished rotation dropped, to delete in Entra.
	promoted *flow.Result
	old      *store.SecretInfo
	deleted  bool
	// demoSecret is the demo portal's new secret.
	demoSecret, demoSecretID string
	flash                    string
	live                     live
}

// newRotation opens the rotation where it stands: a new secret, or the
// hand-over to Syncro when one was already made current.
func newRotation(c *common, p *store.Profile) (rotationModel, tea.Cmd) {
	v := syncroValues(p)
	r := rotationModel{c: c, profile: p, values: v, live: newLive()}
	if p.Previous != nil {
		v.AppChoice = "no" // never default to dropping a secret
		return r, r.enter(rotateSyncro)
	}
	v.SecretExpiry, v.SecretDescription = "", "Syncro SSO "+c.env.Now.Format("2006")
	v.Defaults()
	cmd := r.enter(rotateSecret)
	if d := c.deps; d.DemoNewSecret != nil {
		cmd = tea.Batch(cmd, func() tea.Msg {
			value, keyID := d.DemoNewSecret()
			return demoSecretMsg{value: value, keyID: keyID}
		})
	}
	return r, cmd
}

func (r rotationModel) def() steps.Step {
	if r.screen == rotateSecret || r.screen == rotateProving {
		return steps.RotateSecretStep(currentSecret(r.profile, r.c.env))
	}
	return steps.RotateSyncroStep(!r.nothingToDrop())
}

// currentSecret describes the stored secret to the rotation's steps.
func currentSecret(p *store.Profile, env steps.Env) steps.Current {
	days, ok := p.Secret.DaysLeft(env.Now)
	return steps.Current{ClientID: p.ClientID, Hint: p.Secret.Hint, Description: p.Secret.Description,
		Expires: p.Secret.Expires, DaysLeft: days, HasExpiry: ok}
}

// nothingToDrop says the new secret is current and no earlier one was
// kept, so there is nothing to finish.
func (r rotationModel) nothingToDrop() bool { return r.profile.Previous == nil }

// enter moves to a screen; whatever runs stops, and the screen's form is
// built and initialised.
func (r *rotationModel) enter(s rotationScreen) tea.Cmd {
	r.live.stop()
	r.screen, r.form, r.problem, r.flash = s, nil, nil, ""
	switch {
	case s == rotateSecret:
		r.form = r.c.stepForm(r.def(), r.values)
	case s == rotateSyncro && !r.nothingToDrop():
		r.form = r.c.stepForm(r.def(), r.values)
	}
	if r.form == nil {
		return nil
	}
	return r.form.Init()
}

// Update handles the rotation's keys and results, then hands the message
// to its form.
func (r rotationModel) Update(msg tea.Msg) (rotationModel, tea.Cmd) {
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
		return r.updateForm(msg)
	case spinner.TickMsg:
		return r, r.live.tick(msg)
	case liveNoteMsg:
		_, next, _ := r.live.noted(msg)
		return r, next
	case liveDoneMsg:
		if res, ok := r.live.done(msg, ""); ok {
			return r, r.rotated(res.(rotatedMsg).result)
		}
		return r, nil
	case finishedMsg:
		return r, r.finished(msg.result)
	case demoSecretMsg:
		r.demoSecret, r.demoSecretID = msg.value, msg.keyID
		return r, nil
	case deletedMsg:
		if msg.err != nil {
			r.flash = "Could not delete it in the demo portal: " + msg.err.Error()
		} else {
			r.flash, r.deleted = "Deleted the old secret in the demo portal, as you would in Entra.", true
		}
		return r, nil
	case copiedMsg:
		r.flash = msg.flash()
		return r, nil
	case openedMsg:
		r.flash = msg.flash()
		return r, nil
	}
	return r.updateForm(msg)
}

func (r *rotationModel) key(k tea.KeyMsg) (tea.Cmd, bool) {
	d := r.c.deps
	if k.String() == "ctrl+o" {
		if l, ok := r.def().Link(r.values, r.c.env); ok {
			return open(d, l), true
		}
		return nil, true
	}
	switch r.screen {
	case rotateSecret:
		if k.String() == "ctrl+b" {
			return loadMenu(d, ""), true
		}
	case rotateProving:
		// esc stops the proof and returns to the new secret, still entered.
		if k.String() == "esc" && r.live.running {
			cmd := r.enter(rotateSecret)
			r.flash = "Stopped the check with Entra."
			return cmd, true
		}
		return nil, true
	case rotateSyncro:
		switch k.String() {
		case "2":
			return copyValue(d, steps.Copy{Label: "Client Secret", Secret: true}), true
		case "4":
			return copyValue(d, r.def().Copies(r.values, r.c.env)[3]), true
		case "ctrl+b":
			return loadMenu(d, ""), true
		case "enter", "esc", "q":
			if r.nothingToDrop() {
				return loadMenu(d, ""), true
			}
		}
	case rotateDone:
		switch k.String() {
		case "d":
			if d.DeleteOld != nil && r.old != nil && !r.deleted {
				hint := r.old.Hint
				return func() tea.Msg { return deletedMsg{d.DeleteOld(hint)} }, true
			}
		case "enter", "esc", "q":
			return loadMenu(d, ""), true
		}
		return nil, true
	}
	return nil, false
}

func (r rotationModel) updateForm(msg tea.Msg) (rotationModel, tea.Cmd) {
	if r.form == nil {
		return r, nil
	}
	before := *r.values
	f, cmd := r.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		r.form = ff
	}
	if r.screen == rotateSecret && *r.values != before {
		r.problem = nil
	}
	if r.form.State == huh.StateCompleted {
		return r, tea.Batch(cmd, r.formDone())
	}
	return r, cmd
}

func (r *rotationModel) formDone() tea.Cmd {
	d := r.c.deps
	if r.screen == rotateSyncro {
		if r.values.AppChoice != "yes" {
			r.values.AppChoice = "no"
			cmd := r.enter(rotateSyncro)
			r.flash = "The new secret stays current and the old one is kept. Finish here, or later with entrasso rotate --finish."
			return cmd
		}
		return func() tea.Msg { return finishedMsg{flow.Finish(context.Background(), d.Flow, d.Profile)} }
	}
	if failed(r.def().Check(r.values, r.c.env)) {
		return r.enter(rotateSecret)
	}
	return r.prove()
}

// prove runs flow.Rotate: the new secret is proven live (retrying while
// Entra spreads it), and only then made current, the old one kept as
// previous.
func (r *rotationModel) prove() tea.Cmd {
	expires, err := steps.ExpiryDate(r.values, r.c.env.Now)
	if err != nil {
		cmd := r.enter(rotateSecret)
		cmd = tea.Batch(cmd, focusField(r.form, "secret"))
		r.problem = &oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail,
			Message: "the expiry date cannot be read: " + strings.TrimPrefix(err.Error(), "oidccheck: "), Fix: "choose the expiry you chose in Entra"}
		return cmd
	}
	d, v := r.c.deps, r.values
	in := flow.RotateInput{Profile: d.Profile, Secret: v.Secret, Description: v.SecretDescription, Expires: expires}
	r.screen, r.form, r.problem, r.flash = rotateProving, nil, nil, ""
	return r.live.start("", "Proving the new secret at Entra's token endpoint…", func(ctx context.Context, note func(tea.Msg)) tea.Msg {
		in.Wait = waitFor(note)
		return rotatedMsg{flow.Rotate(ctx, d.Flow, in)}
	})
}

// rotated goes on to Syncro once the new secret is current, or back to
// the new secret with what was refused.
func (r *rotationModel) rotated(res flow.Result) tea.Cmd {
	if c, failed := res.Report.FirstFailure(); failed {
		cmd := r.enter(rotateSecret)
		cmd = tea.Batch(cmd, focusField(r.form, fieldKey(c.Field)))
		r.problem, r.flash = &c, notes(res.Notes)
		return cmd
	}
	r.promoted = &res
	if res.Profile != nil {
		r.profile = res.Profile
	}
	r.values.Secret = ""
	r.values.AppChoice = "no" // never default to dropping a secret
	cmd := r.enter(rotateSyncro)
	r.flash = notes(res.Notes)
	return cmd
}

func (r *rotationModel) finished(res flow.Result) tea.Cmd {
	if c, failed := res.Report.FirstFailure(); failed {
		cmd := r.enter(rotateSyncro)
		r.flash = "Could not finish: " + c.Message
		return cmd
	}
	r.old = res.Old
	if res.Profile != nil {
		r.profile = res.Profile
	}
	return r.enter(rotateDone)
}

// frame renders the rotation's screen.
func (r rotationModel) frame() frame {
	c, s := r.c, r.c.styles
	def := r.def()
	f := c.newFrame("rotation/"+r.screen.String(),
		s.stepNow.Render("Rotating the client secret")+s.dim.Render(fmt.Sprintf(" · %d of 2 · %s", def.Number, def.Title)))
	var b strings.Builder
	if r.screen == rotateSyncro && r.promoted != nil {
		// What flow says it kept where.
		if stored, ok := storeCheck(r.promoted.Report); ok {
			b.WriteString("\n" + c.checkView(stored) + "\n")
		}
	}
	if r.screen != rotateDone {
		b.WriteString("\n" + c.text(def.Instructions(r.values, c.env), s.instructions) + "\n")
	}
	switch r.screen {
	case rotateProving:
		b.WriteString("\n" + r.live.view(c))
	case rotateDone:
		b.WriteString(r.doneView())
	default:
		if r.form != nil {
			notes, shown := c.fieldNotes(def, r.values, r.form, r.problem)
			if r.problem != nil && !shown {
				b.WriteString("\n" + c.problemView(*r.problem) + "\n")
			}
			part := "\n" + trimBlankLines(r.form.View()) + "\n" + notes
			b.WriteString(part)
			f.markFocus(&b, part)
		}
		if r.screen == rotateSecret && r.demoSecret != "" {
			b.WriteString(s.dim.Render("── Demo portal: your new secret (copy from here) ──") + "\n")
			b.WriteString(c.text("Value:     "+r.demoSecret+"\nSecret ID: "+r.demoSecretID, s.instructions) + "\n")
		}
		if r.screen == rotateSyncro {
			b.WriteString("\n" + c.copiesView(def.Copies(r.values, c.env), r.profile.Secret.Hint))
		}
	}
	f.body = strings.TrimRight(b.String(), "\n")
	f.footer = strings.TrimRight(c.flashView(r.flash)+c.helpView(r.helpKeys()...), "\n")
	return f
}

func (r rotationModel) helpKeys() []string {
	switch r.screen {
	case rotateProving:
		return []string{"esc stop", "ctrl+c quit"}
	case rotateSyncro:
		if r.nothingToDrop() {
			return []string{"2 copy the new secret", "4 copy its expiry", "enter back to the menu", "ctrl+c quit"}
		}
		return []string{"2 copy the new secret", "4 copy its expiry", "enter answer", "ctrl+b menu", "ctrl+c quit"}
	case rotateDone:
		keys := []string{"ctrl+o open Certificates & secrets", "enter back to the menu", "ctrl+c quit"}
		if r.c.deps.DeleteOld != nil && !r.deleted {
			keys = append([]string{"d delete it in the demo portal"}, keys...)
		}
		return keys
	}
	return []string{"enter next", "ctrl+o open Certificates & secrets", "ctrl+b menu", "ctrl+c quit"}
}

func (r rotationModel) doneView() string {
	old := r.old
	if old == nil {
		return ""
	}
	s := r.c.styles
	var b strings.Builder
	b.WriteString("\n" + s.pass.Render("✓") + " The rotation is finished: only the new secret is kept on this machine.\n\n")
	b.WriteString("Now delete the old secret in Entra (Certificates & secrets, ctrl+o):\n")
	b.WriteString(r.c.indented(fmt.Sprintf("the one whose Value starts with %s, description %q, expiring %s", old.Hint+"…", old.Description, orNone(old.Expires)), 2, s.instructions) + "\n")
	return b.String()
}

// storeCheck is a report's check of the secret store: what flow says it
// kept where.
func storeCheck(r oidccheck.Report) (oidccheck.Check, bool) {
	cs := r.For(oidccheck.FieldSecretStore)
	if len(cs) == 0 {
		return oidccheck.Check{}, false
	}
	return cs[len(cs)-1], true
}
