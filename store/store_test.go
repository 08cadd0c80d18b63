package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	oldSecret = "Old8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	newSecret = "New8Q~bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func testProfile(s *Store, name, secret string) Profile {
	return Profile{Name: name, ClientID: "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90", TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
		Issuer: "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0", AuthorityHost: "login.microsoftonline.com",
		DiscoveryURL:  "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration",
		SecretStorage: StorageKeyring, Secret: s.NewSecretInfo(secret, "Syncro SSO", "2027-05-25")}
}

func proveOK(context.Context) error { return nil }

// proveWith turns a proof and the profile it yields into a SetupProver.
func proveWith(p Profile, proof Prover) SetupProver {
	return func(ctx context.Context) (Profile, error) { return p, proof(ctx) }
}

func newTestStore(t *testing.T) (*Store, *MemoryKeyring) {
	k := NewMemoryKeyring()
	return New(t.TempDir(), k), k
}

func TestValidName(t *testing.T) {
	for _, ok := range []string{"default", "acme-msp", "client.2", "A_b"} {
		if err := ValidName(ok); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "../x", "a/b", `a\b`, "..", "a..b", ".hidden", "-x", strings.Repeat("a", 65), "sp ace", "é"} {
		var ne *NameError
		if err := ValidName(bad); !errors.As(err, &ne) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSetupWritesKeyringThenProfile(t *testing.T) {
	s, k := newTestStore(t)
	dirInfo, err := os.Stat(s.Dir)
	if err != nil {
		t.Fatal(err)
	}
	p := testProfile(s, "default", oldSecret)
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(p, proveOK)); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	if got.Secret.Hint != "Old" || got.Schema != SchemaVersion || got.Created.IsZero() {
		t.Fatalf("profile %+v", got)
	}
	if v, _ := k.Get(Service, CurrentUser("default")); v != oldSecret {
		t.Fatalf("keyring holds %q", v)
	}
	data, _ := os.ReadFile(s.Path("default"))
	if strings.Contains(string(data), oldSecret) {
		t.Fatal("the secret is in the profile file")
	}
	// The configuration folder existed before: it keeps its mode.
	for path, mode := range map[string]os.FileMode{s.Path("default"): 0o600, s.profilesDir(): 0o700, s.Dir: dirInfo.Mode().Perm()} {
		fi, err := os.Stat(path)
		if err != nil || fi.Mode().Perm() != mode {
			t.Fatalf("%s: mode %v, want %v (%v)", path, fi.Mode().Perm(), mode, err)
		}
	}
	if _, err := os.Stat(s.journalPath("default")); !os.IsNotExist(err) {
		t.Fatal("journal left behind")
	}
	if names, _ := s.List(); len(names) != 1 || names[0] != "default" {
		t.Fatalf("list %v", names)
	}
}

func TestSetupWritesNothingOnFailure(t *testing.T) {
	proofErr := errors.New("invalid_secret")
	for name, tc := range map[string]struct {
		k     Keyring
		prove Prover
		code  string
	}{
		"live proof fails":    {NewMemoryKeyring(), func(context.Context) error { return proofErr }, ""},
		"keyring unavailable": {failingKeyring{&Error{Code: CodeKeyringUnavailable, Message: "no bus"}}, proveOK, CodeKeyringUnavailable},
		"keyring timeout":     {SystemKeyring{Timeout: 50 * time.Millisecond, Getenv: func(string) string { return "unix:path=/x" }}, proveOK, ""},
	} {
		t.Run(name, func(t *testing.T) {
			s := New(t.TempDir(), tc.k)
			if name == "keyring timeout" {
				s.Keyring = hangingKeyring{SystemKeyring{Timeout: 50 * time.Millisecond}}
				tc.code = CodeKeyringTimeout
			}
			_, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), tc.prove))
			var se *Error
			switch {
			case tc.code == "" && !errors.Is(err, proofErr):
				t.Fatalf("err %v", err)
			case tc.code != "" && (!errors.As(err, &se) || se.Code != tc.code || se.ExitCode() != 3):
				t.Fatalf("err %v, want code %s", err, tc.code)
			}
			if _, err := s.Load("default"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("a profile was written: %v", err)
			}
			if _, err := os.Stat(s.journalPath("default")); !os.IsNotExist(err) {
				t.Fatal("journal left behind")
			}
		})
	}
	t.Run("too big", func(t *testing.T) {
		s, k := newTestStore(t)
		big := strings.Repeat("x", MaxSecretBytes+1)
		_, err := s.Setup(context.Background(), "default", big, proveWith(testProfile(s, "default", big), proveOK))
		var se *Error
		if !errors.As(err, &se) || se.Code != CodeTooBig {
			t.Fatalf("err %v", err)
		}
		if _, err := k.Get(Service, CurrentUser("default")); err == nil {
			t.Fatal("written")
		}
	})
}

// failingKeyring fails every call with err.
type failingKeyring struct{ err error }

func (f failingKeyring) Get(string, string) (string, error) { return "", f.err }
func (f failingKeyring) Set(string, string, string) error   { return f.err }
func (f failingKeyring) Delete(string, string) error        { return f.err }

// hangingKeyring goes through SystemKeyring's timeout with calls that never
// return, as a keyring behind a dead D-Bus peer does.
type hangingKeyring struct{ sk SystemKeyring }

func (h hangingKeyring) hang() (string, error) { select {} }
func (h hangingKeyring) Get(string, string) (string, error) {
	return h.sk.doUnchecked(h.hang)
}
func (h hangingKeyring) Set(string, string, string) error {
	_, err := h.sk.doUnchecked(h.hang)
	return err
}
func (h hangingKeyring) Delete(string, string) error {
	_, err := h.sk.doUnchecked(h.hang)
	return err
}

func TestSetupAgainWithSameValuesChangesNothing(t *testing.T) {
	s, _ := newTestStore(t)
	p := testProfile(s, "default", oldSecret)
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(p, proveOK)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(s.Path("default"))
	s.Now = func() time.Time { return time.Now().Add(time.Hour) }
	p2 := testProfile(s, "default", oldSecret)
	p2.Secret.Created = time.Now().Add(time.Hour)
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(p2, proveOK)); err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(s.Path("default"))
	if string(before) != string(after) {
		t.Fatalf("profile changed:\n%s\n%s", before, after)
	}
	var ee *ExistsError
	if _, err := s.Setup(context.Background(), "default", newSecret, proveWith(testProfile(s, "default", newSecret), proveOK)); !errors.As(err, &ee) {
		t.Fatalf("another secret over an existing profile: %v", err)
	}
}

func TestLoadRefusesBadFiles(t *testing.T) {
	s, _ := newTestStore(t)
	if err := s.ensureDirs(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]struct {
		content string
		check   func(error) bool
	}{
		"not json": {"{nope", func(err error) bool {
			var c *CorruptError
			return errors.As(err, &c) && strings.Contains(err.Error(), "not valid JSON")
		}},
		"no schema":    {`{"name":"x"}`, func(err error) bool { var c *CorruptError; return errors.As(err, &c) }},
		"newer schema": {`{"schema":7,"name":"x","future":true}`, func(err error) bool { var se *SchemaError; return errors.As(err, &se) && se.Found == 7 }},
		"no hint":      {`{"schema":1,"client_id":"x","secret":{}}`, func(err error) bool { var c *CorruptError; return errors.As(err, &c) }},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			path := s.Path("p")
			os.WriteFile(path, []byte(c.content), 0o600)
			_, err := s.Load("p")
			if !c.check(err) || !strings.Contains(err.Error(), path) {
				t.Fatalf("err %v", err)
			}
			// Never rewritten: an Update fails and leaves the bytes.
			if err := s.Update("p", func(*Profile) error { return nil }); err == nil {
				t.Fatal("update of a bad profile succeeded")
			}
			if got, _ := os.ReadFile(path); string(got) != c.content {
				t.Fatalf("file was rewritten: %s", got)
			}
		})
	}
	if _, err := s.Load("missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	var ne *NameError
	if _, err := s.Load("../etc/passwd"); !errors.As(err, &ne) {
		t.Fatalf("bad name: %v", err)
	}
}

func TestPromoteAndFinish(t *testing.T) {
	s, k := newTestStore(t)
	ctx := context.Background()
	if _, err := s.Setup(ctx, "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
		t.Fatal(err)
	}
	// A failed live proof changes nothing.
	proofErr := errors.New("invalid_secret")
	if _, err := s.Promote(ctx, "default", s.NewSecretInfo(newSecret, "new", "2028-01-01"), newSecret, func(context.Context) error { return proofErr }); !errors.Is(err, proofErr) {
		t.Fatal(err)
	}
	if v, _ := k.Get(Service, CurrentUser("default")); v != oldSecret {
		t.Fatal("current changed after a failed proof")
	}
	if _, err := k.Get(Service, PreviousUser("default")); err == nil {
		t.Fatal("previous written after a failed proof")
	}
	if _, err := s.Promote(ctx, "default", s.NewSecretInfo(oldSecret, "same", ""), oldSecret, proveOK); !errors.Is(err, ErrSameSecret) {
		t.Fatalf("same secret: %v", err)
	}
	if _, err := s.Promote(ctx, "default", s.NewSecretInfo(newSecret, "new", "2028-01-01"), newSecret, proveOK); err != nil {
		t.Fatal(err)
	}
	p, _ := s.Load("default")
	if p.Secret.Hint != "New" || p.Previous == nil || p.Previous.Hint != "Old" || p.Previous.Description != "Syncro SSO" {
		t.Fatalf("profile %+v", p)
	}
	cur, _ := k.Get(Service, CurrentUser("default"))
	prev, _ := k.Get(Service, PreviousUser("default"))
	if cur != newSecret || prev != oldSecret {
		t.Fatalf("keyring current %q previous %q", cur, prev)
	}
	if _, err := s.Promote(ctx, "default", s.NewSecretInfo("Thr8Q~x", "", ""), "Thr8Q~x", proveOK); !errors.Is(err, ErrRotationInProgress) {
		t.Fatalf("second rotation: %v", err)
	}
	old, _, err := s.Finish("default")
	if err != nil || old.Hint != "Old" {
		t.Fatalf("finish %+v %v", old, err)
	}
	p, _ = s.Load("default")
	if p.Previous != nil {
		t.Fatal("previous kept in the profile")
	}
	if _, err := k.Get(Service, PreviousUser("default")); err == nil {
		t.Fatal("previous kept in the keyring")
	}
	if _, _, err := s.Finish("default"); !errors.Is(err, ErrNoRotation) {
		t.Fatalf("finish twice: %v", err)
	}
}

// flakyKeyring fails Set for one user, as a keyring that breaks half way.
type flakyKeyring struct {
	*MemoryKeyring
	failUser string
}

func (f flakyKeyring) Set(service, user, secret string) error {
	if user == f.failUser {
		return &Error{Code: CodeKeyringUnavailable, Message: "the keyring is locked"}
	}
	return f.MemoryKeyring.Set(service, user, secret)
}

func TestPromoteKeyringFailureHalfWayKeepsWorkingSecret(t *testing.T) {
	for _, fail := range []string{PreviousUser("default"), CurrentUser("default")} {
		t.Run(fail, func(t *testing.T) {
			s, mem := newTestStore(t)
			ctx := context.Background()
			if _, err := s.Setup(ctx, "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
				t.Fatal(err)
			}
			before, _ := os.ReadFile(s.Path("default"))
			s.Keyring = flakyKeyring{mem, fail}
			_, err := s.Promote(ctx, "default", s.NewSecretInfo(newSecret, "new", ""), newSecret, proveOK)
			var se *Error
			if !errors.As(err, &se) || se.Code != CodeKeyringUnavailable {
				t.Fatalf("err %v", err)
			}
			if v, _ := mem.Get(Service, CurrentUser("default")); v != oldSecret {
				t.Fatal("the working secret was lost")
			}
			if _, err := mem.Get(Service, PreviousUser("default")); err == nil {
				t.Fatal("a stray previous entry was left")
			}
			after, _ := os.ReadFile(s.Path("default"))
			if string(before) != string(after) {
				t.Fatal("profile changed")
			}
			if note, err := s.Reconcile("default"); err != nil || note != "" {
				t.Fatalf("next run found %q %v", note, err)
			}
		})
	}
}

func TestForget(t *testing.T) {
	s, k := newTestStore(t)
	ctx := context.Background()
	s.Setup(ctx, "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK))
	s.Promote(ctx, "default", s.NewSecretInfo(newSecret, "", ""), newSecret, proveOK)
	if err := s.Forget("default"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load("default"); !errors.Is(err, ErrNotFound) {
		t.Fatal("profile kept")
	}
	for _, u := range []string{CurrentUser("default"), PreviousUser("default")} {
		if _, err := k.Get(Service, u); err == nil {
			t.Fatalf("%s kept", u)
		}
	}
	// A keyring failure keeps the profile for another try.
	s.Setup(ctx, "other", oldSecret, proveWith(testProfile(s, "other", oldSecret), proveOK))
	s.Keyring = failingKeyring{&Error{Code: CodeKeyringUnavailable, Message: "locked"}}
	if err := s.Forget("other"); err == nil {
		t.Fatal("forget succeeded without a keyring")
	}
	if _, err := s.Load("other"); err != nil {
		t.Fatal("profile removed although its secret was not")
	}
}

func TestFileKeyringWarnsAndIsPrivate(t *testing.T) {
	dir := t.TempDir()
	var warnings []string
	k := &FileKeyring{Dir: dir, Warn: func(m string) { warnings = append(warnings, m) }}
	if err := k.Set(Service, CurrentUser("default"), oldSecret); err != nil {
		t.Fatal(err)
	}
	v, err := k.Get(Service, CurrentUser("default"))
	if err != nil || v != oldSecret {
		t.Fatalf("%q %v", v, err)
	}
	path := filepath.Join(dir, "profiles", "default.secrets.json")
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v %v", fi.Mode().Perm(), err)
	}
	if len(warnings) != 2 || !strings.Contains(warnings[0], "--insecure-storage") {
		t.Fatalf("warnings %q", warnings)
	}
	if err := k.Delete(Service, CurrentUser("default")); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Get(Service, CurrentUser("default")); !isMissing(err) {
		t.Fatalf("after delete: %v", err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("empty secrets file left behind")
	}
}

func TestNoBusMeansUnavailableNotAutolaunch(t *testing.T) {
	dir := t.TempDir()
	env := map[string]string{"XDG_RUNTIME_DIR": dir}
	k := SystemKeyring{Getenv: func(s string) string { return env[s] }}
	_, err := k.Get(Service, CurrentUser("default"))
	var se *Error
	if !errors.As(err, &se) || se.Code != CodeKeyringUnavailable || !strings.Contains(se.Message, "D-Bus") || se.Fix == "" {
		t.Fatalf("err %v", err)
	}
}

func TestUnavailableFixPerSystem(t *testing.T) {
	for goos, want := range map[string]string{"linux": "dbus-run-session", "darwin": "keychain", "windows": "Credential Manager"} {
		if got := unavailableFix(goos); !strings.Contains(got, want) {
			t.Errorf("%s: %q lacks %q", goos, got, want)
		}
	}
}

func TestSecretInfoDaysLeft(t *testing.T) {
	now := time.Date(2026, 11, 26, 15, 0, 0, 0, time.UTC)
	for expires, want := range map[string]int{"2026-11-26": 0, "2026-11-27": 1, "2026-12-26": 30, "2026-11-20": -6} {
		if got, ok := (SecretInfo{Expires: expires}).DaysLeft(now); !ok || got != want {
			t.Errorf("%s: %d, want %d", expires, got, want)
		}
	}
	if _, ok := (SecretInfo{}).DaysLeft(now); ok {
		t.Error("no date gave days")
	}
}

func uniqueName(t *testing.T) string {
	var b [4]byte
	rand.Read(b[:])
	name := "crash-" + hex.EncodeToString(b[:])
	return name
}

// A version 1 profile (before the Graph fields) reads as one without
// them and is written back as version 2, keeping everything it had.
func TestSchema1ProfileReadsAndUpgrades(t *testing.T) {
	dir := t.TempDir()
	s := New(dir, NewMemoryKeyring())
	if err := ensureDir(s.profilesDir()); err != nil {
		t.Fatal(err)
	}
	v1 := `{"schema":1,"name":"old","client_id":"11111111-2222-3333-4444-555555555555","tenant_id":"t","issuer":"i","discovery_url":"d","authority_host":"login.microsoftonline.com","secret_storage":"keyring","secret":{"hint":"abc","length":40,"created":"2025-01-01T00:00:00Z","expires":"2026-01-01"}}`
	if err := os.WriteFile(s.Path("old"), []byte(v1), 0o600); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load("old")
	if err != nil || p.AppObjectID != "" || p.Secret.KeyID != "" || p.Secret.Hint != "abc" {
		t.Fatalf("%+v %v", p, err)
	}
	if err := s.Update("old", func(p *Profile) error { p.AppObjectID = "obj"; return nil }); err != nil {
		t.Fatal(err)
	}
	p, _ = s.Load("old")
	if p.Schema != 2 || p.AppObjectID != "obj" || p.Secret.Expires != "2026-01-01" {
		t.Fatalf("%+v", p)
	}
}
