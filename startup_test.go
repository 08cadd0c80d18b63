//go:build !windows

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// Start-up guards that a busy machine cannot trip: they look at the cause
// (an init's own clock time, a query written to the terminal), not at the
// wall clock of a whole run.

var initLine = regexp.MustCompile(`^init (\S+) @[0-9.]+ ms, ([0-9.]+) ms clock`)

// No package's init, ours or a dependency's, may cost a millisecond: that
// is what go-runewidth v0.0.27 did (20 ms building a width table on every
// start). Each package's best of five runs counts, so a run that was merely
// descheduled does not.
func TestNoSlowPackageInit(t *testing.T) {
	best := map[string]float64{}
	for range 5 {
		cmd := exec.Command(binary, "--version")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var errOut bytes.Buffer
		cmd.Stderr = &errOut
		if err := cmd.Run(); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(errOut.String(), "\n") {
			m := initLine.FindStringSubmatch(line)
			if m == nil {
				continue
			}
			ms, _ := strconv.ParseFloat(m[2], 64)
			if old, ok := best[m[1]]; !ok || ms < old {
				best[m[1]] = ms
			}
		}
	}
	if len(best) < 20 {
		t.Fatalf("read only %d inits from GODEBUG=inittrace=1", len(best))
	}
	for pkg, ms := range best {
		// The runtime's own start is Go's, not a package init anyone here
		// can change.
		if pkg != "runtime" && ms > 1 {
			t.Errorf("init of %s takes %.2f ms (best of 5)", pkg, ms)
		}
	}
}

// Commands that draw nothing ask the terminal nothing: in a terminal that
// never answers, such a query cost every command five seconds (bubbletea
// v1 asks from its package init; internal/quietstart prevents it).
func TestQuietCommandsAskTheTerminalNothing(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"--help"}, {"status"}, {"check", "--redirect-uri", "https://x.example/cb"}} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			cmd := exec.Command(binary, args...)
			cmd.Env = append(os.Environ(), "TERM=xterm-256color", "ENTRASSO_CONFIG_DIR="+t.TempDir(), "COLORFGBG=")
			f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 80, Rows: 24})
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			out := make(chan []byte, 1)
			go func() { b, _ := io.ReadAll(f); out <- b }()
			done := make(chan error, 1)
			start := time.Now()
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				cmd.Process.Kill()
				t.Fatal("the command never finished in a terminal that does not answer")
			}
			t.Logf("finished in %s", time.Since(start))
			f.Close()
			got := <-out
			for _, q := range []string{"\x1b]11;?", "\x1b]10;?", "\x1b[6n", "\x1b[c"} {
				if bytes.Contains(got, []byte(q)) {
					t.Fatalf("asked the terminal %q:\n%q", q, got)
				}
			}
		})
	}
}

// The wizard asks the terminal for its background at most once and does
// not wait for an answer that never comes: termenv, which lipgloss asks
// through, waits five seconds (OSCTimeout, a constant), and the first frame
// came that late. The cause is checked first: one background query and one
// cursor query written, never repeated. The bound on time is a backstop of
// 2 s, between the fixed 5 s wait it guards against and the tens of
// milliseconds a start takes: load cannot trip it, because a start would
// have to be slowed forty-fold, and load cannot hide a return of the 5 s
// wait either, since that wait is a fixed timer that load only lengthens.
func TestWizardInATerminalThatNeverAnswers(t *testing.T) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"setup", []string{"setup", "--insecure-storage", "--config-dir", t.TempDir()}},
		{"demo", []string{"demo"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := timeFrame(t, binary, nil, false, firstFrame, c.args...)
			if n := bytes.Count(r.out, queryBackground); n > 1 {
				t.Errorf("asked the background %d times:\n%q", n, r.out)
			}
			if n := bytes.Count(r.out, queryCursor); n > 1 {
				t.Errorf("asked the cursor position %d times:\n%q", n, r.out)
			}
			if r.took > 2*time.Second {
				t.Errorf("the first frame came %s after exec: something waits for the terminal's answer", r.took)
			}
		})
	}
}

// A terminal that answers after the wizard has stopped waiting: its reply
// must not end up typed into the first field (bubbletea v1 reads an OSC
// reply as alt+] and the runes "11;rgb:…"). The answer is sent 300 ms after
// the query, six times the wait; should load make the wizard read it in
// time after all, it is taken as the answer, and the field is empty too.
func TestLateBackgroundReplyIsNotTyped(t *testing.T) {
	cmd := exec.Command(binary, "setup", "--insecure-storage", "--config-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "TERM=xterm-256color", "COLORFGBG=", "HOME="+t.TempDir())
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait(); f.Close() }()
	var out bytes.Buffer
	text := make(chan string, 64)
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := f.Read(buf)
			if bytes.Contains(buf[:n], queryBackground) {
				go func() {
					time.Sleep(300 * time.Millisecond)
					f.WriteString("\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\\x1b[1;1R")
					// Then keys of the admin's own, which must arrive.
					time.Sleep(100 * time.Millisecond)
					f.WriteString("zqzq")
				}()
			}
			out.Write(buf[:n])
			text <- ansi.Strip(out.String())
			if err != nil {
				close(text)
				return
			}
		}
	}()
	// The keys typed after the reply show in the first field: by then the
	// reply has been read too.
	deadline := time.After(20 * time.Second)
	var last string
	for {
		select {
		case s, ok := <-text:
			if !ok {
				t.Fatalf("the wizard ended:\n%s", last)
			}
			last = s
			if strings.Contains(s, "11;rgb") || strings.Contains(s, "1e1e") {
				t.Fatalf("the late reply was typed:\n%s", s)
			}
			if strings.Contains(s, "Step 1 of 7") && strings.Contains(s, "zqzq") {
				return
			}
		case <-deadline:
			t.Fatalf("the keys typed after the reply never showed:\n%s", last)
		}
	}
}

// The keyring probe runs after the first frame: with a session bus that
// accepts and never answers, the probe cannot finish, and its screen is
// drawn all the same.
func TestProbeScreenBeforeTheKeyringAnswers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service is reached over D-Bus on Linux only")
	}
	probe := regexp.MustCompile(`Checking that this machine's keyring`)
	timeFrame(t, binary, []string{silentBus(t), "ENTRASSO_CONFIG_DIR=" + t.TempDir()}, true, probe, "setup")
}
