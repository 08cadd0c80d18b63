package main

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// These run the built binary the way an attacker would meet it: a profile
// someone else wrote, a document or a token error written by someone
// hostile, flags chosen to break it.

// profileJSON is a well-formed profile named name.
func profileJSON(name string) string {
	return `{"schema":1,"name":"` + name + `","client_id":"11111111-2222-3333-4444-555555555555","tenant_id":"t","issuer":"i",
"discovery_url":"https://login.microsoftonline.com/t/v2.0/.well-known/openid-configuration","authority_host":"login.microsoftonline.com",
"secret_storage":"keyring","secret":{"hint":"abc","length":40,"created":"2026-01-01T00:00:00Z","expires":"2027-01-01"},
"created":"2026-01-01T00:00:00Z","updated":"2026-01-01T00:00:00Z"}`
}

// snapshot lists every path under dir with its mode, to show that a
// command changed nothing on disk.
func snapshot(t *testing.T, dir string) map[string]fs.FileMode {
	t.Helper()
	out := map[string]fs.FileMode{}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil {
			if info, err := os.Lstat(p); err == nil {
				out[p] = info.Mode()
			}
		}
		return nil
	})
	return out
}

func TestPlantedProfilesAreRefused(t *testing.T) {
	cases := []struct {
		name  string
		plant func(t *testing.T, path string)
	}{
		{"a name that climbs out of the folder", func(t *testing.T, path string) {
			writeFile(t, path, profileJSON("../../pwn"), 0o600)
		}},
		{"writable by the group", func(t *testing.T, path string) {
			writeFile(t, path, profileJSON("default"), 0o620)
		}},
		{"2 MiB", func(t *testing.T, path string) {
			big := strings.Replace(profileJSON("default"), `"tenant_id":"t"`, `"tenant_id":"`+strings.Repeat("x", 2<<20)+`"`, 1)
			writeFile(t, path, big, 0o600)
		}},
		{"a symlink to another file", func(t *testing.T, path string) {
			target := filepath.Join(filepath.Dir(path), "elsewhere.txt")
			writeFile(t, target, profileJSON("default"), 0o600)
			if err := os.Symlink(target, path); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, c := range cases {
		for _, cmd := range [][]string{{"verify"}, {"status"}, {"test-login", "--no-browser"}, {"rotate", "--finish"}, {"secret"}} {
			t.Run(c.name+"/"+cmd[0], func(t *testing.T) {
				root := t.TempDir()
				dir := filepath.Join(root, "cfg")
				if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o700); err != nil {
					t.Fatal(err)
				}
				c.plant(t, filepath.Join(dir, "profiles", "default.json"))
				before := snapshot(t, root)
				args := append([]string{"--json", "--config-dir", dir}, cmd...)
				out, errOut, code := runBinary(t, "", []string{deadBus(t)}, args...)
				if code != 1 {
					t.Fatalf("exit %d, want 1\n%s\n%s", code, out, errOut)
				}
				var rep struct {
					Checks []struct{ Field, Code string }
				}
				if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Checks) == 0 || rep.Checks[0].Code != "profile_unsafe" {
					t.Fatalf("want a profile_unsafe report, got %q (%v)\n%s", out, err, errOut)
				}
				if after := snapshot(t, root); len(after) != len(before) {
					t.Fatalf("files appeared or vanished: before %v\nafter %v", before, after)
				}
			})
		}
	}
}

func writeFile(t *testing.T, path, data string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// A command that finds no profile changes nothing on disk: no folders, no
// lock files, no chmod of a folder it did not create.
func TestMissingProfileChangesNothing(t *testing.T) {
	for _, mode := range []os.FileMode{0o755, 0o1777} {
		for _, cmd := range [][]string{{"verify"}, {"status"}, {"secret"}, {"test-login", "--no-browser"}, {"rotate", "--finish"}} {
			t.Run(mode.String()+"/"+cmd[0], func(t *testing.T) {
				dir := filepath.Join(t.TempDir(), "cfg")
				if err := os.Mkdir(dir, mode); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(dir, mode); err != nil {
					t.Fatal(err)
				}
				before := snapshot(t, dir)
				_, errOut, code := runBinary(t, "", []string{deadBus(t)}, append([]string{"--config-dir", dir}, cmd...)...)
				if code != 1 || !strings.Contains(errOut, "entrasso setup") {
					t.Fatalf("exit %d: %s", code, errOut)
				}
				after := snapshot(t, dir)
				if len(after) != len(before) || after[dir] != before[dir] {
					t.Fatalf("the folder changed: before %v, after %v", before, after)
				}
			})
		}
	}
}

func TestHostileServerAnswersThroughTheBinary(t *testing.T) {
	l := startLookalike(t)
	env := []string{"SSL_CERT_FILE=" + l.caFile}
	args := func(secret bool) []string {
		a := []string{"--json", "check", "--authority-host", l.srv.Host, "--discovery-url", l.tenant.ID, "--client-id", l.app.ClientID}
		if secret {
			a = append(a, "--client-secret-stdin")
		}
		return a
	}

	t.Run("a token endpoint on another host gets nothing", func(t *testing.T) {
		var hits atomic.Int32
		evil := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits.Add(1)
			_, _ = io.Copy(io.Discard, r.Body)
		}))
		cert, err := l.srv.CA.ServerCert()
		if err != nil {
			t.Fatal(err)
		}
		evil.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		evil.StartTLS()
		defer evil.Close()
		l.srv.TamperDocuments(func(doc map[string]any) { doc["token_endpoint"] = evil.URL + "/token" })
		defer l.srv.TamperDocuments(nil)
		out, errOut, code := runBinary(t, l.secret.Value+"\n", env, args(true)...)
		if code != 1 || !strings.Contains(out, "not_discovery_document") || hits.Load() != 0 {
			t.Fatalf("exit %d, hostile hits %d\n%s\n%s", code, hits.Load(), out, errOut)
		}
	})

	t.Run("escape sequences and the echoed secret in a token error", func(t *testing.T) {
		wrong := "zzz8Q~" + strings.Repeat("w", 34)
		l.srv.TamperErrors(func(body map[string]any) {
			for _, k := range []string{"error_description", "trace_id", "correlation_id"} {
				body[k] = "\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07" + wrong
			}
		})
		defer l.srv.TamperErrors(nil)
		for _, asJSON := range []bool{true, false} {
			a := args(true)
			if !asJSON {
				a = a[1:]
			}
			out, errOut, code := runBinary(t, wrong+"\n", env, a...)
			all := out + errOut
			if code != 1 || strings.ContainsAny(all, "\x1b\x07") || strings.Contains(all, wrong) {
				t.Fatalf("json=%v exit %d, output:\n%q", asJSON, code, all)
			}
			if asJSON && !json.Valid([]byte(out)) {
				t.Fatalf("invalid JSON: %s", out)
			}
		}
	})
}

func TestFlagsThatMustBePositive(t *testing.T) {
	for _, args := range [][]string{
		{"test-login", "--login-timeout", "0s"},
		{"test-login", "--login-timeout", "-1m"},
		{"check", "--timeout", "0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, errOut, code := runBinary(t, "", nil, args...)
			if code != exitUsage || !strings.Contains(errOut, "positive") {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			out, _, code := runBinary(t, "", nil, append([]string{"--json"}, args...)...)
			if code != exitUsage || !json.Valid([]byte(out)) {
				t.Fatalf("--json: exit %d, output %q", code, out)
			}
		})
	}
}
