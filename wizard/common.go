package wizard

import (
	"fmt"
	"strings"
	"time"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/huh"
	"github.com/charmbracelet/x/ansi"
)

// common is what every screen shares (charmbracelet/glow's commonModel):
// the dependencies and the steps' environment, which nothing changes, the
// styles, and the window's width, which only the parent sets. (Nothing is
// laid out by height yet.)
type common struct {
	deps   *Deps
	env    steps.Env
	styles styles
	width  int
}

func (c *common) contentWidth() int { return max(40, min(c.width, 100)-2) }

// newForm builds an embedded huh form (huh's examples/bubbletea): the
// screen that holds it watches its State and decides what completing it
// means, so it sends no commands of its own.
func (c *common) newForm(groups ...*huh.Group) *huh.Form {
	f := huh.NewForm(groups...).WithShowHelp(false).WithShowErrors(true).WithWidth(c.contentWidth())
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

// page renders a screen under the wizard's header.
func (c *common) page(body string) string {
	s := c.styles
	return s.app.Render(s.header.Render("entrasso") + s.dim.Render(" · Syncro single sign-on with Microsoft Entra ID") + "\n" + body)
}

// checkView renders one check: its mark, message and code, then what to
// do, what cleaning removed and Entra's trace IDs, each on its own line.
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
	line := st.Render(mark) + " " + ch.Message
	if ch.Code != "" {
		line += " " + s.code.Render("["+string(ch.Code)+"]")
	}
	w := c.contentWidth()
	out := []string{s.instructions.Width(w).Render(line)}
	sub := s.dim.PaddingLeft(2).Width(w)
	if ch.Fix != "" && ch.Status != oidccheck.StatusPass {
		out = append(out, sub.Render("fix: "+ch.Fix))
	}
	if ch.Cleaned != "" {
		out = append(out, sub.Render("removed from the paste: "+ch.Cleaned))
	}
	if ch.TraceID != "" || ch.CorrelationID != "" {
		out = append(out, sub.Render("Entra trace ID "+ch.TraceID+" · correlation ID "+ch.CorrelationID))
	}
	return strings.Join(out, "\n")
}

// problemView renders a refusal that sent the admin back to a field. Only
// an answer that carries Entra's trace IDs is "Entra said": a connection
// that failed or a store that refused said nothing of the kind.
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

// flashView is the last one-line message. It is not wrapped: a URL broken
// over lines could not be copied whole.
func (c *common) flashView(flash string) string {
	if flash == "" {
		return ""
	}
	return c.styles.flash.Render(flash) + "\n"
}

func (c *common) helpView(keys ...string) string {
	return c.styles.help.Width(c.contentWidth()).Render(strings.Join(keys, " · "))
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
			v = hint + "… (copied from the keyring)"
		}
		line := s.header.Render(fmt.Sprintf("%d", i+1)) + " " + cp.Label + ": "
		if ansi.StringWidth(line)+ansi.StringWidth(v) > w {
			// A long URL gets a line of its own, hard-wrapped only if the
			// screen is narrower than the URL itself.
			b.WriteString(line + "\n" + s.instructions.Width(w).Render(v) + "\n")
			continue
		}
		b.WriteString(line + v + "\n")
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
