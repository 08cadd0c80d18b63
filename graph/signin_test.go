package graph_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"entrasso/graph"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// browser plays the admin's browser: it opens the short address and
// follows every redirect (to the look-alike's authorize endpoint, then back
// to entrasso's listener); the page it ends on goes to pages.
type browser struct {
	client *http.Client
	pages  chan string
	short  string
}

func newBrowser(f *fixture) *browser {
	// The browser trusts the look-alike's CA and follows any redirect.
	tr := f.http.Transport
	return &browser{client: &http.Client{Transport: tr, Timeout: 10 * time.Second}, pages: make(chan string, 1)}
}

func (b *browser) open(short string) error {
	b.short = short
	go func() {
		resp, err := b.client.Get(short)
		if err != nil {
			b.pages <- "error: " + err.Error()
			return
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		b.pages <- string(body)
	}()
	return nil
}

func (f *fixture) signIn() graph.SignIn {
	return graph.SignIn{LoginHost: f.srv.Host, Tenant: "contoso.onmicrosoft.com", GraphHost: f.srv.Host, HTTP: f.http, Timeout: 10 * time.Second}
}

func TestBrowserSignIn(t *testing.T) {
	f := newFixture(t)
	f.srv.AddUser(f.tenant, entratest.User{Name: "Admin", UPN: "admin@contoso.onmicrosoft.com"})
	b := newBrowser(f)
	o := f.signIn()
	var full string
	o.Open, o.AuthorizeURL = b.open, func(u string) { full = u }
	sess, err := graph.SignInBrowser(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	page := <-b.pages
	if !strings.Contains(page, "<h1>Signed in to Microsoft Graph") || !strings.Contains(page, "admin@contoso.onmicrosoft.com") {
		t.Fatalf("page %s", page)
	}
	if !regexp.MustCompile(`^http://localhost:\d+/$`).MatchString(b.short) {
		t.Fatalf("short address %q", b.short)
	}
	u, _ := url.Parse(full)
	q := u.Query()
	if q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("redirect_uri") != b.short ||
		q.Get("client_id") != graph.DefaultClientID || !strings.Contains(q.Get("scope"), "Application.ReadWrite.All") || !strings.Contains(q.Get("scope"), "offline_access") {
		t.Fatalf("authorize URL %s", full)
	}
	if a := sess.Account(); a.UPN != "admin@contoso.onmicrosoft.com" || a.TenantID != f.tenant.ID {
		t.Fatalf("account %+v", a)
	}
	if !sess.Granted(graph.ScopePolicyRead) || !sess.Granted(graph.ScopeApplications) {
		t.Fatalf("scopes %v", sess.Scopes())
	}
	// The session's token works at Graph.
	c, err := graph.New(graph.Options{Host: f.srv.Host, Tokens: sess.TokenSource(), HTTP: f.http})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindApplicationsByName(context.Background(), "Syncro SSO"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PasswordPolicy(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Without Policy.Read.All consented the sign-in still works: the session
// says the scope is missing and the policy read is ErrPolicyNotReadable.
func TestSignInWithoutPolicyRead(t *testing.T) {
	f := newFixture(t)
	f.srv.DenyPolicyRead(true)
	b := newBrowser(f)
	o := f.signIn()
	o.Open = b.open
	sess, err := graph.SignInBrowser(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	<-b.pages
	if sess.Granted(graph.ScopePolicyRead) || !sess.Granted(graph.ScopeApplications) {
		t.Fatalf("scopes %v", sess.Scopes())
	}
	c, _ := graph.New(graph.Options{Host: f.srv.Host, Tokens: sess.TokenSource(), HTTP: f.http})
	if _, err := c.PasswordPolicy(context.Background()); !errors.Is(err, graph.ErrPolicyNotReadable) {
		t.Fatalf("policy: %v", err)
	}
}

func TestBrowserSignInFailures(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(f *fixture, o *graph.SignIn)
		problem oidccheck.Code
		aadsts  int
		fix     string
	}{
		{"conditional access", func(f *fixture, o *graph.SignIn) { f.srv.BlockSignIn(entratest.SignInBrowser, true) },
			oidccheck.CodeSignInBlocked, 53003, "--device-code"},
		{"consent required", func(f *fixture, o *graph.SignIn) { f.srv.RequireAdminConsent(true) },
			oidccheck.CodeConsentRequired, 65001, "without Policy.Read.All"},
		{"consent required, policy scope already left out", func(f *fixture, o *graph.SignIn) {
			f.srv.RequireAdminConsent(true)
			o.WithoutPolicyScope = true
		}, oidccheck.CodeConsentRequired, 65001, "consent to Application.ReadWrite.All"},
		{"unknown tenant", func(f *fixture, o *graph.SignIn) { o.Tenant = "fabrikam.example" },
			oidccheck.CodeSignInTimeout, 0, "--device-code"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			b := newBrowser(f)
			o := f.signIn()
			o.Open = b.open
			tc.setup(f, &o)
			if tc.problem == oidccheck.CodeSignInTimeout {
				// Entra shows its error page and never comes back.
				o.Timeout = 300 * time.Millisecond
			}
			_, err := graph.SignInBrowser(context.Background(), o)
			var se *graph.SignInError
			if !errors.As(err, &se) || se.Problem != tc.problem || se.AADSTS != tc.aadsts || !strings.Contains(se.Fix, tc.fix) {
				t.Fatalf("got %#v", err)
			}
			page := <-b.pages
			if tc.aadsts != 0 {
				if !strings.Contains(page, "did not work") || se.TraceID == "" || se.CorrelationID == "" {
					t.Fatalf("page %s, error %+v", page, se)
				}
				if c := se.Check(); c.Field != oidccheck.FieldGraph || c.Code != tc.problem || !strings.Contains(c.Message, "AADSTS") {
					t.Fatalf("check %+v", c)
				}
			}
		})
	}
}

func TestBrowserSignInTimeoutAndCancel(t *testing.T) {
	f := newFixture(t)
	o := f.signIn()
	o.Timeout = time.Millisecond
	_, err := graph.SignInBrowser(context.Background(), o)
	if graph.ProblemOf(err) != oidccheck.CodeSignInTimeout {
		t.Fatalf("timeout: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	o.Timeout = time.Minute
	o.Open = func(string) error { cancel(); return nil }
	if _, err := graph.SignInBrowser(ctx, o); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
}

// TestDeviceSignIn: the admin is shown a code; the test plays the admin
// approving, declining or running out of time through the look-alike's
// knobs, from inside the callback (no sleeping). Each case polls once at
// the look-alike's one-second interval, so they run in parallel.
func TestDeviceSignIn(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(f *fixture)
		act     func(f *fixture, userCode string)
		problem oidccheck.Code
		aadsts  int
		fix     string
	}{
		{"approved", nil, func(f *fixture, c string) { f.srv.ApproveDeviceCode(c) }, "", 0, ""},
		{"approved after pending", func(f *fixture) { f.srv.AutoApproveDeviceCodes(1) }, func(*fixture, string) {}, "", 0, ""},
		{"declined", nil, func(f *fixture, c string) { f.srv.DeclineDeviceCode(c) }, oidccheck.CodeDeviceCodeDeclined, 65004, "accept"},
		{"expired", nil, func(f *fixture, c string) { f.srv.ExpireDeviceCode(c) }, oidccheck.CodeDeviceCodeExpired, 70019, "new code"},
		{"conditional access", func(f *fixture) { f.srv.BlockSignIn(entratest.SignInDeviceCode, true) },
			func(f *fixture, c string) { f.srv.ApproveDeviceCode(c) }, oidccheck.CodeSignInBlocked, 53003, "browser sign-in"},
		{"consent required", func(f *fixture) { f.srv.RequireAdminConsent(true) },
			func(f *fixture, c string) { f.srv.ApproveDeviceCode(c) }, oidccheck.CodeConsentRequired, 65001, "consent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.srv.SetDeviceCodeInterval(1)
			if tc.setup != nil {
				tc.setup(f)
			}
			o := f.signIn()
			var shown graph.DeviceCode
			o.ShowCode = func(d graph.DeviceCode) {
				shown = d
				tc.act(f, d.UserCode)
			}
			sess, err := graph.SignInDevice(context.Background(), o)
			if shown.UserCode == "" || !strings.Contains(shown.Message, shown.UserCode) || !strings.HasPrefix(shown.VerificationURI, "https://") {
				t.Fatalf("shown %+v", shown)
			}
			if tc.problem == "" {
				if err != nil || sess == nil || !sess.Granted(graph.ScopeApplications) {
					t.Fatalf("session %v, err %v", sess, err)
				}
				return
			}
			var se *graph.SignInError
			if !errors.As(err, &se) || se.Problem != tc.problem || se.AADSTS != tc.aadsts || !strings.Contains(se.Fix, tc.fix) || se.TraceID == "" {
				t.Fatalf("got %#v", err)
			}
		})
	}
}

// The device code endpoint and the token endpoint's device grant, by
// hand: slow_down and authorization_pending, then the token, then the code
// is spent. (x/oauth2 adds five seconds after slow_down, too slow for a
// test of the client.)
func TestLookAlikeDeviceGrant(t *testing.T) {
	f := newFixture(t)
	base := f.srv.URL + "/" + f.tenant.ID + "/oauth2/v2.0/"
	post := func(path string, form url.Values) (int, map[string]any) {
		resp, err := f.http.PostForm(base+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	st, dc := post("devicecode", url.Values{"client_id": {graph.DefaultClientID}, "scope": {"Application.ReadWrite.All offline_access"}})
	if st != 200 || dc["interval"].(float64) != 5 || dc["expires_in"].(float64) != 900 {
		t.Fatalf("devicecode %d %v", st, dc)
	}
	poll := url.Values{"client_id": {graph.DefaultClientID}, "grant_type": {"urn:ietf:params:oauth:grant-type:device_code"}, "device_code": {dc["device_code"].(string)}}
	f.srv.SlowDownDeviceCodes(1)
	for _, want := range []string{"slow_down", "authorization_pending"} {
		if st, m := post("token", poll); st != 400 || m["error"] != want {
			t.Fatalf("want %s: %d %v", want, st, m)
		}
	}
	f.srv.ApproveDeviceCode(dc["user_code"].(string))
	if st, m := post("token", poll); st != 200 || m["access_token"] == nil || m["refresh_token"] == nil {
		t.Fatalf("token %d %v", st, m)
	}
	if st, m := post("token", poll); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("spent code %d %v", st, m)
	}
	// A confidential client is refused, and a public client never sends a
	// secret.
	if st, _ := post("devicecode", url.Values{"client_id": {"00000000-0000-4000-8000-000000000000"}}); st != 400 {
		t.Fatalf("confidential client: %d", st)
	}
	poll.Set("client_secret", "x")
	if st, m := post("token", poll); st != 401 || m["error"] != "invalid_client" {
		t.Fatalf("secret from a public client: %d %v", st, m)
	}
}

// The refresh token gives a new access token that Graph accepts.
func TestLookAlikeRefresh(t *testing.T) {
	f := newFixture(t)
	f.srv.SetDeviceCodeInterval(1)
	f.srv.AutoApproveDeviceCodes(0)
	base := f.srv.URL + "/" + f.tenant.ID + "/oauth2/v2.0/token"
	o := f.signIn()
	sess, err := graph.SignInDevice(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := sess.TokenSource().Token()
	f.srv.ExpireGraphTokens()
	resp, err := f.http.PostForm(base, url.Values{"client_id": {graph.DefaultClientID}, "grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	resp.Body.Close()
	at, _ := m["access_token"].(string)
	c := f.clientWith(at, nil)
	if _, err := c.FindApplicationsByAppID(context.Background(), graph.DefaultClientID); err != nil {
		t.Fatal(err)
	}
	if _, err := f.clientWith(tok.AccessToken, nil).FindApplicationsByAppID(context.Background(), graph.DefaultClientID); graph.ProblemOf(err) != oidccheck.CodeTokenInvalid {
		t.Fatalf("the expired token: %v", err)
	}
}
