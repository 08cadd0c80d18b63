package flow

import (
	"context"
	"fmt"
	"testing"
	"time"

	"entrasso/oidccheck/entratest"
)

// The Graph sequences against a look-alike that adds 200 ms to every
// answer and accepts new secrets at once, after the sign-in (the session
// is a token the look-alike issued): elapsed time over 200 ms is the
// number of sequential round trips; requests/op counts every request,
// those that ran alongside others included.
//
// What runs in parallel: setup --graph reads the tenant's policy alongside
// the app lookup, and after registering adds the secret alongside the
// service principal (and Syncro's redirect URI on an adopted app); the
// live proof starts the token request alongside discovery. A rotation
// reads the policy alongside the app; its finish proves the current secret
// alongside the app read.

const benchLatency = 200 * time.Millisecond

func benchFixture(b *testing.B) (*fixture, *GraphSession) {
	f := newFixture(b)
	gs, err := f.d.NewGraphSessionFromToken(f.srv.Host, f.srv.IssueGraphToken(f.demo.Tenant))
	if err != nil {
		b.Fatal(err)
	}
	return f, gs
}

// measure runs prep (untimed, without latency) then op (timed, with the
// latency) b.N times, and reports op's requests and round trips.
func measure(b *testing.B, f *fixture, prep func(), op func(i int)) {
	all := []entratest.Endpoint{entratest.EndpointGraph, entratest.EndpointDiscovery, entratest.EndpointKeys, entratest.EndpointToken}
	count := func() (n int) {
		for _, ep := range all {
			n += f.srv.Requests(ep)
		}
		return n
	}
	var elapsed time.Duration
	requests := 0
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		f.srv.SetLatency(0)
		if prep != nil {
			prep()
		}
		before := count()
		f.srv.SetLatency(benchLatency)
		b.StartTimer()
		start := time.Now()
		op(i)
		elapsed += time.Since(start)
		b.StopTimer()
		requests += count() - before
	}
	f.srv.SetLatency(0)
	b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
	b.ReportMetric(float64(elapsed)/float64(b.N)/float64(benchLatency), "round-trips/op")
}

func BenchmarkRegisterGraph(b *testing.B) {
	f, gs := benchFixture(b)
	exp := time.Now().AddDate(0, 0, 180).Format("2006-01-02")
	measure(b, f, nil, func(i int) {
		in := RegisterInput{Profile: fmt.Sprintf("p%d", i), AppName: fmt.Sprintf("Syncro SSO %d", i), RedirectURI: syncroURI,
			Tenant: "contoso.onmicrosoft.com", SecretDescription: "Syncro SSO", SecretExpires: exp, Wait: Wait{Limit: time.Minute}}
		if r := RegisterGraph(context.Background(), f.d, gs, in); r.Failed() {
			b.Fatal(r.Report.Checks)
		}
	})
}

func BenchmarkRotateGraph(b *testing.B) {
	f, gs := benchFixture(b)
	f.saved(b)
	exp := time.Now().AddDate(0, 0, 90).Format("2006-01-02")
	rotate := func() {
		if r := RotateGraph(context.Background(), f.d, gs, GraphRotateInput{Profile: "default", Expires: exp}); r.Failed() {
			b.Fatal(r.Report.Checks)
		}
	}
	finish := func() {
		if r := FinishGraph(context.Background(), f.d, gs, "default"); r.Failed() {
			b.Fatal(r.Report.Checks)
		}
	}
	// The first rotation learns the app's object ID and the stored secret's
	// keyId; the ones measured are the steady state.
	rotate()
	finish()
	finishPending := func() {
		if p, err := f.store.Load("default"); err == nil && p.Previous != nil {
			finish()
		}
	}
	b.Run("rotate", func(b *testing.B) { measure(b, f, finishPending, func(int) { rotate() }) })
	b.Run("finish", func(b *testing.B) { measure(b, f, func() { finishPending(); rotate() }, func(int) { finish() }) })
}
