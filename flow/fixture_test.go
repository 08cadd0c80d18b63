package flow

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"
)

// fixture is the look-alike with its demo tenant, a store on an in-memory
// keyring and flow deps that trust the look-alike's host.
type fixture struct {
	srv   *entratest.Server
	demo  entratest.Demo
	store *store.Store
	d     *Deps
	waits []time.Duration
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: 5 * time.Second, RootCAs: srv.CA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{srv: srv, demo: srv.SeedDemo(), store: store.New(t.TempDir(), store.NewMemoryKeyring())}
	f.d = &Deps{Store: f.store, HTTP: client, AuthorityHost: srv.Host,
		Sleep: func(ctx context.Context, d time.Duration) error { f.waits = append(f.waits, d); return ctx.Err() }}
	return f
}

// metadataURL is the demo tenant's v2 metadata document on the look-alike.
func (f *fixture) metadataURL() string {
	return oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.demo.Tenant.ID)
}

func (f *fixture) setupInput(secret string) SetupInput {
	return SetupInput{Profile: "default", RedirectURI: entratest.DemoRedirectURI, ClientID: f.demo.App.ClientID,
		Discovery: f.metadataURL(), Secret: secret, SecretDescription: "Syncro SSO", SecretExpires: "2027-05-25"}
}

// saved runs a first save that must pass, and returns its result.
func (f *fixture) saved(t testing.TB) Result {
	t.Helper()
	r := Setup(context.Background(), f.d, f.setupInput(f.demo.Secret.Value))
	if r.Failed() || r.Profile == nil {
		t.Fatalf("setup failed: %+v", r.Report.Checks)
	}
	return r
}

// recorder is a hostile server: it records every request it gets.
type recorder struct {
	mu     sync.Mutex
	n      int
	bodies []string
	srv    *httptest.Server
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.n++
	r.bodies = append(r.bodies, req.URL.String()+" "+string(body))
	r.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_, _ = io.WriteString(w, `{"access_token":"x","token_type":"Bearer","keys":[{"kty":"RSA"}]}`)
}

func (r *recorder) requests() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *recorder) saw(secret string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, b := range r.bodies {
		if strings.Contains(b, secret) {
			return true
		}
	}
	return false
}

// hostileTLS serves over TLS with a certificate from the look-alike's CA,
// so the client would trust it: only entrasso's own rules keep the secret
// from it.
func hostileTLS(t *testing.T, f *fixture) *recorder {
	t.Helper()
	rec := &recorder{}
	cert, err := f.srv.CA.ServerCert()
	if err != nil {
		t.Fatal(err)
	}
	rec.srv = httptest.NewUnstartedServer(rec)
	rec.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	rec.srv.StartTLS()
	t.Cleanup(rec.srv.Close)
	return rec
}

// hostilePlain serves over plain http.
func hostilePlain(t *testing.T) *recorder {
	t.Helper()
	rec := &recorder{}
	rec.srv = httptest.NewServer(rec)
	t.Cleanup(rec.srv.Close)
	return rec
}
