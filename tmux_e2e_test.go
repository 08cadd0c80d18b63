package main

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"entrasso/steps"
)

// tmuxSession is a real terminal: tmux on a private socket, driven with
// send-keys and paste-buffer, read with capture-pane, as a person would.
type tmuxSession struct {
	t    *testing.T
	sock string
}

func requireTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") != "" || os.Getenv("ENTRASSO_TEST_REQUIRE_REAL") == "1" {
			t.Fatal("tmux is missing: .ci/run installs it")
		}
		t.Skip("needs tmux")
	}
}

func newTmux(t *testing.T, env []string, command string) *tmuxSession {
	return newTmuxAt(t, 100, 30, env, command)
}

// newTmuxAt is a terminal of w columns and h rows.
func newTmuxAt(t *testing.T, w, h int, env []string, command string) *tmuxSession {
	requireTmux(t)
	var b [4]byte
	rand.Read(b[:])
	s := &tmuxSession{t: t, sock: "entrasso-e2e-" + hex.EncodeToString(b[:])}
	args := []string{"-L", s.sock, "-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", strconv.Itoa(w), "-y", strconv.Itoa(h)}
	for _, e := range env {
		args = append(args, "-e", e)
	}
	args = append(args, command+"; echo EXIT=$?; sleep 60")
	cmd := exec.Command("tmux", args...)
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tmux: %v %s", err, out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", s.sock, "kill-server").Run() })
	return s
}

func (s *tmuxSession) tmux(args ...string) string {
	s.t.Helper()
	out, err := exec.Command("tmux", append([]string{"-L", s.sock}, args...)...).CombinedOutput()
	if err != nil {
		s.t.Fatalf("tmux %v: %v %s", args, err, out)
	}
	return string(out)
}

// capture is what the pane shows now (with -S -, its whole history).
func (s *tmuxSession) capture(history bool) string {
	if history {
		return s.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "e2e")
	}
	return s.tmux("capture-pane", "-p", "-J", "-t", "e2e")
}

func (s *tmuxSession) keys(keys ...string) *tmuxSession {
	s.tmux(append([]string{"send-keys", "-t", "e2e"}, keys...)...)
	return s
}

// paste pastes text as a terminal does, in bracketed-paste mode.
func (s *tmuxSession) paste(text string) *tmuxSession {
	s.tmux("set-buffer", "-b", "e2e", "--", text)
	s.tmux("paste-buffer", "-p", "-b", "e2e", "-t", "e2e")
	return s
}

func (s *tmuxSession) waitFor(text string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		screen := s.capture(false)
		if strings.Contains(screen, text) {
			return screen
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q:\n%s", text, screen)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// field reads "Label: value" off the screen.
func field(screen, label string) string {
	for _, line := range strings.Split(screen, "\n") {
		if i := strings.Index(line, label); i >= 0 {
			rest := strings.TrimSpace(line[i+len(label):])
			return strings.Trim(strings.Fields(rest + " │")[0], "│ ")
		}
	}
	return ""
}

func grepTree(t *testing.T, dir, secret string) {
	t.Helper()
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), secret) {
				t.Errorf("the secret is in %s", p)
			}
		}
		return nil
	})
}

// TestTmuxDemo drives `entrasso demo` in a real terminal from the first
// screen to the saved profile, making the Secret-ID mistake on the way,
// reading the demo portal's values off the screen like a newcomer would.
func TestTmuxDemo(t *testing.T) {
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, "tmp"), 0o700)
	env := []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "TMPDIR=" + filepath.Join(home, "tmp"), "TERM=xterm-256color"}
	s := newTmux(t, env, binary+" demo")
	screen := s.waitFor("Step 1 of 7")
	redirect := lineAfter(screen, "Syncro's Redirect URI:")
	s.paste("  \"" + redirect + "\"\n")
	s.waitFor("from the paste:")
	s.keys("Enter").keys("Enter")
	s.waitFor("Step 2 of 7")
	s.keys("Enter")
	screen = s.waitFor("Step 3 of 7")
	clientID := field(screen, "Application (client) ID:")
	s.paste(clientID).waitFor("shaped like an Application (client) ID")
	s.keys("Enter")
	screen = s.waitFor("Step 4 of 7")
	secret, secretID := field(screen, "Value:"), field(screen, "Secret ID:")
	if len(secret) < 30 || len(secretID) != 36 {
		t.Fatalf("demo portal values not found:\n%s", screen)
	}
	s.keys("Enter").keys("Enter").waitFor("Value (the secret)")
	s.paste(secretID).waitFor("secret_id_not_value")
	s.keys("C-u").paste(secret).waitFor("shaped like a client secret Value")
	s.keys("Enter")
	screen = s.waitFor("Step 5 of 7")
	metadata := lineAfter(screen, "OpenID Connect metadata document:")
	s.paste(metadata + ".").waitFor("discovery document of tenant")
	s.keys("Enter")
	screen = s.waitFor("Step 7 of 7")
	if !strings.Contains(screen, clientID) || strings.Contains(screen, secret) {
		t.Fatalf("step 7:\n%s", screen)
	}
	s.keys("Enter")
	// The demo goes on to the menu a re-run would open; quit from there.
	s.waitFor("What now?")
	s.keys("Down", "Down", "Down", "Down", "Down").keys("Enter")
	screen = s.waitFor("EXIT=")
	if !strings.Contains(screen, "EXIT=0") || !strings.Contains(screen, "That was the demo") {
		t.Fatalf("after exit:\n%s", screen)
	}
	if strings.Contains(s.capture(true), secret) {
		t.Fatal("the secret is in the pane after exit")
	}
	grepTree(t, home, secret)
}

// lookalikeProcess is `entrasso demo --serve` in its own process.
type lookalikeProcess struct {
	Address, CAFile, TenantID, TenantDomain, ClientID, ObjectID, RedirectURI, Secret, SecretID, ExpiredSecret string
	stdin                                                                                                     io.WriteCloser
}

func startLookalikeProcess(t *testing.T) *lookalikeProcess {
	cmd := exec.Command(binary, "demo", "--serve")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]string
	if err := json.Unmarshal([]byte(line), &raw); err != nil {
		t.Fatal(err)
	}
	return &lookalikeProcess{Address: raw["address"], CAFile: raw["ca_file"], TenantID: raw["tenant_id"], TenantDomain: raw["tenant_domain"],
		ClientID: raw["client_id"], ObjectID: raw["object_id"], RedirectURI: raw["redirect_uri"], Secret: raw["secret"],
		SecretID: raw["secret_id"], ExpiredSecret: raw["expired_secret"], stdin: stdin}
}

// TestTmuxSetupOnRealKeyring runs `entrasso setup` in a real terminal
// against the look-alike in another process, storing into the real Secret
// Service, then reads the secret back through the binary.
func TestTmuxSetupOnRealKeyring(t *testing.T) {
	requireRealKeyring(t)
	l := startLookalikeProcess(t)
	home := t.TempDir()
	profile := uniqueProfile(t)
	env := []string{"HOME=" + home, "ENTRASSO_CONFIG_DIR=" + filepath.Join(home, "cfg"), "SSL_CERT_FILE=" + l.CAFile,
		"ENTRASSO_AUTHORITY_HOST=" + l.Address, "TERM=xterm-256color", "DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
	t.Cleanup(func() { runBinary(t, "", env, "forget", "--yes", "--profile", profile) })
	s := newTmux(t, env, binary+" setup --no-browser --profile "+profile)
	s.waitFor("Step 1 of 7")
	s.paste(l.RedirectURI).keys("Enter").keys("Enter").waitFor("Step 2 of 7")
	s.keys("Enter").waitFor("Step 3 of 7")
	s.paste(l.ClientID).keys("Enter").waitFor("Step 4 of 7")
	s.keys("Enter").keys("Enter").waitFor("Value (the secret)")
	s.paste(l.Secret).waitFor("shaped like a client secret Value")
	s.keys("Enter").waitFor("Step 5 of 7")
	s.paste(l.TenantDomain).waitFor("discovery document of tenant " + l.TenantID)
	s.keys("Enter")
	s.waitFor("Step 7 of 7")
	s.keys("Enter")
	screen := s.waitFor("EXIT=")
	if !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("after exit:\n%s", screen)
	}
	if strings.Contains(s.capture(true), l.Secret) {
		t.Fatal("the secret is in the pane")
	}
	grepTree(t, home, l.Secret)
	out, errOut, code := runBinary(t, "", env, "secret", "--profile", profile)
	if code != 0 || out != l.Secret {
		t.Fatalf("secret from the real keyring: exit %d %s", code, errOut)
	}
}

// lineAfter is the line below the one holding label.
func lineAfter(screen, label string) string {
	lines := strings.Split(screen, "\n")
	for i, line := range lines {
		if strings.Contains(line, label) && i+1 < len(lines) {
			return strings.TrimSpace(lines[i+1])
		}
	}
	return ""
}

// TestTmuxTermKeepsProgressAndRestoresTerminal stops the wizard with
// SIGTERM at step 3: the terminal is back to its normal screen, nothing
// but the progress was written, and the next run offers to resume.
func TestTmuxTermKeepsProgressAndRestoresTerminal(t *testing.T) {
	l := startLookalikeProcess(t)
	home := t.TempDir()
	cfg := filepath.Join(home, "cfg")
	env := []string{"HOME=" + home, "ENTRASSO_CONFIG_DIR=" + cfg, "SSL_CERT_FILE=" + l.CAFile, "ENTRASSO_AUTHORITY_HOST=" + l.Address,
		"TERM=xterm-256color", "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-bus")}
	pidFile := filepath.Join(home, "pid")
	s := newTmux(t, env, "sh -c 'echo $$ > "+pidFile+"; exec "+binary+" setup --insecure-storage --no-browser'")
	s.waitFor("Step 1 of 7")
	s.paste(l.RedirectURI).keys("Enter").keys("Enter").waitFor("Step 2 of 7")
	s.keys("Enter").waitFor("Step 3 of 7")
	pid, _ := os.ReadFile(pidFile)
	if out, err := exec.Command("kill", "-TERM", strings.TrimSpace(string(pid))).CombinedOutput(); err != nil {
		t.Fatalf("kill: %v %s", err, out)
	}
	screen := s.waitFor("EXIT=")
	if !strings.Contains(screen, "EXIT=130") || !strings.Contains(screen, "run entrasso setup to resume") || strings.Contains(screen, "Step 3 of 7") {
		t.Fatalf("after SIGTERM:\n%s", screen)
	}
	entries, _ := os.ReadDir(filepath.Join(cfg, "profiles"))
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			t.Fatalf("wrote %s before anything was verified", e.Name())
		}
	}
	s2 := newTmux(t, env, binary+" setup --insecure-storage --no-browser")
	s2.waitFor("stopped at step 3")
	s2.keys("Enter")
	screen = s2.waitFor("Step 3 of 7")
	s2.keys("C-b").waitFor("Step 2 of 7")
	s2.keys("C-b")
	if screen = s2.waitFor("Step 1 of 7"); !strings.Contains(screen, l.RedirectURI) {
		t.Fatalf("the redirect URI was not kept:\n%s", screen)
	}
	s2.keys("C-c")
	s2.waitFor("EXIT=130")
}

// newSecret asks the look-alike's portal (its stdin) for a new secret.
func (l *lookalikeProcess) newSecret(t *testing.T, out *bufio.Reader) (value, id string) {
	if _, err := io.WriteString(l.stdin, "new-secret Syncro SSO 2027\n"); err != nil {
		t.Fatal(err)
	}
	line, err := out.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	json.Unmarshal([]byte(line), &m)
	return m["secret"], m["secret_id"]
}

// TestTmuxRotateFromMenuOnRealKeyring: a saved profile is rotated from the
// menu in a real terminal; afterwards verify passes with the new secret,
// and fails cleanly for a second machine's profile that still holds the
// old secret once it is deleted in Entra.
func TestTmuxRotateFromMenuOnRealKeyring(t *testing.T) {
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
	var raw map[string]string
	json.Unmarshal([]byte(first), &raw)
	l := &lookalikeProcess{Address: raw["address"], CAFile: raw["ca_file"], TenantID: raw["tenant_id"], ClientID: raw["client_id"],
		RedirectURI: raw["redirect_uri"], Secret: raw["secret"], SecretID: raw["secret_id"], stdin: stdin}

	home := t.TempDir()
	profile, laptop := uniqueProfile(t), uniqueProfile(t)
	env := []string{"HOME=" + home, "ENTRASSO_CONFIG_DIR=" + filepath.Join(home, "cfg"), "SSL_CERT_FILE=" + l.CAFile,
		"ENTRASSO_AUTHORITY_HOST=" + l.Address, "TERM=xterm-256color", "DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
	for _, p := range []string{profile, laptop} {
		p := p
		t.Cleanup(func() { runBinary(t, "", env, "forget", "--yes", "--profile", p) })
		if _, errOut, code := runBinary(t, l.Secret+"\n", env, "setup", "--non-interactive", "--profile", p, "--client-secret-stdin",
			"--redirect-uri", l.RedirectURI, "--client-id", l.ClientID, "--discovery-url", l.TenantID, "--secret-expires", "180d",
			"--secret-description", "Syncro SSO"); code != 0 {
			t.Fatalf("setup %s: %s", p, errOut)
		}
	}
	newValue, _ := l.newSecret(t, out)

	s := newTmux(t, env, binary+" --no-browser --profile "+profile)
	s.waitFor("What now?")
	s.keys("Enter").waitFor("Add a new client secret")
	s.keys("Enter").keys("Enter").waitFor("Value (the secret)")
	s.paste(newValue).waitFor("shaped like a client secret Value")
	s.keys("Enter").waitFor("Did Save & Verify SSO pass")
	if got, _, _ := runBinary(t, "", env, "secret", "--profile", profile); got != newValue {
		t.Fatal("the new secret is not current after the live proof")
	}
	s.keys("Up").keys("Enter")
	screen := s.waitFor("delete the old secret in Entra")
	if !strings.Contains(screen, l.Secret[:3]+"…") {
		t.Fatalf("the old secret is not named:\n%s", screen)
	}
	s.keys("Enter").waitFor("What now?")
	s.keys("Down", "Down", "Down", "Down", "Down").keys("Enter")
	if screen = s.waitFor("EXIT="); !strings.Contains(screen, "EXIT=0") {
		t.Fatalf("after quit:\n%s", screen)
	}
	if strings.Contains(s.capture(true), newValue) || strings.Contains(s.capture(true), l.Secret) {
		t.Fatal("a secret is in the pane")
	}
	grepTree(t, home, newValue)

	// The admin deletes the old secret in Entra, as told.
	io.WriteString(l.stdin, "delete-secret "+l.SecretID+"\n")
	out.ReadString('\n')
	if o, errOut, code := runBinary(t, "", env, "verify", "--profile", profile); code != 0 {
		t.Fatalf("verify with the new secret: exit %d\n%s%s", code, o, errOut)
	}
	o, _, code := runBinary(t, "", env, "verify", "--json", "--profile", laptop)
	if c, _ := reportOf(t, o).FirstFailure(); code != 1 || c.Field != "client_secret" || c.Code != "invalid_secret" {
		t.Fatalf("verify with the old secret: exit %d %+v", code, c)
	}
}

// pane is what the pane shows now, each line as the terminal holds it:
// no joining of lines by tmux (-J would join only lines the terminal
// itself wrapped; the wizard breaks its lines itself).
func (s *tmuxSession) pane() string { return s.tmux("capture-pane", "-p", "-t", "e2e") }

// waitPane waits for text to show in the pane with its lines joined as
// they stand, and returns the pane.
func (s *tmuxSession) waitPane(text string) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		p := s.pane()
		if strings.Contains(strings.ReplaceAll(p, "\n", ""), text) {
			return p
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the pane never showed %q:\n%s", text, p)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wholeInPane checks that text is in the pane whole: it starts on a line,
// and that line's rest joined with the lines after it, exactly as they
// stand, gives it back with nothing inserted (no indent, no hyphen, no
// trailing space). It returns the number of lines it spans.
func wholeInPane(t *testing.T, pane, text string) int {
	t.Helper()
	lines := strings.Split(pane, "\n")
	for i, line := range lines {
		for at := 0; at < len(line); at++ {
			if !strings.HasPrefix(text, line[at:]) && !strings.HasPrefix(line[at:], text) {
				continue
			}
			joined, n := line[at:], 1
			for j := i + 1; j < len(lines) && len(joined) < len(text); j++ {
				joined += lines[j]
				n++
			}
			if strings.HasPrefix(joined, text) {
				return n
			}
		}
	}
	t.Fatalf("%q is not whole in the pane:\n%s", text, pane)
	return 0
}

// headerOn checks that the pane's first lines are the wizard's header.
func headerOn(t *testing.T, pane string, parts ...string) {
	t.Helper()
	lines := strings.Split(pane, "\n")
	top := strings.Join(lines[:min(3, len(lines))], "\n")
	for _, p := range append([]string{"entrasso · Syncro single sign-on"}, parts...) {
		if !strings.Contains(top, p) {
			t.Fatalf("the header lacks %q:\n%s", p, pane)
		}
	}
}

// TestTmuxWholeURLsAndHeader walks `entrasso setup` in a real terminal at
// 80x24 and 100x30 against the look-alike in another process, on the real
// keyring, with no browser: the portal addresses ctrl+o shows at steps 2
// and 4, the values at step 7 and the test sign-in's short address are
// whole in the pane (its lines joined as they stand give them back); the
// header stays on screen over the refusal at step 4, step 7 and the
// sign-in's result; and the messages are the true ones.
func TestTmuxWholeURLsAndHeader(t *testing.T) {
	requireRealKeyring(t)
	for _, size := range []struct{ w, h int }{{80, 24}, {100, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size.w, size.h), func(t *testing.T) {
			l := startLookalikeProcess(t)
			home := t.TempDir()
			profile := uniqueProfile(t)
			env := []string{"HOME=" + home, "ENTRASSO_CONFIG_DIR=" + filepath.Join(home, "cfg"), "SSL_CERT_FILE=" + l.CAFile,
				"ENTRASSO_AUTHORITY_HOST=" + l.Address, "TERM=xterm-256color", "DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
			t.Cleanup(func() { runBinary(t, "", env, "forget", "--yes", "--profile", profile) })
			s := newTmuxAt(t, size.w, size.h, env, binary+" setup --no-browser --profile "+profile)
			s.waitFor("Step 1 of 7")
			s.paste("  \"" + l.RedirectURI + "\"  ").waitFor("from the paste:")
			s.keys("Enter")
			if p := s.waitFor("Logout URL (optional)"); strings.Contains(p, "from the paste:") {
				t.Fatalf("the redirect URI's note under Logout URL:\n%s", p)
			}
			s.keys("Enter").waitFor("Step 2 of 7")
			env2 := steps.Env{AuthorityHost: l.Address}
			reg, _ := steps.RegisterStep().Link(&steps.Values{}, env2)
			s.keys("C-o")
			p := s.waitPane(reg.URL)
			if wholeInPane(t, p, reg.URL) < 2 {
				t.Fatalf("the address was not wrapped, so this proves nothing:\n%s", p)
			}
			headerOn(t, p, "Step 2 of 7")
			s.keys("Enter").waitFor("Step 3 of 7")
			s.paste(l.ClientID).keys("Enter").waitFor("Step 4 of 7")
			s.keys("Enter").keys("Enter").waitFor("Value (the secret)")
			s.paste(l.ExpiredSecret).waitFor("shaped like a client secret Value")
			s.keys("Enter").waitFor("Step 5 of 7")
			s.paste(l.TenantDomain).waitFor("discovery document of tenant " + l.TenantID)
			s.keys("Enter")
			// Entra refuses the expired secret: back at step 4, under the
			// secret's field, once, with the header still on screen.
			p = s.waitFor("expired_secret")
			headerOn(t, p, "Step 4 of 7")
			if strings.Count(p, "expired_secret") != 1 || !strings.Contains(p, "Value (the secret)") {
				t.Fatalf("the refusal is not once under its field:\n%s", p)
			}
			creds, _ := steps.SecretStep().Link(&steps.Values{ClientID: l.ClientID}, env2)
			s.keys("C-o")
			p = s.waitPane(creds.URL)
			wholeInPane(t, p, creds.URL)
			headerOn(t, p, "Step 4 of 7")
			s.keys("C-u").paste(l.Secret).waitFor("shaped like a client secret Value")
			s.keys("Enter").waitFor("Step 5 of 7")
			s.keys("Enter")
			p = s.waitFor("Step 7 of 7")
			headerOn(t, p, "Step 7 of 7")
			if strings.Contains(p, "copied from the keyring") {
				t.Fatalf("step 7 says the secret was copied before any key:\n%s", p)
			}
			wholeInPane(t, p, "https://"+l.Address+"/"+l.TenantID+"/v2.0/.well-known/openid-configuration")
			wholeInPane(t, p, l.ClientID)
			s.keys("1").waitPane("Copied Client ID via")
			s.keys("3").waitPane("Copied OpenID Connect Discovery via")

			// The test sign-in: the short address, whole, with its key.
			s.keys("t")
			p = s.waitPane("Open this address in a browser")
			headerOn(t, p, "Test sign-in")
			addr := ""
			for _, line := range strings.Split(p, "\n") {
				if strings.HasPrefix(line, "http://localhost:") {
					addr = strings.TrimSpace(line)
				}
			}
			if !strings.HasSuffix(addr, "/") {
				t.Fatalf("no short address:\n%s", p)
			}
			wholeInPane(t, p, addr)
			s.keys("u").waitPane("Copied the sign-in address via")
			// The admin's browser on this machine signs in.
			pem, err := os.ReadFile(l.CAFile)
			if err != nil {
				t.Fatal(err)
			}
			pool := x509.NewCertPool()
			pool.AppendCertsFromPEM(pem)
			browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 20 * time.Second}
			if resp, err := browser.Get(addr); err == nil {
				resp.Body.Close()
			}
			p = s.waitPane("signed in as")
			headerOn(t, p, "Test sign-in")
			if strings.Contains(p, "sign_in_timeout") {
				t.Fatalf("a timeout after a sign-in:\n%s", p)
			}
			s.keys("Enter").waitFor("Step 7 of 7")
			s.keys("Enter")
			if p = s.waitFor("EXIT="); !strings.Contains(p, "EXIT=0") {
				t.Fatalf("after exit:\n%s", p)
			}
			if strings.Contains(s.capture(true), l.Secret) {
				t.Fatal("the secret is in the pane")
			}
		})
	}
}

// TestTmuxSeveralProfilesPickFirst: bare `entrasso` with two profiles and
// no --profile asks which one and opens its menu; another command still
// lists them and exits 2.
func TestTmuxSeveralProfilesPickFirst(t *testing.T) {
	requireRealKeyring(t)
	l := startLookalikeProcess(t)
	home := t.TempDir()
	env := []string{"HOME=" + home, "ENTRASSO_CONFIG_DIR=" + filepath.Join(home, "cfg"), "SSL_CERT_FILE=" + l.CAFile,
		"ENTRASSO_AUTHORITY_HOST=" + l.Address, "TERM=xterm-256color", "DBUS_SESSION_BUS_ADDRESS=" + os.Getenv("DBUS_SESSION_BUS_ADDRESS")}
	a, b := uniqueProfile(t), uniqueProfile(t)
	for _, p := range []string{a, b} {
		p := p
		t.Cleanup(func() { runBinary(t, "", env, "forget", "--yes", "--profile", p) })
		if _, errOut, code := runBinary(t, l.Secret+"\n", env, "setup", "--non-interactive", "--profile", p, "--client-secret-stdin",
			"--redirect-uri", l.RedirectURI, "--client-id", l.ClientID, "--discovery-url", l.TenantID, "--secret-expires", "180d",
			"--secret-description", "Syncro SSO"); code != 0 {
			t.Fatalf("setup %s: %s", p, errOut)
		}
	}
	if _, errOut, code := runBinary(t, "", env, "status"); code != 2 || !strings.Contains(errOut, "--profile") {
		t.Fatalf("status with two profiles: exit %d %s", code, errOut)
	}
	s := newTmuxAt(t, 80, 24, env, binary+" --no-browser")
	s.waitFor("There are 2 profiles")
	s.keys("Down").keys("Enter")
	first, second := a, b
	if second < first {
		first, second = second, first
	}
	p := s.waitFor("Profile " + second)
	if strings.Contains(p, "Last verified: never") {
		t.Fatalf("setup --non-interactive proved the secret, yet:\n%s", p)
	}
	s.keys("C-c")
	s.waitFor("EXIT=")
}
