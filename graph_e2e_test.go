package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"
)

// graphRun is a config folder and a profile on the real keyring, against
// the in-process look-alike, whose Graph sits on the same host. The admin
// signs in with a device code the look-alike approves at the first poll.
type graphRun struct {
	*setupRun
}

func newGraphRun(t *testing.T) *graphRun {
	s := newSetupRun(t)
	s.l.srv.SetDeviceCodeInterval(1)
	s.l.srv.AutoApproveDeviceCodes(0)
	s.env = append(s.env, "ENTRASSO_GRAPH_HOST="+s.l.srv.Host)
	return &graphRun{s}
}

func (g *graphRun) graph(t *testing.T, extraEnv []string, args ...string) (string, string, int) {
	return g.run(t, "", extraEnv, append(args, "--device-code")...)
}

func (g *graphRun) setupGraph(t *testing.T, extraEnv []string) (string, string, int) {
	return g.graph(t, extraEnv, "setup", "--graph", "--non-interactive", "--json", "--tenant", "contoso.onmicrosoft.com",
		"--redirect-uri", syncroCallback, "--logout-url", "https://acme.syncromsp.com/logout", "--secret-expires", "180d")
}

const syncroCallback = "https://acme.syncromsp.com/users/auth/openid_connect/callback"

func (g *graphRun) profile(t *testing.T) *store.Profile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(g.cfg, "profiles", g.setupRun.profile+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var p store.Profile
	if err := json.Unmarshal(data, &p); err != nil {
		t.Fatal(err)
	}
	return &p
}

// app is a snapshot of the profile's app in the look-alike, copied under
// its lock: the handlers that served the binary changed it from their own
// goroutines.
func (g *graphRun) app(t *testing.T) *entratest.App {
	t.Helper()
	_, a, ok := g.l.srv.FindApp(g.profile(t).ClientID)
	if !ok {
		t.Fatal("the profile's app is not in the look-alike")
	}
	var cp entratest.App
	g.l.srv.UpdateApp(a, func(x *entratest.App) {
		cp = *x
		cp.Secrets = nil
		for _, s := range x.Secrets {
			c := *s
			cp.Secrets = append(cp.Secrets, &c)
		}
	})
	return &cp
}

func (g *graphRun) live(t *testing.T) statusLiveJSON {
	t.Helper()
	out, errOut, _ := g.graph(t, nil, "status", "--live", "--json")
	var st statusLiveJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil || st.Live == nil {
		t.Fatalf("status --live: %v\n%s\n%s", err, out, errOut)
	}
	return st
}

func (g *graphRun) secret(t *testing.T) string {
	got, _, code := g.run(t, "", nil, "secret")
	if code != 0 {
		t.Fatalf("secret: exit %d", code)
	}
	return got
}

func unknownOf(st statusLiveJSON) []flow.LiveCredential {
	var out []flow.LiveCredential
	for _, c := range st.Live.Credentials {
		if c.Stored == "unknown" {
			out = append(out, c)
		}
	}
	return out
}

// TestGraphSetupAndRotationOnRealKeyring runs the built binary: setup
// --graph, a re-run that changes nothing, a Graph rotation and its finish,
// each proven by what Entra (the look-alike), the keyring and the profile
// hold afterwards.
func TestGraphSetupAndRotationOnRealKeyring(t *testing.T) {
	requireRealKeyring(t)
	g := newGraphRun(t)
	t.Cleanup(func() { g.run(t, "", nil, "forget", "--yes") })

	out, errOut, code := g.setupGraph(t, nil)
	if code != 0 {
		t.Fatalf("setup --graph: exit %d\n%s\n%s", code, out, errOut)
	}
	r := reportOf(t, out)
	if !r.OK || !strings.Contains(errOut, "enter the code") || !strings.Contains(errOut, "/devicelogin") {
		t.Fatalf("report %+v\nstderr %s", r, errOut)
	}
	p := g.profile(t)
	app := g.app(t)
	if p.Schema != store.SchemaVersion || p.AppObjectID != app.ObjectID || len(app.Secrets) != 1 || p.Secret.KeyID != app.Secrets[0].KeyID ||
		app.LogoutURL != "https://acme.syncromsp.com/logout" {
		t.Fatalf("profile %+v, app %+v", p, app)
	}
	secret := g.secret(t)
	if secret != app.Secrets[0].Value || strings.Contains(out+errOut, secret) {
		t.Fatal("the stored secret is not Graph's, or it was printed")
	}
	assertNoSecretUnder(t, g.cfg, secret)

	t.Run("the same values again change nothing in Entra", func(t *testing.T) {
		if out, errOut, code := g.setupGraph(t, nil); code != 0 || len(g.app(t).Secrets) != 1 || g.secret(t) != secret {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("rotate --graph, then --finish --graph", func(t *testing.T) {
		out, errOut, code := g.graph(t, nil, "rotate", "--graph", "--non-interactive", "--json", "--secret-expires", "90d")
		if code != 0 || len(g.app(t).Secrets) != 2 {
			t.Fatalf("rotate: exit %d\n%s\n%s", code, out, errOut)
		}
		fresh := g.secret(t)
		if fresh == secret || strings.Contains(out+errOut, fresh) {
			t.Fatal("not rotated, or the new secret was printed")
		}
		st := g.live(t)
		if len(st.Live.Credentials) != 2 || st.Live.Credentials[0].Stored != "current" || st.Live.Credentials[1].Stored != "previous" || !st.RotationInProgress {
			t.Fatalf("live %+v", st.Live)
		}
		out, errOut, code = g.graph(t, nil, "rotate", "--finish", "--graph")
		if code != 0 || !strings.Contains(out, "removed in Entra") {
			t.Fatalf("finish: exit %d\n%s\n%s", code, out, errOut)
		}
		if a := g.app(t); len(a.Secrets) != 1 || a.Secrets[0].Value != fresh || g.profile(t).Previous != nil {
			t.Fatal("the old secret is still in Entra, or the new one is not")
		}
	})
	t.Run("status --live for people", func(t *testing.T) {
		out, _, code := g.graph(t, nil, "status", "--live")
		if code != 0 || !strings.Contains(out, "stored by entrasso (current)") || !strings.Contains(out, "Tenant policy") {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
}

// TestGraphKillPoints kills the built binary (SIGKILL, through the crash
// hook) after addPassword, after the promote and after removePassword, and
// checks after each that the working secret is intact and what the next
// run does: a secret left in Entra is listed as unknown by status --live
// and removed by the next rotation; a finish cut short is completed.
func TestGraphKillPoints(t *testing.T) {
	requireRealKeyring(t)
	g := newGraphRun(t)
	t.Cleanup(func() { g.run(t, "", nil, "forget", "--yes") })
	if out, errOut, code := g.setupGraph(t, nil); code != 0 {
		t.Fatalf("setup: exit %d\n%s\n%s", code, out, errOut)
	}
	killed := func(t *testing.T, point string, args ...string) {
		t.Helper()
		if _, errOut, code := g.graph(t, []string{"ENTRASSO_TEST_CRASH_AT=" + point}, args...); code != -1 {
			t.Fatalf("not killed at %s: exit %d\n%s", point, code, errOut)
		}
	}
	works := func(t *testing.T, want string) {
		t.Helper()
		if got := g.secret(t); got != want {
			t.Fatal("the stored secret changed")
		}
		if out, _, code := g.run(t, "", nil, "verify", "--json"); code != 0 {
			t.Fatalf("the working secret no longer works:\n%s", out)
		}
	}
	rotate := []string{"rotate", "--graph", "--non-interactive", "--json", "--secret-expires", "90d"}

	t.Run("after addPassword", func(t *testing.T) {
		before := g.secret(t)
		killed(t, flow.CrashGraphAdded, rotate...)
		works(t, before)
		if len(g.app(t).Secrets) != 2 || g.profile(t).Previous != nil {
			t.Fatal("expected the added secret in Entra and no rotation here")
		}
		st := g.live(t)
		left := unknownOf(st)
		if len(left) != 1 || !left[0].LeftByEntrasso {
			t.Fatalf("status --live: %+v", st.Live.Credentials)
		}
		out, errOut, code := g.graph(t, nil, rotate...)
		if code != 0 || !strings.Contains(out, "interrupted entrasso run had added it") {
			t.Fatalf("next rotation: exit %d\n%s\n%s", code, out, errOut)
		}
		for _, s := range g.app(t).Secrets {
			if s.KeyID == left[0].KeyID {
				t.Fatal("the leftover is still in Entra")
			}
		}
		if _, _, code := g.graph(t, nil, "rotate", "--finish", "--graph"); code != 0 {
			t.Fatal("finish failed")
		}
	})
	t.Run("after promote", func(t *testing.T) {
		killed(t, flow.CrashGraphPromoted, rotate...)
		p := g.profile(t)
		app := g.app(t)
		if p.Previous == nil || len(app.Secrets) != 2 {
			t.Fatalf("profile %+v, %d secrets in Entra", p, len(app.Secrets))
		}
		var cur string
		for _, s := range app.Secrets {
			if s.KeyID == p.Secret.KeyID {
				cur = s.Value
			}
		}
		works(t, cur)
		if left := unknownOf(g.live(t)); len(left) != 0 {
			t.Fatalf("unknown after a kill past the promote: %+v", left)
		}
		if _, _, code := g.graph(t, nil, "rotate", "--finish", "--graph"); code != 0 || len(g.app(t).Secrets) != 1 {
			t.Fatal("finish failed")
		}
	})
	t.Run("after removePassword", func(t *testing.T) {
		if _, _, code := g.graph(t, nil, rotate...); code != 0 {
			t.Fatal("rotate failed")
		}
		cur := g.secret(t)
		killed(t, flow.CrashGraphRemoved, "rotate", "--finish", "--graph")
		works(t, cur)
		if p := g.profile(t); p.Previous == nil || len(g.app(t).Secrets) != 1 {
			t.Fatal("expected the old secret gone in Entra and still named here")
		}
		st := g.live(t)
		if len(st.Live.Missing) != 1 || st.Live.Missing[0] != "previous" {
			t.Fatalf("live %+v", st.Live)
		}
		out, errOut, code := g.graph(t, nil, "rotate", "--finish", "--graph")
		if code != 0 || g.profile(t).Previous != nil || !strings.Contains(out, "no longer in Entra") {
			t.Fatalf("next finish: exit %d\n%s\n%s", code, out, errOut)
		}
		works(t, cur)
	})
}

// Graph problems reach the built binary's report with their codes and
// exit 1; a Graph failure before any write leaves nothing behind.
func TestGraphProblemsThroughTheBinary(t *testing.T) {
	g := newGraphRun(t)
	bus := deadBus(t)
	env := []string{bus}
	cases := []struct {
		name string
		knob func()
		code oidccheck.Code
	}{
		{"lifetime policy", func() { g.l.srv.SetPasswordLifetimePolicy(90) }, oidccheck.CodeLifetimePolicy},
		{"writes denied", func() { g.l.srv.DenyGraphWrites(true) }, oidccheck.CodeInsufficientPrivileges},
		{"device code blocked", func() { g.l.srv.BlockSignIn(entratest.SignInDeviceCode, true) }, oidccheck.CodeSignInBlocked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g.l.srv.SetPasswordLifetimePolicy(0)
			g.l.srv.DenyGraphWrites(false)
			g.l.srv.BlockSignIn(entratest.SignInDeviceCode, false)
			tc.knob()
			out, errOut, code := g.graph(t, env, "setup", "--graph", "--json", "--insecure-storage", "--tenant", "contoso.onmicrosoft.com",
				"--redirect-uri", syncroCallback, "--secret-expires", "180d")
			r := reportOf(t, out)
			if c, _ := r.FirstFailure(); code != 1 || c.Field != oidccheck.FieldGraph || c.Code != tc.code {
				t.Fatalf("exit %d %+v\n%s", code, c, errOut)
			}
			if _, err := os.Stat(filepath.Join(g.cfg, "profiles", g.setupRun.profile+".json")); err == nil {
				t.Fatal("a profile was saved")
			}
		})
	}
	t.Run("usage", func(t *testing.T) {
		if _, _, code := g.run(t, "", env, "setup", "--graph", "--redirect-uri", syncroCallback); code != 2 {
			t.Fatalf("no tenant: exit %d", code)
		}
		if _, _, code := g.run(t, "x\n", env, "setup", "--graph", "--tenant", "contoso.onmicrosoft.com", "--redirect-uri", syncroCallback, "--client-secret-stdin"); code != 2 {
			t.Fatalf("a secret with --graph: exit %d", code)
		}
		if _, _, code := g.run(t, "", env, "rotate", "--remove-unknown"); code != 2 {
			t.Fatalf("--remove-unknown without --graph: exit %d", code)
		}
	})
}
