package wizard

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/ansi"
)

// common is what every screen shares (charmbracelet/glow's commonModel):
// the dependencies and the steps' environment, which nothing changes, the
// styles, and the window's size, which only the parent sets (as it sets
// deps once, when the admin picks one of several profiles).
type common struct {
	deps   *Deps
	env    steps.Env
	styles styles
	width  int
	height int
}

func (c *common) contentWidth() int { return max(40, min(c.width, 100)-2) }

// newForm builds an embedded huh form (huh's examples/bubbletea): the
// screen that holds it watches its State and decides what completing it
// means, so it sends no commands of its own. huh's own error line is off:
// the screen shows a refusal once, with its code, under the field
// (fieldNotes).
func (c *common) newForm(groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).WithShowHelp(false).WithShowErrors(false).WithWidth(c.contentWidth())
	f.SubmitCmd, f.CancelCmd = nil, nil
	return f
}

// stepForm builds a step's form from package steps: a group per field,
// so that each field shows alone; the custom end date only when "Custom"
// was chosen.
func (c *common) stepForm(def steps.Step, v *steps.Values) *huh.Form {
	var groups []*huh.Group
	for _, f := range def.Fields(v, c.env) {
		g := huh.NewGroup(f)
		if f.GetKey() == "custom_date" {
			g = g.WithHideFunc(func() bool { return v.SecretExpiry != "custom" })
		}
		groups = append(groups, g)
	}
	return c.newForm(groups...)
}

// resize fits a form to the window after a resize.
func (c *common) resize(f *huh.Form) *huh.Form {
	if f == nil {
		return nil
	}
	return f.WithWidth(c.contentWidth())
}

// frame is a screen as its family lays it out: the header stays at the
// top, the footer (the last message and the keys) at the bottom, and the
// body scrolls between them when it does not fit (Model.layout).
type frame struct {
	// key names the screen: a new key starts the body at its top.
	key    string
	header string
	body   string
	footer string
	// focus is the first line of the body that must stay visible (the
	// focused field), -1 for none; focusEnd the last.
	focus, focusEnd int
}

// title is the wizard's title line, the first of every header.
func (c *common) title() string {
	s := c.styles
	return s.header.Render("entrasso") + s.dim.Render(" · Syncro single sign-on with Microsoft Entra ID")
}

// newFrame starts a frame under the title.
func (c *common) newFrame(key string, header ...string) frame {
	return frame{key: key, header: strings.Join(append([]string{c.title()}, header...), "\n"), focus: -1, focusEnd: -1}
}

// mark notes lines of the body so far as the focus: the lines of part,
// which was just written at the end of b.
func (f *frame) markFocus(b *strings.Builder, part string) {
	end := strings.Count(b.String(), "\n")
	f.focus = end - strings.Count(strings.TrimRight(part, "\n"), "\n")
	f.focusEnd = end
}

// checkView renders one check: its mark, message and code, then what to
// do, what cleaning did to the paste and Entra's trace IDs, each on its own
// line; IDs and URLs are never broken.
func (c *common) checkView(ch oidccheck.Check) string {
	ch = ch.Safe()
	s := c.styles
	mark, st := "✓", s.pass
	switch ch.Status {
	case oidccheck.StatusWarn:
		mark, st = "!", s.warn
	case oidccheck.StatusFail:
		mark, st = "✗", s.fail
	case oidccheck.StatusSkip:
		mark, st = "·", s.skip
	}
	line := ch.Message
	if ch.Code != "" {
		line += " [" + string(ch.Code) + "]"
	}
	first := wrapText(mark+" "+line, c.contentWidth(), 0)
	// The mark in its colour, the rest plain.
	out := []string{st.Render(mark) + strings.TrimPrefix(render(first[:1], s.instructions), mark)}
	if len(first) > 1 {
		out = append(out, render(first[1:], s.instructions))
	}
	if ch.Fix != "" && ch.Status != oidccheck.StatusPass {
		out = append(out, c.indented("fix: "+ch.Fix, 2, s.dim))
	}
	if ch.Cleaned != "" {
		out = append(out, c.indented("from the paste: "+ch.Cleaned, 2, s.dim))
	}
	if ch.TraceID != "" || ch.CorrelationID != "" {
		out = append(out, c.indented("Entra trace ID "+ch.TraceID+" · correlation ID "+ch.CorrelationID, 2, s.dim))
	}
	return strings.Join(out, "\n")
}

// problemView renders a refusal that sent the admin back to a field. Only
// an answer that carries Entra's trace IDs is "Entra said": a connection
// that failed, a check made here or a store that refused said nothing of
// the kind.
func (c *common) problemView(ch oidccheck.Check) string {
	if ch.TraceID == "" && ch.CorrelationID == "" {
		return c.checkView(ch)
	}
	ch.Message = "Entra said: " + ch.Message
	return c.checkView(ch)
}

func (c *common) checksView(cs []oidccheck.Check) string {
	var b strings.Builder
	for _, ch := range cs {
		b.WriteString(c.checkView(ch) + "\n")
	}
	return b.String()
}

// flashView is the last message, wrapped so that a URL in it is whole.
func (c *common) flashView(flash string) string {
	if flash == "" {
		return ""
	}
	return c.text(flash, c.styles.flash) + "\n"
}

func (c *common) helpView(keys ...string) string {
	return c.text(strings.Join(keys, " · "), c.styles.help)
}

// fieldKey is the form field a check of f concerns, "" for none.
func fieldKey(f oidccheck.Field) string {
	switch f {
	case oidccheck.FieldRedirectURI:
		return "redirect_uri"
	case oidccheck.FieldClientID:
		return "client_id"
	case oidccheck.FieldClientSecret:
		return "secret"
	case oidccheck.FieldDiscoveryURL:
		return "discovery"
	}
	return ""
}

// focusedKey is the key of the form's focused field, "" for none.
func focusedKey(f *huh.Form) string {
	if f == nil {
		return ""
	}
	if fd := f.GetFocusedField(); fd != nil {
		return fd.GetKey()
	}
	return ""
}

// focusField moves a freshly built form to the field with key, so that a
// refusal is shown under the field it concerns. Moving only passes fields
// that hold valid values (they were entered before).
func focusField(f *huh.Form, key string) tea.Cmd {
	var cmds []tea.Cmd
	for range 8 {
		if k := focusedKey(f); k == key || k == "" || f.State != huh.StateNormal {
			break
		}
		cmds = append(cmds, f.NextGroup())
	}
	return tea.Batch(cmds...)
}

// fieldNotes is what stands under the focused field, and only there: its
// own checks as the admin types, the refusal of enter (huh's validator,
// whose own error line is off) once with its code, and the refusal of the
// live check for this field, which replaces the field's tick. shown says
// whether problem was shown.
func (c *common) fieldNotes(def steps.Step, v *steps.Values, form *huh.Form, problem *oidccheck.Check) (notes string, shown bool) {
	key := focusedKey(form)
	var cs []oidccheck.Check
	if def.FieldCheck != nil && key != "" {
		cs = def.FieldCheck(key, v, c.env)
	}
	for _, err := range form.Errors() {
		ch := oidccheck.Check{Status: oidccheck.StatusFail, Message: err.Error()}
		var pe *oidccheck.ProblemError
		if errors.As(err, &pe) {
			ch = pe.Check
		}
		dup := false
		for _, have := range cs {
			dup = dup || (have.Status == ch.Status && have.Code == ch.Code && have.Message == ch.Message)
		}
		if !dup {
			cs = append(cs, ch)
		}
	}
	var b strings.Builder
	if problem != nil && key != "" && fieldKey(problem.Field) == key {
		shown = true
		var rest []oidccheck.Check
		for _, ch := range cs {
			if ch.Status != oidccheck.StatusPass {
				rest = append(rest, ch)
			}
		}
		cs = rest
		b.WriteString(c.problemView(*problem) + "\n")
	}
	b.WriteString(c.checksView(cs))
	return b.String(), shown
}

// copiesView lists the values a key copies, numbered as their keys. The
// secret itself is never shown: its hint, and that the key reads it back
// from the keyring.
func (c *common) copiesView(copies []steps.Copy, hint string) string {
	s := c.styles
	w := c.contentWidth()
	var b strings.Builder
	for i, cp := range copies {
		v := cp.Value
		if cp.Secret {
			// Nothing was copied yet: the key reads it from the keyring.
			v = fmt.Sprintf("%s… (key %d copies it from the keyring)", hint, i+1)
		}
		line := s.header.Render(fmt.Sprintf("%d", i+1)) + " " + cp.Label + ": "
		if ansi.StringWidth(line)+ansi.StringWidth(v) > w {
			// A long value gets lines of its own, whole.
			b.WriteString(line + "\n" + c.text(v, s.instructions) + "\n")
			continue
		}
		b.WriteString(line + c.text(v, s.instructions) + "\n")
	}
	return b.String()
}

// daysText says how long a secret has left, and how urgent that is: warn
// at 30 days or fewer (or no date), fail once it has expired.
func daysText(info store.SecretInfo, now time.Time) (string, oidccheck.Status) {
	d, ok := info.DaysLeft(now)
	switch {
	case !ok:
		return "expiry not recorded", oidccheck.StatusWarn
	case d < 0:
		return fmt.Sprintf("EXPIRED %d days ago", -d), oidccheck.StatusFail
	case d <= 30:
		return fmt.Sprintf("%d days left", d), oidccheck.StatusWarn
	}
	return fmt.Sprintf("%d days left", d), oidccheck.StatusPass
}

// daysView is daysText coloured by its urgency.
func (c *common) daysView(info store.SecretInfo) string {
	text, status := daysText(info, c.env.Now)
	switch status {
	case oidccheck.StatusFail:
		return c.styles.fail.Render(text)
	case oidccheck.StatusWarn:
		return c.styles.warn.Render(text)
	}
	return c.styles.pass.Render(text)
}

// trimBlankLines drops the empty lines huh pads a short group with (every
// group gets the height of the tallest).
func trimBlankLines(v string) string {
	lines := strings.Split(v, "\n")
	for len(lines) > 0 && strings.TrimSpace(ansi.Strip(lines[len(lines)-1])) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}

func when(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.Local().Format("2006-01-02 15:04")
}

func orNone(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

// syncroValues are the values Syncro needs, from a saved profile.
func syncroValues(p *store.Profile) *steps.Values {
	return &steps.Values{ClientID: p.ClientID, Discovery: p.DiscoveryURL, DiscoveryURL: p.DiscoveryURL, TenantID: p.TenantID,
		RedirectURI: p.RedirectURI, SecretExpiry: p.Secret.Expires}
}

// failed reports whether any check failed.
func failed(cs []oidccheck.Check) bool {
	for _, c := range cs {
		if c.Status == oidccheck.StatusFail {
			return true
		}
	}
	return false
}

// notes joins what settling an interrupted earlier change did, for the
// screen's one-line message.
func notes(ns []string) string { return strings.Join(ns, " ") }
