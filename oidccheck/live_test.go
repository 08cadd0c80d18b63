package oidccheck_test

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// fixture is a look-alike with one tenant, one app and one secret, and a
// checker that trusts only the look-alike's CA.
type fixture struct {
	srv     *entratest.Server
	tenant  *entratest.Tenant
	app     *entratest.App
	secret  *entratest.Secret
	checker *oidccheck.Checker
}

func newFixture(t testing.TB, timeout time.Duration) *fixture {
	t.Helper()
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ten := srv.AddTenant("contoso.onmicrosoft.com", "contoso.com")
	app := srv.AddApp(ten, "Syncro", "https://acme.syncromsp.com/users/auth/openid_connect/callback")
	sec := srv.AddSecret(app, "Syncro SSO", time.Now().AddDate(0, 6, 0))
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: timeout, RootCAs: srv.CA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{srv: srv, tenant: ten, app: app, secret: sec,
		checker: &oidccheck.Checker{HTTP: client, AuthorityHost: srv.Host}}
}

func (f *fixture) input(discovery, clientID, secret string) oidccheck.Input {
	redirect := "https://acme.syncromsp.com/users/auth/openid_connect/callback"
	return oidccheck.Input{RedirectURI: &redirect, ClientID: &clientID, ClientSecret: &secret, Discovery: &discovery, Profile: "default"}
}

func (f *fixture) run(t testing.TB, in oidccheck.Input) oidccheck.Outcome {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return f.checker.Run(ctx, in)
}

// failure returns the report's first failure, failing the test if none.
func failure(t *testing.T, r oidccheck.Report) oidccheck.Check {
	t.Helper()
	c, ok := r.FirstFailure()
	if !ok {
		t.Fatalf("expected a failure, report: %+v", r.Checks)
	}
	return c
}

func TestLiveHappyPathByGUID(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	out := f.run(t, f.input(f.tenant.ID, strings.ToUpper(f.app.ClientID), f.secret.Value))
	r := out.Report
	if r.Failed() {
		t.Fatalf("unexpected failure: %+v", r.Checks)
	}
	want := oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.tenant.ID)
	if r.Values.DiscoveryURL != want || r.Values.TenantID != f.tenant.ID || r.Values.ClientID != f.app.ClientID {
		t.Fatalf("values %+v", r.Values)
	}
	if r.Values.Issuer != "https://"+f.srv.Host+"/"+f.tenant.ID+"/v2.0" || r.Values.SecretHint != f.secret.Hint {
		t.Fatalf("values %+v", r.Values)
	}
	if out.Proof == nil || out.Proof.TenantID != f.tenant.ID || out.Proof.AppID != f.app.ClientID {
		t.Fatalf("proof %+v", out.Proof)
	}
	passes := map[oidccheck.Field]int{}
	for _, c := range r.Checks {
		if c.Status == oidccheck.StatusPass {
			passes[c.Field]++
		}
	}
	// format + live for client ID and secret; parse + document + keys.
	if passes[oidccheck.FieldClientSecret] != 2 || passes[oidccheck.FieldClientID] != 2 || passes[oidccheck.FieldDiscoveryURL] != 3 {
		t.Fatalf("passes %v in %+v", passes, r.Checks)
	}
	if n := f.srv.Requests(entratest.EndpointToken); n != 1 {
		t.Fatalf("%d token requests, want exactly 1", n)
	}
}

func TestLiveDomainResolvesTenantGUID(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	out := f.run(t, f.input("https://"+f.srv.Host+"/contoso.com/v2.0/.well-known/openid-configuration", f.app.ClientID, f.secret.Value))
	r := out.Report
	if r.Failed() {
		t.Fatalf("unexpected failure: %+v", r.Checks)
	}
	if r.Values.DiscoveryURL != oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.tenant.ID) || r.Values.TenantID != f.tenant.ID {
		t.Fatalf("values %+v", r.Values)
	}
	if n := f.srv.Requests(entratest.EndpointDiscovery); n != 2 {
		t.Fatalf("%d discovery fetches, want 2 (domain, then the GUID issuer)", n)
	}
}

func TestLiveV1URLWarnsAndChecksV2(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	out := f.run(t, f.input("https://"+f.srv.Host+"/"+f.tenant.ID+"/.well-known/openid-configuration", f.app.ClientID, f.secret.Value))
	r := out.Report
	if r.Failed() || !hasCode(r, oidccheck.CodeV1Endpoint, oidccheck.StatusWarn) {
		t.Fatalf("want a v1 warning and no failure: %+v", r.Checks)
	}
	if r.Values.Issuer != oidccheck.V2Issuer(f.srv.Host, f.tenant.ID) {
		t.Fatalf("issuer %q", r.Values.Issuer)
	}
}

func hasCode(r oidccheck.Report, code oidccheck.Code, s oidccheck.Status) bool {
	for _, c := range r.Checks {
		if c.Code == code && c.Status == s {
			return true
		}
	}
	return false
}

// TestLiveEntraErrors covers the live problem codes: each mistake ends on
// the field to fix, with its code and Entra's trace and correlation IDs.
func TestLiveEntraErrors(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	expired := f.srv.AddSecret(f.app, "old", time.Now().Add(-time.Hour))
	other := f.srv.AddTenant("fabrikam.onmicrosoft.com")
	noSP := f.srv.AddApp(f.tenant, "no service principal")
	noSPSecret := f.srv.AddSecret(noSP, "s", time.Now().AddDate(1, 0, 0))
	f.srv.UpdateApp(noSP, func(a *entratest.App) { a.NoServicePrincipal = true })
	unknownTenant := "11111111-2222-4333-8444-555555555555"
	cases := []struct {
		name                 string
		discovery, id, value string
		field                oidccheck.Field
		code                 oidccheck.Code
		entraIDs             bool
	}{
		{"unknown tenant", unknownTenant, f.app.ClientID, f.secret.Value, oidccheck.FieldDiscoveryURL, oidccheck.CodeTenantNotFound, true},
		{"unknown domain", "nowhere.onmicrosoft.com", f.app.ClientID, f.secret.Value, oidccheck.FieldDiscoveryURL, oidccheck.CodeTenantNotFound, true},
		{"malformed tenant", "contoso", f.app.ClientID, f.secret.Value, oidccheck.FieldDiscoveryURL, oidccheck.CodeMalformedTenant, true},
		{"wrong client id", f.tenant.ID, "00000000-1111-4222-8333-444444444444", f.secret.Value, oidccheck.FieldClientID, oidccheck.CodeAppNotFound, true},
		{"object id for client id", f.tenant.ID, f.app.ObjectID, f.secret.Value, oidccheck.FieldClientID, oidccheck.CodeAppNotFound, true},
		{"app of another tenant", other.ID, f.app.ClientID, f.secret.Value, oidccheck.FieldClientID, oidccheck.CodeAppNotFound, true},
		{"wrong secret", f.tenant.ID, f.app.ClientID, "Zz_8Q~" + strings.Repeat("q", 34), oidccheck.FieldClientSecret, oidccheck.CodeInvalidSecret, true},
		{"expired secret", f.tenant.ID, f.app.ClientID, expired.Value, oidccheck.FieldClientSecret, oidccheck.CodeExpiredSecret, true},
		{"no service principal", f.tenant.ID, noSP.ClientID, noSPSecret.Value, oidccheck.FieldClientID, oidccheck.CodeEntraError, true},
		{"secret id pasted", f.tenant.ID, f.app.ClientID, f.secret.KeyID, oidccheck.FieldClientSecret, oidccheck.CodeSecretIDNotValue, false},
		{"tenant id as client id (domain)", "contoso.onmicrosoft.com", f.tenant.ID, f.secret.Value, oidccheck.FieldClientID, oidccheck.CodeIsTenantID, false},
		{"tenant id as client id (guid)", f.tenant.ID, f.tenant.ID, f.secret.Value, oidccheck.FieldClientID, oidccheck.CodeIsTenantID, false},
		{"common endpoint", "https://" + f.srv.Host + "/common/v2.0/.well-known/openid-configuration", f.app.ClientID, f.secret.Value, oidccheck.FieldDiscoveryURL, oidccheck.CodeMultiTenantEndpoint, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := f.run(t, f.input(c.discovery, c.id, c.value))
			got := failure(t, out.Report)
			if got.Field != c.field || got.Code != c.code {
				t.Fatalf("got %s/%s (%s), want %s/%s", got.Field, got.Code, got.Message, c.field, c.code)
			}
			if c.entraIDs && (got.TraceID == "" || got.CorrelationID == "") {
				t.Fatalf("Entra's trace and correlation IDs are missing: %+v", got)
			}
			if got.Fix == "" {
				t.Fatalf("no fix: %+v", got)
			}
			if c.code == oidccheck.CodeEntraError && !strings.Contains(got.Fix, "/error?code=7000229") {
				t.Fatalf("entra_error must link Entra's error page: %+v", got)
			}
			for _, ch := range out.Report.Checks {
				if strings.Contains(ch.Message+ch.Fix, c.value) {
					t.Fatalf("secret leaked: %+v", ch)
				}
			}
		})
	}
}

func TestLiveGenericProviderGetsNoSecret(t *testing.T) {
	f := newFixture(t, 5*time.Second)
	f.checker.AuthorityHost = oidccheck.DefaultAuthorityHost
	// localhost is the same server under a name that is not an Entra host.
	_, port, _ := net.SplitHostPort(f.srv.Host)
	in := f.input("https://localhost:"+port+"/"+f.tenant.ID+"/v2.0", f.app.ClientID, f.secret.Value)
	out := f.run(t, in)
	r := out.Report
	if !hasCode(r, oidccheck.CodeNotEntraHost, oidccheck.StatusWarn) {
		t.Fatalf("want not_entra_host: %+v", r.Checks)
	}
	if n := f.srv.Requests(entratest.EndpointToken); n != 0 {
		t.Fatalf("the secret was sent %d times to a host that is not Entra", n)
	}
	skipped := false
	for _, c := range r.Checks {
		if c.Field == oidccheck.FieldClientSecret && c.Status == oidccheck.StatusSkip && strings.Contains(c.Message, "--authority-host") {
			skipped = true
		}
	}
	if !skipped {
		t.Fatalf("secret check should be skip naming --authority-host: %+v", r.Checks)
	}
}

// fakeClock is shared by the look-alike and the checker's sleep, so a
// propagation wait of a minute runs in no time.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	return ctx.Err()
}

func TestLivePropagationRetry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		delay  time.Duration
		wait   time.Duration
		pass   bool
		tokens int
	}{
		{"accepted after about 12s", 12 * time.Second, time.Minute, true, 5},       // 0,1,3,7,15
		{"not retried by default", 12 * time.Second, 0, false, 1},                  // check's default
		{"still rejected after the wait", 5 * time.Minute, time.Minute, false, 10}, // 0,1,3,7,15,23,31,39,47,55
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, 5*time.Second)
			clock := &fakeClock{now: time.Now()}
			f.srv.SetClock(clock.Now)
			f.srv.SetPropagationDelay(tc.delay)
			fresh := f.srv.AddSecret(f.app, "new", clock.Now().AddDate(0, 6, 0))
			var waits []oidccheck.WaitInfo
			f.checker.PropagationWait = tc.wait
			f.checker.Sleep = clock.Sleep
			f.checker.OnWait = func(w oidccheck.WaitInfo) { waits = append(waits, w) }
			out := f.run(t, f.input(f.tenant.ID, f.app.ClientID, fresh.Value))
			if got := !out.Report.Failed(); got != tc.pass {
				t.Fatalf("pass=%v, want %v: %+v", got, tc.pass, out.Report.Checks)
			}
			if n := f.srv.Requests(entratest.EndpointToken); n != tc.tokens {
				t.Fatalf("%d token requests, want %d", n, tc.tokens)
			}
			if tc.wait > 0 {
				if len(waits) == 0 {
					t.Fatal("the wait was not announced")
				}
				last := out.Report.For(oidccheck.FieldClientSecret)
				if !strings.Contains(last[len(last)-1].Message, "after waiting") {
					t.Fatalf("the report does not say it waited: %+v", last)
				}
			}
		})
	}
}
