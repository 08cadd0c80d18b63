package oidccheck_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// TestHostileServers makes the look-alike misbehave in each way a proxy, a
// captive portal or a broken server does, on each endpoint, and checks that
// the check ends within the timeout with the right code on the right field,
// never hanging and never panicking.
func TestHostileServers(t *testing.T) {
	const timeout = 400 * time.Millisecond
	cases := []struct {
		ep    entratest.Endpoint
		fault entratest.Fault
		field oidccheck.Field
		code  oidccheck.Code
	}{
		{entratest.EndpointDiscovery, entratest.FaultSlowHeaders, oidccheck.FieldDiscoveryURL, oidccheck.CodeTimeout},
		{entratest.EndpointDiscovery, entratest.FaultSlowBody, oidccheck.FieldDiscoveryURL, oidccheck.CodeTimeout},
		{entratest.EndpointDiscovery, entratest.FaultHugeBody, oidccheck.FieldDiscoveryURL, oidccheck.CodeTooLarge},
		{entratest.EndpointDiscovery, entratest.FaultHTML, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointDiscovery, entratest.FaultTruncatedJSON, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointDiscovery, entratest.FaultReset, oidccheck.FieldDiscoveryURL, oidccheck.CodeUnreachable},
		{entratest.EndpointDiscovery, entratest.FaultRedirectHTTP, oidccheck.FieldDiscoveryURL, oidccheck.CodeUnreachable},
		{entratest.EndpointDiscovery, entratest.FaultRedirectLoop, oidccheck.FieldDiscoveryURL, oidccheck.CodeUnreachable},
		{entratest.EndpointDiscovery, entratest.FaultRedirectHost, oidccheck.FieldDiscoveryURL, oidccheck.CodeUnreachable},
		{entratest.EndpointDiscovery, entratest.FaultWrongIssuer, oidccheck.FieldDiscoveryURL, oidccheck.CodeIssuerMismatch},
		{entratest.EndpointDiscovery, entratest.FaultServerError, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointDiscovery, entratest.FaultMissingFields, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointDiscovery, entratest.FaultEmptyJSON, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointDiscovery, entratest.FaultGatewayTimeout, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointKeys, entratest.FaultEmptyKeys, oidccheck.FieldDiscoveryURL, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointKeys, entratest.FaultSlowBody, oidccheck.FieldDiscoveryURL, oidccheck.CodeTimeout},
		{entratest.EndpointKeys, entratest.FaultHugeBody, oidccheck.FieldDiscoveryURL, oidccheck.CodeTooLarge},
		{entratest.EndpointToken, entratest.FaultSlowHeaders, oidccheck.FieldClientSecret, oidccheck.CodeTimeout},
		{entratest.EndpointToken, entratest.FaultReset, oidccheck.FieldClientSecret, oidccheck.CodeUnreachable},
		{entratest.EndpointToken, entratest.FaultHugeBody, oidccheck.FieldClientSecret, oidccheck.CodeTooLarge},
		{entratest.EndpointToken, entratest.FaultServerError, oidccheck.FieldClientSecret, oidccheck.CodeNotDiscoveryDocument},
		{entratest.EndpointToken, entratest.FaultRedirectHTTP, oidccheck.FieldClientSecret, oidccheck.CodeUnreachable},
		{entratest.EndpointToken, entratest.FaultUnknownAADSTS, oidccheck.FieldClientID, oidccheck.CodeEntraError},
	}
	for _, c := range cases {
		t.Run(string(c.ep)+"/"+string(c.fault), func(t *testing.T) {
			f := newFixture(t, timeout)
			f.srv.SetFault(c.ep, c.fault)
			start := time.Now()
			out := f.run(t, f.input(f.tenant.ID, f.app.ClientID, f.secret.Value))
			got := failure(t, out.Report)
			if got.Field != c.field || got.Code != c.code {
				t.Fatalf("got %s/%s (%s), want %s/%s", got.Field, got.Code, got.Message, c.field, c.code)
			}
			if strings.Contains(got.Message, "Go") || got.Fix == "" {
				t.Fatalf("message must be in the admin's words with a fix: %+v", got)
			}
			// Bounded: a fault never holds the check past a few timeouts.
			// (A liveness bound, not a speed claim: speed is benchmarked.)
			if d := time.Since(start); d > 10*timeout+5*time.Second {
				t.Fatalf("took %s with a %s timeout", d, timeout)
			}
		})
	}
}

// TestTransportFaultsWithoutAServer covers faults that need no handler: an
// untrusted certificate and a closed port.
func TestTransportFaultsWithoutAServer(t *testing.T) {
	f := newFixture(t, time.Second)
	t.Run("untrusted certificate", func(t *testing.T) {
		// The system roots do not know the look-alike's CA.
		client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		c := &oidccheck.Checker{HTTP: client, AuthorityHost: f.srv.Host}
		out := c.Run(context.Background(), f.input(f.tenant.ID, f.app.ClientID, f.secret.Value))
		got := failure(t, out.Report)
		if got.Code != oidccheck.CodeTLSError || got.Field != oidccheck.FieldDiscoveryURL {
			t.Fatalf("got %+v", got)
		}
		if n := f.srv.Requests(entratest.EndpointToken); n != 0 {
			t.Fatalf("the secret reached an untrusted server %d times", n)
		}
	})
	t.Run("connection refused", func(t *testing.T) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := ln.Addr().String()
		ln.Close()
		f.checker.AuthorityHost = addr
		out := f.run(t, f.input(f.tenant.ID, f.app.ClientID, f.secret.Value))
		got := failure(t, out.Report)
		if got.Code != oidccheck.CodeUnreachable || !strings.Contains(got.Message, "refused") {
			t.Fatalf("got %+v", got)
		}
	})
}
