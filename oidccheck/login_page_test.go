package oidccheck_test

import (
	"context"
	"regexp"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
)

// The tab the browser is left on tells the real outcome: it is written
// after the code exchange and the ID token's check, not when Entra's
// redirect arrives.
func TestBrowserPageTellsTheRealOutcome(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(lf *loginFixture)
		want   string
		code   oidccheck.Code
	}{
		{"success", func(*loginFixture) {}, "<h1>Signed in", ""},
		{"an ID token for another app", func(lf *loginFixture) {
			lf.srv.TamperIDTokens(func(c map[string]any) bool { c["aud"] = "someone-else"; return false })
		}, "did not work", oidccheck.CodeIDTokenInvalid},
		{"a tenant that is not the profile's", func(lf *loginFixture) {
			lf.srv.TamperIDTokens(func(c map[string]any) bool { c["tid"] = "00000000-0000-0000-0000-000000000001"; return false })
		}, "did not work", oidccheck.CodeTenantMismatch},
		{"the secret no longer works at the exchange", func(lf *loginFixture) {
			lf.srv.DeleteSecret(lf.demo.App, lf.demo.Secret.KeyID)
		}, "did not work", oidccheck.CodeCodeExchangeFailed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lf := newLoginFixture(t)
			c.tamper(lf)
			b := newBrowser(t, lf.srv)
			_, checks := lf.login(t, b, 5*time.Second)
			if got := firstFail(checks).Code; got != c.code {
				t.Fatalf("code %q, want %q: %+v", got, c.code, checks)
			}
			page := <-b.pages
			if !strings.Contains(page, c.want) || (c.code != "" && strings.Contains(page, "<h1>Signed in")) {
				t.Fatalf("page does not say %q:\n%s", c.want, page)
			}
			if strings.Contains(page, lf.demo.Secret.Value) {
				t.Fatal("the page shows the secret")
			}
		})
	}
}

// The admin is shown a short loopback address that leads on to Entra's
// long authorize URL; a script can still be told the full URL.
func TestShortLoopbackAddress(t *testing.T) {
	lf := newLoginFixture(t)
	b := newBrowser(t, lf.srv)
	var short, full string
	_, checks := lf.checker.TestLogin(context.Background(), oidccheck.LoginOptions{Provider: lf.prov, ClientID: lf.demo.App.ClientID,
		Secret: lf.demo.Secret.Value, ExpectTenant: lf.demo.Tenant.ID, Timeout: 5 * time.Second,
		AuthorizeURL: func(u string) { full = u },
		Open:         func(u string) error { short = u; return b.open(u) }})
	if firstFail(checks).Code != "" {
		t.Fatalf("checks: %+v", checks)
	}
	if !regexp.MustCompile(`^http://localhost:\d+/$`).MatchString(short) {
		t.Fatalf("short address %q", short)
	}
	for _, p := range []string{"https://" + lf.srv.Host + "/", "state=", "nonce=", "code_challenge=", "code_challenge_method=S256", "redirect_uri="} {
		if !strings.Contains(full, p) {
			t.Fatalf("authorize URL lacks %q: %s", p, full)
		}
	}
	if page := <-b.pages; !strings.Contains(page, "<h1>Signed in") {
		t.Fatalf("page: %s", page)
	}
}
