package wizard

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
	"golang.org/x/term"
)

// lineReader hands out one line per Read. huh's accessible prompts make a
// new bufio.Scanner for every prompt; a reader that returned more than a
// line would lose the rest to the first scanner.
type lineReader struct{ r *bufio.Reader }

func (l lineReader) Read(p []byte) (int, error) {
	line, err := l.r.ReadSlice('\n')
	if len(line) > len(p) {
		line = line[:len(p)]
	}
	n := copy(p, line)
	if n > 0 {
		return n, nil
	}
	return 0, err
}

// plain runs the wizard's flows as plain line prompts: the same steps of
// package steps, the same flow calls, one line at a time.
type plain struct {
	ctx context.Context
	d   *Deps
	env steps.Env
	in  lineReader
	out io.Writer
	// tty is the input when it is a terminal, where the secret is read
	// with echo off; nil for a pipe.
	tty *os.File
}

// RunAccessible runs every flow of the wizard as plain line prompts, for
// screen readers (--accessible, TERM=dumb, ACCESSIBLE): the setup; with a
// saved profile the menu (rotate, verify, test sign-in, the values for
// Syncro, start over); with Deps.Start the rotation alone.
func RunAccessible(ctx context.Context, d *Deps, in io.Reader, out io.Writer) int {
	a := &plain{ctx: ctx, d: d, env: steps.Env{AuthorityHost: d.Flow.AuthorityHost, Now: d.now(), Plain: true},
		in: lineReader{bufio.NewReader(in)}, out: out, tty: ttyOf(in)}
	a.say("entrasso: Syncro single sign-on with Microsoft Entra ID (plain prompts)")
	if res := flow.Probe(ctx, d.Flow); res.Failed() {
		c, _ := res.Report.FirstFailure()
		a.say("The client secret cannot be kept on this machine. %s", plainCheck(c))
		if _, file := d.Flow.Store.Keyring.(*store.FileKeyring); file {
			a.say("Nothing was saved.")
		} else {
			a.say("Nothing was saved. Run again with --insecure-storage to keep it in a plain 0600 file instead (not advised).")
		}
		return ExitStore
	}
	switch d.opening() {
	case openPick:
		name := d.Profiles[0]
		var opts []huh.Option[string]
		for _, p := range d.Profiles {
			opts = append(opts, huh.NewOption(p, p))
		}
		if !a.ask(huh.NewSelect[string]().Title(fmt.Sprintf("There are %d profiles. Which one?", len(d.Profiles))).Options(opts...).Value(&name)) {
			return ExitInterrupted
		}
		a.d = d.withProfile(name)
		res := flow.Load(a.d.Flow, name)
		if res.Profile == nil || res.Failed() {
			a.report(res)
			return res.ExitCode()
		}
		return a.menu(res.Profile)
	case openRotation:
		code, _ := a.rotate(d.Current)
		return code
	case openMenu:
		return a.menu(d.Current)
	}
	return a.setup()
}

func (a *plain) say(format string, args ...any) { fmt.Fprintf(a.out, format+"\n", args...) }

// ask runs one field as a plain prompt; false at the end of the input,
// which cancels.
func (a *plain) ask(f huh.Field) bool {
	// From a pipe, the end of input ends the prompts (huh would ask again
	// and again). On a terminal nothing may wait before the prompt is
	// shown: a peek would hold the question back until the admin typed.
	if a.tty == nil {
		if _, err := a.in.r.Peek(1); err != nil {
			return false
		}
	}
	return huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(a.in).WithOutput(a.out).Run() == nil
}

// readSecret asks for the secret's Value. On a terminal it is read with
// echo off (huh's own password prompt cannot reach the terminal through
// the line reader, and would leave the paste on screen); from a pipe it is
// a line, which nothing echoes. ok is false at the end of input.
func (a *plain) readSecret() (string, bool) {
	if a.tty != nil {
		fmt.Fprint(a.out, "Value (the secret; it is not shown as you paste): ")
		b, err := term.ReadPassword(int(a.tty.Fd()))
		fmt.Fprintln(a.out)
		return string(b), err == nil
	}
	fmt.Fprint(a.out, "Value (the secret): ")
	line, err := a.in.r.ReadString('\n')
	if err != nil && line == "" {
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}

// askFields prompts for each field of a step. The secret is asked without
// echo on a terminal; from a pipe it is read as a line (nothing echoes it).
func (a *plain) askFields(def steps.Step, v *steps.Values) bool {
	for _, f := range def.Fields(v, a.env) {
		if f.GetKey() == "custom_date" && v.SecretExpiry != "custom" {
			continue
		}
		if f.GetKey() == "secret" {
			for {
				line, ok := a.readSecret()
				if !ok {
					return false
				}
				v.Secret = line
				if e := oidccheck.CheckSecret(v.Secret).Err(); e != nil {
					fmt.Fprintln(a.out, e)
					continue
				}
				break
			}
			continue
		}
		if !a.ask(f) {
			return false
		}
	}
	return true
}

// report prints a flow's result: what settling an earlier change did, then
// every check.
func (a *plain) report(res flow.Result) {
	for _, n := range res.Notes {
		a.say("%s", oidccheck.SafeText(n))
	}
	for _, c := range res.Report.Checks {
		a.say("%s", plainCheck(c))
	}
}

// wait is the propagation wait of a new secret, said as it happens.
func (a *plain) wait() flow.Wait {
	return waitFor(func(n tea.Msg) { a.say("%s.", n.(waitedMsg).text()) })
}

// setup is steps 1 to 7, resuming an unfinished run when the admin wants.
func (a *plain) setup() int {
	d := a.d
	v := &steps.Values{}
	v.Defaults()
	n := stepRedirect.number()
	if p, ok := d.Flow.Store.LoadProgress(d.Profile); ok && p.Step >= 1 && entered(p) && d.Demo == nil {
		resume := true
		if !a.ask(huh.NewConfirm().Title(fmt.Sprintf("An unfinished setup stopped at step %d. %s?", p.Step, resumeLabel(p.Step))).Value(&resume)) {
			return ExitInterrupted
		}
		if resume {
			*v = steps.Values{RedirectURI: p.RedirectURI, LogoutURL: p.LogoutURL, AppChoice: p.AppChoice, ClientID: p.ClientID,
				SecretDescription: p.SecretDescription, SecretExpiry: p.SecretExpiry, SecretCustomDate: p.SecretCustomDate, Discovery: p.Discovery}
			v.Defaults()
			n = min(p.Step, stepSecret.number())
		}
	}
	defs := steps.All()
	var saved *store.Profile
	for n <= stepSyncro.number() {
		if a.ctx.Err() != nil {
			return ExitInterrupted
		}
		def := defs[n-1]
		a.say("\nStep %d of 7: %s\n%s", n, def.Title, def.Instructions(v, a.env))
		if def.Link != nil {
			if l, ok := def.Link(v, a.env); ok {
				a.say("Portal page (%s): %s", l.Label, l.URL)
			}
		}
		for _, row := range demoRows(d.Demo, step(n)) {
			a.say("Demo portal: %s", row)
		}
		switch step(n) {
		case stepSave:
			a.say("Checking with Entra…")
			expires, err := steps.ExpiryDate(v, a.env.Now)
			if err != nil {
				a.say("The expiry date cannot be read: %v. Back to step 4.", err)
				n = stepSecret.number()
				continue
			}
			res := flow.Setup(a.ctx, d.Flow, flow.SetupInput{Profile: d.Profile, RedirectURI: v.RedirectURI, ClientID: v.ClientID,
				Discovery: v.Discovery, Secret: v.Secret, SecretDescription: v.SecretDescription, SecretExpires: expires, Wait: a.wait()})
			a.report(res)
			if c, failed := res.Report.FirstFailure(); failed {
				if st := fieldStep(c.Field); st != stepSave {
					a.say("Back to step %d to fix the %s.", st.number(), c.Field.Label())
					n = st.number()
					continue
				}
				return res.ExitCode()
			}
			v.DiscoveryURL, v.TenantID, v.Secret = res.Report.Values.DiscoveryURL, res.Report.Values.TenantID, ""
			saved = res.Profile
			a.say("Saved as profile %s.", d.Profile)
		case stepSyncro:
			a.copies(def.Copies(v, a.env))
			exp, _ := steps.ExpiryDate(v, a.env.Now)
			a.say("Before you enforce SSO for the whole account:")
			for _, item := range steps.Checklist(exp, a.env) {
				a.say("- %s", item)
			}
		default:
			if def.Copies != nil {
				for _, c := range def.Copies(v, a.env) {
					a.say("%s: %s", c.Label, c.Value)
				}
			}
			if d.Demo == nil && entered(progressOf(n, v)) {
				if err := d.Flow.Store.SaveProgress(d.Profile, progressOf(n, v)); err != nil {
					a.say("Progress not saved: %v", err)
				}
			}
			if def.Fields != nil && !a.askFields(def, v) {
				return ExitInterrupted
			}
			checks := def.Check(v, a.env)
			for _, c := range checks {
				a.say("%s", plainCheck(c))
			}
			if failed(checks) {
				continue
			}
			if step(n) == stepRegister && v.AppChoice == steps.AppGraph {
				// entrasso does steps 2 to 6 itself (graph_accessible.go).
				p, portal, code := a.graphSetup(v)
				switch {
				case code == ExitInterrupted:
					return code
				case portal:
					a.say("Switched to the portal path; the values entered so far are kept.")
					continue
				}
				v.ClientID, v.DiscoveryURL, v.TenantID, v.Secret = p.ClientID, p.DiscoveryURL, p.TenantID, ""
				saved = p
				n = stepSyncro.number()
				continue
			}
			if step(n) == stepDiscovery {
				_, c := flow.Discover(a.ctx, d.Flow, v.Discovery)
				a.say("%s", plainCheck(c))
			}
		}
		n++
	}
	if d.Demo != nil && saved != nil {
		// The demo goes on to the menu a re-run would open.
		return a.menu(saved)
	}
	run := false
	if saved != nil && a.ask(huh.NewConfirm().Title("Run a test sign-in through the browser now?").Value(&run)) && run {
		a.signIn(saved)
	}
	return ExitDone
}

// copies says the values Syncro needs; never the secret.
func (a *plain) copies(cs []steps.Copy) {
	for _, c := range cs {
		if c.Secret {
			a.say("%s: the secret's Value (entrasso secret prints it)", c.Label)
			continue
		}
		a.say("%s: %s", c.Label, c.Value)
	}
}

// menu is the re-run over a saved profile, until the admin quits.
func (a *plain) menu(p *store.Profile) int {
	d := a.d
	for {
		if a.ctx.Err() != nil {
			return ExitInterrupted
		}
		days, _ := daysText(p.Secret, a.env.Now)
		a.say("\nProfile %s, client ID %s. Secret %s… %q expires %s: %s. Last verified: %s; last sign-in: %s.",
			p.Name, p.ClientID, p.Secret.Hint, p.Secret.Description, orNone(p.Secret.Expires), days, when(p.LastVerified), when(p.LastSignIn))
		if p.Previous != nil {
			a.say("A rotation is in progress: the previous secret %s… is still kept.", p.Previous.Hint)
		}
		choice := menuRotate
		if !a.ask(huh.NewSelect[string]().Title("What now?").Options(menuOptions(p)...).Value(&choice)) {
			return ExitInterrupted
		}
		switch choice {
		case menuRotate:
			code, np := a.rotate(p)
			if code == ExitInterrupted {
				return code
			}
			p = np
		case menuVerify:
			a.say("Checking with Entra…")
			res := flow.Verify(a.ctx, d.Flow, d.Profile)
			a.report(res)
			if res.Profile != nil {
				p = res.Profile
			}
		case menuLogin:
			if np := a.signIn(p); np != nil {
				p = np
			}
		case menuValue:
			a.copies(steps.RotateSyncroStep(false).Copies(syncroValues(p), a.env))
		case menuOver:
			over := false
			if !a.ask(huh.NewConfirm().Title("Forget profile " + p.Name + " and its stored secrets? The app and its secrets in Entra stay as they are.").Value(&over)) {
				return ExitInterrupted
			}
			if !over {
				continue
			}
			res := flow.Forget(d.Flow, d.Profile)
			a.report(res)
			if res.Failed() {
				continue
			}
			return a.setup()
		default:
			return ExitDone
		}
	}
}

// rotate is the guided rotation, in DESIGN.md's order: a new secret,
// proven live, made current, given to Syncro; only then the old one goes.
// It returns the profile as the rotation left it.
func (a *plain) rotate(p *store.Profile) (int, *store.Profile) {
	d := a.d
	if p.AppObjectID != "" {
		return a.graphRotate(p)
	}
	v := syncroValues(p)
	if p.Previous == nil {
		v.SecretExpiry, v.SecretDescription = "", "Syncro SSO "+a.env.Now.Format("2006")
		v.Defaults()
		def := steps.RotateSecretStep(currentSecret(p, a.env))
		a.say("\nRotating the client secret, 1 of 2: %s\n%s", def.Title, def.Instructions(v, a.env))
		if l, ok := def.Link(v, a.env); ok {
			a.say("Portal page (%s): %s", l.Label, l.URL)
		}
		if d.DemoNewSecret != nil {
			value, keyID := d.DemoNewSecret()
			a.say("Demo portal: your new secret: Value %s, Secret ID %s", value, keyID)
		}
		for {
			if a.ctx.Err() != nil || !a.askFields(def, v) {
				return ExitInterrupted, p
			}
			checks := def.Check(v, a.env)
			for _, c := range checks {
				a.say("%s", plainCheck(c))
			}
			if failed(checks) {
				continue
			}
			expires, err := steps.ExpiryDate(v, a.env.Now)
			if err != nil {
				a.say("The expiry date cannot be read: %v", err)
				continue
			}
			a.say("Proving the new secret at Entra's token endpoint…")
			res := flow.Rotate(a.ctx, d.Flow, flow.RotateInput{Profile: d.Profile, Secret: v.Secret, Description: v.SecretDescription,
				Expires: expires, Wait: a.wait()})
			a.report(res)
			if !res.Failed() {
				if res.Profile != nil {
					p = res.Profile
				}
				v.Secret = ""
				break
			}
		}
	}
	def := steps.RotateSyncroStep(p.Previous != nil)
	a.say("\nRotating the client secret, 2 of 2: %s", def.Title)
	a.say("%s", def.Instructions(v, a.env))
	if p.Previous == nil {
		// flow said so above: no earlier secret was left to keep, so there
		// is nothing to drop.
		a.copies(def.Copies(v, a.env))
		return ExitDone, p
	}
	a.copies(def.Copies(v, a.env))
	v.AppChoice = "no" // never default to dropping a secret
	if !a.ask(def.Fields(v, a.env)[0]) {
		return ExitInterrupted, p
	}
	if v.AppChoice != "yes" {
		a.say("The new secret stays current and the old one is kept. Finish later with entrasso rotate --finish.")
		return ExitDone, p
	}
	res := flow.Finish(a.ctx, d.Flow, d.Profile)
	a.report(res)
	if res.Old != nil {
		if l, ok := def.Link(v, a.env); ok {
			a.say("Now delete the old secret in Entra (%s): %s", l.Label, l.URL)
		}
		a.say("It is the one whose Value starts with %s…, description %q, expiring %s.", res.Old.Hint, oidccheck.SafeText(res.Old.Description), orNone(res.Old.Expires))
	}
	if res.Profile != nil {
		p = res.Profile
	}
	return ExitDone, p
}

// signIn is the test sign-in. The sign-in page's URL is printed alone on
// its line when no browser opens, for the admin to open elsewhere. It
// returns the profile as the sign-in left it.
func (a *plain) signIn(p *store.Profile) *store.Profile {
	d := a.d
	page := AuthenticationURL(p)
	timeout := oidccheck.DefaultLoginTimeout
	res := flow.TestLogin(a.ctx, d.Flow, flow.LoginInput{Profile: d.Profile, Timeout: timeout, Open: func(u string) error {
		a.say("The app needs %s as a Web redirect URI (Authentication: %s).", oidccheck.LoopbackRedirectURI, page)
		if !d.NoBrowser && d.OpenURL != nil && d.OpenURL(u) == nil {
			a.say("Sign in in the browser window that opened; waiting up to %s.", timeout)
			return nil
		}
		a.say("Open this URL in a browser on this machine and sign in; waiting up to %s:", timeout)
		a.say("%s", u)
		return nil
	}})
	a.report(res)
	if res.Identity != nil && !res.Failed() {
		a.say("The sign-in works. You may remove %s from the app again (Authentication: %s).", oidccheck.LoopbackRedirectURI, page)
	}
	return res.Profile
}

func plainCheck(c oidccheck.Check) string {
	c = c.Safe()
	s := strings.ToUpper(string(c.Status)) + ": " + c.Message
	if c.Code != "" {
		s += " [" + string(c.Code) + "]"
	}
	if c.Fix != "" && c.Status != oidccheck.StatusPass {
		s += ". Fix: " + c.Fix
	}
	if c.Cleaned != "" {
		s += ". From the paste: " + c.Cleaned
	}
	if c.TraceID != "" || c.CorrelationID != "" {
		s += ". Entra trace ID " + c.TraceID + ", correlation ID " + c.CorrelationID
	}
	return s
}

// ttyOf returns r when it is a terminal, and nil otherwise.
func ttyOf(r io.Reader) *os.File {
	if f, ok := r.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return f
	}
	return nil
}
