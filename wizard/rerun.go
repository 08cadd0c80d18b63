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

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// Messages of the re-run.
type (
	verifiedMsg struct {
		seq     int
		report  oidccheck.Report
		profile *store.Profile
	}
	rotatedMsg struct {
		seq     int
		report  oidccheck.Report
		err     error
		profile *store.Profile
	}
	finishedMsg struct {
		old     store.SecretInfo
		err     error
		profile *store.Profile
	}
	forgotMsg   struct{ err error }
	loginURLMsg struct {
		seq int
		url string
	}
	loginDoneMsg struct {
		seq     int
		id      *oidccheck.Identity
		checks  []oidccheck.Check
		profile *store.Profile
	}
	profileLoadedMsg struct{ profile *store.Profile }
	deletedMsg       struct{ err error }
)

// Menu choices.
const (
	menuRotate = "rotate"
	menuVerify = "verify"
	menuValues = "values"
	menuOver   = "over"
	menuLogin  = "login"
	menuQuit   = "quit"
)

// currentInfo describes the stored secret for the rotation steps.
func (m Model) currentInfo() steps.Current {
	p := m.deps.Current
	if p == nil {
		return steps.Current{}
	}
	days, ok := p.Secret.DaysLeft(m.env.Now)
	return steps.Current{ClientID: p.ClientID, Hint: p.Secret.Hint, Description: p.Secret.Description,
		Expires: p.Secret.Expires, DaysLeft: days, HasExpiry: ok}
}

func (m *Model) menuForm() *huh.Form {
	choice := menuRotate
	if m.deps.Current != nil && m.deps.Current.Previous != nil {
		choice = menuRotate
	}
	m.choice = &choice
	rotate := "Rotate the client secret"
	if m.deps.Current != nil && m.deps.Current.Previous != nil {
		rotate = "Finish the rotation in progress"
	}
	return m.newForm(huh.NewGroup(huh.NewSelect[string]().Key("menu").Title("What now?").Options(
		huh.NewOption(rotate, menuRotate),
		huh.NewOption("Verify now (live check with the stored secret)", menuVerify),
		huh.NewOption("Test sign-in through the browser", menuLogin),
		huh.NewOption("Show the values for Syncro", menuValues),
		huh.NewOption("Start over (forget this profile, then set up again)", menuOver),
		huh.NewOption("Quit", menuQuit),
	).Value(m.choice)))
}

func (m *Model) confirmOverForm() *huh.Form {
	choice := "no"
	m.choice = &choice
	return m.newForm(huh.NewGroup(huh.NewSelect[string]().Key("over").
		Title("Forget profile "+m.deps.Profile+" and its stored secrets? The app and its secrets in Entra stay as they are.").
		Options(huh.NewOption("No, back to the menu", "no"), huh.NewOption("Yes, forget it and set up again", "yes")).Value(m.choice)))
}

// rotationValues seeds the values of a rotation from the saved profile.
func (m *Model) rotationValues() {
	p := m.deps.Current
	v := &steps.Values{ClientID: p.ClientID, Discovery: p.DiscoveryURL, DiscoveryURL: p.DiscoveryURL, TenantID: p.TenantID,
		RedirectURI: p.RedirectURI, SecretDescription: "Syncro SSO " + m.env.Now.Format("2006")}
	v.Defaults()
	m.values = v
}

// startRotation opens the rotation where it stands: a new secret, or the
// hand-over to Syncro when one is already promoted.
func (m *Model) startRotation() tea.Cmd {
	m.rotationValues()
	if m.deps.Current.Previous != nil {
		m.values.SecretExpiry = m.deps.Current.Secret.Expires
		m.values.AppChoice = "no" // never default to dropping a secret
		return m.enter(stepRotateSyncro)
	}
	if m.deps.DemoNewSecret != nil {
		m.demoSecret, m.demoSecretID = m.deps.DemoNewSecret()
	}
	return m.enter(stepRotateSecret)
}

func (m Model) rerunKey(k tea.KeyMsg) (tea.Model, tea.Cmd, bool) {
	switch m.step {
	case stepValues, stepRotateDone:
		switch k.String() {
		case "1", "2", "3", "4":
			c := steps.RotateSyncroStep().Copies(m.values, m.env)[k.Runes[0]-'1']
			return m, m.copyValue(c), true
		case "d":
			if m.step == stepRotateDone && m.deps.DeleteOld != nil && m.oldSecret != nil {
				del, hint := m.deps.DeleteOld, m.oldSecret.Hint
				return m, func() tea.Msg { return deletedMsg{del(hint)} }, true
			}
		case "enter", "esc", "q":
			return m, m.enter(stepMenu), true
		}
		return m, nil, true
	case stepRotateSyncro:
		switch k.String() {
		case "2":
			return m, m.copyValue(steps.Copy{Label: "Client Secret", Secret: true}), true
		case "4":
			c := steps.RotateSyncroStep().Copies(m.values, m.env)[3]
			return m, m.copyValue(c), true
		}
	case stepRotateSave:
		if k.String() == "enter" && !m.live.running {
			return m, m.enter(stepRotateSecret), true
		}
		return m, nil, true
	}
	if k.String() == "ctrl+b" && (m.step == stepRotateSecret || m.step == stepRotateSyncro || m.step == stepConfirmOver) {
		return m, m.enter(stepMenu), true
	}
	return m, nil, false
}

func (m Model) rerunFormDone(cmds []tea.Cmd) (tea.Model, tea.Cmd, bool) {
	switch m.step {
	case stepMenu:
		switch *m.choice {
		case menuRotate:
			cmds = append(cmds, m.startRotation())
		case menuVerify:
			cmds = append(cmds, m.enter(stepMenu), m.verify())
		case menuLogin:
			cmds = append(cmds, m.enter(stepMenu), m.testLogin())
		case menuValues:
			m.rotationValues()
			m.values.SecretExpiry = m.deps.Current.Secret.Expires
			cmds = append(cmds, m.enter(stepValues))
		case menuOver:
			cmds = append(cmds, m.enter(stepConfirmOver))
		default:
			m.code = ExitDone
			return m, tea.Quit, true
		}
		return m, tea.Batch(cmds...), true
	case stepConfirmOver:
		if *m.choice != "yes" {
			return m, tea.Batch(append(cmds, m.enter(stepMenu))...), true
		}
		st, name := m.deps.Store, m.deps.Profile
		return m, tea.Batch(append(cmds, func() tea.Msg { return forgotMsg{st.Forget(name)} })...), true
	case stepRotateSecret:
		for _, c := range m.def().Check(m.values, m.env) {
			if c.Status == oidccheck.StatusFail {
				return m, tea.Batch(append(cmds, m.enter(m.step))...), true
			}
		}
		cmd := m.enter(stepRotateSave)
		return m, tea.Batch(append(cmds, cmd, m.promote())...), true
	case stepRotateSyncro:
		if m.values.AppChoice != "yes" {
			m.values.AppChoice = "no"
			cmd := m.enter(stepRotateSyncro)
			m.flash = "The new secret stays current and the old one is kept. Finish here, or later with entrasso rotate --finish."
			return m, tea.Batch(append(cmds, cmd)...), true
		}
		st, name := m.deps.Store, m.deps.Profile
		return m, tea.Batch(append(cmds, func() tea.Msg {
			old, _, err := st.Finish(name)
			p, _ := st.Load(name)
			return finishedMsg{old: old, err: err, profile: p}
		})...), true
	}
	return m, nil, false
}

// verify checks the saved profile live with the stored secret and
// records when it passed.
func (m *Model) verify() tea.Cmd {
	m.live = live{seq: m.live.seq + 1, running: true}
	m.verified = nil
	d, seq, p := m.deps, m.live.seq, *m.deps.Current
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		secret, err := d.Store.Secret(d.Profile)
		if err != nil {
			var se *store.Error
			rep := oidccheck.Report{}
			if errors.As(err, &se) {
				rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Code: oidccheck.Code(se.Code), Message: se.Message, Fix: se.Fix})
			} else {
				rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Message: err.Error()})
			}
			return verifiedMsg{seq: seq, report: rep}
		}
		checker := *d.Checker
		checker.PropagationWait = 0
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		rep := checker.Run(ctx, oidccheck.Input{ClientID: &p.ClientID, ClientSecret: &secret, Discovery: &p.DiscoveryURL}).Report
		if !rep.Failed() {
			now := time.Now().UTC()
			_ = d.Store.Update(d.Profile, func(p *store.Profile) error { p.LastVerified = &now; return nil })
		}
		np, _ := d.Store.Load(d.Profile)
		return verifiedMsg{seq: seq, report: rep, profile: np}
	})
}

// promote proves the new secret (retrying while Entra spreads it) inside
// store.Promote, which only then stores it and keeps the old as previous.
func (m *Model) promote() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	m.live = live{seq: m.live.seq + 1, running: true, cancel: cancel}
	m.problem = nil
	v, d, env, seq, p := *m.values, m.deps, m.env, m.live.seq, *m.deps.Current
	checker, waits := waitingChecker(d.Checker)
	run := func() tea.Msg {
		defer cancel()
		defer close(waits)
		expires, err := steps.ExpiryDate(&v, env.Now)
		if err != nil {
			return rotatedMsg{seq: seq, err: err}
		}
		secret := oidccheck.CheckSecret(v.Secret).Value
		var rep oidccheck.Report
		_, err = d.Store.Promote(ctx, d.Profile, d.Store.NewSecretInfo(secret, v.SecretDescription, expires), secret, func(ctx context.Context) error {
			rep = checker.Run(ctx, oidccheck.Input{ClientID: &p.ClientID, ClientSecret: &secret, Discovery: &p.DiscoveryURL, SecretExpires: expires}).Report
			if rep.Failed() {
				return errChecksFailed
			}
			return nil
		})
		if errors.Is(err, errChecksFailed) {
			err = nil
		}
		np, _ := d.Store.Load(d.Profile)
		return rotatedMsg{seq: seq, report: rep, err: err, profile: np}
	}
	return tea.Batch(m.spin.Tick, run, listenWait(seq, waits))
}

func (m Model) rerunResult(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case loginURLMsg:
		if msg.seq == m.live.seq && m.live.running {
			m.live.waiting = "browser"
			if msg.url != "" {
				m.live.waiting = msg.url
			}
		}
	case loginDoneMsg:
		if msg.seq == m.live.seq {
			m.live.running, m.live.waiting = false, ""
			r := oidccheck.Report{}
			r.Add(msg.checks...)
			m.verified = &r
			if msg.profile != nil && m.deps.Current != nil {
				m.deps.Current = msg.profile
			}
		}
	case verifiedMsg:
		if msg.seq == m.live.seq {
			m.live.running = false
			r := msg.report
			m.verified = &r
			if msg.profile != nil {
				m.deps.Current = msg.profile
			}
		}
	case rotatedMsg:
		if msg.seq != m.live.seq || m.step != stepRotateSave {
			return m, nil
		}
		m.live.running, m.live.waiting = false, ""
		if msg.err != nil {
			cmd := m.enter(stepRotateSecret)
			m.problem = &oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail,
				Message: strings.TrimPrefix(msg.err.Error(), "store: "), Fix: "nothing changed: the stored secret is still the working one"}
			return m, cmd
		}
		if c, failed := msg.report.FirstFailure(); failed {
			cmd := m.enter(stepRotateSecret)
			m.problem = &c
			return m, cmd
		}
		m.deps.Current = msg.profile
		m.values.Secret = ""
		m.values.AppChoice = "no" // never default to dropping a secret
		return m, m.enter(stepRotateSyncro)
	case finishedMsg:
		if msg.err != nil {
			m.flash = "Could not finish: " + strings.TrimPrefix(msg.err.Error(), "store: ")
			return m, nil
		}
		old := msg.old
		m.oldSecret = &old
		if msg.profile != nil {
			m.deps.Current = msg.profile
		}
		return m, m.enter(stepRotateDone)
	case forgotMsg:
		if msg.err != nil {
			m.flash = "Could not forget the profile: " + strings.TrimPrefix(msg.err.Error(), "store: ")
			return m, m.enter(stepMenu)
		}
		m.deps.Current = nil
		v := &steps.Values{}
		v.Defaults()
		m.values = v
		return m, m.enter(stepRedirect)
	case profileLoadedMsg:
		if msg.profile != nil {
			m.deps.Current = msg.profile
			return m, m.enter(stepMenu)
		}
		m.code = ExitDone
		return m, tea.Quit
	case deletedMsg:
		if msg.err != nil {
			m.flash = "Could not delete it in the demo portal: " + msg.err.Error()
		} else {
			m.flash = "Deleted the old secret in the demo portal, as you would in Entra."
			m.deletedOld = true
		}
	}
	return m, nil
}

func (m Model) daysView(info store.SecretInfo) string {
	s := m.styles
	d, ok := info.DaysLeft(m.env.Now)
	switch {
	case !ok:
		return s.warn.Render("expiry not recorded")
	case d < 0:
		return s.fail.Render(fmt.Sprintf("EXPIRED %d days ago", -d))
	case d <= 30:
		return s.warn.Render(fmt.Sprintf("%d days left", d))
	}
	return s.pass.Render(fmt.Sprintf("%d days left", d))
}

func (m Model) rerunView() string {
	s := m.styles
	var b strings.Builder
	p := m.deps.Current
	w := m.contentWidth()
	switch m.step {
	case stepMenu, stepConfirmOver:
		if len(m.deps.Profiles) > 1 {
			b.WriteString(s.dim.Render("Profiles: "+strings.Join(m.deps.Profiles, ", ")+" (choose with --profile)") + "\n")
		}
		if p != nil {
			b.WriteString(s.title.Render("Profile "+p.Name) + s.dim.Render(" · client ID "+p.ClientID) + "\n")
			b.WriteString(fmt.Sprintf("Secret %s… %q expires %s: %s\n", p.Secret.Hint, p.Secret.Description, orNone(p.Secret.Expires), m.daysView(p.Secret)))
			if p.Previous != nil {
				b.WriteString(s.warn.Render("A rotation is in progress: the previous secret "+p.Previous.Hint+"… is still kept.") + "\n")
			}
			b.WriteString(s.dim.Render("Last verified: "+when(p.LastVerified)+" · last sign-in: "+when(p.LastSignIn)) + "\n\n")
		}
		b.WriteString(trimBlankLines(m.form.View()) + "\n")
		switch {
		case m.live.running && m.live.waiting != "":
			b.WriteString(m.loginWaitView())
		case m.live.running:
			b.WriteString(m.spin.View() + " Checking with Entra…\n")
		case m.verified != nil:
			for _, c := range m.verified.Checks {
				if c.Status != oidccheck.StatusSkip {
					b.WriteString(m.checkView(c, "") + "\n")
				}
			}
		}
		if m.flash != "" {
			b.WriteString(s.flash.Render(m.flash) + "\n")
		}
		b.WriteString(s.help.Width(w).Render("↑/↓ choose · enter confirm · ctrl+c quit"))
	case stepValues:
		b.WriteString(s.title.Render("The values for Syncro's \"Single Sign On with OpenID Connect\"") + "\n\n")
		b.WriteString(m.copiesView())
		if m.flash != "" {
			b.WriteString(s.flash.Render(m.flash) + "\n")
		}
		b.WriteString(s.help.Width(w).Render("1-4 copy · enter back to the menu · ctrl+c quit"))
	default:
		def := m.def()
		b.WriteString(s.stepNow.Render("Rotating the client secret") + s.dim.Render(fmt.Sprintf(" · %d of 2 · %s", def.Number, def.Title)) + "\n\n")
		b.WriteString(s.instructions.Width(w).Render(def.Instructions(m.values, m.env)) + "\n")
		if m.problem != nil {
			b.WriteString("\n" + m.checkView(*m.problem, "Entra said: ") + "\n")
		}
		switch m.step {
		case stepRotateSave:
			b.WriteString("\n" + m.spin.View() + " Proving the new secret at Entra's token endpoint…\n")
			if m.live.waiting != "" {
				b.WriteString(s.warn.Width(w).Render(m.live.waiting) + "\n")
			}
		case stepRotateDone:
			b.WriteString("\n" + m.doneView())
		default:
			if m.form != nil {
				b.WriteString("\n" + trimBlankLines(m.form.View()) + "\n")
			}
			for _, c := range m.checks {
				b.WriteString(m.checkView(c, "") + "\n")
			}
			if m.step == stepRotateSecret && m.demoSecret != "" {
				b.WriteString(s.dim.Render("── Demo portal: your new secret (copy from here) ──") + "\n")
				b.WriteString("Value:     " + m.demoSecret + "\nSecret ID: " + m.demoSecretID + "\n")
			}
			if m.step == stepRotateSyncro {
				b.WriteString("\n" + m.copiesView())
			}
		}
		if m.flash != "" {
			b.WriteString(s.flash.Render(m.flash) + "\n")
		}
		keys := "enter next · ctrl+o open Certificates & secrets · ctrl+b menu · ctrl+c quit"
		switch m.step {
		case stepRotateSyncro:
			keys = "2 copy the new secret · 4 copy its expiry · enter answer · ctrl+b menu · ctrl+c quit"
		case stepRotateSave:
			keys = "esc stop · ctrl+c quit"
		case stepRotateDone:
			keys = "ctrl+o open Certificates & secrets · enter back to the menu · ctrl+c quit"
			if m.deps.DeleteOld != nil && !m.deletedOld {
				keys = "d delete it in the demo portal · " + keys
			}
		}
		b.WriteString(s.help.Width(w).Render(keys))
	}
	return b.String()
}

func (m Model) copiesView() string {
	var b strings.Builder
	for i, c := range steps.RotateSyncroStep().Copies(m.values, m.env) {
		v := c.Value
		if c.Secret {
			v = m.deps.Current.Secret.Hint + "… (copied from the keyring)"
		}
		line := m.styles.header.Render(fmt.Sprintf("%d", i+1)) + " " + c.Label + ": "
		if lipglossWidth(line)+len(v) > m.contentWidth() {
			b.WriteString(line + "\n" + v + "\n")
			continue
		}
		b.WriteString(line + v + "\n")
	}
	return b.String()
}

func (m Model) doneView() string {
	old := m.oldSecret
	if old == nil {
		return ""
	}
	s := m.styles
	var b strings.Builder
	b.WriteString(s.pass.Render("✓") + " The rotation is finished: only the new secret is kept on this machine.\n\n")
	b.WriteString("Now delete the old secret in Entra (Certificates & secrets, ctrl+o):\n")
	fmt.Fprintf(&b, "  the one whose Value starts with %s, description %q, expiring %s\n", s.title.Render(old.Hint+"…"), old.Description, orNone(old.Expires))
	return b.String()
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

// testLogin runs the real sign-in (oidccheck.TestLogin) in the background:
// the browser opens, or the URL is shown to open elsewhere.
func (m *Model) testLogin() tea.Cmd {
	ctx, cancel := context.WithCancel(context.Background())
	m.live = live{seq: m.live.seq + 1, running: true, cancel: cancel, waiting: "starting"}
	m.verified = nil
	d, seq := m.deps, m.live.seq
	urls := make(chan string, 1)
	run := func() tea.Msg {
		defer cancel()
		fail := func(c oidccheck.Check) tea.Msg { return loginDoneMsg{seq: seq, checks: []oidccheck.Check{c}} }
		pp, err := d.Store.Load(d.Profile)
		if err != nil {
			return fail(oidccheck.Check{Field: oidccheck.FieldLogin, Status: oidccheck.StatusFail, Message: "no saved profile to sign in with"})
		}
		p := *pp
		secret, err := d.Store.Secret(d.Profile)
		if err != nil {
			return fail(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Message: err.Error()})
		}
		dd, r := oidccheck.ParseDiscovery(p.DiscoveryURL, d.Checker.AuthorityHost)
		if !r.OK() {
			return fail(r.Checks[0])
		}
		prov, c := d.Checker.Discover(ctx, dd)
		if prov == nil {
			return fail(c)
		}
		id, checks := d.Checker.TestLogin(ctx, oidccheck.LoginOptions{Provider: prov, ClientID: p.ClientID, Secret: secret,
			ExpectTenant: p.TenantID, Open: func(u string) error {
				if !d.NoBrowser && d.OpenURL != nil && d.OpenURL(u) == nil {
					urls <- ""
				} else {
					urls <- u
				}
				return nil
			}})
		if id != nil {
			failed := false
			for _, c := range checks {
				failed = failed || c.Status == oidccheck.StatusFail
			}
			if !failed {
				now := time.Now().UTC()
				_ = d.Store.Update(d.Profile, func(p *store.Profile) error { p.LastSignIn = &now; return nil })
			}
		}
		np, _ := d.Store.Load(d.Profile)
		return loginDoneMsg{seq: seq, id: id, checks: checks, profile: np}
	}
	listen := func() tea.Msg {
		select {
		case u := <-urls:
			return loginURLMsg{seq: seq, url: u}
		case <-ctx.Done():
			return nil
		}
	}
	return tea.Batch(m.spin.Tick, run, listen)
}

func (m Model) loginWaitView() string {
	s := m.styles
	out := m.spin.View() + " Waiting for the sign-in in the browser (esc stops)…\n"
	out += s.dim.Width(m.contentWidth()).Render("The app needs "+oidccheck.LoopbackRedirectURI+" as a Web redirect URI under Authentication (at step 7: c copies it, ctrl+o opens the page).") + "\n"
	if strings.HasPrefix(m.live.waiting, "https://") {
		// Unwrapped, so that it can be copied whole.
		out += "Open this URL in a browser on this machine:\n" + m.live.waiting + "\n"
	}
	return out
}
