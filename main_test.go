package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// binary is the entrasso binary built once for the end-to-end tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "entrasso-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "entrasso")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		panic("building entrasso: " + err.Error())
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type lookalike struct {
	srv    *entratest.Server
	caFile string
	tenant *entratest.Tenant
	app    *entratest.App
	secret *entratest.Secret
}

func startLookalike(t *testing.T) *lookalike {
	t.Helper()
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ca, err := srv.CA.WriteFile(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ten := srv.AddTenant("contoso.onmicrosoft.com")
	app := srv.AddApp(ten, "Syncro", "https://acme.syncromsp.com/users/auth/openid_connect/callback")
	sec := srv.AddSecret(app, "Syncro SSO", time.Now().AddDate(0, 6, 0))
	return &lookalike{srv: srv, caFile: ca, tenant: ten, app: app, secret: sec}
}

// runBinary runs the built entrasso with stdin and extra environment.
func runBinary(t *testing.T, stdin string, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code = 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return o.String(), e.String(), code
}

func TestCheckBinaryAgainstLookalike(t *testing.T) {
	l := startLookalike(t)
	env := []string{"SSL_CERT_FILE=" + l.caFile}
	redirect := "https://acme.syncromsp.com/users/auth/openid_connect/callback"

	t.Run("all pass, flags on both sides of the command", func(t *testing.T) {
		out, errOut, code := runBinary(t, "  "+l.secret.Value+"\n", env,
			"--json", "check", "--authority-host", l.srv.Host,
			"--discovery-url", l.tenant.ID, "--client-id", l.app.ClientID, "--redirect-uri", redirect,
			"--client-secret-stdin", "--secret-expires", "180d", "--profile", "acme")
		if code != 0 {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
		var r oidccheck.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil {
			t.Fatalf("not JSON: %v\n%s", err, out)
		}
		want := oidccheck.CanonicalDiscoveryURL(l.srv.Host, l.tenant.ID)
		if !r.OK || r.Profile != "acme" || r.Values.DiscoveryURL != want || r.Values.SecretHint != l.secret.Hint || r.Values.SecretExpires == "" {
			t.Fatalf("report %+v", r)
		}
		if strings.Contains(out+errOut, l.secret.Value) {
			t.Fatal("the secret appears in the output")
		}
	})
	t.Run("secret id from the environment, text report", func(t *testing.T) {
		out, errOut, code := runBinary(t, "", append(env, "ENTRASSO_CLIENT_SECRET="+l.secret.KeyID),
			"check", "--authority-host="+l.srv.Host, "--discovery-url", l.tenant.ID, "--client-id", l.app.ClientID)
		if code != 1 || !strings.Contains(out, "secret_id_not_value") || !strings.Contains(out, "Not ready") {
			t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	t.Run("wrong secret names the field and Entra's IDs", func(t *testing.T) {
		bad := "Zz_8Q~" + strings.Repeat("q", 34)
		out, _, code := runBinary(t, bad+"\n", append(env, "ENTRASSO_AUTHORITY_HOST="+l.srv.Host),
			"check", "--json", "--discovery-url", l.tenant.ID, "--client-id", l.app.ClientID, "--client-secret-stdin")
		var r oidccheck.Report
		if err := json.Unmarshal([]byte(out), &r); err != nil || code != 1 {
			t.Fatalf("exit %d, %v\n%s", code, err, out)
		}
		c, _ := r.FirstFailure()
		if c.Field != oidccheck.FieldClientSecret || c.Code != oidccheck.CodeInvalidSecret || c.TraceID == "" {
			t.Fatalf("failure %+v", c)
		}
		if strings.Contains(out, bad) {
			t.Fatal("the secret appears in the report")
		}
	})
	t.Run("nothing given is a usage error, in JSON with --json", func(t *testing.T) {
		out, _, code := runBinary(t, "", env, "check", "--json")
		if code != exitUsage || !json.Valid([]byte(out)) || !strings.Contains(out, "nothing to check") {
			t.Fatalf("exit %d\n%s", code, out)
		}
		_, errOut, code := runBinary(t, "", env, "check")
		if code != exitUsage || strings.Contains(errOut, "Ready") || !strings.Contains(errOut, "nothing to check") {
			t.Fatalf("exit %d\n%s", code, errOut)
		}
	})
	t.Run("untrusted without SSL_CERT_FILE", func(t *testing.T) {
		out, _, code := runBinary(t, "", []string{"SSL_CERT_FILE=/dev/null/none"}, "check", "--authority-host", l.srv.Host, "--discovery-url", l.tenant.ID)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, out)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"secret as a flag", []string{"check", "--client-secret=hunter2hunter2"}, "never taken as a flag"},
		{"secret as a flag, separate value", []string{"check", "--client-secret", "hunter2hunter2"}, "never taken as a flag"},
		{"bad expiry", []string{"check", "--secret-expires", "100d"}, "--secret-expires"},
		{"past expiry", []string{"check", "--secret-expires", "2001-01-01"}, "not in the future"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"stray argument", []string{"check", "extra"}, "unexpected argument"},
		{"bad timeout", []string{"check", "--timeout", "0s"}, "--timeout"},
		{"no command and no terminal", []string{}, "needs a terminal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var o, e bytes.Buffer
			env := env{stdin: strings.NewReader(""), stdout: &o, stderr: &e, getenv: func(string) string { return "" }, now: time.Now}
			if code := run(c.args, env); code != exitUsage {
				t.Fatalf("exit %d, want %d\n%s", code, exitUsage, e.String())
			}
			if !strings.Contains(e.String(), c.want) {
				t.Fatalf("stderr %q does not say %q", e.String(), c.want)
			}
			if strings.Contains(o.String()+e.String(), "hunter2") {
				t.Fatal("a secret given as a flag was echoed")
			}
		})
	}
}

func TestVersionAndHelp(t *testing.T) {
	out, _, code := runBinary(t, "", nil, "--version")
	if code != 0 || !strings.HasPrefix(out, "entrasso ") {
		t.Fatalf("exit %d %q", code, out)
	}
	out, _, code = runBinary(t, "", nil, "check", "--help")
	if code != 0 || !strings.Contains(out, "--client-secret-stdin") && !strings.Contains(out, "-client-secret-stdin") {
		t.Fatalf("exit %d %q", code, out)
	}
}
