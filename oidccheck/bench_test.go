package oidccheck_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
)

func BenchmarkCheckRedirectURI(b *testing.B) {
	in := "  \"https://acme.syncromsp.com/users/auth/openid_connect/callback\"\n"
	b.ReportAllocs()
	for b.Loop() {
		oidccheck.CheckRedirectURI(in)
	}
}

func BenchmarkCheckClientID(b *testing.B) {
	in := "Application (client) ID: {0DDBB6A1-9F3C-4C4E-8D5E-2B1F6C3A7E90}"
	b.ReportAllocs()
	for b.Loop() {
		oidccheck.CheckClientID(in, "72f988bf-86f1-41af-91ab-2d7cd011db47")
	}
}

func BenchmarkCheckSecret(b *testing.B) {
	in := "Xy_8Q~" + strings.Repeat("a1.~", 8) + "zz\n"
	b.ReportAllocs()
	for b.Loop() {
		oidccheck.CheckSecret(in)
	}
}

func BenchmarkParseDiscovery(b *testing.B) {
	in := "OpenID Connect metadata document\u00a0https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration."
	b.ReportAllocs()
	for b.Loop() {
		oidccheck.ParseDiscovery(in, "")
	}
}

// BenchmarkFullLiveCheck runs discovery, keys and the token check against
// the look-alike with 200 ms added to every answer, and reports the time of
// a whole check as a multiple of one answer ("x-one-response"). With the
// tenant known, the token request and the keys go out alongside discovery,
// so the ratio stays near 1 instead of 3.
func BenchmarkFullLiveCheck(b *testing.B) {
	const latency = 200 * time.Millisecond
	for _, tc := range []struct{ name, discovery string }{{"tenant-guid", ""}, {"tenant-domain", "contoso.com"}} {
		b.Run(tc.name, func(b *testing.B) {
			f := newFixture(b, 10*time.Second)
			disc := tc.discovery
			if disc == "" {
				disc = f.tenant.ID
			}
			in := f.input(disc, f.app.ClientID, f.secret.Value)
			// Warm the connection so the figure is about round trips, not
			// the first TLS handshake.
			f.checker.Run(context.Background(), in)
			f.srv.SetLatency(latency)
			b.ResetTimer()
			var total time.Duration
			for b.Loop() {
				start := time.Now()
				out := f.checker.Run(context.Background(), in)
				total += time.Since(start)
				if out.Report.Failed() {
					b.Fatalf("check failed: %+v", out.Report.Checks)
				}
			}
			b.ReportMetric(float64(total)/float64(b.N)/float64(latency), "x-one-response")
		})
	}
}

// BenchmarkCleanHostile measures the worst pastes for the cleaning loop:
// MaxInput bytes of nested brackets, each pass taking off one layer.
func BenchmarkCleanHostile(b *testing.B) {
	half := oidccheck.MaxInput / 2
	for name, in := range map[string]string{
		"parentheses":   strings.Repeat("(", half) + strings.Repeat(")", half),
		"mixed":         strings.Repeat(`<("`, oidccheck.MaxInput/6) + strings.Repeat(`")>`, oidccheck.MaxInput/6),
		"close parens":  "a" + strings.Repeat(")", oidccheck.MaxInput-1),
		"quoted period": strings.Repeat(`".`, half),
	} {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				oidccheck.Clean(in, oidccheck.FieldDiscoveryURL)
			}
		})
	}
}
