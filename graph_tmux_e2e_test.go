package main

import (
	"bufio"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestTmuxDemoGraphToStep7 drives `entrasso demo` in a real terminal down
// step 2's "Let entrasso register the app": the tenant read off the demo
// portal, the device code (the demo opens no browser) shown with its
// address and approved by the look-alike as the admin would, then step 7
// with the values for Syncro.
func TestTmuxDemoGraphToStep7(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "tmp"), 0o700)
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "TMPDIR=" + filepath.Join(home, "tmp"), "TERM=xterm-256color"}
	s := newTmux(t, env, binary+" demo")
	screen := s.waitFor("Step 1 of 7")
	s.paste(lineAfter(screen, "Syncro's Redirect URI:")).keys("Enter").keys("Enter")
	s.waitFor("Let entrasso register the app (sign in as an admin)")
	s.keys("Down").keys("Enter")
	screen = s.waitFor("Your tenant")
	s.paste(field(screen, "Tenant domain:")).keys("Enter").keys("Enter").keys("Enter").keys("Enter")
	screen = s.waitFor("enter the code")
	if !strings.Contains(screen, "/devicelogin") || !regexp.MustCompile(`(?m)^[A-Z0-9]{9}\s*$`).MatchString(screen) {
		t.Fatalf("no device code and address:\n%s", screen)
	}
	screen = s.waitFor("Step 7 of 7")
	if !strings.Contains(screen, "Through Microsoft Graph, entrasso registered the app") || !strings.Contains(screen, "Entra accepted every value") ||
		!strings.Contains(screen, "key 2 copies it from the keyring") {
		t.Fatalf("step 7:\n%s", screen)
	}
	s.keys("Enter").waitFor("What now?")
	s.keys("Down", "Down", "Down", "Down", "Down").keys("Enter")
	if screen = s.waitFor("EXIT="); !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("after exit:\n%s", screen)
	}
}

// TestTmuxSetupByGraphOnRealKeyring runs `entrasso setup` in a real
// terminal against the look-alike in another process, choosing to let
// entrasso register the app: the device code is read off the screen and
// entered at the look-alike (its portal's approve-device), as the admin
// would on their phone; the secret Graph made lands in the real Secret
// Service and never on the screen or on disk.
func TestTmuxSetupByGraphOnRealKeyring(t *testing.T) {
	requireRealKeyring(t)
	cmd := exec.Command(binary, "demo", "--serve")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	out := bufio.NewReader(stdout)
	first, _ := out.ReadString('\n')
	var l map[string]string
	json.Unmarshal([]byte(first), &l)

	home := t.TempDir()
	profile := uniqueProfile(t)
	env := []string{"HOME=" + home, "ENTRASSO_CONFIG_DIR=" + filepath.Join(home, "cfg"), "SSL_CERT_FILE=" + l["ca_file"],
		"ENTRASSO_AUTHORITY_HOST=" + l["address"], "ENTRASSO_GRAPH_HOST=" + l["address"], "TERM=xterm-256color",
		"DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
	t.Cleanup(func() { runBinary(t, "", env, "forget", "--yes", "--profile", profile) })
	s := newTmux(t, env, binary+" setup --no-browser --profile "+profile)
	s.waitFor("Step 1 of 7")
	s.paste(l["redirect_uri"]).keys("Enter").keys("Enter").waitFor("Step 2 of 7")
	s.keys("Down").keys("Enter").waitFor("Your tenant")
	s.paste(l["tenant_domain"]).keys("Enter").keys("Enter").keys("Enter").keys("Enter")
	screen := s.waitFor("enter the code")
	code := regexp.MustCompile(`(?m)^([A-Z0-9]{9})\s*$`).FindStringSubmatch(screen)
	if code == nil {
		t.Fatalf("no device code:\n%s", screen)
	}
	io.WriteString(stdin, "approve-device "+code[1]+"\n")
	if line, _ := out.ReadString('\n'); !strings.Contains(line, `"approved":true`) {
		t.Fatalf("the look-alike did not take the code: %s", line)
	}
	screen = s.waitFor("Step 7 of 7")
	if !strings.Contains(screen, "Through Microsoft Graph, entrasso registered the app") {
		t.Fatalf("step 7:\n%s", screen)
	}
	secret, errOut, code2 := runBinary(t, "", env, "secret", "--profile", profile)
	if code2 != 0 || len(secret) < 30 {
		t.Fatalf("no secret in the real keyring: exit %d %s", code2, errOut)
	}
	s.keys("Enter")
	if screen = s.waitFor("EXIT="); !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("after exit:\n%s", screen)
	}
	if strings.Contains(s.capture(true), secret) {
		t.Fatal("the secret is in the pane")
	}
	grepTree(t, home, secret)
	if o, errOut, c := runBinary(t, "", env, "verify", "--profile", profile); c != 0 {
		t.Fatalf("verify: exit %d\n%s%s", c, o, errOut)
	}
}
