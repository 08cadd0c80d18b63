package wizard

import (
	"context"
	"errors"
	"net/url"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
)

// errChecksFailed stops a save when a live check failed.
var errChecksFailed = errors.New("a check failed")

// saveProgress keeps the secret-free progress, so a quit at any point can
// be resumed.
func (m *Model) saveProgress() tea.Cmd {
	n := m.step.number()
	if n < 1 || n > 6 || m.saved != nil {
		return nil
	}
	v := *m.values
	st, name := m.deps.Store, m.deps.Profile
	return func() tea.Msg {
		return progressSavedMsg{st.SaveProgress(name, store.Progress{Step: n, RedirectURI: v.RedirectURI, LogoutURL: v.LogoutURL,
			AppChoice: v.AppChoice, ClientID: v.ClientID, SecretDescription: v.SecretDescription, SecretExpiry: v.SecretExpiry,
			SecretCustomDate: v.SecretCustomDate, Discovery: v.Discovery})}
	}
}

func (m *Model) clearProgress() tea.Cmd {
	st, name := m.deps.Store, m.deps.Profile
	return func() tea.Msg { return progressSavedMsg{st.ClearProgress(name)} }
}

// maybeCheckDiscovery starts the live discovery once the pasted value
// passes its offline check; an older check still running is cancelled.
func (m *Model) maybeCheckDiscovery() tea.Cmd {
	if m.live.cancel != nil && m.live.running {
		m.live.cancel()
	}
	m.live = live{seq: m.live.seq + 1}
	d, r := oidccheck.ParseDiscovery(m.values.Discovery, m.env.AuthorityHost)
	if m.values.Discovery == "" || !r.OK() {
		return nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.live.running, m.live.cancel, m.live.value = true, cancel, m.values.Discovery
	seq, value, checker := m.live.seq, m.values.Discovery, m.deps.Checker
	return tea.Batch(m.spin.Tick, func() tea.Msg {
		defer cancel()
		p, c := checker.Discover(ctx, d)
		msg := discoveryCheckedMsg{seq: seq, value: value, check: c}
		if p != nil {
			msg.tenantID = p.TenantID
		}
		return msg
	})
}

// waitingChecker is a copy of c that reports its propagation waits on a
// channel, for the screen to show while a new secret is retried.
func waitingChecker(c *oidccheck.Checker) (*oidccheck.Checker, chan oidccheck.WaitInfo) {
	waits := make(chan oidccheck.WaitInfo, 8)
	cc := *c
	cc.OnWait = func(w oidccheck.WaitInfo) {
		select {
		case waits <- w:
		default:
		}
	}
	return &cc, waits
}

// listenWait delivers the propagation waits of a running save.
func listenWait(seq int, ch <-chan oidccheck.WaitInfo) tea.Cmd {
	return func() tea.Msg {
		info, ok := <-ch
		if !ok {
			return nil
		}
		return waitMsg{seq: seq, info: info, ch: ch}
	}
}

// startSave runs step 6: the live proof inside store.Setup, which then
// writes the keyring and the profile.
func (m *Model) startSave() tea.Cmd {
	if m.live.cancel != nil && m.live.running {
		m.live.cancel()
	}
	m.live = live{seq: m.live.seq + 1, running: true}
	m.problem = nil
	ctx, cancel := context.WithCancel(context.Background())
	m.live.cancel = cancel
	v := *m.values
	d, env, seq := m.deps, m.env, m.live.seq
	checker, waits := waitingChecker(d.Checker)
	run := func() tea.Msg {
		defer cancel()
		defer close(waits)
		rep, note, err := Save(ctx, d, checker, v, env)
		return savedMsg{seq: seq, report: rep, note: note, err: err}
	}
	return tea.Batch(m.spin.Tick, run, listenWait(seq, waits))
}

// Save is step 6 for every front end (the wizard, accessible mode, setup
// --non-interactive): the live proof inside store.Setup, which then writes
// the keyring and the profile. A failure of any kind is a failed check in
// the report; err is only for the unexpected.
func Save(ctx context.Context, d *Deps, checker *oidccheck.Checker, v steps.Values, env steps.Env) (oidccheck.Report, string, error) {
	expires, err := steps.ExpiryDate(&v, env.Now)
	if err != nil {
		return oidccheck.Report{}, "", err
	}
	in := oidccheck.Input{RedirectURI: &v.RedirectURI, ClientID: &v.ClientID, ClientSecret: &v.Secret, Discovery: &v.Discovery,
		SecretExpires: expires, Profile: d.Profile}
	secret := oidccheck.CheckSecret(v.Secret).Value
	var rep oidccheck.Report
	note, err := d.Store.Setup(ctx, d.Profile, secret, func(ctx context.Context) (store.Profile, error) {
		out := checker.Run(ctx, in)
		rep = out.Report
		if rep.Failed() {
			return store.Profile{}, errChecksFailed
		}
		return ProfileFrom(out, d.Store, d.Storage, v.SecretDescription), nil
	})
	var se *store.Error
	var exists *store.ExistsError
	switch {
	case errors.Is(err, errChecksFailed):
		rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing was saved: a check failed"})
	case ctx.Err() != nil && err != nil:
		if !rep.Failed() {
			rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Message: "stopped before anything was saved", Fix: "check again"})
		}
	case errors.As(err, &se):
		rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Code: oidccheck.Code(se.Code), Message: se.Message, Fix: se.Fix})
	case errors.As(err, &exists):
		rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail,
			Message: "profile " + d.Profile + " already exists with another secret; nothing was changed",
			Fix:     "rotate it with entrasso rotate, or remove it with entrasso forget and start over"})
	case err != nil:
		return rep, note, err
	default:
		_ = d.Store.ClearProgress(d.Profile)
		where := "the OS keyring"
		if d.Storage == store.StorageFile {
			where = "the plain file chosen with --insecure-storage"
		}
		rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusPass,
			Message: "secret kept in " + where + "; profile saved at " + d.Store.Path(d.Profile)})
	}
	return rep, note, nil
}

// ProfileFrom builds the profile to save from a passed check. The
// authority host is the host of the discovery document that was checked.
func ProfileFrom(out oidccheck.Outcome, s *store.Store, storage, description string) store.Profile {
	v := out.Report.Values
	host := ""
	if u, err := url.Parse(v.DiscoveryURL); err == nil {
		host = u.Host
	}
	return store.Profile{
		RedirectURI: v.RedirectURI, ClientID: v.ClientID, TenantID: v.TenantID, Issuer: v.Issuer,
		DiscoveryURL: v.DiscoveryURL, AuthorityHost: host, SecretStorage: storage,
		Secret: s.NewSecretInfo(out.Secret, description, v.SecretExpires),
	}
}

// copyValue copies a value; the secret is read back from the keyring, since
// it left the wizard's memory once stored.
func (m *Model) copyValue(c steps.Copy) tea.Cmd {
	d := m.deps
	return func() tea.Msg {
		text := c.Value
		if c.Secret {
			s, err := d.Store.Secret(d.Profile)
			if err != nil {
				return copiedMsg{label: c.Label, err: err}
			}
			text = s
		}
		if text == "" {
			return copiedMsg{label: c.Label, err: errors.New("nothing to copy yet")}
		}
		if d.Copy == nil {
			return copiedMsg{label: c.Label, err: errors.New("no clipboard")}
		}
		how, err := d.Copy(text)
		return copiedMsg{label: c.Label, how: how, err: err}
	}
}

// open opens a portal page, or says the URL when no browser can be opened.
func (m *Model) open(u string) tea.Cmd {
	d := m.deps
	return func() tea.Msg {
		if d.NoBrowser || d.OpenURL == nil {
			return openedMsg{url: u, err: errors.New("no browser")}
		}
		return openedMsg{url: u, err: d.OpenURL(u)}
	}
}
