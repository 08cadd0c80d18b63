package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// maxFileBytes bounds every file entrasso reads back. Its own files are a
// few kilobytes; anything larger was not written by it, and reading it
// whole would cost memory for nothing (a 200 MiB profile once cost status
// 1.5 GB).
const maxFileBytes = 1 << 20

// readTrusted reads a profile, journal, progress or secrets file, but only
// one entrasso could have written: a regular file (not a link) of at most
// maxFileBytes, owned by the user and writable by no one else, in a folder
// owned by the user that no one else can write to. Otherwise it returns an
// *UnsafeError. A missing file is an error wrapping fs.ErrNotExist.
func readTrusted(path string) ([]byte, error) {
	// Lstat first, so that nothing but a regular file is even opened
	// (opening a device can have effects of its own).
	fi, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	// The folder first: in a folder others can write to, the file itself
	// proves nothing.
	if err := checkFolder(filepath.Dir(path)); err != nil {
		return nil, err
	}
	if err := checkFile(path, fi); err != nil {
		return nil, err
	}
	// The file may be replaced between Lstat and open (entrasso's own
	// writes replace it atomically), so what counts is the file opened:
	// openFlags refuses a link swapped in and never blocks on a FIFO, and
	// the checks are made again on the open file.
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		if fi, lerr := os.Lstat(path); lerr == nil {
			if cerr := checkFile(path, fi); cerr != nil {
				return nil, cerr
			}
		}
		return nil, fmt.Errorf("store: reading %s: %w", path, err)
	}
	defer f.Close()
	ofi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("store: reading %s: %w", path, err)
	}
	if err := checkFile(path, ofi); err != nil {
		return nil, err
	}
	// The limit holds even if the file grows after the size check.
	data, err := io.ReadAll(io.LimitReader(f, maxFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("store: reading %s: %w", path, err)
	}
	if len(data) > maxFileBytes {
		return nil, tooLarge(path, -1)
	}
	return data, nil
}

// checkFile says why a file (described by Lstat or Stat of the open file)
// is not to be trusted, or returns nil.
func checkFile(path string, fi fs.FileInfo) error {
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &UnsafeError{Path: path, Reason: "it is a symbolic link, not the file itself"}
	case !fi.Mode().IsRegular():
		return &UnsafeError{Path: path, Reason: "it is not a regular file (" + fi.Mode().Type().String() + ")"}
	case fi.Size() > maxFileBytes:
		return tooLarge(path, fi.Size())
	}
	if reason := ownerProblem(fi); reason != "" {
		return &UnsafeError{Path: path, Reason: reason}
	}
	return nil
}

func tooLarge(path string, size int64) error {
	if size < 0 {
		return &UnsafeError{Path: path, Reason: "it is larger than 1 MiB, far more than entrasso ever writes"}
	}
	return &UnsafeError{Path: path, Reason: fmt.Sprintf("it is %d bytes, larger than 1 MiB, far more than entrasso ever writes", size)}
}

// checkFolder says why the folder holding entrasso's files is not to be
// trusted: a link, not a folder, someone else's, or writable by others.
// A missing folder is an error wrapping fs.ErrNotExist.
func checkFolder(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	switch {
	case fi.Mode()&fs.ModeSymlink != 0:
		return &UnsafeError{Path: dir, Reason: "it is a symbolic link, not the folder itself"}
	case !fi.IsDir():
		return &UnsafeError{Path: dir, Reason: "it is not a folder"}
	}
	if reason := ownerProblem(fi); reason != "" {
		return &UnsafeError{Path: dir, Reason: reason}
	}
	return nil
}

// ensureDir creates dir, and any missing folder above it, with mode 0700,
// and then checks that dir can be trusted. A folder that already existed
// keeps its mode: entrasso changes only what it has just created (a
// --config-dir of /tmp stays 1777).
func ensureDir(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; {
		_, err := os.Stat(d)
		if err == nil {
			break
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: looking at %s: %w", d, err)
		}
		missing = append(missing, d)
		parent := filepath.Dir(d)
		if parent == d {
			break
		}
		d = parent
	}
	for i := len(missing) - 1; i >= 0; i-- {
		d := missing[i]
		if err := os.Mkdir(d, 0o700); err != nil {
			if errors.Is(err, fs.ErrExist) {
				// Made meanwhile by someone else: not ours to change.
				continue
			}
			return fmt.Errorf("store: creating %s: %w", d, err)
		}
		// The umask may have taken bits from 0700 (never added any); put
		// them back on the folder just made, and never on a link.
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() && fi.Mode().Perm() != 0o700 {
			if err := os.Chmod(d, 0o700); err != nil {
				return fmt.Errorf("store: securing %s: %w", d, err)
			}
		}
	}
	return checkFolder(dir)
}
