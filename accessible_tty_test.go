//go:build !windows

package main

import (
	"regexp"
	"strings"
	"testing"
)

// In --accessible mode on a real terminal the secret is read with echo
// off: an attacker pass found it echoed in clear (huh's password prompt
// could not reach the terminal through the line reader), and every prompt
// held back until something was typed.
func TestAccessibleOnATerminalHidesTheSecret(t *testing.T) {
	l := startLookalike(t)
	env := []string{"SSL_CERT_FILE=" + l.caFile, deadBus(t)}
	r := startPtyEnv(t, env, "--accessible", "--insecure-storage", "--config-dir", t.TempDir(), "--authority-host", l.srv.Host, "setup")
	defer func() { r.cmd.Process.Kill(); r.cmd.Wait(); r.f.Close() }()
	answer := func(prompt, text string) {
		t.Helper()
		r.waitFor(t, regexp.MustCompile(regexp.QuoteMeta(prompt)))
		r.key(text + "\r")
	}
	// Each prompt is on screen before anything is typed.
	answer("Redirect URI (from Syncro)", "https://acme.syncromsp.com/users/auth/openid_connect/callback")
	answer("Logout URL (optional)", "")
	answer("I'll do it in the portal", "1")
	answer("Application (client) ID", l.app.ClientID)
	answer("Description (as entered in Entra)", "")
	answer("Enter a number between 1 and 6", "1")
	answer("it is not shown as you paste", l.secret.Value)
	r.waitFor(t, regexp.MustCompile(`Step 5 of 7`))
	answer("OpenID Connect metadata document", l.tenant.ID)
	r.waitFor(t, regexp.MustCompile(`Saved as profile`))
	if strings.Contains(r.text(), l.secret.Value) {
		t.Fatalf("the secret was shown on the terminal:\n%s", r.text())
	}
}
