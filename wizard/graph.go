package wizard

// Step 2's other way (DESIGN.md "Letting entrasso do Entra's side:
// Microsoft Graph"): the admin signs in (the browser through the short
// loopback address, or a device code), and flow.RegisterGraph finds or
// registers the app, its service principal, reads the tenant's policy, adds
// a secret and proves it live; the setup then shows step 7. Each Graph
// call is shown as it happens: the flows' HTTP client is observed, so the
// screen lists what really went to Graph and to Entra, not what was meant
// to.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// GraphSignIn is how the wizard signs the admin in to Microsoft Graph:
// the command's --graph-host, --graph-client-id, --tenant and
// --device-code. The device code is also chosen when no browser can be
// opened (Deps.NoBrowser).
type GraphSignIn struct {
	// Host is the Graph host; empty means the one of the login host's
	// cloud (flow.GraphHostFor).
	Host string
	// ClientID is the public client; empty means Microsoft Graph Command
	// Line Tools.
	ClientID string
	// Tenant is the tenant's ID or domain, offered at step 2.
	Tenant string
	// DeviceCode preselects the device code sign-in.
	DeviceCode bool
	// Timeout bounds the browser sign-in's wait; zero means
	// flow.DefaultGraphSignInTimeout.
	Timeout time.Duration
	// Browser, when set, is the browser of the admin's Graph sign-in
	// instead of OpenURL: the demo plays it against the look-alike.
	Browser func(shortURL string) error
}

// Notes of a running Graph sequence.
type (
	// graphSignInMsg is the sign-in the admin must complete: the short
	// loopback address (opened says a browser was sent there), or a
	// device code.
	graphSignInMsg struct {
		short  string
		opened bool
		code   *flow.DeviceCode
	}
	// graphProgressMsg is every Graph and Entra call so far. The screen
	// calls ack once it has it: until then no other is sent, so progress
	// never crowds the live check's notes out (it drops notes it has no
	// room for), and the latest state follows the ack.
	graphProgressMsg struct {
		calls []graphCall
		ack   func()
	}
	// graphRegisteredMsg is flow.RegisterGraph's result, the sign-in's
	// checks first; gs is the session, kept for what follows.
	graphRegisteredMsg struct {
		result flow.Result
		gs     *flow.GraphSession
	}
)

// Messages between the setup and its Graph path; the parent handles them.
type (
	// showGraphMsg opens step 2's Graph path on the setup's values.
	showGraphMsg struct{}
	// graphClosedMsg returns to the setup: with the saved result, to step
	// 7; without, to step 2 with everything entered so far (portal: the
	// admin chose the portal path).
	graphClosedMsg struct {
		saved  *flow.Result
		portal bool
		flash  string
	}
)

// graphCall is one call of the sequence, as the screen lists it.
type graphCall struct {
	what string
	// running counts the requests in flight; tries those sent.
	running, tries int
	failed         bool
	status         int
}

// graphTracker observes the HTTP client of one Graph sequence and sends
// the whole list on every change, one note at a time: while the screen has
// not taken the last one, changes only mark the list dirty, and the ack
// sends the latest.
type graphTracker struct {
	mu       sync.Mutex
	calls    []graphCall
	signedIn bool
	// inFlight: a note was sent and not yet acknowledged; dirty: the list
	// changed since.
	inFlight, dirty bool
	note            func(tea.Msg)
	next            http.RoundTripper
}

// observe returns a copy of the flow's dependencies whose HTTP client
// reports each call of the sequence to note. Nothing is read from the
// requests but their method and path.
func observe(fd *flow.Deps, note func(tea.Msg)) (*flow.Deps, *graphTracker) {
	d := *fd
	base := d.HTTP
	if base == nil {
		base = http.DefaultClient
	}
	c := *base
	t := &graphTracker{note: note, next: c.Transport}
	if t.next == nil {
		t.next = http.DefaultTransport
	}
	c.Transport = t
	d.HTTP = &c
	return &d, t
}

// started marks the sign-in as done: the calls from now on are the
// sequence's (the sign-in's own polls are not listed).
func (t *graphTracker) started(who string) {
	t.mu.Lock()
	t.signedIn = true
	t.calls = append(t.calls, graphCall{what: who, tries: 1})
	t.send()
}

// send sends the list, or marks it dirty while a note is in flight. It is
// called with t.mu held and releases it.
func (t *graphTracker) send() {
	if t.inFlight {
		t.dirty = true
		t.mu.Unlock()
		return
	}
	t.inFlight, t.dirty = true, false
	out := append([]graphCall(nil), t.calls...)
	t.mu.Unlock()
	t.note(graphProgressMsg{calls: out, ack: t.ack})
}

// ack says the screen has the last list; a newer one is sent.
func (t *graphTracker) ack() {
	t.mu.Lock()
	t.inFlight = false
	if !t.dirty {
		t.mu.Unlock()
		return
	}
	t.send()
}

func (t *graphTracker) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	what := ""
	if t.signedIn {
		what = callName(req.Method, req.URL)
	}
	if what == "" {
		t.mu.Unlock()
		return t.next.RoundTrip(req)
	}
	i := t.index(what)
	t.calls[i].running++
	t.calls[i].tries++
	t.send()
	resp, err := t.next.RoundTrip(req)
	t.mu.Lock()
	i = t.index(what)
	t.calls[i].running--
	t.calls[i].failed = err != nil || resp.StatusCode >= 400
	if err == nil {
		t.calls[i].status = resp.StatusCode
	}
	t.send()
	return resp, err
}

func (t *graphTracker) index(what string) int {
	for i, c := range t.calls {
		if c.what == what {
			return i
		}
	}
	t.calls = append(t.calls, graphCall{what: what})
	return len(t.calls) - 1
}

// callName says what a request of the sequence does, "" for one not
// listed (a token refresh).
func callName(method string, u *url.URL) string {
	p := u.Path
	switch {
	case strings.HasSuffix(p, "/addPassword"):
		return "Adding the new client secret (addPassword)"
	case strings.HasSuffix(p, "/removePassword"):
		return "Removing a client secret in Entra (removePassword)"
	case strings.Contains(p, "/policies/defaultAppManagementPolicy"):
		return "Reading the tenant's secret lifetime policy"
	case strings.Contains(p, "/servicePrincipals"):
		return "The app's service principal"
	case method == http.MethodPost && strings.HasSuffix(p, "/applications"):
		return "Registering the app"
	case method == http.MethodPatch && strings.Contains(p, "/applications/"):
		return "Adding Syncro's redirect URI to the app"
	case strings.Contains(p, "/applications"):
		return "Finding the app"
	case strings.HasSuffix(p, "/.well-known/openid-configuration"):
		return "Live proof: the metadata document"
	case strings.Contains(p, "/discovery/") && strings.HasSuffix(p, "/keys"):
		return "Live proof: the signing keys"
	case method == http.MethodPost && strings.HasSuffix(p, "/oauth2/v2.0/token"):
		return "Live proof: the new secret at Entra's token endpoint"
	}
	return ""
}

// adminSignIn is the admin's Graph sign-in on screen: the short address or
// the code, then the calls of the sequence.
type adminSignIn struct {
	short  string
	opened bool
	code   *flow.DeviceCode
	calls  []graphCall
}

// signInInput is flow's sign-in with the wizard's ways to show it: the
// browser is sent to the short address (or the demo plays it), the device
// code is shown; both become notes.
func signInInput(d *Deps, loginHost, tenant, method string, note func(tea.Msg)) flow.GraphSignIn {
	g := d.Graph
	in := flow.GraphSignIn{LoginHost: loginHost, GraphHost: g.Host, Tenant: tenant, ClientID: g.ClientID,
		DeviceCode: method == steps.SignInDevice, Timeout: g.Timeout}
	if in.Timeout <= 0 {
		in.Timeout = flow.DefaultGraphSignInTimeout
	}
	in.Open = func(short string) error {
		opened := false
		switch {
		case g.Browser != nil:
			opened = g.Browser(short) == nil
		case !d.NoBrowser && d.OpenURL != nil:
			opened = d.OpenURL(short) == nil
		}
		note(graphSignInMsg{short: short, opened: opened})
		return nil
	}
	in.ShowCode = func(c flow.DeviceCode) { note(graphSignInMsg{code: &c}) }
	return in
}

// defaultMethod is the sign-in the admin is offered first: the device code
// when asked for or when no browser can be opened here.
func defaultMethod(d *Deps) string {
	if d.Graph.DeviceCode || (d.NoBrowser && d.Graph.Browser == nil) {
		return steps.SignInDevice
	}
	return steps.SignInBrowser
}

func otherMethod(m string) string {
	if m == steps.SignInDevice {
		return steps.SignInBrowser
	}
	return steps.SignInDevice
}

func methodName(m string) string {
	if m == steps.SignInDevice {
		return "the device code"
	}
	return "the browser"
}

// noted takes a note of the running sequence; the command it returns
// copies a device code as it is shown.
func (a *adminSignIn) noted(d *Deps, note tea.Msg) tea.Cmd {
	switch n := note.(type) {
	case graphSignInMsg:
		if n.code != nil {
			a.code = n.code
			return copyValue(d, steps.Copy{Label: "the code " + n.code.UserCode, Value: n.code.UserCode})
		}
		a.short, a.opened = n.short, n.opened
	case graphProgressMsg:
		a.calls = n.calls
	}
	return nil
}

// ackProgress acknowledges a progress note, even one of a check that no
// longer runs (its tracker then sends nothing more that matters).
func ackProgress(msg tea.Msg) {
	if n, ok := msg.(liveNoteMsg); ok {
		if p, ok := n.note.(graphProgressMsg); ok && p.ack != nil {
			p.ack()
		}
	}
}

// view is the sign-in to complete (until it is done) and the calls so far.
func (a adminSignIn) view(c *common, spin string) string {
	st := c.styles
	var b strings.Builder
	if len(a.calls) == 0 {
		switch {
		case a.code != nil:
			b.WriteString(c.text("Sign in as an admin of your tenant: on any device, open this address (u copies it)", st.instructions) + "\n")
			b.WriteString(c.text(a.code.VerificationURI, st.instructions) + "\n")
			b.WriteString("and enter the code (copied to the clipboard; y copies it again)\n")
			b.WriteString(st.header.Render(a.code.UserCode) + "\n")
		case a.short != "":
			how := "Open this address in a browser on this machine (u copies it):"
			if a.opened {
				how = "A browser was sent to this address; if none opened, open it on this machine (u copies it):"
			}
			b.WriteString(c.text(how, st.instructions) + "\n" + c.text(a.short, st.instructions) + "\n")
			b.WriteString(c.text("It takes you to Entra's sign-in page; sign in as an admin of your tenant.", st.dim) + "\n")
		}
		return b.String()
	}
	for i, call := range a.calls {
		mark := st.pass.Render("✓")
		switch {
		case i == 0:
		case call.running > 0:
			mark = spin
		case call.failed:
			mark = st.fail.Render("✗")
		}
		line := call.what
		if i == 0 {
			line = "Signed in: " + line
		}
		if call.tries > 1 && i > 0 {
			line += fmt.Sprintf(" (%d tries)", call.tries)
		}
		b.WriteString(mark + " " + c.text(line, st.instructions) + "\n")
	}
	return b.String()
}

// signInCopy is what u copies: the address to open.
func (a adminSignIn) signInCopy() (steps.Copy, bool) {
	switch {
	case len(a.calls) > 0:
	case a.code != nil:
		return steps.Copy{Label: "the device login address", Value: a.code.VerificationURI}, true
	case a.short != "":
		return steps.Copy{Label: "the sign-in address", Value: a.short}, true
	}
	return steps.Copy{}, false
}

// signedInAs is the sign-in's check message, shortened for the first row.
func signedInAs(r flow.Result) string {
	for _, c := range r.Report.Checks {
		if c.Field == oidccheck.FieldGraph && c.Status == oidccheck.StatusPass {
			return strings.TrimPrefix(c.Message, "signed in to ")
		}
	}
	return "Microsoft Graph"
}

// withSignIn puts the sign-in's checks in front of a flow's.
func withSignIn(sign, res flow.Result) flow.Result {
	res.Report.Checks = append(append([]oidccheck.Check{}, sign.Report.Checks...), res.Report.Checks...)
	res.Report.OK = !res.Report.Failed()
	return res
}

// graphWayOut says, for a failed Graph check, the way out beyond its fix:
// the other sign-in, the role, the consent link, the policy's maximum.
func graphWayOut(c oidccheck.Check, method string, consent string) string {
	switch c.Code {
	case oidccheck.CodeSignInBlocked:
		return "Conditional Access blocks " + methodName(method) + " sign-in: o signs in with " + methodName(otherMethod(method)) + " instead."
	case oidccheck.CodeConsentRequired:
		return "An administrator who may consent for the organisation (Global or Privileged Role Administrator) opens the consent link once (l copies it): " + consent
	case oidccheck.CodeInsufficientPrivileges:
		return "Sign in as an admin with the Application Developer role (apps you own) or Cloud Application Administrator (any app), or ask one; or do it in the portal (p)."
	case oidccheck.CodeLifetimePolicy:
		return "Choose an earlier expiry within the tenant's maximum above (enter goes back to the form)."
	case oidccheck.CodeDeviceCodeExpired, oidccheck.CodeDeviceCodeDeclined, oidccheck.CodeSignInTimeout:
		return "enter signs in again; o uses " + methodName(otherMethod(method)) + " instead."
	}
	return ""
}

// consentURL is the admin consent link of the sign-in client in the
// tenant (entra-facts.md: /adminconsent).
func consentURL(loginHost, tenant, clientID string) string {
	if loginHost == "" {
		loginHost = oidccheck.DefaultAuthorityHost
	}
	if clientID == "" {
		clientID = flow.DefaultGraphClientID
	}
	return "https://" + loginHost + "/" + url.PathEscape(tenant) + "/adminconsent?client_id=" + url.QueryEscape(clientID)
}

// graphScreen is where the setup's Graph path stands.
type graphScreen int

const (
	graphForm graphScreen = iota
	graphRunning
	graphFailed
)

var graphScreenNames = [...]string{"graph-form", "graph-running", "graph-failed"}

func (s graphScreen) String() string { return graphScreenNames[s] }

// graphModel is step 2's Graph path: its form, the sign-in and the Graph
// steps as they happen, and a failure with its way out.
type graphModel struct {
	c      *common
	screen graphScreen
	// values are the setup's own (the same pointer): whatever the admin
	// enters here is there when they switch to the portal path.
	values *steps.Values
	// method is bound to the form's sign-in choice.
	method *string
	form   *huh.Form
	signIn adminSignIn
	// failed is the failed run's result, problem its first failure.
	failed  *flow.Result
	problem *oidccheck.Check
	flash   string
	live    live
}

func newGraph(c *common, v *steps.Values) (graphModel, tea.Cmd) {
	method := defaultMethod(c.deps)
	g := graphModel{c: c, values: v, method: &method, live: newLive()}
	if v.Discovery == "" && c.deps.Graph.Tenant != "" {
		v.Discovery = c.deps.Graph.Tenant
	}
	return g, g.enter(graphForm)
}

func (g graphModel) def() steps.Step { return steps.GraphRegisterStep(g.method) }

func (g *graphModel) enter(s graphScreen) tea.Cmd {
	g.live.stop()
	g.screen, g.form = s, nil
	if s != graphFailed {
		g.failed, g.problem = nil, nil
	}
	if s == graphRunning {
		g.signIn = adminSignIn{}
	}
	if s != graphForm {
		return nil
	}
	g.form = g.c.stepForm(g.def(), g.values)
	return g.form.Init()
}

// tenantOf is the tenant and login host the admin signs in to, from the
// tenant value.
func (g graphModel) tenantOf() (tenant, loginHost string) {
	d, _ := oidccheck.ParseDiscovery(g.values.Discovery, g.c.env.AuthorityHost)
	loginHost = d.Host
	if loginHost == "" {
		loginHost = g.c.env.AuthorityHost
	}
	return d.Tenant, loginHost
}

// Update handles the Graph path's keys and results, then hands the
// message to its form.
func (g graphModel) Update(msg tea.Msg) (graphModel, tea.Cmd) {
	d := g.c.deps
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		g.form = g.c.resize(g.form)
		return g, nil
	case tea.KeyMsg:
		if cmd, done := g.key(msg); done {
			return g, cmd
		}
		var note string
		if msg, note = normalizePaste(msg); note != "" {
			g.flash = note
		}
	case spinner.TickMsg:
		return g, g.live.tick(msg)
	case liveNoteMsg:
		ackProgress(msg)
		note, next, ok := g.live.noted(msg)
		if !ok {
			return g, nil
		}
		return g, tea.Batch(next, g.signIn.noted(d, note))
	case liveDoneMsg:
		if r, ok := g.live.done(msg, ""); ok {
			return g, g.done(r.(graphRegisteredMsg).result)
		}
		return g, nil
	case copiedMsg:
		g.flash = msg.flash()
		return g, nil
	}
	if g.form == nil {
		return g, nil
	}
	f, cmd := g.form.Update(msg)
	if ff, ok := f.(*huh.Form); ok {
		g.form = ff
	}
	if g.form.State == huh.StateCompleted {
		return g, tea.Batch(cmd, g.start())
	}
	return g, cmd
}

func (g *graphModel) key(k tea.KeyMsg) (tea.Cmd, bool) {
	d := g.c.deps
	switch g.screen {
	case graphForm:
		switch k.String() {
		case "esc", "ctrl+b":
			return send(graphClosedMsg{}), true
		case "ctrl+y":
			return copyValue(d, g.def().Copies(g.values, g.c.env)[0]), true
		}
	case graphRunning:
		switch k.String() {
		case "esc":
			// esc stops the sign-in or the sequence, and returns to the
			// form with everything entered; it never quits.
			cmd := g.enter(graphForm)
			g.flash = "Stopped. Nothing more is done in Entra; enter starts again, esc goes back to step 2."
			return cmd, true
		case "u":
			if cp, ok := g.signIn.signInCopy(); ok {
				return copyValue(d, cp), true
			}
		case "y":
			if g.signIn.code != nil && len(g.signIn.calls) == 0 {
				return copyValue(d, steps.Copy{Label: "the code", Value: g.signIn.code.UserCode}), true
			}
		}
		return nil, true
	case graphFailed:
		switch k.String() {
		case "enter":
			if g.problem != nil && (g.problem.Code == oidccheck.CodeLifetimePolicy || g.problem.Field != oidccheck.FieldGraph) {
				// A value to change: back to the form, everything kept.
				return g.enter(graphForm), true
			}
			return g.start(), true
		case "o":
			*g.method = otherMethod(*g.method)
			return g.start(), true
		case "p":
			return g.toPortal(), true
		case "l":
			if g.problem != nil && g.problem.Code == oidccheck.CodeConsentRequired {
				return copyValue(d, steps.Copy{Label: "the consent link", Value: g.consent()}), true
			}
		case "esc", "ctrl+b":
			return g.enter(graphForm), true
		}
		return nil, true
	}
	return nil, false
}

func (g graphModel) consent() string {
	tenant, host := g.tenantOf()
	return consentURL(host, tenant, g.c.deps.Graph.ClientID)
}

// toPortal switches to the portal path at step 2, with everything entered
// so far.
func (g *graphModel) toPortal() tea.Cmd {
	g.live.stop()
	g.values.AppChoice = steps.AppNew
	return send(graphClosedMsg{portal: true,
		flash: "Switched to the portal: register the app there, then enter its client ID. The values entered so far are kept."})
}

// start signs the admin in and runs flow.RegisterGraph: find or register
// the app, its service principal, the policy, the new secret, the live
// proof, the keyring and the profile.
func (g *graphModel) start() tea.Cmd {
	if failed(g.def().Check(g.values, g.c.env)) {
		cmd := g.enter(graphForm)
		g.flash = "Check the tenant and the expiry."
		return cmd
	}
	expires, _ := steps.ExpiryDate(g.values, g.c.env.Now)
	d, v := g.c.deps, *g.values
	tenant, loginHost := g.tenantOf()
	method := *g.method
	in := flow.RegisterInput{Profile: d.Profile, RedirectURI: v.RedirectURI, LogoutURL: v.LogoutURL, Tenant: v.Discovery,
		SecretDescription: v.SecretDescription, SecretExpires: expires}
	g.enter(graphRunning)
	g.flash = ""
	label := "Waiting for your sign-in to Microsoft Graph with " + methodName(method) + "… (esc stops)"
	return g.live.start("", label, func(ctx context.Context, note func(tea.Msg)) tea.Msg {
		// Values that cannot work stop before the sign-in, as the
		// command does.
		if r := flow.CheckRegister(&in); r.Failed() {
			return graphRegisteredMsg{result: r}
		}
		fd, tr := observe(d.Flow, note)
		gs, sr := flow.SignIn(ctx, fd, signInInput(d, loginHost, tenant, method, note))
		if gs == nil {
			return graphRegisteredMsg{result: sr}
		}
		tr.started(signedInAs(sr))
		in.Wait = waitFor(note)
		return graphRegisteredMsg{result: withSignIn(sr, flow.RegisterGraph(ctx, fd, gs, in)), gs: gs}
	})
}

// done goes on to step 7 once the profile is saved, or shows the failure
// with its way out.
func (g *graphModel) done(res flow.Result) tea.Cmd {
	if c, bad := res.Report.FirstFailure(); bad || res.Profile == nil {
		g.enter(graphFailed)
		g.failed, g.problem = &res, &c
		g.flash = notes(res.Notes)
		return nil
	}
	return send(graphClosedMsg{saved: &res, flash: graphSummary(res)})
}

// graphSummary is what the Graph sequence did, in one line for step 7.
func graphSummary(res flow.Result) string {
	did := "registered or adopted the app"
	for _, c := range res.Report.Checks {
		if c.Field != oidccheck.FieldGraph || c.Status != oidccheck.StatusPass {
			continue
		}
		switch {
		case strings.HasPrefix(c.Message, "registered"):
			did = "registered the app"
		case strings.HasPrefix(c.Message, "adopted"):
			did = "adopted the existing app"
		}
	}
	return "Through Microsoft Graph, entrasso " + did + " and proved its new secret live; it is in the keyring."
}

// frame renders the Graph path.
func (g graphModel) frame() frame {
	c, st := g.c, g.c.styles
	f := c.newFrame("graph/"+g.screen.String(), setupModel{c: c, step: stepRegister}.progressLine(),
		st.title.Render("Step 2 of 7 · Let entrasso register the app")+st.dim.Render(" (Microsoft Graph)"))
	var b strings.Builder
	switch g.screen {
	case graphForm:
		b.WriteString("\n" + c.text(g.def().Instructions(g.values, c.env), st.instructions) + "\n")
		if g.form != nil {
			notes, _ := c.fieldNotes(g.def(), g.values, g.form, nil)
			part := "\n" + trimBlankLines(g.form.View()) + "\n" + notes
			b.WriteString(part)
			f.markFocus(&b, part)
		}
		if dp := c.deps.Demo; dp != nil {
			b.WriteString(st.dim.Render("── Demo portal (copy from here) ──") + "\n" + c.text("Tenant domain: "+dp.TenantDomain, st.instructions) + "\n")
		}
	case graphRunning:
		b.WriteString("\n" + g.live.view(c))
		b.WriteString(g.signIn.view(c, g.live.spin.View()))
	case graphFailed:
		b.WriteString("\n" + g.signIn.view(c, "·"))
		b.WriteString("\n" + c.checksView(g.failedChecks()))
		if way := graphWayOut(*g.problem, *g.method, g.consent()); way != "" {
			b.WriteString(c.text(way, st.warn) + "\n")
		}
		b.WriteString(c.text("p switches to the portal path, keeping the redirect URI, logout URL, description and expiry.", st.dim) + "\n")
	}
	f.body = strings.TrimRight(b.String(), "\n")
	f.footer = strings.TrimRight(c.flashView(g.flash)+c.helpView(g.helpKeys()...), "\n")
	return f
}

// failedChecks are the run's checks that did not pass, and what was done
// before them.
func (g graphModel) failedChecks() []oidccheck.Check {
	return g.failed.Report.Checks
}

func (g graphModel) helpKeys() []string {
	switch g.screen {
	case graphRunning:
		keys := []string{"esc stop"}
		if _, ok := g.signIn.signInCopy(); ok {
			keys = append(keys, "u copy the address")
		}
		if g.signIn.code != nil && len(g.signIn.calls) == 0 {
			keys = append(keys, "y copy the code")
		}
		return append(keys, "ctrl+c quit")
	case graphFailed:
		keys := []string{"enter try again", "o sign in with " + methodName(otherMethod(*g.method)), "p do it in the portal"}
		if g.problem != nil && g.problem.Code == oidccheck.CodeConsentRequired {
			keys = append(keys, "l copy the consent link")
		}
		return append(keys, "esc back to the form", "ctrl+c quit")
	}
	return []string{"enter next", "shift+tab previous field", "ctrl+y copy the redirect URI", "esc back to step 2", "ctrl+c quit"}
}

// fromGraph takes the setup on from its Graph path: to step 7 with the
// saved profile, or back to step 2 (the portal path) with every value kept.
func (s *setupModel) fromGraph(msg graphClosedMsg) tea.Cmd {
	if msg.saved == nil {
		cmd := s.enter(stepRegister)
		s.flash = msg.flash
		return cmd
	}
	res := *msg.saved
	s.saved, s.kept = &res, false
	rv := res.Report.Values
	s.values.ClientID, s.values.DiscoveryURL, s.values.TenantID = rv.ClientID, rv.DiscoveryURL, rv.TenantID
	if res.Profile != nil {
		s.values.ClientID = res.Profile.ClientID
		if s.values.DiscoveryURL == "" {
			s.values.DiscoveryURL = res.Profile.DiscoveryURL
		}
	}
	// The secret was never in the wizard: copying it for Syncro reads it
	// from the keyring.
	s.values.Secret = ""
	cmd := s.enter(stepSyncro)
	s.flash = msg.flash
	return cmd
}

// toGraph opens step 2's Graph path (the parent's showGraphMsg).
func (m *Model) toGraph() tea.Cmd {
	m.stop()
	m.state = stateGraph
	var cmd tea.Cmd
	m.graph, cmd = newGraph(m.c, m.setup.values)
	return cmd
}

// fromGraph returns from the Graph path to the setup.
func (m *Model) fromGraph(msg graphClosedMsg) tea.Cmd {
	m.stop()
	m.state = stateSetup
	return m.setup.fromGraph(msg)
}
