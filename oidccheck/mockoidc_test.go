package oidccheck_test

import (
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"

	"github.com/oauth2-proxy/mockoidc"
)

// TestLoginAgainstMockOIDC runs the test sign-in against an OpenID provider
// written by someone else (oauth2-proxy's mockoidc), served over TLS from a
// test CA: the flow is proven on another implementation, not only on the
// look-alike. mockoidc issues no tid, so the tenant check is a skip.
func TestLoginAgainstMockOIDC(t *testing.T) {
	ca, err := entratest.NewCA()
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.ServerCert()
	if err != nil {
		t.Fatal(err)
	}
	// mockoidc's RunTLS serves plain HTTP on its listener; a TLS listener
	// makes it real TLS, from the test CA.
	m, err := mockoidc.NewServer(nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}}
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(tls.NewListener(raw, cfg), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Shutdown() })
	m.QueueUser(&mockoidc.MockUser{Subject: "1234", Email: "jane@example.org", PreferredUsername: "jane@example.org", EmailVerified: true})

	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: 5 * time.Second, RootCAs: ca.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	checker := &oidccheck.Checker{HTTP: client}
	d, r := oidccheck.ParseDiscovery(m.Issuer(), "")
	if !r.OK() {
		t.Fatalf("parse %+v", r.Checks)
	}
	prov, c := checker.Discover(context.Background(), d)
	if prov == nil {
		t.Fatalf("discovery of mockoidc: %+v", c)
	}
	browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: ca.Pool()}}, Timeout: 10 * time.Second}
	open := func(u string) error {
		go func() {
			if resp, err := browser.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	id, checks := checker.TestLogin(context.Background(), oidccheck.LoginOptions{Provider: prov, ClientID: m.ClientID, Secret: m.ClientSecret,
		Timeout: 10 * time.Second, Open: open})
	if id == nil || id.Email != "jane@example.org" {
		t.Fatalf("identity %+v, checks %+v", id, checks)
	}
	skipped := false
	for _, c := range checks {
		if c.Status == oidccheck.StatusFail {
			t.Fatalf("failure %+v", c)
		}
		skipped = skipped || (c.Status == oidccheck.StatusSkip && c.Field == oidccheck.FieldLogin)
	}
	if !skipped {
		t.Fatalf("a provider without tid must make the tenant check a skip: %+v", checks)
	}
}
