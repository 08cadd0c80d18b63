//go:build windows

package store

import (
	"fmt"

	"golang.org/x/sys/windows"
)

// lock takes the profile's lock file exclusively with LockFileEx, waiting
// for another entrasso process that holds it.
func (s *Store) lock(name string) (func(), error) {
	f, path, err := s.openLockFile(name)
	if err != nil {
		return nil, err
	}
	ol := new(windows.Overlapped)
	if err := windows.LockFileEx(windows.Handle(f.Fd()), windows.LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, ol); err != nil {
		f.Close()
		return nil, fmt.Errorf("store: locking %s: %w", path, err)
	}
	return func() {
		_ = windows.UnlockFileEx(windows.Handle(f.Fd()), 0, 1, 0, ol)
		f.Close()
	}, nil
}

// syncDir is a no-op on Windows, where a directory cannot be opened for
// fsync; MoveFileEx (os.Rename) is the durable step there.
func syncDir(string) error { return nil }
