package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
)

// requireRealKeyring skips outside .ci/run's keyring session, and fails
// inside CI when the Secret Service is missing: a store test never passes
// on a stand-in there.
func requireRealKeyring(t *testing.T) {
	t.Helper()
	if os.Getenv("ENTRASSO_TEST_REAL_KEYRING") == "1" {
		return
	}
	if os.Getenv("ENTRASSO_TEST_REQUIRE_REAL") == "1" || os.Getenv("CI") != "" {
		t.Fatal("no real Secret Service: run the tests through .ci/run (dbus-run-session + gnome-keyring)")
	}
	t.Skip("needs a real Secret Service: run bash .ci/run")
}

func uniqueProfile(t *testing.T) string {
	var b [4]byte
	rand.Read(b[:])
	return "e2e-" + hex.EncodeToString(b[:])
}

// deadBus is a D-Bus address whose socket does not exist.
func deadBus(t *testing.T) string {
	return "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(t.TempDir(), "no-bus")
}

// silentBus is a D-Bus address whose peer accepts and never answers, as a
// hung session bus does.
func silentBus(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "silent-bus")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return "DBUS_SESSION_BUS_ADDRESS=unix:path=" + path
}

type setupRun struct {
	l       *lookalike
	cfg     string
	profile string
	env     []string
}

func (s *setupRun) setup(t *testing.T, secret string, extraEnv []string, extra ...string) (string, string, int) {
	args := append([]string{"setup", "--non-interactive", "--json", "--profile", s.profile, "--client-secret-stdin",
		"--redirect-uri", "https://acme.syncromsp.com/users/auth/openid_connect/callback",
		"--client-id", s.l.app.ClientID, "--discovery-url", "contoso.onmicrosoft.com",
		"--secret-expires", "180d", "--secret-description", "Syncro SSO"}, extra...)
	return runBinary(t, secret+"\n", append(append([]string{}, s.env...), extraEnv...), args...)
}

func (s *setupRun) run(t *testing.T, stdin string, extraEnv []string, args ...string) (string, string, int) {
	return runBinary(t, stdin, append(append([]string{}, s.env...), extraEnv...), append(args, "--profile", s.profile)...)
}

func newSetupRun(t *testing.T) *setupRun {
	l := startLookalike(t)
	cfg := t.TempDir()
	return &setupRun{l: l, cfg: cfg, profile: uniqueProfile(t),
		env: []string{"SSL_CERT_FILE=" + l.caFile, "ENTRASSO_AUTHORITY_HOST=" + l.srv.Host, "ENTRASSO_CONFIG_DIR=" + cfg}}
}

func assertNoSecretUnder(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), secret) {
				t.Errorf("the secret is in %s", p)
			}
		}
		return nil
	})
}

func TestProfileCommandsOnRealKeyring(t *testing.T) {
	requireRealKeyring(t)
	s := newSetupRun(t)
	secret := s.l.secret.Value
	t.Cleanup(func() { s.run(t, "", nil, "forget", "--yes") })

	out, errOut, code := s.setup(t, secret, nil)
	if code != 0 {
		t.Fatalf("setup exit %d\n%s\n%s", code, out, errOut)
	}
	var r oidccheck.Report
	if err := json.Unmarshal([]byte(out), &r); err != nil || !r.OK {
		t.Fatalf("report %v\n%s", err, out)
	}
	if c := r.For(oidccheck.FieldSecretStore); len(c) != 1 || c[0].Status != oidccheck.StatusPass {
		t.Fatalf("secret_store %+v", c)
	}
	profilePath := filepath.Join(s.cfg, "profiles", s.profile+".json")
	before, err := os.ReadFile(profilePath)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("same values again change nothing", func(t *testing.T) {
		if _, _, code := s.setup(t, secret, nil); code != 0 {
			t.Fatalf("exit %d", code)
		}
		after, _ := os.ReadFile(profilePath)
		if string(before) != string(after) {
			t.Fatal("profile rewritten")
		}
	})
	t.Run("another secret is refused, nothing changes", func(t *testing.T) {
		other := s.l.srv.AddSecret(s.l.app, "other", time.Now().AddDate(1, 0, 0))
		out, _, code := s.setup(t, other.Value, nil)
		if code != 1 || !strings.Contains(out, "already exists") {
			t.Fatalf("exit %d\n%s", code, out)
		}
		got, _, _ := s.run(t, "", nil, "secret")
		if got != secret {
			t.Fatal("the working secret was replaced")
		}
	})
	t.Run("status", func(t *testing.T) {
		out, _, code := s.run(t, "", nil, "status")
		if code != 0 || !strings.Contains(out, s.l.secret.Hint+"…") || !strings.Contains(out, "180 days left") || strings.Contains(out, secret) {
			t.Fatalf("exit %d\n%s", code, out)
		}
		out, _, _ = s.run(t, "", nil, "status", "--json")
		var st statusJSON
		if err := json.Unmarshal([]byte(out), &st); err != nil || st.Secret.DaysLeft == nil || *st.Secret.DaysLeft != 180 || st.TenantID != s.l.tenant.ID {
			t.Fatalf("%v %s", err, out)
		}
		for days, want := range map[string]int{"30": 0, "179": 0, "180": 1, "365": 1} {
			if _, _, code := s.run(t, "", nil, "status", "--warn-days", days); code != want {
				t.Errorf("--warn-days %s: exit %d, want %d", days, code, want)
			}
		}
	})
	t.Run("secret prints exactly the secret", func(t *testing.T) {
		out, errOut, code := s.run(t, "", nil, "secret")
		if code != 0 || out != secret {
			t.Fatalf("exit %d %q %q", code, out[:min(3, len(out))], errOut)
		}
	})
	t.Run("keyring unavailable and hung give exit 3", func(t *testing.T) {
		_, errOut, code := s.run(t, "", []string{deadBus(t)}, "secret")
		if code != 3 || !strings.Contains(errOut, "keyring_unavailable") {
			t.Fatalf("dead bus: exit %d %s", code, errOut)
		}
		start := time.Now()
		_, errOut, code = s.run(t, "", []string{silentBus(t), "ENTRASSO_KEYRING_TIMEOUT=1s"}, "secret")
		if code != 3 || !strings.Contains(errOut, "keyring_timeout") {
			t.Fatalf("silent bus: exit %d %s", code, errOut)
		}
		if time.Since(start) > 20*time.Second {
			t.Fatal("the keyring timeout did not bound the call")
		}
	})
	t.Run("no secret on disk", func(t *testing.T) { assertNoSecretUnder(t, s.cfg, secret) })
	t.Run("forget", func(t *testing.T) {
		if _, errOut, code := s.run(t, "", nil, "forget"); code != 2 || !strings.Contains(errOut, "--yes") {
			t.Fatalf("without --yes: exit %d %s", code, errOut)
		}
		if _, _, code := s.run(t, "", nil, "forget", "--yes"); code != 0 {
			t.Fatalf("exit %d", code)
		}
		if _, errOut, code := s.run(t, "", nil, "status"); code != 1 || !strings.Contains(errOut, "entrasso setup") {
			t.Fatalf("status after forget: exit %d %s", code, errOut)
		}
		if _, err := os.Stat(profilePath); !os.IsNotExist(err) {
			t.Fatal("profile file kept")
		}
	})
}

func TestSetupWithoutKeyringWritesNothing(t *testing.T) {
	s := newSetupRun(t)
	for name, bus := range map[string]string{"dead bus": deadBus(t), "silent bus": silentBus(t)} {
		t.Run(name, func(t *testing.T) {
			out, _, code := s.setup(t, s.l.secret.Value, []string{bus, "ENTRASSO_KEYRING_TIMEOUT=1s"})
			if code != 3 || !strings.Contains(out, `"field": "secret_store"`) {
				t.Fatalf("exit %d\n%s", code, out)
			}
			if s.l.srv.Requests("token") != 0 {
				t.Fatal("the values were checked before learning the secret cannot be kept")
			}
			entries, _ := os.ReadDir(filepath.Join(s.cfg, "profiles"))
			for _, e := range entries {
				if strings.HasSuffix(e.Name(), ".json") {
					t.Fatalf("wrote %s", e.Name())
				}
			}
		})
	}
}

func TestInsecureStorageIsExplicitAndWarned(t *testing.T) {
	s := newSetupRun(t)
	bus := deadBus(t)
	out, errOut, code := s.setup(t, s.l.secret.Value, []string{bus}, "--insecure-storage")
	if code != 0 || !strings.Contains(errOut, "--insecure-storage") {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	path := filepath.Join(s.cfg, "profiles", s.profile+".secrets.json")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("secrets file %v %v", fi, err)
	}
	got, errOut, code := s.run(t, "", []string{bus}, "secret")
	if code != 0 || got != s.l.secret.Value || !strings.Contains(errOut, "warning") {
		t.Fatalf("secret: exit %d, warning %q", code, errOut)
	}
	out, _, _ = s.run(t, "", []string{bus}, "status")
	if !strings.Contains(out, "plain file") {
		t.Fatalf("status does not say where the secret is:\n%s", out)
	}
	// Without the opt-in, a missing keyring is exit 3, never a silent file.
	other := &setupRun{l: s.l, cfg: s.cfg, profile: uniqueProfile(t), env: s.env}
	if _, _, code := other.setup(t, s.l.secret.Value, []string{bus}); code != 3 {
		t.Fatalf("without --insecure-storage: exit %d", code)
	}
}

func TestProfileFileProblems(t *testing.T) {
	cfg := t.TempDir()
	os.MkdirAll(filepath.Join(cfg, "profiles"), 0o700)
	env := []string{"ENTRASSO_CONFIG_DIR=" + cfg}
	os.WriteFile(filepath.Join(cfg, "profiles", "newer.json"), []byte(`{"schema": 99}`), 0o600)
	os.WriteFile(filepath.Join(cfg, "profiles", "broken.json"), []byte(`{"schema": 1, "client_id": `), 0o600)
	for name, want := range map[string]string{"newer": "newer entrasso", "broken": "cannot be read"} {
		_, errOut, code := runBinary(t, "", env, "status", "--profile", name)
		if code != 1 || !strings.Contains(errOut, want) || !strings.Contains(errOut, name+".json") {
			t.Errorf("%s: exit %d %s", name, code, errOut)
		}
	}
	if _, errOut, code := runBinary(t, "", env, "status", "--profile", "../etc"); code != 2 {
		t.Errorf("bad name: exit %d %s", code, errOut)
	}
	if data, _ := os.ReadFile(filepath.Join(cfg, "profiles", "newer.json")); string(data) != `{"schema": 99}` {
		t.Error("a newer profile was rewritten")
	}
}
