//go:build !windows

package store

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// The crash tests run this test binary again as a child process that does
// store work and dies by SIGKILL, at a named crash point or whenever the
// parent kills it. The keyring must outlive the child: the real Secret
// Service in CI (ENTRASSO_TEST_REAL_KEYRING), else the file keyring.

func TestMain(m *testing.M) {
	if os.Getenv("STORE_TEST_CHILD") != "" {
		os.Exit(child())
	}
	os.Exit(m.Run())
}

func persistentKeyring(dir string) Keyring {
	if os.Getenv("ENTRASSO_TEST_REAL_KEYRING") == "1" {
		return SystemKeyring{}
	}
	return &FileKeyring{Dir: dir}
}

// secretN is the n-th secret of a run; its hint is n in three digits, so
// the hint alone tells which secret a profile describes.
func secretN(n int) string { return fmt.Sprintf("%03d8Q~%034d", n, n) }

func killSelf() {
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
	select {}
}

func child() int {
	dir, name := os.Getenv("STORE_CHILD_DIR"), os.Getenv("STORE_CHILD_PROFILE")
	s := New(dir, persistentKeyring(dir))
	if at := os.Getenv("STORE_CHILD_CRASH"); at != "" {
		s.crashAt = func(p string) {
			if p == at {
				killSelf()
			}
		}
	}
	ctx := context.Background()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "child:", err); return 1 }
	switch os.Getenv("STORE_TEST_CHILD") {
	case "setup":
		if os.Getenv("STORE_CHILD_READY") != "" {
			fmt.Println("ready")
		}
		p := testProfile(s, name, secretN(0))
		if _, err := s.Setup(ctx, name, secretN(0), proveWith(p, proveOK)); err != nil {
			return fail(err)
		}
	case "promote":
		if _, err := s.Promote(ctx, name, s.NewSecretInfo(secretN(1), "new", "2028-01-01"), secretN(1), proveOK); err != nil {
			return fail(err)
		}
	case "finish":
		if _, _, err := s.Finish(name); err != nil {
			return fail(err)
		}
	case "loop":
		// Rotate for ever: promote the next secret, finish, again.
		fmt.Println("ready")
		for {
			if _, err := s.Reconcile(name); err != nil {
				return fail(err)
			}
			p, err := s.Load(name)
			if err != nil {
				return fail(err)
			}
			if p.Previous != nil {
				if _, _, err := s.Finish(name); err != nil {
					return fail(err)
				}
				continue
			}
			n, _ := strconv.Atoi(p.Secret.Hint)
			next := secretN((n + 1) % 1000)
			if _, err := s.Promote(ctx, name, s.NewSecretInfo(next, "rotated", "2028-01-01"), next, proveOK); err != nil {
				return fail(err)
			}
		}
	case "update":
		field := os.Getenv("STORE_CHILD_FIELD")
		base := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
		for i := 0; i < 100; i++ {
			at := base.Add(time.Duration(i) * time.Minute)
			err := s.Update(name, func(p *Profile) error {
				if field == "verified" {
					p.LastVerified = &at
				} else {
					p.LastSignIn = &at
				}
				return nil
			})
			if err != nil {
				return fail(err)
			}
			if _, err := s.Load(name); err != nil {
				return fail(fmt.Errorf("torn read: %w", err))
			}
		}
	}
	return 0
}

func childCmd(t *testing.T, op, dir, name, crash string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "STORE_TEST_CHILD="+op, "STORE_CHILD_DIR="+dir, "STORE_CHILD_PROFILE="+name, "STORE_CHILD_CRASH="+crash)
	cmd.Stderr = os.Stderr
	return cmd
}

// assertConsistent is what every crash must leave after the next run's
// reconcile: a readable profile whose hints match the keyring, the secret
// one that was proven, no journal. It returns the current secret's number.
func assertConsistent(t *testing.T, s *Store, name string, mustExist bool) int {
	t.Helper()
	// Before any repair: the profile parses (or does not exist yet).
	if _, err := s.Load(name); err != nil && !errors.Is(err, ErrNotFound) {
		t.Fatalf("profile unreadable after a crash: %v", err)
	}
	note, err := s.Reconcile(name)
	if err != nil {
		t.Fatalf("reconcile: %v", err)
	}
	if _, err := os.Stat(s.journalPath(name)); !os.IsNotExist(err) {
		t.Fatal("journal left after reconcile")
	}
	p, err := s.Load(name)
	if errors.Is(err, ErrNotFound) && !mustExist {
		return -1
	}
	if err != nil {
		t.Fatalf("after reconcile (%q): %v", note, err)
	}
	cur, err := s.Keyring.Get(Service, CurrentUser(name))
	if err != nil {
		t.Fatalf("working secret lost (%q): %v", note, err)
	}
	if !matches(cur, p.Secret.Hint, p.Secret.Length) {
		t.Fatalf("keyring holds %s..., profile describes %s (%q)", cur[:3], p.Secret.Hint, note)
	}
	prev, perr := s.Keyring.Get(Service, PreviousUser(name))
	switch {
	case p.Previous == nil && perr == nil:
		t.Fatalf("stray previous secret %s... (%q)", prev[:3], note)
	case p.Previous != nil && (perr != nil || !matches(prev, p.Previous.Hint, p.Previous.Length)):
		t.Fatalf("profile keeps previous %s but keyring has %v (%q)", p.Previous.Hint, perr, note)
	}
	n, err := strconv.Atoi(p.Secret.Hint)
	if err != nil || cur != secretN(n) {
		t.Fatalf("current secret is not one that was proven: %q", cur[:3])
	}
	return n
}

func cleanup(t *testing.T, s *Store, name string) {
	t.Cleanup(func() { s.Forget(name) })
}

// TestCrashAtEveryNamedPoint kills the child at each write between the
// steps of setup, promote and finish, and checks which way the next run
// resolves it: forward once the new secret reached the keyring, back before.
func TestCrashAtEveryNamedPoint(t *testing.T) {
	type outcome struct {
		exists  bool
		current int
		prev    bool
	}
	want := map[string]outcome{
		CrashSetupJournal:   {false, -1, false},
		CrashSetupKeyring:   {true, 0, false},
		CrashSetupProfile:   {true, 0, false},
		CrashPromoteJournal: {true, 0, false},
		CrashPromotePrev:    {true, 0, false},
		CrashPromoteCurrent: {true, 1, true},
		CrashPromoteProfile: {true, 1, true},
		CrashFinishJournal:  {true, 1, true},
		CrashFinishKeyring:  {true, 1, false},
		CrashFinishProfile:  {true, 1, false},
	}
	for _, point := range CrashPoints {
		t.Run(point, func(t *testing.T) {
			dir := t.TempDir()
			name := uniqueName(t)
			s := New(dir, persistentKeyring(dir))
			cleanup(t, s, name)
			ctx := context.Background()
			op := point[:len(point)-len(point[indexColon(point):])]
			if op != "setup" {
				if _, err := s.Setup(ctx, name, secretN(0), proveWith(testProfile(s, name, secretN(0)), proveOK)); err != nil {
					t.Fatal(err)
				}
			}
			if op == "finish" {
				if _, err := s.Promote(ctx, name, s.NewSecretInfo(secretN(1), "new", ""), secretN(1), proveOK); err != nil {
					t.Fatal(err)
				}
			}
			err := childCmd(t, op, dir, name, point).Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
				t.Fatalf("child did not die at %s: %v", point, err)
			}
			if _, err := os.Stat(s.journalPath(name)); os.IsNotExist(err) {
				t.Fatal("no journal at a crash point: the sequence is not journalled there")
			}
			w := want[point]
			n := assertConsistent(t, s, name, w.exists)
			p, _ := s.Load(name)
			if n != w.current || (p != nil && (p.Previous != nil) != w.prev) {
				t.Fatalf("after %s: current %d previous %v, want %d %v", point, n, p != nil && p.Previous != nil, w.current, w.prev)
			}
		})
	}
}

func indexColon(s string) int {
	for i := range s {
		if s[i] == ':' {
			return i
		}
	}
	return len(s)
}

// rotationTime measures one promote and finish on this keyring, so the
// random kills spread over whole sequences whatever the keyring's speed.
func rotationTime(t *testing.T, s *Store) time.Duration {
	name := uniqueName(t)
	cleanup(t, s, name)
	ctx := context.Background()
	start := time.Now()
	if _, err := s.Setup(ctx, name, secretN(0), proveWith(testProfile(s, name, secretN(0)), proveOK)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Promote(ctx, name, s.NewSecretInfo(secretN(1), "", ""), secretN(1), proveOK); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Finish(name); err != nil {
		t.Fatal(err)
	}
	return time.Since(start)
}

// killAtRandom starts cmd, waits for its "ready", kills it after a random
// delay below window, and reaps it.
func killAtRandom(t *testing.T, cmd *exec.Cmd, window time.Duration) {
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("child: %q %v", line, err)
	}
	d, _ := rand.Int(rand.Reader, big.NewInt(int64(window)))
	time.Sleep(time.Duration(d.Int64()))
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
}

// TestCrashAtRandomInstants kills children at random instants: 100 during
// a first save (each a new profile) and 200 during endless rotation,
// checking after each that the next run finds one consistent state with a
// proven working secret.
func TestCrashAtRandomInstants(t *testing.T) {
	saves, rotationKills := 100, 200
	if testing.Short() {
		saves, rotationKills = 10, 20
	}
	dir := t.TempDir()
	s := New(dir, persistentKeyring(dir))
	window := 4 * rotationTime(t, s)
	t.Logf("one setup+promote+finish takes %s; kills land within %s", window/4, window)

	t.Run("save", func(t *testing.T) {
		stored, midway := 0, 0
		for i := 0; i < saves; i++ {
			name := uniqueName(t)
			cleanup(t, s, name)
			cmd := childCmd(t, "setup", dir, name, "")
			cmd.Env = append(cmd.Env, "STORE_CHILD_READY=1")
			killAtRandom(t, cmd, window/6)
			if _, err := os.Stat(s.journalPath(name)); err == nil {
				midway++
			}
			if assertConsistent(t, s, name, false) == 0 {
				stored++
			}
		}
		t.Logf("%d kills during a first save: %d mid-sequence, %d ended with the secret stored", saves, midway, stored)
		if midway == 0 || stored == 0 || stored == saves {
			t.Fatalf("the kills did not spread over the save (midway %d, stored %d)", midway, stored)
		}
	})
	t.Run("rotate", func(t *testing.T) {
		name := uniqueName(t)
		cleanup(t, s, name)
		if _, err := s.Setup(context.Background(), name, secretN(0), proveWith(testProfile(s, name, secretN(0)), proveOK)); err != nil {
			t.Fatal(err)
		}
		rotations, midway, last := 0, 0, 0
		for i := 0; i < rotationKills; i++ {
			killAtRandom(t, childCmd(t, "loop", dir, name, ""), window)
			if _, err := os.Stat(s.journalPath(name)); err == nil {
				midway++
			}
			if n := assertConsistent(t, s, name, true); n != last {
				rotations++
				last = n
			}
		}
		t.Logf("%d kills during rotation: %d mid-sequence (journal present), %d times the secret had moved on", rotationKills, midway, rotations)
		if midway == 0 || rotations == 0 {
			t.Fatalf("the kills did not spread over the rotation (midway %d, rotations %d)", midway, rotations)
		}
	})
}

// TestTwoWritersOneProfile runs two processes that each update one field of
// the same profile 100 times: no write may be lost or torn.
func TestTwoWritersOneProfile(t *testing.T) {
	dir := t.TempDir()
	name := uniqueName(t)
	s := New(dir, persistentKeyring(dir))
	cleanup(t, s, name)
	if _, err := s.Setup(context.Background(), name, secretN(0), proveWith(testProfile(s, name, secretN(0)), proveOK)); err != nil {
		t.Fatal(err)
	}
	a := childCmd(t, "update", dir, name, "")
	a.Env = append(a.Env, "STORE_CHILD_FIELD=verified")
	b := childCmd(t, "update", dir, name, "")
	b.Env = append(b.Env, "STORE_CHILD_FIELD=signin")
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if err := a.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := b.Wait(); err != nil {
		t.Fatal(err)
	}
	p, err := s.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	lastAt := time.Date(2030, 1, 1, 0, 99, 0, 0, time.UTC)
	if p.LastVerified == nil || !p.LastVerified.Equal(lastAt) || p.LastSignIn == nil || !p.LastSignIn.Equal(lastAt) {
		t.Fatalf("a write was lost: verified %v, signed in %v", p.LastVerified, p.LastSignIn)
	}
}
