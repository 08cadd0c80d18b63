package graph_test

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"entrasso/graph"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// clock is the look-alike's clock in tests that wait: the injected sleep
// moves it, so nothing really sleeps.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t      testing.TB
	srv    *entratest.Server
	tenant *entratest.Tenant
	http   *http.Client
	clock  *clock
	mu     sync.Mutex
	waits  []time.Duration
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	c := &clock{now: time.Now()}
	srv.SetClock(c.Now)
	hc, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{RootCAs: srv.CA.Pool(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{t: t, srv: srv, tenant: srv.AddTenant("contoso.onmicrosoft.com"), http: hc, clock: c}
}

// sleep records each wait and moves the look-alike's clock by it.
func (f *fixture) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	f.waits = append(f.waits, d)
	f.mu.Unlock()
	f.clock.advance(d)
	return nil
}

func (f *fixture) recorded() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.waits...)
}

func (f *fixture) clientWith(tok string, mod func(*graph.Options)) *graph.Client {
	f.t.Helper()
	o := graph.Options{Host: f.srv.Host, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: tok}), HTTP: f.http, Sleep: f.sleep}
	if mod != nil {
		mod(&o)
	}
	c, err := graph.New(o)
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

func (f *fixture) client() *graph.Client { return f.clientWith(f.srv.IssueGraphToken(f.tenant), nil) }

const syncroURI = "https://acme.syncromsp.com/users/auth/openid_connect/callback"

// clientCredentials proves a secret at the look-alike's token endpoint, as
// the live check does (entra-facts.md 7).
func (f *fixture) clientCredentials(clientID, secret string) int {
	f.t.Helper()
	resp, err := f.http.PostForm(f.srv.URL+"/"+f.tenant.ID+"/oauth2/v2.0/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {clientID}, "client_secret": {secret}, "scope": {"https://graph.microsoft.com/.default"}})
	if err != nil {
		f.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestRegisterProveRotateRemove walks the calls of setup --graph and
// rotate --graph against the look-alike: an app registered through Graph
// gets a service principal and a secret that works at the token endpoint.
func TestRegisterProveRotateRemove(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()

	if a, err := c.FindApplication(ctx, "", "Syncro SSO"); err != nil || a != nil {
		t.Fatalf("nothing registered yet: %v %v", a, err)
	}
	app, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "Syncro SSO", RedirectURIs: []string{syncroURI}, LogoutURL: "https://acme.syncromsp.com/logout"})
	if err != nil {
		t.Fatal(err)
	}
	if app.SignInAudience != "AzureADMyOrg" || app.Web.RedirectURIs[0] != syncroURI || app.Web.LogoutURL != "https://acme.syncromsp.com/logout" || app.Tags[0] != graph.Tag {
		t.Fatalf("created %+v", app)
	}
	_, la, _ := f.srv.FindApp(app.AppID)
	if len(la.IDTokenClaims) != 1 || la.IDTokenClaims[0] != "email" {
		t.Fatalf("optional claims %v", la.IDTokenClaims)
	}
	for _, find := range []func() (*graph.Application, error){
		func() (*graph.Application, error) { return c.FindApplication(ctx, "", "Syncro SSO") },
		func() (*graph.Application, error) { return c.FindApplication(ctx, app.AppID, "") },
	} {
		if got, err := find(); err != nil || got == nil || got.ID != app.ID {
			t.Fatalf("find: %+v %v", got, err)
		}
	}

	sp, err := c.EnsureServicePrincipal(ctx, app.AppID)
	if err != nil || sp.AppID != app.AppID || sp.ID == "" {
		t.Fatalf("service principal %+v %v", sp, err)
	}
	if again, err := c.EnsureServicePrincipal(ctx, app.AppID); err != nil || again.ID != sp.ID {
		t.Fatalf("second ensure: %+v %v", again, err)
	}

	end := f.clock.Now().AddDate(0, 0, 180).Truncate(time.Second)
	np, err := c.AddPassword(ctx, app.ID, "Syncro SSO", end)
	if err != nil {
		t.Fatal(err)
	}
	secret := np.Secret.Reveal()
	if len(secret) != 40 || np.Hint != secret[:3] || !np.EndDateTime.Equal(end) || np.KeyID == "" {
		t.Fatalf("new password %+v", np.PasswordCredential)
	}
	if code := f.clientCredentials(app.AppID, secret); code != http.StatusOK {
		t.Fatalf("the new secret at the token endpoint: %d", code)
	}
	got, err := c.GetApplication(ctx, app.ID)
	if err != nil || len(got.PasswordCredentials) != 1 || got.PasswordCredentials[0].KeyID != np.KeyID || got.PasswordCredentials[0].Hint != np.Hint ||
		got.PasswordCredentials[0].DisplayName != "Syncro SSO" || got.PasswordCredentials[0].StartDateTime.IsZero() {
		t.Fatalf("get %+v %v", got, err)
	}

	second, err := c.AddPassword(ctx, app.ID, "Syncro SSO (rotated)", end)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.RemovePassword(ctx, app.ID, np.KeyID); err != nil {
		t.Fatal(err)
	}
	if code := f.clientCredentials(app.AppID, secret); code != http.StatusUnauthorized {
		t.Fatalf("the removed secret still works: %d", code)
	}
	if code := f.clientCredentials(app.AppID, second.Secret.Reveal()); code != http.StatusOK {
		t.Fatalf("the new secret: %d", code)
	}
	err = c.RemovePassword(ctx, app.ID, np.KeyID)
	if !errors.Is(err, graph.ErrNotFound) || graph.ProblemOf(err) != oidccheck.CodeNotFound {
		t.Fatalf("removing twice: %v", err)
	}
}

func TestServicePrincipalMissingUntilCreated(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()
	app, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "x", RedirectURIs: []string{syncroURI}})
	if err != nil {
		t.Fatal(err)
	}
	np, err := c.AddPassword(ctx, app.ID, "x", f.clock.Now().AddDate(0, 0, 90))
	if err != nil {
		t.Fatal(err)
	}
	// Entra answers AADSTS7000229 for an app without a service principal.
	if code := f.clientCredentials(app.AppID, np.Secret.Reveal()); code != http.StatusUnauthorized {
		t.Fatalf("before the service principal: %d", code)
	}
	if _, err := c.EnsureServicePrincipal(ctx, app.AppID); err != nil {
		t.Fatal(err)
	}
	if code := f.clientCredentials(app.AppID, np.Secret.Reveal()); code != http.StatusOK {
		t.Fatalf("after: %d", code)
	}
}

func TestServicePrincipalRetriesWhileTheAppReplicates(t *testing.T) {
	cases := []struct {
		name    string
		delay   time.Duration
		wantErr bool
		waits   []time.Duration
	}{
		{"no delay", 0, false, nil},
		{"ten seconds", 10 * time.Second, false, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second}},
		{"longer than the bound", 10 * time.Minute, true, []time.Duration{2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.SetServicePrincipalDelay(tc.delay)
			c := f.clientWith(f.srv.IssueGraphToken(f.tenant), func(o *graph.Options) { o.ReplicationWait = 40 * time.Second })
			app, err := c.CreateApplication(context.Background(), graph.NewApplication{DisplayName: "x"})
			if err != nil {
				t.Fatal(err)
			}
			sp, err := c.EnsureServicePrincipal(context.Background(), app.AppID)
			if tc.wantErr != (err != nil) || (!tc.wantErr && sp == nil) {
				t.Fatalf("sp %+v err %v", sp, err)
			}
			if tc.wantErr && !strings.Contains(err.Error(), "not reached every Graph server") {
				t.Fatalf("error %v", err)
			}
			if got := f.recorded(); fmt.Sprint(got) != fmt.Sprint(tc.waits) {
				t.Fatalf("waits %v, want %v", got, tc.waits)
			}
		})
	}
}

func TestRedirectURIsKeepTheOthers(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()
	app, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "x", RedirectURIs: []string{syncroURI}})
	if err != nil {
		t.Fatal(err)
	}
	const local = "http://localhost/entrasso/callback"
	steps := []struct {
		add     bool
		changed bool
		want    []string
	}{
		{true, true, []string{syncroURI, local}},
		{true, false, []string{syncroURI, local}},
		{false, true, []string{syncroURI}},
		{false, false, []string{syncroURI}},
	}
	for i, s := range steps {
		var changed bool
		if s.add {
			changed, err = c.AddRedirectURI(ctx, app.ID, local)
		} else {
			changed, err = c.RemoveRedirectURI(ctx, app.ID, local)
		}
		got, gerr := c.GetApplication(ctx, app.ID)
		if err != nil || gerr != nil || changed != s.changed || fmt.Sprint(got.Web.RedirectURIs) != fmt.Sprint(s.want) {
			t.Fatalf("step %d: changed %v err %v/%v uris %v", i, changed, err, gerr, got.Web.RedirectURIs)
		}
	}
}

func TestAmbiguousName(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()
	for range 2 {
		if _, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "Syncro's SSO"}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.FindApplication(ctx, "", "Syncro's SSO")
	var ge *graph.Error
	if !errors.As(err, &ge) || ge.Problem != oidccheck.CodeAppAmbiguous || !errors.Is(err, graph.ErrAmbiguous) || !strings.Contains(ge.Fix, "--client-id") {
		t.Fatalf("got %v", err)
	}
}

// TestErrors: every Graph error reaches the caller as a *graph.Error with
// Graph's status, code and request ID and entrasso's problem code.
func TestErrors(t *testing.T) {
	type env struct {
		f   *fixture
		c   *graph.Client
		app *graph.Application
	}
	cases := []struct {
		name    string
		setup   func(e *env)
		call    func(e *env) error
		problem oidccheck.Code
		status  int
		code    string
		is      error
		fix     string
	}{
		{"writes denied", func(e *env) { e.f.srv.DenyGraphWrites(true) },
			func(e *env) error {
				_, err := e.c.AddPassword(context.Background(), e.app.ID, "x", time.Now().AddDate(0, 1, 0))
				return err
			},
			oidccheck.CodeInsufficientPrivileges, 403, "Authorization_RequestDenied", graph.ErrForbidden, "Cloud Application Administrator"},
		{"policy not readable", func(e *env) {
			e.c = e.f.clientWith(e.f.srv.IssueGraphToken(e.f.tenant, entratest.ScopeApplicationReadWrite), nil)
		}, func(e *env) error { _, err := e.c.PasswordPolicy(context.Background()); return err },
			oidccheck.CodeInsufficientPrivileges, 403, "Authorization_RequestDenied", graph.ErrPolicyNotReadable, "skipped"},
		{"lifetime beyond the policy", func(e *env) { e.f.srv.SetPasswordLifetimePolicy(90) },
			func(e *env) error {
				_, err := e.c.AddPassword(context.Background(), e.app.ID, "x", e.f.clock.Now().AddDate(0, 0, 180))
				return err
			},
			oidccheck.CodeLifetimePolicy, 400, "CredentialInvalidLifetimeAsPerAppPolicy", nil, "earlier expiry"},
		{"secrets not allowed", func(e *env) { e.f.srv.BlockPasswordAddition(true) },
			func(e *env) error {
				_, err := e.c.AddPassword(context.Background(), e.app.ID, "x", e.f.clock.Now().AddDate(0, 0, 30))
				return err
			},
			oidccheck.CodeLifetimePolicy, 400, "CredentialTypeNotAllowedAsPerAppPolicy", nil, "exempt"},
		{"unknown application", nil,
			func(e *env) error {
				_, err := e.c.GetApplication(context.Background(), "00000000-0000-4000-8000-000000000000")
				return err
			},
			oidccheck.CodeNotFound, 404, "Request_ResourceNotFound", graph.ErrNotFound, ""},
		{"unknown secret", nil,
			func(e *env) error {
				return e.c.RemovePassword(context.Background(), e.app.ID, "00000000-0000-4000-8000-000000000000")
			},
			oidccheck.CodeNotFound, 404, "Request_ResourceNotFound", graph.ErrNotFound, ""},
		{"token not issued", func(e *env) { e.c = e.f.clientWith("not-a-token", nil) },
			func(e *env) error {
				_, err := e.c.FindApplicationsByAppID(context.Background(), e.app.AppID)
				return err
			},
			oidccheck.CodeTokenInvalid, 401, "InvalidAuthenticationToken", graph.ErrTokenInvalid, "sign in again"},
		{"token expired", func(e *env) { e.f.srv.ExpireGraphTokens() },
			func(e *env) error { _, err := e.c.GetApplication(context.Background(), e.app.ID); return err },
			oidccheck.CodeTokenInvalid, 401, "InvalidAuthenticationToken", graph.ErrTokenInvalid, ""},
		{"still throttled", func(e *env) { e.f.srv.ThrottleGraph(100, 429, "1") },
			func(e *env) error { _, err := e.c.GetApplication(context.Background(), e.app.ID); return err },
			oidccheck.CodeThrottled, 429, "Request_ThrottledTemporarily", graph.ErrThrottled, ""},
		{"still unavailable", func(e *env) { e.f.srv.ThrottleGraph(100, 503, "2") },
			func(e *env) error { _, err := e.c.GetApplication(context.Background(), e.app.ID); return err },
			oidccheck.CodeThrottled, 503, "serviceNotAvailable", graph.ErrThrottled, ""},
		{"redirect URI Graph refuses", nil,
			func(e *env) error {
				_, err := e.c.AddRedirectURI(context.Background(), e.app.ID, "http://acme.example/cb")
				return err
			},
			oidccheck.CodeGraphError, 400, "Request_BadRequest", nil, "request ID"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			e := &env{f: f, c: f.client()}
			var err error
			if e.app, err = e.c.CreateApplication(context.Background(), graph.NewApplication{DisplayName: "x"}); err != nil {
				t.Fatal(err)
			}
			if tc.setup != nil {
				tc.setup(e)
			}
			err = tc.call(e)
			var ge *graph.Error
			if !errors.As(err, &ge) {
				t.Fatalf("not a *graph.Error: %v", err)
			}
			if ge.Problem != tc.problem || ge.Status != tc.status || ge.Code != tc.code || ge.RequestID == "" || ge.Message == "" {
				t.Fatalf("got %+v", ge)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Fatalf("%v is not %v", err, tc.is)
			}
			if !strings.Contains(ge.Fix, tc.fix) {
				t.Fatalf("fix %q lacks %q", ge.Fix, tc.fix)
			}
			c := ge.Check()
			if c.Field != oidccheck.FieldGraph || c.Status != oidccheck.StatusFail || c.Code != tc.problem || c.TraceID != ge.RequestID {
				t.Fatalf("check %+v", c)
			}
		})
	}
}

func TestTransportFaults(t *testing.T) {
	cases := []struct {
		name    string
		fault   entratest.Fault
		mod     func(f *fixture, o *graph.Options)
		problem oidccheck.Code
	}{
		{"reset", entratest.FaultReset, nil, oidccheck.CodeUnreachable},
		{"huge body", entratest.FaultHugeBody, nil, oidccheck.CodeTooLarge},
		{"slow headers", entratest.FaultSlowHeaders, func(f *fixture, o *graph.Options) {
			o.HTTP, _ = oidccheck.NewHTTPClient(oidccheck.HTTPOptions{RootCAs: f.srv.CA.Pool(), Timeout: 200 * time.Millisecond})
		}, oidccheck.CodeTimeout},
		{"untrusted certificate", entratest.FaultNone, func(f *fixture, o *graph.Options) {
			o.HTTP, _ = oidccheck.NewHTTPClient(oidccheck.HTTPOptions{RootCAs: x509.NewCertPool()})
		}, oidccheck.CodeTLSError},
		{"redirect to another host", entratest.FaultRedirectHost, nil, oidccheck.CodeGraphError},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			f.srv.SetFault(entratest.EndpointGraph, tc.fault)
			c := f.clientWith(f.srv.IssueGraphToken(f.tenant), func(o *graph.Options) {
				if tc.mod != nil {
					tc.mod(f, o)
				}
			})
			_, err := c.FindApplicationsByAppID(context.Background(), "00000000-0000-4000-8000-000000000000")
			if graph.ProblemOf(err) != tc.problem {
				t.Fatalf("got %v (%s)", err, graph.ProblemOf(err))
			}
			if tc.fault == entratest.FaultRedirectHost && f.srv.Requests(entratest.EndpointGraph) != 1 {
				t.Fatalf("the redirect was followed: %d Graph requests", f.srv.Requests(entratest.EndpointGraph))
			}
		})
	}
}

// TestRetryAfter: 429 and 503 are retried after Retry-After (seconds or a
// date), within the bounds, and the wait can be cancelled.
func TestRetryAfter(t *testing.T) {
	cases := []struct {
		name       string
		n, status  int
		after      string
		retry      graph.Retry
		cancel     bool
		wantOK     bool
		waits      string
		problem    oidccheck.Code
		graphCalls int
	}{
		{"429 twice", 2, 429, "3", graph.Retry{}, false, true, "[3s 3s]", "", 3},
		{"503 once", 1, 503, "1", graph.Retry{}, false, true, "[1s]", "", 2},
		{"out of attempts", 10, 429, "1", graph.Retry{Attempts: 3}, false, false, "[1s 1s]", oidccheck.CodeThrottled, 3},
		{"wait beyond the bound", 1, 429, "600", graph.Retry{MaxWait: time.Minute}, false, false, "[]", oidccheck.CodeThrottled, 1},
		{"cancelled", 1, 429, "5", graph.Retry{}, true, false, "[]", oidccheck.CodeGraphError, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			c := f.clientWith(f.srv.IssueGraphToken(f.tenant), func(o *graph.Options) { o.Retry = tc.retry })
			f.srv.ThrottleGraph(tc.n, tc.status, tc.after)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tc.cancel {
				c = f.clientWith(f.srv.IssueGraphToken(f.tenant), func(o *graph.Options) {
					o.Sleep = func(ctx context.Context, d time.Duration) error { cancel(); return ctx.Err() }
				})
			}
			_, err := c.FindApplicationsByName(ctx, "Syncro SSO")
			if tc.wantOK != (err == nil) || graph.ProblemOf(err) != tc.problem || tc.cancel != errors.Is(err, context.Canceled) {
				t.Fatalf("err %v (%s)", err, graph.ProblemOf(err))
			}
			if got := fmt.Sprint(f.recorded()); got != tc.waits && !(tc.waits == "[]" && got == "[]") {
				t.Fatalf("waits %s, want %s", got, tc.waits)
			}
			if n := f.srv.Requests(entratest.EndpointGraph); n != tc.graphCalls {
				t.Fatalf("%d Graph requests, want %d", n, tc.graphCalls)
			}
		})
	}
}

func TestRetryAfterHTTPDate(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	f.srv.ThrottleGraph(1, 429, time.Now().Add(20*time.Second).UTC().Format(http.TimeFormat))
	if _, err := c.FindApplicationsByName(context.Background(), "x"); err != nil {
		t.Fatal(err)
	}
	w := f.recorded()
	if len(w) != 1 || w[0] < 15*time.Second || w[0] > 21*time.Second {
		t.Fatalf("waits %v", w)
	}
}

// TestTokenOnlyToTheGraphHost: the client refuses to carry the bearer
// token to any other host, or over plain http, and nothing is sent.
func TestTokenOnlyToTheGraphHost(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	var mu sync.Mutex
	var seen []string
	other := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer other.Close()
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
	}))
	defer plain.Close()
	hc := c.HTTPClientForTest()
	for _, u := range []string{other.URL + "/v1.0/applications", "http://" + f.srv.Host + "/v1.0/applications", plain.URL + "/v1.0/applications",
		"https://localhost:" + strings.Split(f.srv.Host, ":")[1] + "/v1.0/applications"} {
		resp, err := hc.Get(u)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, graph.ErrHostRefused) {
			t.Fatalf("%s: %v", u, err)
		}
	}
	if len(seen) != 0 || f.srv.Requests(entratest.EndpointGraph) != 0 {
		t.Fatalf("something was sent: %q, %d", seen, f.srv.Requests(entratest.EndpointGraph))
	}
	for _, h := range []string{"https://graph.microsoft.com", "graph.microsoft.com/v1.0", "user@graph.microsoft.com", "graph.microsoft.com?x", ""} {
		_, err := graph.New(graph.Options{Host: h, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "x"}), HTTP: f.http})
		if (err == nil) != (h == "") {
			t.Fatalf("host %q: %v", h, err)
		}
	}
}

// TestSecretTextNeverShown: the value addPassword returns prints as
// [secret] in every format, and no error of a failed call holds it.
func TestSecretTextNeverShown(t *testing.T) {
	f := newFixture(t)
	c := f.client()
	ctx := context.Background()
	app, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "x"})
	if err != nil {
		t.Fatal(err)
	}
	np, err := c.AddPassword(ctx, app.ID, "x", f.clock.Now().AddDate(0, 0, 30))
	if err != nil {
		t.Fatal(err)
	}
	secret := np.Secret.Reveal()
	j, _ := json.Marshal(np)
	var texts []string
	texts = append(texts, fmt.Sprint(np), fmt.Sprintf("%v %+v %#v %s", np, np, np, np.Secret), string(j))
	// Failures after the secret exists: policy, throttling, a bad token,
	// transport faults.
	f.srv.SetPasswordLifetimePolicy(1)
	_, err = c.AddPassword(ctx, app.ID, secret, f.clock.Now().AddDate(0, 0, 30))
	texts = append(texts, err.Error(), fmt.Sprintf("%+v", err.(*graph.Error).Check()))
	f.srv.ThrottleGraph(100, 429, "1")
	_, err = c.GetApplication(ctx, app.ID)
	texts = append(texts, err.Error())
	f.srv.ThrottleGraph(0, 0, "")
	f.srv.SetFault(entratest.EndpointGraph, entratest.FaultTruncatedJSON)
	_, err = c.AddPassword(ctx, app.ID, "y", f.clock.Now().AddDate(0, 0, 1))
	texts = append(texts, err.Error())
	for _, s := range texts {
		if strings.Contains(s, secret) {
			t.Fatalf("the secret is shown: %s", s)
		}
	}
	if !strings.Contains(texts[0], "[secret]") {
		t.Fatalf("print: %s", texts[0])
	}
}

func TestHostForLogin(t *testing.T) {
	for in, want := range map[string]string{"login.microsoftonline.com": graph.HostGlobal, "LOGIN.windows.net:443": graph.HostGlobal,
		"login.microsoftonline.us": graph.HostUSGov, "login.partner.microsoftonline.cn": graph.HostChina, "127.0.0.1:8443": ""} {
		if got, ok := graph.HostForLogin(in); got != want || ok != (want != "") {
			t.Errorf("%s: %q %v", in, got, ok)
		}
	}
}

func BenchmarkFindApplication(b *testing.B) {
	f := newFixture(b)
	c := f.client()
	ctx := context.Background()
	if _, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "Syncro SSO"}); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := c.FindApplication(ctx, "", "Syncro SSO"); err != nil {
			b.Fatal(err)
		}
	}
}

// An app registered through Graph works for the test sign-in once the
// loopback redirect URI is added (what test-login --graph does).
func TestGraphAppWorksForTheTestSignIn(t *testing.T) {
	f := newFixture(t)
	f.srv.AddUser(f.tenant, entratest.User{Name: "Adele Vance", UPN: "adele@contoso.onmicrosoft.com", Email: "adele@contoso.onmicrosoft.com"})
	c := f.client()
	ctx := context.Background()
	app, err := c.CreateApplication(ctx, graph.NewApplication{DisplayName: "Syncro SSO", RedirectURIs: []string{syncroURI}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.EnsureServicePrincipal(ctx, app.AppID); err != nil {
		t.Fatal(err)
	}
	np, err := c.AddPassword(ctx, app.ID, "Syncro SSO", f.clock.Now().AddDate(0, 0, 90))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.AddRedirectURI(ctx, app.ID, oidccheck.LoopbackRedirectURI); err != nil {
		t.Fatal(err)
	}
	checker := &oidccheck.Checker{HTTP: f.http, AuthorityHost: f.srv.Host}
	d, _ := oidccheck.ParseDiscovery(f.tenant.ID, f.srv.Host)
	prov, dc := checker.Discover(ctx, d)
	if prov == nil {
		t.Fatalf("discovery %+v", dc)
	}
	b := newBrowser(f)
	id, checks := checker.TestLogin(ctx, oidccheck.LoginOptions{Provider: prov, ClientID: app.AppID, Secret: np.Secret.Reveal(),
		ExpectTenant: f.tenant.ID, Timeout: 10 * time.Second, Open: b.open})
	if id == nil || id.Email != "adele@contoso.onmicrosoft.com" {
		t.Fatalf("identity %+v, checks %+v", id, checks)
	}
	if page := <-b.pages; !strings.Contains(page, "<h1>Signed in") {
		t.Fatalf("page %s", page)
	}
}
