//go:build !windows

package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// These tests plant files and folders entrasso must not trust (modes,
// owners and links are Unix notions; Windows keeps only the type and size
// checks) and check that nothing is read from them and nothing is written.

// nobody is the uid and gid a file is given to make it someone else's.
const nobody = 65534

// giveAway makes path belong to another user. Only root can; elsewhere the
// row is skipped and says why.
func giveAway(t *testing.T, path string) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("giving a file to another user needs root (os.Lchown); CI runs these tests as root")
	}
	if err := os.Lchown(path, nobody, nobody); err != nil {
		t.Fatal(err)
	}
}

// snapshot records everything under root that a write could change: each
// entry's type, mode, owner, size, contents and link target.
func snapshot(t *testing.T, root string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := os.Lstat(path)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		v := fmt.Sprintf("%v uid=%d size=%d", fi.Mode(), st.Uid, fi.Size())
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(path)
			v += " -> " + target
		case fi.Mode().IsRegular() && fi.Size() < 1<<16:
			data, _ := os.ReadFile(path)
			v += " " + string(data)
		}
		m[path] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func sameTree(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range after {
		if w, ok := before[p]; !ok {
			t.Errorf("created %s (%s)", p, firstLine(v))
		} else if w != v {
			t.Errorf("changed %s: %s, was %s", p, firstLine(v), firstLine(w))
		}
	}
	for p := range before {
		if _, ok := after[p]; !ok {
			t.Errorf("removed %s", p)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// savedStore is a store in base/cfg holding one saved profile, "default".
func savedStore(t *testing.T) (s *Store, base string) {
	t.Helper()
	base = t.TempDir()
	s = New(filepath.Join(base, "cfg"), NewMemoryKeyring())
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
		t.Fatal(err)
	}
	return s, base
}

func asUnsafe(t *testing.T, err error, path, reason string) {
	t.Helper()
	var ue *UnsafeError
	if !errors.As(err, &ue) {
		t.Fatalf("err %v, want an *UnsafeError", err)
	}
	if ue.Path != path || !strings.Contains(ue.Reason, reason) {
		t.Fatalf("refused %s for %q, want %s for something saying %q", ue.Path, ue.Reason, path, reason)
	}
	if msg := ue.Error(); !strings.Contains(msg, path) || !strings.Contains(msg, ue.Reason) || !strings.Contains(msg, "chmod") {
		t.Fatalf("message %q lacks the path, the reason or what to do", msg)
	}
}

// rewriteProfile replaces the saved profile's JSON after edit, keeping the
// file (and so its mode and owner).
func rewriteProfile(t *testing.T, s *Store, edit func(map[string]any)) {
	t.Helper()
	data, err := os.ReadFile(s.Path("default"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	data, _ = json.Marshal(m)
	if err := os.WriteFile(s.Path("default"), data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestUntrustedProfileIsNeitherReadNorWritten(t *testing.T) {
	for _, tc := range []struct {
		name string
		// plant spoils the saved profile and returns the path that must be
		// named in the error.
		plant  func(t *testing.T, s *Store, base string) string
		reason string
	}{
		{"profile naming another profile", func(t *testing.T, s *Store, base string) string {
			// Today's Update wrote p.Name's path: base/x/pwn.json.
			os.MkdirAll(filepath.Join(base, "x"), 0o700)
			rewriteProfile(t, s, func(m map[string]any) { m["name"] = "../../x/pwn" })
			return s.Path("default")
		}, `"../../x/pwn"`},
		{"group-writable profile (0620)", func(t *testing.T, s *Store, base string) string {
			os.Chmod(s.Path("default"), 0o620)
			return s.Path("default")
		}, "0620"},
		{"world-writable profile (0602)", func(t *testing.T, s *Store, base string) string {
			os.Chmod(s.Path("default"), 0o602)
			return s.Path("default")
		}, "0602"},
		{"profile owned by another user", func(t *testing.T, s *Store, base string) string {
			giveAway(t, s.Path("default"))
			return s.Path("default")
		}, "another user"},
		{"2 MiB profile", func(t *testing.T, s *Store, base string) string {
			// Valid JSON that today's Load read whole and accepted.
			rewriteProfile(t, s, func(m map[string]any) { m["padding"] = strings.Repeat("x", 2<<20) })
			return s.Path("default")
		}, "1 MiB"},
		{"profile that is a symbolic link", func(t *testing.T, s *Store, base string) string {
			real := filepath.Join(base, "elsewhere.json")
			os.Rename(s.Path("default"), real)
			if err := os.Symlink(real, s.Path("default")); err != nil {
				t.Fatal(err)
			}
			return s.Path("default")
		}, "link"},
		{"profile that is a FIFO", func(t *testing.T, s *Store, base string) string {
			os.Remove(s.Path("default"))
			if err := syscall.Mkfifo(s.Path("default"), 0o600); err != nil {
				t.Fatal(err)
			}
			return s.Path("default")
		}, "not a regular file"},
		{"group-writable profiles folder", func(t *testing.T, s *Store, base string) string {
			os.Chmod(s.profilesDir(), 0o770)
			return s.profilesDir()
		}, "0770"},
		{"profiles folder owned by another user", func(t *testing.T, s *Store, base string) string {
			giveAway(t, s.profilesDir())
			return s.profilesDir()
		}, "another user"},
		{"profiles folder that is a symbolic link", func(t *testing.T, s *Store, base string) string {
			real := filepath.Join(base, "planted")
			os.Rename(s.profilesDir(), real)
			if err := os.Symlink(real, s.profilesDir()); err != nil {
				t.Fatal(err)
			}
			return s.profilesDir()
		}, "link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, base := savedStore(t)
			path := tc.plant(t, s, base)
			before := snapshot(t, base)
			_, err := s.Load("default")
			asUnsafe(t, err, path, tc.reason)
			ctx := context.Background()
			err = s.Update("default", func(p *Profile) error { p.ClientID = "changed"; return nil })
			asUnsafe(t, err, path, tc.reason)
			_, err = s.Promote(ctx, "default", s.NewSecretInfo(newSecret, "", ""), newSecret, proveOK)
			asUnsafe(t, err, path, tc.reason)
			_, _, err = s.Finish("default")
			asUnsafe(t, err, path, tc.reason)
			_, err = s.Setup(ctx, "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK))
			asUnsafe(t, err, path, tc.reason)
			sameTree(t, before, snapshot(t, base))
		})
	}
}

// TestLoadOfAHugeProfileReadsLittle: a 200 MiB profile once cost status
// 1.5 GB. Refusing one must not read it.
func TestLoadOfAHugeProfileReadsLittle(t *testing.T) {
	s, _ := savedStore(t)
	f, err := os.OpenFile(s.Path("default"), os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 200 MiB that costs no disk.
	if err := f.Truncate(200 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, err = s.Load("default")
	runtime.ReadMemStats(&m1)
	asUnsafe(t, err, s.Path("default"), "1 MiB")
	if n := m1.TotalAlloc - m0.TotalAlloc; n > 1<<20 {
		t.Fatalf("refusing a 200 MiB profile allocated %d bytes", n)
	}
}

// plantJournal writes a journal for "default" holding p, with mode.
func plantJournal(t *testing.T, s *Store, op string, p Profile, secret string, mode os.FileMode) {
	t.Helper()
	data, _ := json.Marshal(journal{Op: op, Profile: &p, NewHint: p.Secret.Hint, NewLen: len(secret)})
	if err := os.WriteFile(s.journalPath("default"), data, mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(s.journalPath("default"), mode)
}

func TestUntrustedJournalIsNeitherActedOnNorRemoved(t *testing.T) {
	for _, tc := range []struct {
		name    string
		profile string
		mode    os.FileMode
		reason  string
	}{
		// Today's reconcile wrote the journal's profile by its own name:
		// cfg/pwn.json, outside the profiles folder.
		{"journal naming another profile", "../pwn", 0o600, `"../pwn"`},
		{"world-writable journal", "default", 0o602, "0602"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, base := savedStore(t)
			p := testProfile(s, tc.profile, oldSecret)
			p.ClientID = "11111111-1111-1111-1111-111111111111"
			plantJournal(t, s, "setup", p, oldSecret, tc.mode)
			before := snapshot(t, base)
			_, err := s.Reconcile("default")
			asUnsafe(t, err, s.journalPath("default"), tc.reason)
			_, err = s.Promote(context.Background(), "default", s.NewSecretInfo(newSecret, "", ""), newSecret, proveOK)
			asUnsafe(t, err, s.journalPath("default"), tc.reason)
			sameTree(t, before, snapshot(t, base))
			if got, err := s.Load("default"); err != nil || got.ClientID == p.ClientID {
				t.Fatalf("profile %+v %v", got, err)
			}
		})
	}
}

func TestUntrustedSecretsFileIsNeitherReadNorWritten(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, path string)
		why   string
	}{
		{"group-writable (0660)", func(t *testing.T, path string) { os.Chmod(path, 0o660) }, "0660"},
		{"world-writable (0606)", func(t *testing.T, path string) { os.Chmod(path, 0o606) }, "0606"},
		{"owned by another user", func(t *testing.T, path string) { giveAway(t, path) }, "another user"},
		{"a symbolic link", func(t *testing.T, path string) {
			real := path + ".real"
			os.Rename(path, real)
			os.Symlink(real, path)
		}, "link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			k := &FileKeyring{Dir: base}
			if err := k.Set(Service, CurrentUser("default"), oldSecret); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(base, "profiles", "default.secrets.json")
			tc.plant(t, path)
			before := snapshot(t, base)
			_, err := k.Get(Service, CurrentUser("default"))
			asUnsafe(t, err, path, tc.why)
			asUnsafe(t, k.Set(Service, PreviousUser("default"), newSecret), path, tc.why)
			asUnsafe(t, k.Delete(Service, CurrentUser("default")), path, tc.why)
			sameTree(t, before, snapshot(t, base))
		})
	}
}

func TestUntrustedProgressIsNotOffered(t *testing.T) {
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, s *Store) string
		why   string
	}{
		{"world-writable progress (0602)", func(t *testing.T, s *Store) string {
			os.Chmod(s.ProgressPath("default"), 0o602)
			return s.ProgressPath("default")
		}, "0602"},
		{"progress owned by another user", func(t *testing.T, s *Store) string {
			giveAway(t, s.ProgressPath("default"))
			return s.ProgressPath("default")
		}, "another user"},
		{"group-writable progress folder", func(t *testing.T, s *Store) string {
			dir := filepath.Dir(s.ProgressPath("default"))
			os.Chmod(dir, 0o775)
			return dir
		}, "0775"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, _ := newTestStore(t)
			if err := s.SaveProgress("default", Progress{Step: 3, ClientID: "x"}); err != nil {
				t.Fatal(err)
			}
			path := tc.plant(t, s)
			if _, ok := s.LoadProgress("default"); ok {
				t.Fatal("untrusted progress offered")
			}
			_, ok, err := s.ReadProgress("default")
			if ok {
				t.Fatal("untrusted progress read")
			}
			asUnsafe(t, err, path, tc.why)
		})
	}
	t.Run("none", func(t *testing.T) {
		s, _ := newTestStore(t)
		if _, ok, err := s.ReadProgress("default"); ok || err != nil {
			t.Fatalf("no progress: %v %v", ok, err)
		}
	})
}

// TestCommandsThatFindNoProfileChangeNothing runs what status, verify,
// rotate and the menu do before they know a profile exists: none of it may
// create a folder or a lock file or touch a mode.
func TestCommandsThatFindNoProfileChangeNothing(t *testing.T) {
	for _, tc := range []struct {
		name    string
		prepare func(t *testing.T, cfg string)
	}{
		{"no config folder", func(t *testing.T, cfg string) {}},
		{"empty config folder (0755)", func(t *testing.T, cfg string) {
			os.Mkdir(cfg, 0o755)
			os.Chmod(cfg, 0o755)
		}},
		{"config folder with another profile", func(t *testing.T, cfg string) {
			s := New(cfg, NewMemoryKeyring())
			if _, err := s.Setup(context.Background(), "other", oldSecret, proveWith(testProfile(s, "other", oldSecret), proveOK)); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			base := t.TempDir()
			cfg := filepath.Join(base, "cfg")
			tc.prepare(t, cfg)
			s := New(cfg, NewMemoryKeyring())
			before := snapshot(t, base)
			if _, err := s.Load("default"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("load: %v", err)
			}
			if note, err := s.Reconcile("default"); note != "" || err != nil {
				t.Fatalf("reconcile: %q %v", note, err)
			}
			if err := s.Update("default", func(*Profile) error { return nil }); !errors.Is(err, ErrNotFound) {
				t.Fatalf("update: %v", err)
			}
			if _, err := s.Promote(context.Background(), "default", s.NewSecretInfo(newSecret, "", ""), newSecret, proveOK); !errors.Is(err, ErrNotFound) {
				t.Fatalf("promote: %v", err)
			}
			if _, _, err := s.Finish("default"); !errors.Is(err, ErrNotFound) {
				t.Fatalf("finish: %v", err)
			}
			if s.Interrupted("default") {
				t.Fatal("interrupted")
			}
			if _, ok := s.LoadProgress("default"); ok {
				t.Fatal("progress")
			}
			s.List()
			sameTree(t, before, snapshot(t, base))
		})
	}
}

// TestSavingLeavesExistingFoldersAlone: entrasso makes its own folders
// 0700 but never changes the mode of one it did not just create, such as
// --config-dir /tmp.
func TestSavingLeavesExistingFoldersAlone(t *testing.T) {
	for _, tc := range []struct {
		name string
		// mode of an existing config folder; 0 for none.
		mode os.FileMode
		// want is the config folder's mode after a save.
		want os.FileMode
	}{
		{"config folder 0755", 0o755, 0o755},
		{"config folder 1777, like /tmp", 0o777 | fs.ModeSticky, 0o777 | fs.ModeSticky},
		{"config folder 0750", 0o750, 0o750},
		{"no config folder", 0, 0o700},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := filepath.Join(t.TempDir(), "a", "cfg")
			if tc.mode != 0 {
				os.MkdirAll(cfg, 0o700)
				if err := os.Chmod(cfg, tc.mode); err != nil {
					t.Fatal(err)
				}
			}
			s := New(cfg, NewMemoryKeyring())
			if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
				t.Fatal(err)
			}
			if err := s.SaveProgress("default", Progress{Step: 2}); err != nil {
				t.Fatal(err)
			}
			if err := s.Update("default", func(*Profile) error { return nil }); err != nil {
				t.Fatal(err)
			}
			want := map[string]os.FileMode{
				cfg: tc.want, s.profilesDir(): 0o700, filepath.Dir(s.ProgressPath("default")): 0o700,
				s.Path("default"): 0o600, s.ProgressPath("default"): 0o600,
			}
			if tc.mode == 0 {
				want[filepath.Dir(cfg)] = 0o700
			}
			for path, mode := range want {
				fi, err := os.Stat(path)
				if err != nil {
					t.Fatal(err)
				}
				if got := fi.Mode() & (fs.ModePerm | fs.ModeSticky); got != mode {
					t.Errorf("%s: mode %v, want %v", path, got, mode)
				}
			}
		})
	}
	t.Run("profiles folder 0750 made earlier", func(t *testing.T) {
		s, _ := newTestStore(t)
		os.Mkdir(s.profilesDir(), 0o750)
		os.Chmod(s.profilesDir(), 0o750)
		if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
			t.Fatal(err)
		}
		if fi, _ := os.Stat(s.profilesDir()); fi.Mode().Perm() != 0o750 {
			t.Fatalf("profiles folder changed to %v", fi.Mode().Perm())
		}
	})
}

// TestWriteUsesTheNameItWasGiven: whatever a profile says its name is, it
// is written where the caller's name puts it, under that name.
func TestWriteUsesTheNameItWasGiven(t *testing.T) {
	s, base := savedStore(t)
	p, err := s.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	p.Name = "../escaped"
	if err := s.write("default", p); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Lstat(filepath.Join(base, "cfg", "escaped.json")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("written by the profile's own name: %v", err)
	}
	if got, err := s.Load("default"); err != nil || got.Name != "default" {
		t.Fatalf("%+v %v", got, err)
	}
}
