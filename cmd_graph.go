package main

// The Graph front ends (DESIGN.md "Letting entrasso do Entra's side"):
// setup --graph, rotate --graph, rotate --finish --graph, status --live and
// test-login --graph. Each signs the admin in (the short loopback address,
// or the device code, on stderr so that stdout keeps the report), calls
// one flow and prints its result.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/store"
	"entrasso/wizard"
)

// defaultGraphExpiry is the new secret's lifetime when --graph is given
// without --secret-expires: the portal's recommended 180 days.
const defaultGraphExpiry = "180d"

// crashHook ends the process at a named point of a Graph sequence when
// ENTRASSO_TEST_CRASH_AT names it: the kill tests' way to stop the built
// binary between a change in Entra and the next write, as a crash would.
func crashHook(e env) func(string) {
	at := e.getenv("ENTRASSO_TEST_CRASH_AT")
	if at == "" {
		return nil
	}
	return func(point string) {
		if point != at {
			return
		}
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Kill()
		}
		select {}
	}
}

// graphSignIn signs the admin in to Microsoft Graph: in the browser
// through the short loopback address, or with a device code when asked
// (--device-code) or when no browser can be opened here (over SSH, no
// display). What to open or enter goes to stderr, the address alone on a
// line.
func (g *globals) graphSignIn(ctx context.Context, e env, d *flow.Deps, loginHost, tenant string) (*flow.GraphSession, flow.Result) {
	canOpen := wizard.CanOpenBrowser(false, e.getenv)
	device := g.deviceCode || (!g.noBrowser && !canOpen)
	in := flow.GraphSignIn{LoginHost: loginHost, GraphHost: g.graphHost, Tenant: tenant, ClientID: g.graphClientID, DeviceCode: device,
		Timeout: flow.DefaultGraphSignInTimeout}
	in.Open = func(short string) error {
		fmt.Fprintf(e.stderr, "Sign in to Microsoft Graph as an admin of %s. Open this address in a browser on this machine:\n%s\n", oidccheck.SafeText(tenant), short)
		if !g.noBrowser && canOpen && wizard.OpenBrowser(short) == nil {
			fmt.Fprintln(e.stderr, "(a browser window was opened; without a browser here use --device-code)")
		}
		return nil
	}
	in.ShowCode = func(c flow.DeviceCode) {
		fmt.Fprintf(e.stderr, "Sign in to Microsoft Graph as an admin of %s: on any device, open\n%s\nand enter the code\n%s\n", oidccheck.SafeText(tenant),
			oidccheck.SafeText(c.VerificationURI), oidccheck.SafeText(c.UserCode))
	}
	gs, r := flow.SignIn(ctx, d, in)
	r.Report.Profile = g.profile
	if gs != nil && !g.json {
		fmt.Fprintln(e.stderr, "entrasso: "+r.Report.Checks[0].Message)
	}
	return gs, r
}

// withSignIn puts the sign-in's checks in front of a flow's.
func withSignIn(sign, res flow.Result) flow.Result {
	res.Report.Checks = append(append([]oidccheck.Check{}, sign.Report.Checks...), res.Report.Checks...)
	res.Report.OK = !res.Report.Failed()
	return res
}

// graphProfile loads the profile a Graph command works on, settling an
// interrupted change first; on failure it has printed why.
func (g *globals) graphProfile(e env, d *flow.Deps, cmd string) (*store.Profile, int, bool) {
	r := flow.Load(d, g.profile)
	if r.Profile == nil {
		return nil, finish(e, g, cmd, r), false
	}
	for _, n := range r.Notes {
		fmt.Fprintln(e.stderr, "entrasso: "+oidccheck.SafeText(n))
	}
	return r.Profile, exitOK, true
}

func (g *globals) graphTenant(p *store.Profile) string {
	if g.tenant != "" {
		return g.tenant
	}
	return p.TenantID
}

// setupGraph is setup --graph: entrasso registers (or adopts) the app and
// makes the secret itself. Interactive or not, it runs from flags (the
// wizard offers the same at step 2).
func setupGraph(ctx context.Context, g *globals, e env, v *valueFlags, appName, logoutURL string) int {
	if v.secretStdin || e.getenv("ENTRASSO_CLIENT_SECRET") != "" {
		return usage(e, g, "setup", usagef("--graph makes the secret in Entra itself: give no secret (--client-secret-stdin, ENTRASSO_CLIENT_SECRET)"))
	}
	tenant := g.tenant
	discovery := ""
	if v.discoveryURL.set {
		disc, res := oidccheck.ParseDiscovery(v.discoveryURL.value, g.authorityHost)
		if !res.OK() {
			return usage(e, g, "setup", usagef("--discovery-url is not a tenant or metadata URL entrasso can read"))
		}
		discovery = v.discoveryURL.value
		if tenant == "" {
			tenant = disc.Tenant
		}
	}
	var missing []string
	if !v.redirectURI.set {
		missing = append(missing, "--redirect-uri (Syncro's)")
	}
	if tenant == "" {
		missing = append(missing, "--tenant (the tenant's ID or domain)")
	}
	if len(missing) > 0 {
		return usage(e, g, "setup", usagef("--graph is missing %s", strings.Join(missing, ", ")))
	}
	if discovery == "" {
		discovery = tenant
	}
	if !v.secretExpires.set {
		_ = v.secretExpires.Set(defaultGraphExpiry)
	}
	expires, err := v.expiry(e.now())
	if err != nil {
		return usage(e, g, "setup", err)
	}
	desc := v.secretDescription.value
	if desc == "" {
		desc = flow.DefaultAppName
	}
	in := flow.RegisterInput{Profile: g.profile, RedirectURI: v.redirectURI.value, LogoutURL: logoutURL, AppName: appName,
		ClientID: v.clientID.value, Tenant: discovery, SecretDescription: desc, SecretExpires: expires, Wait: g.waitPrinter(e, v.propagationWait)}
	d, code := g.flowDeps(e, "setup", true)
	if d == nil {
		return code
	}
	// Before the sign-in: values that cannot work, and a keyring that
	// cannot keep the secret, stop here with nothing done in Entra.
	if r := flow.CheckRegister(&in); r.Failed() {
		return finish(e, g, "setup", r)
	}
	if r := flow.Probe(ctx, d); r.Failed() {
		r.Report.Profile = g.profile
		return finish(e, g, "setup", r)
	}
	gs, sr := g.graphSignIn(ctx, e, d, g.authorityHost, tenant)
	if gs == nil {
		return finish(e, g, "setup", sr)
	}
	res := withSignIn(sr, flow.RegisterGraph(ctx, d, gs, in))
	code = finish(e, g, "setup", res)
	if code == exitOK && res.Next != "" && !g.json {
		fmt.Fprintln(e.stdout, "\nNext: "+oidccheck.SafeText(res.Next))
	}
	return code
}

// rotateGraph is rotate --graph: a new secret added through Graph, proven
// and promoted; interactively the admin then confirms that Syncro has it
// and the old one is removed at once, else rotate --finish --graph does.
func rotateGraph(ctx context.Context, g *globals, e env, v *valueFlags, removeUnknown, nonInteractive bool) int {
	if v.secretStdin || e.getenv("ENTRASSO_CLIENT_SECRET") != "" {
		return usage(e, g, "rotate", usagef("--graph makes the new secret in Entra itself: give no secret (--client-secret-stdin, ENTRASSO_CLIENT_SECRET)"))
	}
	if !v.secretExpires.set {
		_ = v.secretExpires.Set(defaultGraphExpiry)
	}
	expires, err := v.expiry(e.now())
	if err != nil {
		return usage(e, g, "rotate", err)
	}
	d, code := g.flowDeps(e, "rotate", true)
	if d == nil {
		return code
	}
	p, code, ok := g.graphProfile(e, d, "rotate")
	if !ok {
		return code
	}
	interactive := !nonInteractive && !g.json && isTerminal(e.stdin)
	in := bufio.NewReader(e.stdin)
	ask := func(q string) bool {
		fmt.Fprint(e.stderr, q+" [y/N] ")
		line, _ := in.ReadString('\n')
		return strings.HasPrefix(strings.ToLower(strings.TrimSpace(line)), "y")
	}
	gs, sr := g.graphSignIn(ctx, e, d, p.AuthorityHost, g.graphTenant(p))
	if gs == nil {
		return finish(e, g, "rotate", sr)
	}
	rin := flow.GraphRotateInput{Profile: g.profile, Description: v.secretDescription.value, Expires: expires, Wait: g.waitPrinter(e, v.propagationWait)}
	switch {
	case removeUnknown:
		rin.RemoveUnknown = func(flow.PasswordCredential, bool) bool { return true }
	case interactive:
		rin.RemoveUnknown = func(c flow.PasswordCredential, ours bool) bool {
			what := fmt.Sprintf("%s… (Secret ID %s, %q)", c.Hint, c.KeyID, c.DisplayName)
			if ours {
				return ask("The secret " + oidccheck.SafeText(what) + " looks like one an interrupted entrasso run left. Remove it in Entra?")
			}
			return ask("The secret " + oidccheck.SafeText(what) + " is unknown to entrasso. Remove it in Entra (only if nothing uses it)?")
		}
	}
	res := withSignIn(sr, flow.RotateGraph(ctx, d, gs, rin))
	code = finish(e, g, "rotate", res)
	if code != exitOK || g.json {
		return code
	}
	fmt.Fprintln(e.stdout, "\nNext: "+oidccheck.SafeText(res.Next))
	if !interactive {
		return code
	}
	fmt.Fprint(e.stderr, "\nPaste the new secret into Syncro now (run entrasso secret | pbcopy in another terminal), click Save & Verify SSO.\n")
	if !ask("Does Syncro work with the new secret? Then the old one is removed in Entra.") {
		fmt.Fprintln(e.stderr, "The old secret stays, in Entra and here. Finish later with: entrasso rotate --finish --graph")
		return exitOK
	}
	return printFinishGraph(e, g, flow.FinishGraph(ctx, d, gs, g.profile))
}

// rotateFinishGraph is rotate --finish --graph.
func rotateFinishGraph(ctx context.Context, g *globals, e env) int {
	d, code := g.flowDeps(e, "rotate", true)
	if d == nil {
		return code
	}
	p, code, ok := g.graphProfile(e, d, "rotate --finish")
	if !ok {
		return code
	}
	gs, sr := g.graphSignIn(ctx, e, d, p.AuthorityHost, g.graphTenant(p))
	if gs == nil {
		return finish(e, g, "rotate --finish", sr)
	}
	return printFinishGraph(e, g, withSignIn(sr, flow.FinishGraph(ctx, d, gs, g.profile)))
}

func printFinishGraph(e env, g *globals, res flow.Result) int {
	code := finish(e, g, "rotate --finish", res)
	if code == exitOK && res.Old != nil && !g.json {
		fmt.Fprintf(e.stdout, "\nThe old secret %s… is removed in Entra and gone from this machine; Syncro uses the new one.\n", res.Old.Hint)
	}
	return code
}

// statusLiveJSON is status --live --json: the saved status, the app's
// secrets as Graph lists them, and the checks of the live read.
type statusLiveJSON struct {
	statusJSON
	OK     bool              `json:"ok"`
	Live   *flow.LiveStatus  `json:"live"`
	Checks []oidccheck.Check `json:"checks"`
}

// statusLive signs in and lists the app's secrets after the saved status.
func statusLive(ctx context.Context, g *globals, e env, st statusJSON) int {
	d, code := g.flowDeps(e, "status", true)
	if d == nil {
		return code
	}
	p, code, ok := g.graphProfile(e, d, "status")
	if !ok {
		return code
	}
	gs, sr := g.graphSignIn(ctx, e, d, p.AuthorityHost, g.graphTenant(p))
	res := sr
	if gs != nil {
		res = withSignIn(sr, flow.ListCredentials(ctx, d, gs, g.profile))
	}
	if g.json {
		out := statusLiveJSON{statusJSON: st, OK: !res.Failed(), Live: res.Live, Checks: res.Report.Checks}
		if out.Checks == nil {
			out.Checks = []oidccheck.Check{}
		}
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(out)
		_, _ = e.stdout.Write(oidccheck.SafeJSON(b.Bytes()))
		return res.ExitCode()
	}
	printStatus(e.stdout, st)
	if res.Live != nil {
		printLive(e.stdout, res.Live)
	}
	var problems oidccheck.Report
	for _, c := range res.Report.Checks {
		if c.Status != oidccheck.StatusPass {
			problems.Add(c)
		}
	}
	if len(problems.Checks) > 0 {
		fmt.Fprintln(e.stdout)
		_ = problems.WriteText(e.stdout)
	}
	return res.ExitCode()
}

func printLive(w io.Writer, l *flow.LiveStatus) {
	fmt.Fprintf(w, "\nClient secrets of the app %q in Entra (read through Microsoft Graph):\n", oidccheck.SafeText(l.AppName))
	if len(l.Credentials) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, c := range l.Credentials {
		who := map[string]string{"current": "stored by entrasso (current)", "previous": "stored by entrasso (previous)", "unknown": "UNKNOWN to entrasso"}[c.Stored]
		if c.LeftByEntrasso {
			who += ", left by an interrupted entrasso run"
		}
		days := "no expiry"
		if c.DaysLeft != nil {
			days = fmt.Sprintf("%d days left", *c.DaysLeft)
			if c.Expired {
				days = "EXPIRED"
			}
		}
		start, end := "?", "?"
		if c.Start != nil {
			start = c.Start.Format("2006-01-02")
		}
		if c.End != nil {
			end = c.End.Format("2006-01-02")
		}
		fmt.Fprintf(w, "  %s… %q  Secret ID %s\n      %s to %s (%s); %s\n", oidccheck.SafeText(c.Hint), oidccheck.SafeText(c.Description),
			oidccheck.SafeText(c.KeyID), start, end, days, who)
	}
	for _, m := range l.Missing {
		fmt.Fprintf(w, "  the %s secret entrasso stores is NOT in Entra\n", m)
	}
	switch l.Policy {
	case "max_lifetime":
		fmt.Fprintf(w, "Tenant policy: a client secret lasts at most %s (about %d days)\n", l.MaxLifetime, *l.MaxLifetimeDays)
	case "no_secrets":
		fmt.Fprintln(w, "Tenant policy: no new client secrets are allowed")
	case "not_readable":
		fmt.Fprintln(w, "Tenant policy: not readable (Policy.Read.All not granted)")
	default:
		fmt.Fprintln(w, "Tenant policy: no maximum lifetime for client secrets")
	}
}
