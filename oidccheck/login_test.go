package oidccheck_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// browser plays the admin's browser: it opens the authorize URL and
// follows Entra's redirect back to entrasso's loopback listener.
type browser struct {
	t      *testing.T
	client *http.Client
	before func(authURL string) // runs first, e.g. a forged callback
	pages  chan string
}

func newBrowser(t *testing.T, srv *entratest.Server) *browser {
	tr := &http.Transport{TLSClientConfig: nil}
	tr.TLSClientConfig = tlsFor(srv)
	return &browser{t: t, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}, pages: make(chan string, 4)}
}

func (b *browser) open(authURL string) error {
	go func() {
		if b.before != nil {
			b.before(authURL)
		}
		resp, err := b.client.Get(authURL)
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

type loginFixture struct {
	*fixture
	demo entratest.Demo
	prov *oidccheck.Provider
}

func newLoginFixture(t *testing.T) *loginFixture {
	f := newFixture(t, 5*time.Second)
	demo := f.srv.SeedDemo()
	d, _ := oidccheck.ParseDiscovery(demo.Tenant.ID, f.srv.Host)
	prov, c := f.checker.Discover(context.Background(), d)
	if prov == nil {
		t.Fatalf("discovery: %+v", c)
	}
	return &loginFixture{fixture: f, demo: demo, prov: prov}
}

func (lf *loginFixture) login(t *testing.T, b *browser, timeout time.Duration) (*oidccheck.Identity, []oidccheck.Check) {
	return lf.checker.TestLogin(context.Background(), oidccheck.LoginOptions{Provider: lf.prov, ClientID: lf.demo.App.ClientID,
		Secret: lf.demo.Secret.Value, ExpectTenant: lf.demo.Tenant.ID, Timeout: timeout, Open: b.open})
}

func firstFail(cs []oidccheck.Check) oidccheck.Check {
	for _, c := range cs {
		if c.Status == oidccheck.StatusFail {
			return c
		}
	}
	return oidccheck.Check{}
}

func TestLoginSuccessReportsWhoSignedIn(t *testing.T) {
	lf := newLoginFixture(t)
	b := newBrowser(t, lf.srv)
	id, checks := lf.login(t, b, 10*time.Second)
	if id == nil || id.Email != "adele@contoso.com" || id.TenantID != lf.demo.Tenant.ID || id.ObjectID != lf.demo.User.ObjectID {
		t.Fatalf("identity %+v %+v", id, checks)
	}
	if c := firstFail(checks); c.Code != "" {
		t.Fatalf("failure %+v", c)
	}
	joined := ""
	for _, c := range checks {
		joined += c.Message + "\n"
	}
	if !strings.Contains(joined, "differs from the sign-in name") || !strings.Contains(joined, "signed in as Adele Vance") {
		t.Fatalf("checks:\n%s", joined)
	}
	if page := <-b.pages; !strings.Contains(page, "Signed in") {
		t.Fatalf("browser page %q", page)
	}
}

// TestLoginFailures: each way a sign-in goes wrong ends with its code.
func TestLoginFailures(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(lf *loginFixture, b *browser)
		timeout time.Duration
		code    oidccheck.Code
		fix     string
	}{
		{"redirect uri not registered", func(lf *loginFixture, b *browser) {
			lf.srv.UpdateApp(lf.demo.App, func(a *entratest.App) { a.RedirectURIs = a.RedirectURIs[:1] })
		}, time.Second, oidccheck.CodeSignInTimeout, "AADSTS50011"},
		{"access denied", func(lf *loginFixture, b *browser) {
			lf.srv.UpdateApp(lf.demo.App, func(*entratest.App) { lf.demo.User.Declines = true })
		}, 10 * time.Second, oidccheck.CodeAccessDenied, ""},
		{"user not assigned", func(lf *loginFixture, b *browser) {
			lf.srv.UpdateApp(lf.demo.App, func(a *entratest.App) { a.AssignmentRequired = true })
		}, 10 * time.Second, oidccheck.CodeUserNotAssigned, "Users and groups"},
		{"consent required", func(lf *loginFixture, b *browser) {
			lf.srv.UpdateApp(lf.demo.App, func(a *entratest.App) { a.NeedsConsent = true })
		}, 10 * time.Second, oidccheck.CodeConsentRequired, "admin consent"},
		{"blocked by conditional access", func(lf *loginFixture, b *browser) {
			lf.srv.UpdateApp(lf.demo.App, func(*entratest.App) { lf.demo.User.Blocked = true })
		}, 10 * time.Second, oidccheck.CodeBlockedByPolicy, "Conditional Access"},
		{"mobile and desktop platform", func(lf *loginFixture, b *browser) {
			lf.srv.UpdateApp(lf.demo.App, func(a *entratest.App) {
				a.RedirectURIs = a.RedirectURIs[:1]
				a.PublicRedirectURIs = []string{entratest.LoopbackRedirectURI}
			})
		}, 10 * time.Second, oidccheck.CodeCodeExchangeFailed, "Mobile and desktop"},
		{"reused code", func(lf *loginFixture, b *browser) {
			// Someone redeems the code before entrasso does.
			b.client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
				if req.URL.Host != lf.srv.Host {
					code := req.URL.Query().Get("code")
					form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {lf.demo.App.ClientID},
						"client_secret": {lf.demo.Secret.Value}, "redirect_uri": {req.URL.Scheme + "://" + req.URL.Host + req.URL.Path}}
					resp, err := b.client.PostForm(lf.prov.TokenEndpoint, form)
					if err == nil {
						resp.Body.Close()
					}
				}
				return nil
			}
		}, 10 * time.Second, oidccheck.CodeCodeExchangeFailed, "error?code="},
		{"timeout", func(lf *loginFixture, b *browser) {
			// The browser never comes back: it waits until the test ends.
			never := make(chan struct{})
			b.t.Cleanup(func() { close(never) })
			b.before = func(string) { <-never }
		}, 500 * time.Millisecond, oidccheck.CodeSignInTimeout, "AADSTS50011"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lf := newLoginFixture(t)
			b := newBrowser(t, lf.srv)
			c.setup(lf, b)
			id, checks := lf.login(t, b, c.timeout)
			got := firstFail(checks)
			if id != nil || got.Code != c.code || got.Field != oidccheck.FieldLogin || !strings.Contains(got.Fix, c.fix) {
				t.Fatalf("got %+v (identity %v), want %s with %q", got, id, c.code, c.fix)
			}
		})
	}
}

func TestLoginWrongStateIsRefusedAndTheRightOneAccepted(t *testing.T) {
	lf := newLoginFixture(t)
	b := newBrowser(t, lf.srv)
	var forged string
	b.before = func(short string) {
		cb, _ := url.Parse(short)
		cb.Path = oidccheck.LoopbackRedirectPath
		cb.RawQuery = url.Values{"code": {"forged"}, "state": {"not-the-state"}}.Encode()
		resp, err := b.client.Get(cb.String())
		if err == nil {
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			forged = string(body)
		}
	}
	id, checks := lf.login(t, b, 10*time.Second)
	if id == nil || firstFail(checks).Code != "" {
		t.Fatalf("the right callback after a wrong one failed: %+v", checks)
	}
	if !strings.Contains(forged, "not the answer entrasso is waiting for") {
		t.Fatalf("the forged callback got %q", forged)
	}
}

// TestLoginRejectsBadIDTokens: tokens a client must refuse, each one
// id_token_invalid.
func TestLoginRejectsBadIDTokens(t *testing.T) {
	cases := map[string]func(claims map[string]any) bool{
		"wrong audience": func(c map[string]any) bool { c["aud"] = "11111111-1111-1111-1111-111111111111"; return false },
		"wrong issuer":   func(c map[string]any) bool { c["iss"] = "https://login.microsoftonline.com/other/v2.0"; return false },
		"expired":        func(c map[string]any) bool { c["exp"] = time.Now().Add(-time.Hour).Unix(); return false },
		"bad signature":  func(c map[string]any) bool { return true },
		"nonce mismatch": func(c map[string]any) bool { c["nonce"] = "replayed"; return false },
	}
	for name, tamper := range cases {
		t.Run(name, func(t *testing.T) {
			lf := newLoginFixture(t)
			lf.srv.TamperIDTokens(tamper)
			id, checks := lf.login(t, newBrowser(t, lf.srv), 10*time.Second)
			if got := firstFail(checks); id != nil || got.Code != oidccheck.CodeIDTokenInvalid {
				t.Fatalf("got %+v", checks)
			}
		})
	}
}

func TestIdentityChecks(t *testing.T) {
	lf := newLoginFixture(t)
	guest := lf.srv.AddUser(lf.demo.Tenant, entratest.User{Name: "Guest", UPN: "bob_fabrikam.com#EXT#@contoso.onmicrosoft.com", Guest: true})
	lf.srv.SignInAs(guest)
	_, checks := lf.login(t, newBrowser(t, lf.srv), 10*time.Second)
	codes := map[oidccheck.Code]bool{}
	for _, c := range checks {
		codes[c.Code] = true
	}
	if !codes[oidccheck.CodeGuestUser] || !codes[oidccheck.CodeNoEmailClaim] {
		t.Fatalf("checks %+v", checks)
	}
	other := lf.srv.AddTenant("fabrikam.com")
	_, checks = lf.checker.TestLogin(context.Background(), oidccheck.LoginOptions{Provider: lf.prov, ClientID: lf.demo.App.ClientID,
		Secret: lf.demo.Secret.Value, ExpectTenant: other.ID, Timeout: 10 * time.Second, Open: newBrowser(t, lf.srv).open})
	if firstFail(checks).Code != oidccheck.CodeTenantMismatch {
		t.Fatalf("checks %+v", checks)
	}
}
