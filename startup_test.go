//go:build !windows

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

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
