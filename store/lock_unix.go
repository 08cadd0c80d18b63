//go:build !windows

package store

import (
	"fmt"
	"os"
	"syscall"
)

// lock takes the profile's lock file exclusively, waiting for another
// entrasso process that holds it. The file is never deleted: removing a
// lock file lets two processes lock two different files.
func (s *Store) lock(name string) (func(), error) {
	f, path, err := s.openLockFile(name)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("store: locking %s: %w", path, err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("store: syncing %s: %w", dir, err)
	}
	return nil
}
