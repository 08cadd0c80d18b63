//go:build !windows

package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// Found by an attacker pass; each fails on the code before its fix.

// Keyring entries are per profile name: a setup in another configuration
// folder must not overwrite the working secret saved under the same name.
func TestSetupNeverOverwritesAnotherFoldersSecret(t *testing.T) {
	k := NewMemoryKeyring()
	a, b := New(t.TempDir(), k), New(t.TempDir(), k)
	if _, err := a.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(a, "default", oldSecret), proveOK)); err != nil {
		t.Fatal(err)
	}
	proved := false
	_, err := b.Setup(context.Background(), "default", newSecret, func(ctx context.Context) (Profile, error) {
		proved = true
		return testProfile(b, "default", newSecret), nil
	})
	var taken *KeyringTakenError
	if !errors.As(err, &taken) || proved {
		t.Fatalf("err %v, proved %v", err, proved)
	}
	if got, _ := a.Secret("default"); got != oldSecret {
		t.Fatal("the first folder's working secret was overwritten")
	}
	if _, err := b.Load("default"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a profile was written: %v", err)
	}
	// The same secret again is no conflict (a re-run, or a second laptop
	// folder set up with the very secret the keyring holds).
	if _, err := b.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(b, "default", oldSecret), proveOK)); err != nil {
		t.Fatal(err)
	}
}

// A lock file replaced by a link makes entrasso neither create nor open
// the file it points to.
func TestLockFileLinkIsRefused(t *testing.T) {
	s, _ := newTestStore(t)
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "elsewhere")
	lock := filepath.Join(s.Dir, "profiles", ".default.lock")
	if err := os.Remove(lock); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, lock); err != nil {
		t.Fatal(err)
	}
	err := s.Update("default", func(*Profile) error { return nil })
	var ue *UnsafeError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnsafeError", err)
	}
	if _, err := os.Lstat(target); !errors.Is(err, os.ErrNotExist) {
		t.Fatal("the link's target was created")
	}
}

// The --insecure-storage file holds secrets: others may not even read it.
func TestReadableSecretsFileIsRefused(t *testing.T) {
	dir := t.TempDir()
	k := &FileKeyring{Dir: dir}
	if err := k.Set(Service, CurrentUser("default"), oldSecret); err != nil {
		t.Fatal(err)
	}
	path, _, _ := k.path(CurrentUser("default"))
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := k.Get(Service, CurrentUser("default"))
	var ue *UnsafeError
	if !errors.As(err, &ue) {
		t.Fatalf("err = %v, want *UnsafeError", err)
	}
}
