//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/creack/pty"
)

// ptyRun is the binary in a pseudo-terminal of 100x30, its output kept
// (ANSI stripped on reading) and keys written as a terminal sends them.
type ptyRun struct {
	cmd *exec.Cmd
	f   *os.File
	mu  sync.Mutex
	out bytes.Buffer
}

func startPty(tb testing.TB, args ...string) *ptyRun { return startPtyEnv(tb, nil, args...) }

// startPtyEnv is startPty with extra environment variables.
func startPtyEnv(tb testing.TB, env []string, args ...string) *ptyRun {
	cmd := exec.Command(binary, args...)
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "HOME="+tb.TempDir()), env...)
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
	if err != nil {
		tb.Fatal(err)
	}
	r := &ptyRun{cmd: cmd, f: f}
	go func() {
		buf := make([]byte, 32<<10)
		for {
			n, err := f.Read(buf)
			// Answer the queries a terminal answers: the background colour
			// (OSC 11) and the cursor position (DSR), which lipgloss asks
			// once at start; a bare pty would leave it waiting for seconds.
			if bytes.Contains(buf[:n], []byte("\x1b]11;?")) {
				f.WriteString("\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\")
			}
			if bytes.Contains(buf[:n], []byte("\x1b[6n")) {
				f.WriteString("\x1b[1;1R")
			}
			r.mu.Lock()
			r.out.Write(buf[:n])
			r.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	return r
}

func (r *ptyRun) text() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return ansi.Strip(r.out.String())
}

func (r *ptyRun) waitFor(tb testing.TB, re *regexp.Regexp) []string {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := re.FindStringSubmatch(r.text()); m != nil {
			return m
		}
		time.Sleep(2 * time.Millisecond)
	}
	tb.Fatalf("never saw %s", re)
	return nil
}

func (r *ptyRun) paste(s string) { r.f.WriteString("\x1b[200~" + s + "\x1b[201~") }
func (r *ptyRun) key(s string)   { r.f.WriteString(s) }

var (
	firstFrame = regexp.MustCompile(`Step 1 of 7`)
	demoURI    = regexp.MustCompile(`Redirect URI:\s+(https://\S+callback)`)
	demoClient = regexp.MustCompile(`Application \(client\) ID: ([0-9a-f-]{36})`)
	demoSecret = regexp.MustCompile(`Value:\s+(\S{40})`)
	demoTenant = regexp.MustCompile(`Tenant domain: (\S+\.com)`)
)

// Reference programs, built once per test binary next to entrasso (the
// directory TestMain removes), in a temporary module that requires exactly
// this module's versions (its go.mod and go.sum, copied): a bare Go binary
// that prints a line, and a minimal huh form, one input titled like the
// wizard's first step, in the alternate screen as the wizard is.
var (
	refsOnce sync.Once
	refsErr  error
	bareBin  string
	huhBin   string
)

const bareMain = `package main

import "os"

func main() { os.Stdout.WriteString("bare 1.0\n") }
`

const huhMain = `package main

import (
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

func main() {
	var v string
	_ = huh.NewForm(huh.NewGroup(huh.NewInput().Title("Step 1 of 7").Value(&v))).
		WithProgramOptions(tea.WithAltScreen()).Run()
}
`

func refs(tb testing.TB) {
	refsOnce.Do(func() {
		dir := filepath.Join(filepath.Dir(binary), "refs")
		gomod, err := os.ReadFile("go.mod")
		if err != nil {
			refsErr = err
			return
		}
		gosum, err := os.ReadFile("go.sum")
		if err != nil {
			refsErr = err
			return
		}
		mod := strings.Replace(string(gomod), "module entrasso", "module entrassoref", 1)
		for name, src := range map[string]string{"bare": bareMain, "huhform": huhMain} {
			d := filepath.Join(dir, name)
			if refsErr = os.MkdirAll(d, 0o755); refsErr != nil {
				return
			}
			for f, body := range map[string]string{"go.mod": mod, "go.sum": string(gosum), "main.go": src} {
				if refsErr = os.WriteFile(filepath.Join(d, f), []byte(body), 0o644); refsErr != nil {
					return
				}
			}
			build := exec.Command("go", "build", "-o", filepath.Join(dir, name+".bin"), ".")
			build.Dir = d
			// The same versions as entrasso, from the module cache: the
			// copied go.mod lists more than these programs import.
			build.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
			if out, err := build.CombinedOutput(); err != nil {
				refsErr = fmt.Errorf("building the %s reference: %v\n%s", name, err, out)
				return
			}
		}
		bareBin, huhBin = filepath.Join(dir, "bare.bin"), filepath.Join(dir, "huhform.bin")
	})
	if refsErr != nil {
		tb.Fatal(refsErr)
	}
}

// Background and cursor queries as a program writes them.
var (
	queryBackground = []byte("\x1b]11;?")
	queryCursor     = []byte("\x1b[6n")
)

// frameRun is one program started in a 100x30 pty and watched until a
// pattern shows.
type frameRun struct {
	// took is from just before the exec to the read that made the
	// pattern show.
	took time.Duration
	// out is everything the program wrote until it was stopped.
	out []byte
}

// timeFrame starts bin in a pty and times exec to the first output in
// which re matches (ANSI stripped). With answer the pty answers the
// background (OSC 11) and cursor queries as a terminal does; without, it
// never answers anything. The program is killed once re shows.
func timeFrame(tb testing.TB, bin string, env []string, answer bool, re *regexp.Regexp, args ...string) frameRun {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(append(os.Environ(), "TERM=xterm-256color", "COLORFGBG=", "HOME="+tb.TempDir()), env...)
	shown := make(chan time.Time, 1)
	var mu sync.Mutex
	var out bytes.Buffer
	start := time.Now()
	f, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: 100, Rows: 30})
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 32<<10)
		seen := false
		for {
			n, err := f.Read(buf)
			if answer && bytes.Contains(buf[:n], queryBackground) {
				f.WriteString("\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\")
			}
			if answer && bytes.Contains(buf[:n], queryCursor) {
				f.WriteString("\x1b[1;1R")
			}
			mu.Lock()
			out.Write(buf[:n])
			if !seen && re.MatchString(ansi.Strip(out.String())) {
				seen = true
				shown <- time.Now()
			}
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	var r frameRun
	select {
	case at := <-shown:
		r.took = at.Sub(start)
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		cmd.Wait()
		f.Close()
		tb.Fatalf("%s %v never showed %s", filepath.Base(bin), args, re)
	}
	cmd.Process.Kill()
	cmd.Wait()
	f.Close()
	<-done
	mu.Lock()
	r.out = out.Bytes()
	mu.Unlock()
	return r
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkVersion runs `entrasso --version` and the bare Go binary one
// after the other in each round, and reports both and their ratio (DESIGN:
// at most 3x).
func BenchmarkVersion(b *testing.B) {
	refs(b)
	var own, bare time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := exec.Command(binary, "--version").Run(); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := exec.Command(bareBin).Run(); err != nil {
			b.Fatal(err)
		}
		own, bare = own+t1.Sub(t0), bare+time.Since(t1)
	}
	b.ReportMetric(ms(own)/float64(b.N), "version-ms")
	b.ReportMetric(ms(bare)/float64(b.N), "bare-ms")
	b.ReportMetric(float64(own)/float64(bare), "x-bare")
}

// BenchmarkFirstFrame times exec to the first full frame in a pty that
// answers queries: the minimal huh form, `setup` (file keyring, so no
// D-Bus) and `demo` (which starts the look-alike), in turn in each round,
// with the two wizards' ratios to the huh form.
func BenchmarkFirstFrame(b *testing.B) {
	refs(b)
	var huhT, setupT, demoT time.Duration
	for b.Loop() {
		huhT += timeFrame(b, huhBin, nil, true, firstFrame).took
		setupT += timeFrame(b, binary, nil, true, firstFrame, "setup", "--insecure-storage", "--config-dir", b.TempDir()).took
		demoT += timeFrame(b, binary, nil, true, firstFrame, "demo").took
	}
	n := float64(b.N)
	b.ReportMetric(ms(huhT)/n, "huh-ms")
	b.ReportMetric(ms(setupT)/n, "setup-ms")
	b.ReportMetric(ms(demoT)/n, "demo-ms")
	b.ReportMetric(float64(setupT)/float64(huhT), "setup-x-huh")
	b.ReportMetric(float64(demoT)/float64(huhT), "demo-x-huh")
}

// BenchmarkFirstFrameMute is the same for `setup` and `demo` in a pty that
// never answers (DESIGN: within 100 ms). The huh form is left out: its
// bubbletea asks from its init and waits termenv's five seconds.
func BenchmarkFirstFrameMute(b *testing.B) {
	var setupT, demoT time.Duration
	for b.Loop() {
		setupT += timeFrame(b, binary, nil, false, firstFrame, "setup", "--insecure-storage", "--config-dir", b.TempDir()).took
		demoT += timeFrame(b, binary, nil, false, firstFrame, "demo").took
	}
	b.ReportMetric(ms(setupT)/float64(b.N), "setup-ms")
	b.ReportMetric(ms(demoT)/float64(b.N), "demo-ms")
}

// BenchmarkDemoRun drives a whole demo in a pty, from the first screen to
// the saved profile and out through the menu's Quit, and reports the
// process's peak resident memory.
func BenchmarkDemoRun(b *testing.B) {
	var peak int64
	for b.Loop() {
		r := startPty(b, "demo")
		uri := r.waitFor(b, demoURI)[1]
		r.paste(uri)
		r.key("\r")
		r.key("\r")
		r.waitFor(b, regexp.MustCompile(`Step 2 of 7`))
		r.key("\r")
		client := r.waitFor(b, demoClient)[1]
		r.paste(client)
		r.key("\r")
		secret := r.waitFor(b, demoSecret)[1]
		r.key("\r")
		r.key("\r")
		r.waitFor(b, regexp.MustCompile(`Value \(the secret\)`))
		r.paste(secret)
		r.key("\r")
		tenant := r.waitFor(b, demoTenant)[1]
		r.paste(tenant)
		r.waitFor(b, regexp.MustCompile(`discovery document of tenant`))
		r.key("\r")
		r.waitFor(b, regexp.MustCompile(`Step 7 of 7`))
		r.key("\r")
		// The demo goes on to the menu a re-run would open: Quit is its
		// sixth and last choice.
		r.waitFor(b, regexp.MustCompile(`What now\?`))
		r.key(strings.Repeat("\x1b[B", 5))
		r.key("\r")
		exited := make(chan error, 1)
		go func() { exited <- r.cmd.Wait() }()
		select {
		case err := <-exited:
			if err != nil {
				b.Fatalf("demo: %v\n%s", err, r.text())
			}
		case <-time.After(20 * time.Second):
			r.cmd.Process.Kill()
			<-exited
			b.Fatalf("the demo did not end after Quit:\n%s", r.text())
		}
		r.f.Close()
		if rss := r.cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > peak {
			peak = rss
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
}
