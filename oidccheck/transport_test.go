package oidccheck_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// The trust store named by SSL_CERT_FILE is built on the first request,
// not in NewHTTPClient (which the wizard calls before its first frame),
// and keeps its meaning: its certificates are trusted, and a file that
// cannot be used fails the request as a TLS problem.
func TestSSLCertFileIsReadOnFirstRequest(t *testing.T) {
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := t.TempDir()
	ca, err := srv.CA.WriteFile(dir)
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, file string
		ok         bool
	}{
		{"the look-alike's CA", ca, true},
		{"a missing file", filepath.Join(dir, "none.pem"), false},
		{"a file with no PEM", notPEM, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("SSL_CERT_FILE", c.file)
			client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: 5 * time.Second})
			if err != nil {
				t.Fatalf("NewHTTPClient read the trust store: %v", err)
			}
			for range 2 {
				resp, err := client.Get(srv.URL + "/common/discovery/keys")
				if c.ok {
					if err != nil {
						t.Fatal(err)
					}
					resp.Body.Close()
					continue
				}
				var re *oidccheck.RootsError
				if !errors.As(err, &re) {
					t.Fatalf("want a *RootsError, got %v", err)
				}
			}
		})
	}
}
