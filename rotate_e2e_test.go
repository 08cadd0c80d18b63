package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

func reportOf(t *testing.T, out string) *oidccheck.Report {
	t.Helper()
	var r oidccheck.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not a report: %v\n%s", err, out)
	}
	return &r
}

func TestVerifyAndRotateOnRealKeyring(t *testing.T) {
	requireRealKeyring(t)
	s := newSetupRun(t)
	t.Cleanup(func() { s.run(t, "", nil, "forget", "--yes") })
	if out, errOut, code := s.setup(t, s.l.secret.Value, nil); code != 0 {
		t.Fatalf("setup %d\n%s\n%s", code, out, errOut)
	}
	oldSecret := s.l.secret

	t.Run("verify passes and is recorded", func(t *testing.T) {
		out, _, code := s.run(t, "", nil, "verify", "--json")
		if r := reportOf(t, out); code != 0 || !r.OK {
			t.Fatalf("exit %d\n%s", code, out)
		}
		out, _, _ = s.run(t, "", nil, "status")
		if strings.Contains(out, "Last verified    never") {
			t.Fatalf("not recorded:\n%s", out)
		}
	})
	t.Run("a wrong new secret changes nothing", func(t *testing.T) {
		out, _, code := s.run(t, "Zz_8Q~"+strings.Repeat("q", 34)+"\n", nil, "rotate", "--non-interactive", "--json",
			"--client-secret-stdin", "--secret-expires", "365d", "--propagation-wait", "0s")
		r := reportOf(t, out)
		if c, _ := r.FirstFailure(); code != 1 || c.Code != oidccheck.CodeInvalidSecret {
			t.Fatalf("exit %d %+v", code, c)
		}
		if got, _, _ := s.run(t, "", nil, "secret"); got != oldSecret.Value {
			t.Fatal("the working secret was replaced by one Entra refused")
		}
	})

	// A brand-new secret Entra takes 3 s to accept: rotate waits for it.
	s.l.srv.SetPropagationDelay(3 * time.Second)
	fresh := s.l.srv.AddSecret(s.l.app, "Syncro SSO 2027", time.Now().AddDate(1, 0, 0))
	s.l.srv.SetPropagationDelay(0)
	t.Run("rotate waits for propagation, then promotes", func(t *testing.T) {
		out, errOut, code := s.run(t, fresh.Value+"\n", nil, "rotate", "--non-interactive", "--client-secret-stdin",
			"--secret-expires", "365d", "--secret-description", "Syncro SSO 2027")
		if code != 0 || !strings.Contains(errOut, "does not accept the secret yet") || !strings.Contains(out, "after waiting") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		if strings.Contains(out+errOut, fresh.Value) {
			t.Fatal("the new secret was printed")
		}
		if got, _, _ := s.run(t, "", nil, "secret"); got != fresh.Value {
			t.Fatal("the new secret is not current")
		}
		out, _, _ = s.run(t, "", nil, "status", "--json")
		var st statusJSON
		json.Unmarshal([]byte(out), &st)
		if st.Previous == nil || st.Previous.Hint != oldSecret.Hint || st.Secret.Hint != fresh.Hint || !st.RotationInProgress {
			t.Fatalf("status %s", out)
		}
		// A second rotation waits for this one to be finished.
		other := s.l.srv.AddSecret(s.l.app, "x", time.Now().AddDate(1, 0, 0))
		if _, _, code := s.run(t, other.Value+"\n", nil, "rotate", "--non-interactive", "--client-secret-stdin", "--secret-expires", "90d"); code != 1 {
			t.Fatalf("second rotation: exit %d", code)
		}
	})
	t.Run("verify passes with the new secret", func(t *testing.T) {
		if out, _, code := s.run(t, "", nil, "verify"); code != 0 {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
	t.Run("finish names the old secret", func(t *testing.T) {
		out, _, code := s.run(t, "", nil, "rotate", "--finish")
		if code != 0 || !strings.Contains(out, `"`+oldSecret.Hint+`"`) || !strings.Contains(out, "Syncro SSO") || !strings.Contains(out, "/Credentials/appId/"+s.l.app.ClientID) {
			t.Fatalf("exit %d\n%s", code, out)
		}
		if _, _, code := s.run(t, "", nil, "rotate", "--finish"); code != 1 {
			t.Fatal("finishing twice succeeded")
		}
	})
	t.Run("the old secret fails cleanly once deleted in Entra", func(t *testing.T) {
		s.l.srv.DeleteSecret(s.l.app, oldSecret.KeyID)
		out, _, code := runBinary(t, oldSecret.Value+"\n", s.env, "check", "--json", "--client-secret-stdin",
			"--client-id", s.l.app.ClientID, "--discovery-url", s.l.tenant.ID)
		if c, _ := reportOf(t, out).FirstFailure(); code != 1 || c.Code != oidccheck.CodeInvalidSecret {
			t.Fatalf("exit %d %+v", code, c)
		}
		if _, _, code := s.run(t, "", nil, "verify"); code != 0 {
			t.Fatal("verify with the new secret failed")
		}
		// And verify fails cleanly when its own secret is deleted in Entra.
		s.l.srv.DeleteSecret(s.l.app, fresh.KeyID)
		out, _, code = s.run(t, "", nil, "verify", "--json")
		if c, _ := reportOf(t, out).FirstFailure(); code != 1 || c.Code != oidccheck.CodeInvalidSecret || c.TraceID == "" {
			t.Fatalf("exit %d %+v", code, c)
		}
	})
}

// TestTwoRotationsAtOnce starts two rotations of one profile together:
// the lock serialises them, one wins, the other is refused, and what is
// stored is consistent.
func TestTwoRotationsAtOnce(t *testing.T) {
	s := newSetupRun(t)
	bus := deadBus(t)
	if _, errOut, code := s.setup(t, s.l.secret.Value, []string{bus}, "--insecure-storage"); code != 0 {
		t.Fatal(errOut)
	}
	a := s.l.srv.AddSecret(s.l.app, "a", time.Now().AddDate(1, 0, 0))
	b := s.l.srv.AddSecret(s.l.app, "b", time.Now().AddDate(1, 0, 0))
	var wg sync.WaitGroup
	codes := map[string]int{}
	var mu sync.Mutex
	for _, sec := range []*entratest.Secret{a, b} {
		wg.Add(1)
		go func(sec *entratest.Secret) {
			defer wg.Done()
			_, _, code := s.run(t, sec.Value+"\n", []string{bus}, "rotate", "--non-interactive", "--client-secret-stdin", "--secret-expires", "180d")
			mu.Lock()
			codes[sec.Hint] = code
			mu.Unlock()
		}(sec)
	}
	wg.Wait()
	if codes[a.Hint]+codes[b.Hint] != 1 {
		t.Fatalf("exit codes %v: exactly one rotation should win", codes)
	}
	winner := a
	if codes[a.Hint] != 0 {
		winner = b
	}
	got, _, _ := s.run(t, "", []string{bus}, "secret")
	out, _, _ := s.run(t, "", []string{bus}, "status", "--json")
	var st statusJSON
	json.Unmarshal([]byte(out), &st)
	if got != winner.Value || st.Secret.Hint != winner.Hint || st.Previous == nil || st.Previous.Hint != s.l.secret.Hint {
		t.Fatalf("stored %s…, profile %s / previous %v", got[:3], st.Secret.Hint, st.Previous)
	}
}

func TestVerifyWithoutItsSecretOrKeyring(t *testing.T) {
	s := newSetupRun(t)
	bus := deadBus(t)
	if _, errOut, code := s.setup(t, s.l.secret.Value, []string{bus}, "--insecure-storage"); code != 0 {
		t.Fatal(errOut)
	}
	os.Remove(filepath.Join(s.cfg, "profiles", s.profile+".secrets.json"))
	out, _, code := s.run(t, "", []string{bus}, "verify", "--json")
	if c, _ := reportOf(t, out).FirstFailure(); code != 1 || c.Code != oidccheck.CodeSecretMissing {
		t.Fatalf("exit %d %+v", code, c)
	}
	if _, errOut, code := runBinary(t, "", append(s.env, bus), "verify", "--profile", "nobody"); code != 1 || !strings.Contains(errOut, "entrasso setup") {
		t.Fatalf("missing profile: exit %d %s", code, errOut)
	}
}
