package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"entrasso/flow"
	"entrasso/internal/termbg"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"
	"entrasso/wizard"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// wizardDeps builds what the wizard needs around the flows' dependencies.
func wizardDeps(g *globals, e env, fd *flow.Deps) *wizard.Deps {
	if fk, ok := fd.Store.Keyring.(*store.FileKeyring); ok {
		// The file keyring's warnings would tear the screen: the wizard
		// says where the secret went (flow's report) instead.
		fk.Warn = nil
	}
	return &wizard.Deps{Flow: fd, Profile: g.profile, Now: e.now,
		NoBrowser: !wizard.CanOpenBrowser(g.noBrowser, e.getenv), OpenURL: wizard.OpenBrowser,
		Copy:  wizard.SystemCopy(os.Stdout, e.getenv),
		Graph: wizard.GraphSignIn{Host: g.graphHost, ClientID: g.graphClientID, Tenant: g.tenant, DeviceCode: g.deviceCode}}
}

// runWizard runs the wizard: as plain line prompts with --accessible (or
// TERM=dumb, ACCESSIBLE), else as the one bubbletea program in the
// alternate screen, saying afterwards, on the normal screen, where things
// stand. Both start from the same deps, so both make the same choice of
// setup, menu or rotation.
func runWizard(ctx context.Context, g *globals, e env, d *wizard.Deps) int {
	if g.accessible || e.getenv("TERM") == "dumb" || e.getenv("ACCESSIBLE") != "" {
		return wizard.RunAccessible(ctx, d, e.stdin, e.stdout)
	}
	if !isTerminal(os.Stdin) || !isTerminal(os.Stdout) {
		fmt.Fprintln(e.stderr, "entrasso: the wizard needs a terminal; for scripts use entrasso setup --non-interactive, for plain prompts --accessible")
		return exitUsage
	}
	r := lipgloss.NewRenderer(os.Stdout)
	// The background, learned once before the program owns the terminal and
	// set on the renderer, so that lipgloss never asks itself: termenv
	// waits up to five seconds for a terminal that never answers, and that
	// delayed the first frame as long. termbg takes COLORFGBG when set,
	// else asks once and waits termbg.Wait at most.
	dark, how := termbg.Dark(os.Stdin, os.Stdout, e.getenv, termbg.Wait)
	r.SetHasDarkBackground(dark)
	lipgloss.SetDefaultRenderer(r)
	d.Renderer = r
	// One owner for signals: entrasso's context (SIGINT, SIGTERM, SIGHUP).
	// With bubbletea's handler as well, its goroutine could block sending
	// QuitMsg to a program the context had already stopped, and shutdown
	// then waited for it for ever.
	opts := []tea.ProgramOption{tea.WithAltScreen(), tea.WithContext(ctx), tea.WithoutSignalHandler()}
	if how == termbg.Timeout {
		// An answer slower than the wait would be typed into the first field.
		opts = append(opts, tea.WithFilter(termbg.LateReplyFilter(time.Now)))
	}
	p := tea.NewProgram(wizard.New(d), opts...)
	final, err := p.Run()
	m, ok := final.(wizard.Model)
	switch {
	case ok && (errors.Is(err, tea.ErrProgramKilled) || errors.Is(err, tea.ErrInterrupted) || ctx.Err() != nil):
		fmt.Fprintln(e.stderr, stopped(m, d))
		return exitInterrupted
	case err != nil || !ok:
		fmt.Fprintf(e.stderr, "entrasso: the wizard failed: %v\n", err)
		return exitFailed
	}
	switch m.ExitCode() {
	case wizard.ExitDone:
		if m.Saved() && d.Demo == nil {
			fmt.Fprintf(e.stdout, "Saved profile %s. Next: a test sign-in (entrasso test-login), then enforce SSO in Syncro.\n", d.Profile)
		}
	case wizard.ExitInterrupted:
		fmt.Fprintln(e.stderr, stopped(m, d))
	case wizard.ExitStore:
		fmt.Fprintln(e.stderr, "entrasso: the OS keyring cannot keep the secret here; nothing was saved (see entrasso setup --help for --insecure-storage)")
	}
	return m.ExitCode()
}

// stopped says what an interrupted wizard leaves behind, and only what is
// true: the demo keeps nothing; a resume is offered only when the values
// entered so far were kept.
func stopped(m wizard.Model, d *wizard.Deps) string {
	switch {
	case d.Demo != nil:
		return "entrasso demo: stopped; the demo keeps nothing"
	case m.ProgressKept():
		return "entrasso: stopped; the values entered so far (never the secret) are kept: run entrasso setup to resume"
	case m.Saved():
		return "entrasso: stopped; profile " + d.Profile + " is saved"
	}
	return "entrasso: stopped"
}

// setupWizard is `entrasso setup` and `entrasso` without a profile.
func setupWizard(ctx context.Context, g *globals, e env) int {
	fd, code := g.flowDeps(e, "setup", true)
	if fd == nil {
		return code
	}
	return runWizard(ctx, g, e, wizardDeps(g, e, fd))
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
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: g.timeout, RootCAs: srv.CA.Pool()})
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso demo: %v\n", err)
		return exitFailed
	}
	fd := &flow.Deps{Store: store.New(dir, store.NewMemoryKeyring()), HTTP: client, AuthorityHost: srv.Host, Now: e.now}
	d := &wizard.Deps{Flow: fd, Profile: "demo", Now: e.now, NoBrowser: true, Copy: wizard.SystemCopy(os.Stdout, e.getenv),
		Demo: &wizard.DemoPortal{TenantID: demo.Tenant.ID, TenantDomain: demo.Tenant.Domains[0], ClientID: demo.App.ClientID,
			ObjectID: demo.App.ObjectID, Secret: demo.Secret.Value, SecretID: demo.Secret.KeyID, RedirectURI: entratest.DemoRedirectURI,
			MetadataURL: oidccheck.CanonicalDiscoveryURL(srv.Host, demo.Tenant.ID)}}
	d.DeleteOld = func(hint string) error {
		if !srv.DeleteSecretByHint(demo.App, hint) {
			return errors.New("no secret with that hint in the demo portal")
		}
		return nil
	}
	// Step 2's "let entrasso register the app": the look-alike signs the
	// admin in. A device code (offered first: the demo opens no browser)
	// is approved by the look-alike after two polls, as the admin would
	// enter it; the browser sign-in is played by the demo itself, which
	// follows the short address to the look-alike and back.
	srv.SetDeviceCodeInterval(1)
	srv.AutoApproveDeviceCodes(2)
	player := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()}}}
	d.Graph = wizard.GraphSignIn{Host: srv.Host, DeviceCode: true, Browser: func(short string) error {
		go func() {
			if resp, err := player.Get(short); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}}
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

// menuOrSetup opens the wizard on the saved profile (the menu, or the
// rotation with start), or the setup when `entrasso` finds no profile. The
// full-screen wizard and --accessible take this same decision.
func menuOrSetup(ctx context.Context, g *globals, e env, start string) int {
	if start == "" && len(g.pick) > 1 {
		// Several profiles and no --profile: the wizard asks which one.
		fd, code := g.flowDeps(e, "setup", true)
		if fd == nil {
			return code
		}
		d := wizardDeps(g, e, fd)
		d.Profile, d.Profiles = "", g.pick
		return runWizard(ctx, g, e, d)
	}
	cmd := "rotate"
	if start == "" {
		// Deciding to set up needs no keyring: a profile that does not
		// exist is found without opening one.
		if dir, err := configDir(g); err == nil && store.ValidName(g.profile) == nil {
			if _, err := store.New(dir, nil).Load(g.profile); errors.Is(err, store.ErrNotFound) {
				return setupWizard(ctx, g, e)
			}
		}
		cmd = "setup"
	}
	fd, code := g.flowDeps(e, cmd, true)
	if fd == nil {
		return code
	}
	res := flow.Load(fd, g.profile)
	if res.Profile == nil {
		return finish(e, g, cmd, res)
	}
	// What settling an interrupted change did stays readable after the
	// alternate screen is gone.
	for _, n := range res.Notes {
		fmt.Fprintln(e.stderr, "entrasso: "+oidccheck.SafeText(n))
	}
	d := wizardDeps(g, e, fd)
	d.Current, d.Start = res.Profile, start
	d.Profiles, _ = fd.Store.List()
	return runWizard(ctx, g, e, d)
}
