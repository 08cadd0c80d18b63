// Package flow holds every sequence entrasso runs, each written once: the
// first save, verify, a rotation (prove, promote, finish) and the test
// sign-in. The commands and the wizard are front ends: they gather values,
// call a function here and render the Result it returns. The rules on where
// the client secret may go are enforced here, in one place (trust.go and
// guard.go), for every front end alike.
package flow

import (
	"context"
	"errors"
	"net/http"
	"time"

	"entrasso/oidccheck"
	"entrasso/store"
)

// Deps is what every flow touches outside itself, injected so that tests
// replace any of it.
type Deps struct {
	// Store holds the profiles and the keyring.
	Store *store.Store
	// HTTP is the hardened client of every live check
	// (oidccheck.NewHTTPClient).
	HTTP *http.Client
	// AuthorityHost is this command's --authority-host (flag or
	// environment): trusted like an Entra login host.
	AuthorityHost string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Sleep waits between propagation retries; nil means a real,
	// cancellable sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Crash, when set, is called at each named point of the Graph
	// sequences (CrashGraphAdded, ...) between a change in Entra and the
	// next write; the kill tests end the process there.
	Crash func(point string)
}

func (d *Deps) crash(point string) {
	if d.Crash != nil {
		d.Crash(point)
	}
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// Wait says how long a secret Entra refuses is retried, for a secret that
// may still be spreading through Entra, and who is told about each wait.
type Wait struct {
	Limit  time.Duration
	OnWait func(oidccheck.WaitInfo)
}

// Result is what a flow hands back to its front end: the report (the one
// shape every command prints), what an interrupted earlier change turned
// into, and what the flow learned.
type Result struct {
	Report oidccheck.Report
	// Notes say in words what settling an interrupted change did.
	Notes []string
	// Profile is the saved profile after the flow, when there is one.
	Profile *store.Profile
	// Old is the secret a finished rotation dropped, to delete in Entra.
	Old *store.SecretInfo
	// Identity is who signed in during a test sign-in.
	Identity *oidccheck.Identity
	// Next says what the admin does next, in words; empty when nothing.
	Next string
	// Live is every client secret of the app as Graph lists it
	// (ListCredentials, status --live).
	Live *LiveStatus
	// Added is the client secret a Graph sequence added in Entra, when it
	// added one (never its value).
	Added *store.SecretInfo
}

// ExitCode is the process exit code the result calls for (DESIGN.md "Exit
// codes"): 0, 1 for a failed check, 3 for an unusable secret store, 130
// when the flow was cancelled.
func (r Result) ExitCode() int { return r.Report.ExitCode() }

// Failed reports whether any check failed.
func (r Result) Failed() bool { return r.Report.Failed() }

func (r *Result) note(n string) {
	if n != "" {
		r.Notes = append(r.Notes, n)
	}
}

func (r *Result) add(cs ...oidccheck.Check) { r.Report.Add(cs...) }

func newResult(profile string) Result {
	return Result{Report: oidccheck.Report{Profile: profile}}
}

// Probe checks, before any work is done, that the secret can be kept: a
// value written to the keyring, read back and removed.
func Probe(ctx context.Context, d *Deps) Result {
	r := newResult("")
	if err := store.Probe(ctx, d.Store.Keyring); err != nil {
		r.add(storeCheck(err, ""))
	}
	return r
}

// Load settles any change an earlier run left unfinished, then reads the
// profile. A failure is a failed check in the report; nothing is written
// when there is no profile.
func Load(d *Deps, profile string) Result {
	r := newResult(profile)
	note, err := d.Store.Reconcile(profile)
	r.note(note)
	if err != nil {
		r.add(storeCheck(err, profile))
		return r
	}
	p, err := d.Store.Load(profile)
	if err != nil {
		r.add(storeCheck(err, profile))
		return r
	}
	r.Profile = p
	r.Report.Values = valuesOf(p)
	return r
}

// Secret settles the profile like Load, then reads its current secret from
// the keyring. The secret is returned apart from the result, never in it.
func Secret(d *Deps, profile string) (string, Result) {
	r := Load(d, profile)
	if r.Profile == nil {
		return "", r
	}
	s, err := d.Store.Secret(profile)
	if err != nil {
		r.add(storeCheck(err, profile))
		return "", r
	}
	return s, r
}

// Forget removes a profile and its keyring entries from this machine.
func Forget(d *Deps, profile string) Result {
	r := newResult(profile)
	if err := d.Store.Forget(profile); err != nil {
		r.add(storeCheck(err, profile))
		return r
	}
	r.add(oidccheck.Check{Field: FieldProfile, Status: oidccheck.StatusPass,
		Message: "removed profile " + profile + " and its keyring entries; the app and its secrets in Entra are untouched"})
	return r
}

// storage says where the store keeps secrets, for the profile.
func storage(s *store.Store) string {
	if _, ok := s.Keyring.(*store.FileKeyring); ok {
		return store.StorageFile
	}
	return store.StorageKeyring
}

func valuesOf(p *store.Profile) oidccheck.Values {
	return oidccheck.Values{RedirectURI: p.RedirectURI, ClientID: p.ClientID, TenantID: p.TenantID, Issuer: p.Issuer,
		DiscoveryURL: p.DiscoveryURL, SecretHint: p.Secret.Hint, SecretExpires: p.Secret.Expires}
}

// errProofFailed stops a store sequence when its live proof failed; the
// report already says why.
var errProofFailed = errors.New("flow: the live proof failed")
