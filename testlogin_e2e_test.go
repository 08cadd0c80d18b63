package main

import (
	"bufio"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// TestTestLoginBinary runs `entrasso test-login --no-browser`: the URL is
// printed alone on a line, a browser stand-in opens it, and the report
// says who signed in; the profile records the sign-in.
func TestTestLoginBinary(t *testing.T) {
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	demo := srv.SeedDemo()
	caFile, _ := srv.CA.WriteFile(t.TempDir())
	cfg := t.TempDir()
	env := []string{"SSL_CERT_FILE=" + caFile, "ENTRASSO_AUTHORITY_HOST=" + srv.Host, "ENTRASSO_CONFIG_DIR=" + cfg, deadBus(t)}
	if _, errOut, code := runBinary(t, demo.Secret.Value+"\n", env, "setup", "--non-interactive", "--insecure-storage", "--client-secret-stdin",
		"--redirect-uri", entratest.DemoRedirectURI, "--client-id", demo.App.ClientID, "--discovery-url", demo.Tenant.ID, "--secret-expires", "180d"); code != 0 {
		t.Fatal(errOut)
	}

	run := func(t *testing.T, browse bool) (oidccheck.Report, string, int) {
		cmd := exec.Command(binary, "test-login", "--no-browser", "--json", "--login-timeout", "5s")
		cmd.Env = append(os.Environ(), env...)
		// With --json, stdout holds only the report: the URL comes alone on
		// its line on stderr.
		errPipe, _ := cmd.StderrPipe()
		var stdout strings.Builder
		cmd.Stdout = &stdout
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReader(errPipe)
		var stderr strings.Builder
		var line string
		for {
			l, err := r.ReadString('\n')
			stderr.WriteString(l)
			if strings.HasPrefix(l, "https://") {
				line = l
				break
			}
			if err != nil {
				t.Fatalf("no URL line on stderr: %v\n%s", err, stderr.String())
			}
		}
		if !strings.HasPrefix(line, "https://"+srv.Host+"/") {
			t.Fatalf("URL line %q\n%s", line, stderr.String())
		}
		u := strings.TrimSpace(line)
		for _, p := range []string{"state=", "nonce=", "code_challenge=", "code_challenge_method=S256"} {
			if !strings.Contains(u, p) {
				t.Fatalf("the URL lacks %s: %s", p, u)
			}
		}
		if browse {
			b := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: srv.CA.Pool()}}, Timeout: 10 * time.Second}
			if resp, err := b.Get(u); err == nil {
				resp.Body.Close()
			}
		}
		rest, _ := io.ReadAll(r)
		stderr.Write(rest)
		cmd.Wait()
		var rep oidccheck.Report
		if err := json.Unmarshal([]byte(stdout.String()), &rep); err != nil {
			t.Fatalf("report: %v\n%s", err, stdout.String())
		}
		return rep, stderr.String(), cmd.ProcessState.ExitCode()
	}
	t.Run("success", func(t *testing.T) {
		rep, errOut, code := run(t, true)
		if code != 0 || !rep.OK || !strings.Contains(errOut, "You may remove "+oidccheck.LoopbackRedirectURI) {
			t.Fatalf("exit %d %+v\n%s", code, rep.Checks, errOut)
		}
		out, _, _ := runBinary(t, "", env, "status", "--json")
		var st statusJSON
		json.Unmarshal([]byte(out), &st)
		if st.LastSignIn == nil {
			t.Fatal("the sign-in was not recorded")
		}
	})
	t.Run("nobody signs in", func(t *testing.T) {
		rep, _, code := run(t, false)
		if c, _ := rep.FirstFailure(); code != 1 || c.Code != oidccheck.CodeSignInTimeout || !strings.Contains(c.Fix, "AADSTS50011") {
			t.Fatalf("exit %d %+v", code, c)
		}
	})
}
