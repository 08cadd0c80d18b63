// Package store keeps entrasso's profiles on disk (never a secret) and the
// client secret in the OS keyring. It also holds the sequences that must
// never lose a working secret: a first save (live proof, then keyring,
// then profile), a rotation's promote and its finish. Each is journalled so
// that a crash at any instant leaves a state the next run completes or
// undoes, and explains.
package store

import (
	"errors"
	"fmt"
	"runtime"
)

// Problem codes of the secret_store field (DESIGN.md); stable.
const (
	CodeKeyringUnavailable = "keyring_unavailable"
	CodeKeyringTimeout     = "keyring_timeout"
	CodeTooBig             = "too_big"
	CodeSecretMissing      = "secret_missing"
)

// CodeProfileUnsafe is the problem code (field profile) of a file or folder
// entrasso refuses to trust: see UnsafeError. Stable.
const CodeProfileUnsafe = "profile_unsafe"

// Error is a secret-store problem with its stable code, what went wrong in
// the admin's words, and what fixes it on this system.
type Error struct {
	Code    string
	Message string
	Fix     string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return "store: " + e.Message + ": " + e.Err.Error()
	}
	return "store: " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// ExitCode is 3 for an unusable store and 1 for a missing secret
// (DESIGN.md "Exit codes" and "verify with no secret").
func (e *Error) ExitCode() int {
	if e.Code == CodeSecretMissing {
		return 1
	}
	return 3
}

// ErrNotFound is returned for a profile that does not exist.
var ErrNotFound = errors.New("store: profile not found")

// ErrRotationInProgress is returned by Promote while a previous secret is
// still kept: the rotation before must be finished first.
var ErrRotationInProgress = errors.New("store: a rotation is in progress; finish it first (entrasso rotate --finish)")

// ErrNoRotation is returned by Finish when there is no previous secret.
var ErrNoRotation = errors.New("store: no rotation in progress")

// ErrSameSecret is returned by Promote for the secret already stored.
var ErrSameSecret = errors.New("store: this is the secret already stored; add a new client secret in Entra and paste its Value")

// ExistsError is returned by Setup when the profile exists with another
// secret: replacing it is a rotation, which keeps the old one.
type ExistsError struct{ Name string }

func (e *ExistsError) Error() string {
	return fmt.Sprintf("store: profile %q already exists with another secret; rotate it (entrasso rotate) or remove it first (entrasso forget)", e.Name)
}

// KeyringTakenError is returned by Setup when no profile of that name
// exists in this folder but the keyring already holds a different secret
// under the name: keyring entries are per profile name, so it may be the
// working secret of the same name in another configuration folder.
type KeyringTakenError struct{ Name string }

func (e *KeyringTakenError) Error() string {
	return fmt.Sprintf("store: the keyring already holds another secret for profile %q, which no profile in this folder describes", e.Name)
}

// NameError is an invalid profile name: a usage error.
type NameError struct {
	Name   string
	Reason string
}

func (e *NameError) Error() string {
	return fmt.Sprintf("store: invalid profile name %q: %s", e.Name, e.Reason)
}

// CorruptError is a profile file that cannot be read. It is reported with
// its path and never silently replaced.
type CorruptError struct {
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("store: profile %s cannot be read (%v); repair it or remove it with entrasso forget", e.Path, e.Err)
}

func (e *CorruptError) Unwrap() error { return e.Err }

// UnsafeError is a profile, journal, progress or secrets file, or the
// folder holding one, that entrasso will not read or write through: a
// link, a file someone else owns or may change, one too large to be what
// entrasso wrote, or a profile that calls itself by another name. Nothing
// is read from it and nothing is written. Its problem code is
// CodeProfileUnsafe.
type UnsafeError struct {
	// Path is the file or folder refused.
	Path string
	// Reason says why, in plain words ("its group can change it (mode 0660)").
	Reason string
}

func (e *UnsafeError) Error() string {
	return fmt.Sprintf("store: entrasso does not trust %s: %s. It uses only plain files (no links) of at most 1 MiB "+
		"that you own and only you can change, in folders only you can change. "+
		"If it is yours, make it so (chmod 600 for a file, chmod 700 for a folder); if you do not know where it came from, look at it and remove it", e.Path, e.Reason)
}

// ExitCode is 1: a refused file is a failed check, like a corrupt profile.
func (e *UnsafeError) ExitCode() int { return 1 }

// SchemaError is a profile written by a newer entrasso. It is refused and
// never rewritten, so the newer version keeps working with it.
type SchemaError struct {
	Path  string
	Found int
}

func (e *SchemaError) Error() string {
	return fmt.Sprintf("store: profile %s was written by a newer entrasso (schema %d; this one reads up to %d); upgrade entrasso", e.Path, e.Found, SchemaVersion)
}

// unavailableFix says what makes the OS keyring usable, per system.
func unavailableFix(goos string) string {
	switch goos {
	case "darwin":
		return "unlock the login keychain (Keychain Access, or `security unlock-keychain` over SSH) and run again"
	case "windows":
		return "Windows Credential Manager must be usable by your account (it is not in some service or remote sessions); run entrasso in your own desktop session"
	}
	return "entrasso needs a Secret Service (GNOME Keyring or KWallet) on the D-Bus session bus: run it in a desktop session; " +
		"over SSH or on WSL install gnome-keyring and run it under `dbus-run-session` after `gnome-keyring-daemon --unlock`; " +
		"or, knowingly, pass --insecure-storage to keep the secret in a 0600 file"
}

func platformFix() string { return unavailableFix(runtime.GOOS) }
