//go:build !windows

package main

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
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

// BenchmarkFirstFrame is the time from starting `entrasso demo` in a pty to
// its first full frame (the keyring probe, the look-alike and the program
// have all started).
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		r := startPty(b, "demo")
		r.waitFor(b, firstFrame)
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.f.Close()
	}
}

// BenchmarkDemoRun drives a whole demo from the first screen to the saved
// profile in a pty, and reports the process's peak resident memory.
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
		if err := r.cmd.Wait(); err != nil {
			b.Fatalf("demo: %v\n%s", err, r.text())
		}
		r.f.Close()
		if rss := r.cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss; rss > peak {
			peak = rss
		}
	}
	b.ReportMetric(float64(peak)/1024, "peak-RSS-MiB")
}

// BenchmarkFirstFrameSetup is the same for `entrasso setup` (no look-alike
// to start; the file keyring, so no D-Bus is needed).
func BenchmarkFirstFrameSetup(b *testing.B) {
	for b.Loop() {
		r := startPty(b, "setup", "--insecure-storage", "--config-dir", b.TempDir())
		r.waitFor(b, firstFrame)
		r.cmd.Process.Kill()
		r.cmd.Wait()
		r.f.Close()
	}
}
