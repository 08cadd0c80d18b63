//go:build !windows

package store

import (
	"fmt"
	"io/fs"
	"os"
	"syscall"
)

// openFlags: O_NOFOLLOW fails on a link put in place after the Lstat;
// O_NONBLOCK keeps a FIFO put there from blocking the open (it changes
// nothing for a regular file).
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK

// ownerProblem says why a file or folder is not the user's alone: owned by
// another user, or writable by its group or by others.
func ownerProblem(fi fs.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		if uid := os.Getuid(); int(st.Uid) != uid {
			return fmt.Sprintf("it belongs to another user (uid %d; you are uid %d)", st.Uid, uid)
		}
	}
	if perm := fi.Mode().Perm(); perm&0o022 != 0 {
		who := "group and others"
		switch perm & 0o022 {
		case 0o020:
			who = "its group"
		case 0o002:
			who = "others"
		}
		return fmt.Sprintf("%s can change it (mode %04o)", who, perm)
	}
	return ""
}

// othersCanRead says whether a file's group or others may read it: a plain
// secrets file must be the user's alone (--insecure-storage writes 0600).
func othersCanRead(fi fs.FileInfo) bool { return fi.Mode().Perm()&0o044 != 0 }
