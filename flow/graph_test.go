package flow

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"entrasso/graph"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"
)

// clock is the fake time of a Graph fixture: the look-alike, the flows and
// the store read it, and every wait (propagation, replication, throttling)
// advances it instead of sleeping.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// graphFixture is the flow fixture with a fake clock shared by the
// look-alike, and a browser that the tests play.
type graphFixture struct {
	*fixture
	clock *clock
}

const syncroURI = "https://acme.syncromsp.com/users/auth/openid_connect/callback"

func newGraphFixture(t *testing.T) *graphFixture {
	f := newFixture(t)
	c := &clock{t: time.Now().UTC()}
	f.srv.SetClock(c.Now)
	f.d.Now = c.Now
	f.store.Now = c.Now
	var mu sync.Mutex
	f.d.Sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		f.waits = append(f.waits, d)
		mu.Unlock()
		c.advance(d)
		return ctx.Err()
	}
	return &graphFixture{fixture: f, clock: c}
}

// browserOpen plays the admin's browser: it opens the short loopback
// address and follows every redirect (to the look-alike's authorize page
// and back to entrasso's listener); the final page goes to pages.
func (f *graphFixture) browserOpen(pages chan<- string) func(string) error {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.srv.CA.Pool()}}}
	return func(short string) error {
		go func() {
			resp, err := client.Get(short)
			if err != nil {
				pages <- "error: " + err.Error()
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			pages <- string(body)
		}()
		return nil
	}
}

func (f *graphFixture) signInInput(pages chan<- string) GraphSignIn {
	return GraphSignIn{LoginHost: f.srv.Host, GraphHost: f.srv.Host, Tenant: "contoso.onmicrosoft.com", Timeout: 10 * time.Second,
		Open: f.browserOpen(pages)}
}

// session signs in through the browser, as the admin would.
func (f *graphFixture) session(t *testing.T) *GraphSession {
	t.Helper()
	pages := make(chan string, 1)
	gs, r := SignIn(context.Background(), f.d, f.signInInput(pages))
	if gs == nil {
		t.Fatalf("sign-in: %+v", r.Report.Checks)
	}
	<-pages
	return gs
}

func (f *graphFixture) registerInput() RegisterInput {
	exp := f.clock.Now().AddDate(0, 0, 180).Format("2006-01-02")
	return RegisterInput{Profile: "default", RedirectURI: syncroURI, Tenant: "contoso.onmicrosoft.com",
		SecretDescription: "Syncro SSO", SecretExpires: exp, Wait: Wait{Limit: time.Minute}}
}

// registered runs setup --graph, which must pass.
func (f *graphFixture) registered(t *testing.T, gs *GraphSession) Result {
	t.Helper()
	r := RegisterGraph(context.Background(), f.d, gs, f.registerInput())
	if r.Failed() || r.Profile == nil {
		t.Fatalf("register: %+v", r.Report.Checks)
	}
	return r
}

// app is a snapshot of an app in the look-alike, copied under its lock
// (its handlers change it from their own goroutines).
func (f *graphFixture) app(t *testing.T, clientID string) *entratest.App {
	t.Helper()
	return snapshot(t, f.srv, clientID)
}

func snapshot(t *testing.T, srv *entratest.Server, clientID string) *entratest.App {
	t.Helper()
	_, a, ok := srv.FindApp(clientID)
	if !ok {
		t.Fatalf("no app %s", clientID)
	}
	var cp entratest.App
	srv.UpdateApp(a, func(x *entratest.App) {
		cp = *x
		cp.RedirectURIs = append([]string(nil), x.RedirectURIs...)
		cp.Secrets = nil
		for _, s := range x.Secrets {
			c := *s
			cp.Secrets = append(cp.Secrets, &c)
		}
	})
	return &cp
}

func keyIDs(a *entratest.App) []string {
	var out []string
	for _, s := range a.Secrets {
		out = append(out, s.KeyID)
	}
	return out
}

func codeOf(r Result) oidccheck.Code {
	c, _ := r.Report.FirstFailure()
	return c.Code
}

func TestSignInBothMethods(t *testing.T) {
	f := newGraphFixture(t)
	pages := make(chan string, 1)
	in := f.signInInput(pages)
	var short string
	open := in.Open
	in.Open = func(u string) error { short = u; return open(u) }
	gs, r := SignIn(context.Background(), f.d, in)
	if gs == nil || !strings.HasPrefix(short, "http://localhost:") {
		t.Fatalf("browser: %+v %q", r.Report.Checks, short)
	}
	if page := <-pages; !strings.Contains(page, "Signed in to Microsoft Graph") {
		t.Fatalf("page %s", page)
	}
	f.srv.SetDeviceCodeInterval(1)
	in = f.signInInput(nil)
	in.DeviceCode = true
	in.ShowCode = func(c graph.DeviceCode) { f.srv.ApproveDeviceCode(c.UserCode) }
	if gs, r := SignIn(context.Background(), f.d, in); gs == nil {
		t.Fatalf("device: %+v", r.Report.Checks)
	}
}

// Every way the sign-in fails ends at its code in the graph field, and a
// Conditional Access block names the other method.
func TestSignInFailures(t *testing.T) {
	cases := []struct {
		name   string
		device bool
		setup  func(f *graphFixture)
		act    func(f *graphFixture, code string)
		code   oidccheck.Code
		fix    string
	}{
		{"browser blocked by conditional access", false, func(f *graphFixture) { f.srv.BlockSignIn(entratest.SignInBrowser, true) }, nil, oidccheck.CodeSignInBlocked, "--device-code"},
		{"device blocked by conditional access", true, func(f *graphFixture) { f.srv.BlockSignIn(entratest.SignInDeviceCode, true) },
			func(f *graphFixture, c string) { f.srv.ApproveDeviceCode(c) }, oidccheck.CodeSignInBlocked, "browser sign-in"},
		{"consent", false, func(f *graphFixture) { f.srv.RequireAdminConsent(true) }, nil, oidccheck.CodeConsentRequired, "consent"},
		{"device declined", true, nil, func(f *graphFixture, c string) { f.srv.DeclineDeviceCode(c) }, oidccheck.CodeDeviceCodeDeclined, "accept"},
		{"device expired", true, nil, func(f *graphFixture, c string) { f.srv.ExpireDeviceCode(c) }, oidccheck.CodeDeviceCodeExpired, "new code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newGraphFixture(t)
			f.srv.SetDeviceCodeInterval(1)
			if tc.setup != nil {
				tc.setup(f)
			}
			pages := make(chan string, 1)
			in := f.signInInput(pages)
			in.DeviceCode = tc.device
			in.ShowCode = func(c graph.DeviceCode) { tc.act(f, c.UserCode) }
			gs, r := SignIn(context.Background(), f.d, in)
			c, _ := r.Report.FirstFailure()
			if gs != nil || c.Field != oidccheck.FieldGraph || c.Code != tc.code || !strings.Contains(c.Fix, tc.fix) || r.ExitCode() != 1 {
				t.Fatalf("got %+v", c)
			}
		})
	}
}

func TestRegisterThenRunAgain(t *testing.T) {
	f := newGraphFixture(t)
	f.srv.SetPropagationDelay(10 * time.Second)
	gs := f.session(t)
	r := f.registered(t, gs)
	p := r.Profile
	app := f.app(t, p.ClientID)
	if p.AppObjectID != app.ObjectID || p.Secret.KeyID == "" || len(app.Secrets) != 1 || app.Secrets[0].KeyID != p.Secret.KeyID ||
		app.Name != DefaultAppName || !containsURI(app.RedirectURIs, syncroURI) {
		t.Fatalf("profile %+v, app %+v", p, app)
	}
	secret, _ := f.store.Secret("default")
	if secret != app.Secrets[0].Value {
		t.Fatal("the stored secret is not the one Graph made")
	}
	out, _ := jsonOf(r)
	if strings.Contains(out, secret) || len(f.waits) == 0 {
		t.Fatalf("secret in the report, or no propagation wait (%v):\n%s", f.waits, out)
	}
	if j, _ := f.store.EntraJournal("default"); len(j.Added) != 0 {
		t.Fatalf("journal left: %+v", j)
	}
	// The same values again: nothing changes in Entra.
	again := RegisterGraph(context.Background(), f.d, gs, f.registerInput())
	if again.Failed() || len(f.app(t, p.ClientID).Secrets) != 1 || !hasMsg(again, "nothing was changed in Entra") {
		t.Fatalf("again: %+v", again.Report.Checks)
	}
	// Another machine (no profile) adopts the app by name.
	other := *f.fixture
	other.store = store.New(t.TempDir(), store.NewMemoryKeyring())
	d2 := *f.d
	d2.Store = other.store
	ar := RegisterGraph(context.Background(), &d2, gs, f.registerInput())
	if ar.Failed() || ar.Profile.ClientID != p.ClientID || !hasMsg(ar, "adopted the existing app") {
		t.Fatalf("adopt: %+v", ar.Report.Checks)
	}
}

// Each Graph fault of the look-alike ends at its code through the flow,
// with nothing saved and, for a refused write, nothing made in Entra.
func TestRegisterFaults(t *testing.T) {
	cases := []struct {
		name  string
		setup func(f *graphFixture, in *RegisterInput)
		code  oidccheck.Code
	}{
		{"writes denied", func(f *graphFixture, in *RegisterInput) { f.srv.DenyGraphWrites(true) }, oidccheck.CodeInsufficientPrivileges},
		{"lifetime policy", func(f *graphFixture, in *RegisterInput) { f.srv.SetPasswordLifetimePolicy(90) }, oidccheck.CodeLifetimePolicy},
		{"no secrets allowed", func(f *graphFixture, in *RegisterInput) { f.srv.BlockPasswordAddition(true) }, oidccheck.CodeLifetimePolicy},
		{"lifetime policy not readable: addPassword refuses", func(f *graphFixture, in *RegisterInput) {
			f.srv.SetPasswordLifetimePolicy(90)
			f.srv.DenyPolicyRead(true)
		}, oidccheck.CodeLifetimePolicy},
		{"throttled", func(f *graphFixture, in *RegisterInput) { f.srv.ThrottleGraph(20, 429, "2") }, oidccheck.CodeThrottled},
		{"unavailable", func(f *graphFixture, in *RegisterInput) { f.srv.ThrottleGraph(20, 503, "") }, oidccheck.CodeThrottled},
		{"unknown client ID", func(f *graphFixture, in *RegisterInput) { in.ClientID = "00000000-0000-4000-8000-000000000001" }, oidccheck.CodeAppNotFound},
		{"ambiguous", func(f *graphFixture, in *RegisterInput) {
			c, _ := graph.New(graph.Options{Host: f.srv.Host, HTTP: f.d.HTTP, Tokens: tokenSource(f.srv.IssueGraphToken(f.demo.Tenant))})
			for i := 0; i < 2; i++ {
				if _, err := c.CreateApplication(context.Background(), graph.NewApplication{DisplayName: DefaultAppName}); err != nil {
					panic(err)
				}
			}
		}, oidccheck.CodeAppAmbiguous},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newGraphFixture(t)
			in := f.registerInput()
			gs := f.session(t)
			tc.setup(f, &in)
			before := len(f.demo.Tenant.Apps)
			r := RegisterGraph(context.Background(), f.d, gs, in)
			if codeOf(r) != tc.code || r.ExitCode() != 1 {
				t.Fatalf("got %+v", r.Report.Checks)
			}
			if _, err := f.store.Load("default"); err == nil {
				t.Fatal("a profile was saved")
			}
			if tc.code == oidccheck.CodeLifetimePolicy && !strings.Contains(tc.name, "not readable") && len(f.demo.Tenant.Apps) != before {
				t.Fatal("an app was registered before the policy check")
			}
		})
	}
}

func TestRegisterPolicyNotReadableIsSkip(t *testing.T) {
	f := newGraphFixture(t)
	f.srv.DenyPolicyRead(true)
	r := f.registered(t, f.session(t))
	skipped := false
	for _, c := range r.Report.Checks {
		skipped = skipped || (c.Field == oidccheck.FieldGraph && c.Status == oidccheck.StatusSkip && c.Code == oidccheck.CodeLifetimePolicy)
	}
	if !skipped {
		t.Fatalf("no skip: %+v", r.Report.Checks)
	}
}

func TestRegisterWaitsForReplication(t *testing.T) {
	f := newGraphFixture(t)
	f.srv.SetServicePrincipalDelay(7 * time.Second)
	f.registered(t, f.session(t))
	if len(f.waits) == 0 {
		t.Fatal("no replication retry")
	}
}

func TestRotateAndFinishByGraph(t *testing.T) {
	f := newGraphFixture(t)
	gs := f.session(t)
	p := f.registered(t, gs).Profile
	old := p.Secret
	exp := f.clock.Now().AddDate(0, 0, 90).Format("2006-01-02")
	f.srv.SetPropagationDelay(8 * time.Second)
	r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: exp, Wait: Wait{Limit: time.Minute}})
	if r.Failed() || r.Profile.Previous == nil || r.Profile.Previous.KeyID != old.KeyID || r.Profile.Secret.KeyID == "" || r.Profile.Secret.Expires != exp {
		t.Fatalf("rotate: %+v %+v", r.Report.Checks, r.Profile)
	}
	app := f.app(t, p.ClientID)
	if len(app.Secrets) != 2 {
		t.Fatalf("secrets in Entra: %v", keyIDs(app))
	}
	cur, _ := f.store.Secret("default")
	if out, _ := jsonOf(r); strings.Contains(out, cur) {
		t.Fatal("the new secret is in the report")
	}
	// Listed live: current and previous known, nothing unknown.
	lr := ListCredentials(context.Background(), f.d, gs, "default")
	if lr.Failed() || len(lr.Live.Credentials) != 2 || lr.Live.Credentials[0].Stored != "current" || lr.Live.Credentials[1].Stored != "previous" {
		t.Fatalf("live: %+v", lr.Live)
	}
	fr := FinishGraph(context.Background(), f.d, gs, "default")
	if fr.Failed() || fr.Old == nil || fr.Old.KeyID != old.KeyID || fr.Profile.Previous != nil {
		t.Fatalf("finish: %+v", fr.Report.Checks)
	}
	if ids := keyIDs(f.app(t, p.ClientID)); len(ids) != 1 || ids[0] != fr.Profile.Secret.KeyID {
		t.Fatalf("secrets in Entra after finish: %v", ids)
	}
}

// A failed proof (Entra still refuses after the wait) leaves the working
// secret everywhere, and the new one is removed in Entra again.
func TestRotateByGraphFailureChangesNothing(t *testing.T) {
	f := newGraphFixture(t)
	gs := f.session(t)
	p := f.registered(t, gs).Profile
	f.srv.SetPropagationDelay(time.Hour)
	r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires, Wait: Wait{Limit: 10 * time.Second}})
	if codeOf(r) != oidccheck.CodeInvalidSecret {
		t.Fatalf("rotate: %+v", r.Report.Checks)
	}
	if ids := keyIDs(f.app(t, p.ClientID)); len(ids) != 1 || ids[0] != p.Secret.KeyID {
		t.Fatalf("secrets in Entra: %v", ids)
	}
	if np, _ := f.store.Load("default"); np.Secret.KeyID != p.Secret.KeyID || np.Previous != nil {
		t.Fatalf("profile changed: %+v", np)
	}
	if j, _ := f.store.EntraJournal("default"); len(j.Added) != 0 {
		t.Fatalf("journal: %+v", j)
	}
	// A rotation in progress is refused before anything is added.
	f.srv.SetPropagationDelay(0)
	if r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires}); r.Failed() {
		t.Fatal(r.Report.Checks)
	}
	if r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires}); codeOf(r) != CodeRotationInProgress || len(f.app(t, p.ClientID).Secrets) != 2 {
		t.Fatalf("second: %+v", r.Report.Checks)
	}
}

// Crash points inside the flow: what the next run makes of each.
func TestGraphCrashPoints(t *testing.T) {
	type crash struct{}
	run := func(f *graphFixture, point string, fn func()) {
		f.d.Crash = func(p string) {
			if p == point {
				panic(crash{})
			}
		}
		defer func() {
			f.d.Crash = nil
			if v := recover(); v != nil {
				if _, ok := v.(crash); !ok {
					panic(v)
				}
			}
		}()
		fn()
	}
	t.Run("after addPassword", func(t *testing.T) {
		f := newGraphFixture(t)
		gs := f.session(t)
		p := f.registered(t, gs).Profile
		in := GraphRotateInput{Profile: "default", Expires: p.Secret.Expires}
		run(f, CrashGraphAdded, func() { RotateGraph(context.Background(), f.d, gs, in) })
		if sec, _ := f.store.Secret("default"); sec != f.app(t, p.ClientID).Secrets[0].Value || len(f.app(t, p.ClientID).Secrets) != 2 {
			t.Fatal("the working secret moved, or nothing was added")
		}
		lr := ListCredentials(context.Background(), f.d, gs, "default")
		var unknown []LiveCredential
		for _, c := range lr.Live.Credentials {
			if c.Stored == "unknown" {
				unknown = append(unknown, c)
			}
		}
		if len(unknown) != 1 || !unknown[0].LeftByEntrasso {
			t.Fatalf("live: %+v", lr.Live.Credentials)
		}
		r := RotateGraph(context.Background(), f.d, gs, in)
		if r.Failed() || !hasMsg(r, "interrupted entrasso run had added it") {
			t.Fatalf("next rotation: %+v", r.Report.Checks)
		}
		if ids := keyIDs(f.app(t, p.ClientID)); len(ids) != 2 || contains(ids, unknown[0].KeyID) {
			t.Fatalf("the leftover stayed: %v", ids)
		}
	})
	t.Run("after promote", func(t *testing.T) {
		f := newGraphFixture(t)
		gs := f.session(t)
		p := f.registered(t, gs).Profile
		run(f, CrashGraphPromoted, func() {
			RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires})
		})
		np, _ := f.store.Load("default")
		if np.Previous == nil || np.Previous.KeyID != p.Secret.KeyID {
			t.Fatalf("profile %+v", np)
		}
		// The journal entry of the promoted secret is settled, never removed in Entra.
		lr := ListCredentials(context.Background(), f.d, gs, "default")
		for _, c := range lr.Live.Credentials {
			if c.Stored == "unknown" {
				t.Fatalf("unknown after promote: %+v", lr.Live.Credentials)
			}
		}
		if fr := FinishGraph(context.Background(), f.d, gs, "default"); fr.Failed() || len(f.app(t, p.ClientID).Secrets) != 1 {
			t.Fatalf("finish: %+v", fr.Report.Checks)
		}
	})
	t.Run("after removePassword", func(t *testing.T) {
		f := newGraphFixture(t)
		gs := f.session(t)
		p := f.registered(t, gs).Profile
		if r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires}); r.Failed() {
			t.Fatal(r.Report.Checks)
		}
		run(f, CrashGraphRemoved, func() { FinishGraph(context.Background(), f.d, gs, "default") })
		np, _ := f.store.Load("default")
		if np.Previous == nil || len(f.app(t, p.ClientID).Secrets) != 1 {
			t.Fatalf("after the kill: previous %v, secrets %v", np.Previous, keyIDs(f.app(t, p.ClientID)))
		}
		if r := Verify(context.Background(), f.d, "default"); r.Failed() {
			t.Fatal("the working secret was lost")
		}
		fr := FinishGraph(context.Background(), f.d, gs, "default")
		if fr.Failed() || fr.Profile.Previous != nil {
			t.Fatalf("next finish: %+v", fr.Report.Checks)
		}
	})
}

func hasMsg(r Result, sub string) bool {
	for _, c := range r.Report.Checks {
		if strings.Contains(c.Message, sub) {
			return true
		}
	}
	return false
}

func jsonOf(r Result) (string, error) {
	var b strings.Builder
	err := r.Report.WriteJSON(&b)
	return b.String(), err
}

func tokenSource(tok string) oauth2.TokenSource {
	return oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok})
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// A secret unknown to entrasso is reported, and removed only when asked.
func TestUnknownSecretsRemovedOnlyWhenAsked(t *testing.T) {
	f := newGraphFixture(t)
	gs := f.session(t)
	p := f.registered(t, gs).Profile
	_, live, _ := f.srv.FindApp(p.ClientID)
	stray := f.srv.AddSecret(live, "someone else's", f.clock.Now().AddDate(0, 0, 30))
	r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires})
	if r.Failed() || !contains(keyIDs(f.app(t, p.ClientID)), stray.KeyID) || r.Report.ExitCode() != 0 {
		t.Fatalf("%+v", r.Report.Checks)
	}
	FinishGraph(context.Background(), f.d, gs, "default")
	r = RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: p.Secret.Expires,
		RemoveUnknown: func(graph.PasswordCredential, bool) bool { return true }})
	if r.Failed() || contains(keyIDs(f.app(t, p.ClientID)), stray.KeyID) {
		t.Fatalf("%+v", r.Report.Checks)
	}
}

// A profile set up by pasting rotates by Graph too: the app is found by
// client ID and the stored secret's keyId learned by its hint.
func TestRotatePastedProfileByGraph(t *testing.T) {
	f := newGraphFixture(t)
	f.saved(t)
	gs := f.session(t)
	r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: f.clock.Now().AddDate(0, 0, 90).Format("2006-01-02")})
	if r.Failed() || r.Profile.AppObjectID != f.demo.App.ObjectID || r.Profile.Previous.KeyID != f.demo.Secret.KeyID {
		t.Fatalf("%+v %+v", r.Report.Checks, r.Profile)
	}
	if fr := FinishGraph(context.Background(), f.d, gs, "default"); fr.Failed() || contains(keyIDs(f.app(t, f.demo.App.ClientID)), f.demo.Secret.KeyID) {
		t.Fatalf("%+v", fr.Report.Checks)
	}
	// The expired secret is listed as unknown and expired.
	lr := ListCredentials(context.Background(), f.d, gs, "default")
	expired := false
	for _, c := range lr.Live.Credentials {
		expired = expired || (c.Expired && c.Stored == "unknown" && c.KeyID == f.demo.Expired.KeyID)
	}
	if !expired || lr.Live.Policy != "none" {
		t.Fatalf("%+v", lr.Live)
	}
}

func TestTestLoginGraphAddsAndRemovesTheRedirect(t *testing.T) {
	f := newGraphFixture(t)
	gs := f.session(t)
	p := f.registered(t, gs).Profile
	has := func() bool { return containsURI(f.app(t, p.ClientID).RedirectURIs, oidccheck.LoopbackRedirectURI) }
	pages := make(chan string, 1)
	r := TestLoginGraph(context.Background(), f.d, gs, LoginInput{Profile: "default", Timeout: 10 * time.Second, Open: f.browserOpen(pages)})
	<-pages
	if r.Failed() || r.Identity == nil || has() {
		t.Fatalf("%+v", r.Report.Checks)
	}
	// Cancelled in the middle: removed all the same.
	ctx, cancel := context.WithCancel(context.Background())
	r = TestLoginGraph(ctx, f.d, gs, LoginInput{Profile: "default", Timeout: 10 * time.Second, Open: func(string) error {
		if !has() {
			t.Error("not added for the test")
		}
		cancel()
		return nil
	}})
	if has() {
		t.Fatalf("left after a cancelled test: %+v", r.Report.Checks)
	}
	// Registered before: it stays.
	_, live, _ := f.srv.FindApp(p.ClientID)
	f.srv.UpdateApp(live, func(a *entratest.App) { a.RedirectURIs = append(a.RedirectURIs, oidccheck.LoopbackRedirectURI) })
	r = TestLoginGraph(context.Background(), f.d, gs, LoginInput{Profile: "default", Timeout: 10 * time.Second, Open: f.browserOpen(pages)})
	<-pages
	if r.Failed() || !has() {
		t.Fatalf("%+v", r.Report.Checks)
	}
}
