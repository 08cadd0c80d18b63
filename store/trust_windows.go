//go:build windows

package store

import "io/fs"

// openFlags adds nothing on Windows: Lstat has already refused links
// (reparse points) and there are no FIFOs in a folder.
const openFlags = 0

// ownerProblem checks nothing on Windows. Unix owner and mode bits do not
// exist there; a profile is protected by the ACL the user's profile folder
// inherits, which Go's os package neither reports nor sets.
func ownerProblem(fs.FileInfo) string { return "" }

// othersCanRead checks nothing on Windows, for the reason ownerProblem
// gives.
func othersCanRead(fs.FileInfo) bool { return false }
