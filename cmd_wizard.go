package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"
	"entrasso/wizard"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// wizardDeps builds what the wizard needs from the global flags.
func wizardDeps(g *globals, e env, s *store.Store) (*wizard.Deps, error) {
	// The wizard shows propagation waits itself (newChecker would print
	// them to stderr only without --json); 60 s as DESIGN.md sets for it.
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: g.timeout})
	if err != nil {
		return nil, err
	}
	checker := &oidccheck.Checker{HTTP: client, AuthorityHost: g.authorityHost, PropagationWait: 60 * time.Second}
	storage := store.StorageKeyring
	if _, ok := s.Keyring.(*store.FileKeyring); ok {
		storage = store.StorageFile
		// The file keyring's warnings would tear the screen: the wizard
		// says where the secret goes instead.
		s.Keyring.(*store.FileKeyring).Warn = nil
	}
	d := &wizard.Deps{Store: s, Profile: g.profile, Checker: checker, AuthorityHost: g.authorityHost, Now: e.now,
		NoBrowser: !wizard.CanOpenBrowser(g.noBrowser, e.getenv), OpenURL: wizard.OpenBrowser,
		Copy: wizard.SystemCopy(os.Stdout, e.getenv), Storage: storage}
	return d, nil
}

// runWizard runs the one bubbletea program in the alternate screen and
// says afterwards, on the normal screen, where things stand.
func runWizard(ctx context.Context, g *globals, e env, d *wizard.Deps) int {
	if g.accessible || e.getenv("TERM") == "dumb" || e.getenv("ACCESSIBLE") != "" {
		return wizard.RunAccessible(ctx, d, e.stdin, e.stdout)
	}
	if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
		fmt.Fprintln(e.stderr, "entrasso: the wizard needs a terminal; for scripts use entrasso setup --non-interactive, for plain prompts --accessible")
		return exitUsage
	}
	r := lipgloss.NewRenderer(os.Stdout)
	// Ask the terminal for its background once, before the program owns it.
	r.HasDarkBackground()
	lipgloss.SetDefaultRenderer(r)
	d.Renderer = r
	// One owner for signals: entrasso's context (SIGINT, SIGTERM, SIGHUP).
	// With bubbletea's handler as well, its goroutine could block sending
	// QuitMsg to a program the context had already stopped, and shutdown
	// then waited for it for ever.
	p := tea.NewProgram(wizard.New(d), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithoutSignalHandler())
	final, err := p.Run()
	m, ok := final.(wizard.Model)
	switch {
	case errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrInterrupted) || ctx.Err() != nil:
		fmt.Fprintln(e.stderr, "entrasso: stopped; the values entered so far (never the secret) are kept: run entrasso setup to resume")
		return exitInterrupted
	case err != nil || !ok:
		fmt.Fprintf(e.stderr, "entrasso: the wizard failed: %v\n", err)
		return exitFailed
	}
	switch m.ExitCode() {
	case wizard.ExitDone:
		if m.Step() == "syncro" {
			fmt.Fprintf(e.stdout, "Saved profile %s. Next: a test sign-in (entrasso test-login), then enforce SSO in Syncro.\n", d.Profile)
		}
	case wizard.ExitInterrupted:
		fmt.Fprintln(e.stderr, "entrasso: stopped; the values entered so far (never the secret) are kept: run entrasso setup to resume")
	case wizard.ExitStore:
		fmt.Fprintln(e.stderr, "entrasso: the OS keyring cannot keep the secret here; nothing was saved (see entrasso setup --help for --insecure-storage)")
	}
	return m.ExitCode()
}

// setupWizard is `entrasso setup` and `entrasso` without a profile.
func setupWizard(ctx context.Context, g *globals, e env) int {
	s, err := openStore(g, e)
	if err != nil {
		return storeExit(e, g, "setup", err)
	}
	d, err := wizardDeps(g, e, s)
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso setup: %v\n", err)
		return exitFailed
	}
	return runWizard(ctx, g, e, d)
}

// demoWizard runs the whole wizard against the built-in look-alike, with a
// throw-away profile folder and an in-memory keyring.
func demoWizard(ctx context.Context, g *globals, e env) int {
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	defer srv.Close()
	demo := srv.SeedDemo()
	dir, err := os.MkdirTemp("", "entrasso-demo-")
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	defer os.RemoveAll(dir)
	s := store.New(dir, store.NewMemoryKeyring())
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: g.timeout, RootCAs: srv.CA.Pool()})
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	g.authorityHost = srv.Host
	d := &wizard.Deps{Store: s, Profile: "demo", AuthorityHost: srv.Host, Now: e.now, Storage: store.StorageKeyring,
		Checker:   &oidccheck.Checker{HTTP: client, AuthorityHost: srv.Host, PropagationWait: 60 * time.Second},
		NoBrowser: true, Copy: wizard.SystemCopy(os.Stdout, e.getenv),
		Demo: &wizard.DemoPortal{TenantID: demo.Tenant.ID, TenantDomain: demo.Tenant.Domains[0], ClientID: demo.App.ClientID,
			ObjectID: demo.App.ObjectID, Secret: demo.Secret.Value, SecretID: demo.Secret.KeyID, RedirectURI: entratest.DemoRedirectURI,
			MetadataURL: oidccheck.CanonicalDiscoveryURL(srv.Host, demo.Tenant.ID)}}
	d.DeleteOld = func(hint string) error {
		if !srv.DeleteSecretByHint(demo.App, hint) {
			return errors.New("no secret with that hint in the demo portal")
		}
		return nil
	}
	d.DemoNewSecret = func() (string, string) {
		sec := srv.AddSecret(demo.App, "Syncro SSO "+time.Now().Format("2006"), time.Now().AddDate(0, 0, 365))
		return sec.Value, sec.KeyID
	}
	code := runWizard(ctx, g, e, d)
	if code == exitOK {
		fmt.Fprintln(e.stdout, "That was the demo: nothing was kept. Run entrasso setup for your own tenant.")
	}
	return code
}

// defaultCommand is `entrasso` alone: the setup wizard while there is no
// profile, the re-run menu once there is one.
func defaultCommand(ctx context.Context, g *globals, e env) int {
	return menuOrSetup(ctx, g, e, "")
}

// rotateWizard is `entrasso rotate`: the guided rotation.
func rotateWizard(ctx context.Context, g *globals, e env) int {
	return menuOrSetup(ctx, g, e, wizard.StartRotate)
}

func menuOrSetup(ctx context.Context, g *globals, e env, start string) int {
	if dir, err := configDir(g); err == nil && store.ValidName(g.profile) == nil {
		if _, err := store.New(dir, nil).Load(g.profile); errors.Is(err, store.ErrNotFound) && start == "" {
			return setupWizard(ctx, g, e)
		}
	}
	s, err := openStore(g, e)
	if err != nil {
		return storeExit(e, g, "rotate", err)
	}
	res := flow.Load(&flow.Deps{Store: s}, g.profile)
	if res.Profile == nil {
		return finish(e, g, "rotate", res)
	}
	p := res.Profile
	d, err := wizardDeps(g, e, s)
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso: %v\n", err)
		return exitFailed
	}
	if g.authorityHost == oidccheck.DefaultAuthorityHost && p.AuthorityHost != "" {
		d.Checker.AuthorityHost, d.AuthorityHost = p.AuthorityHost, p.AuthorityHost
	}
	d.Current, d.Start = p, start
	d.Profiles, _ = s.List()
	return runWizard(ctx, g, e, d)
}
