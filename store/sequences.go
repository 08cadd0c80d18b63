package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/zalando/go-keyring"
)

// Crash points: every write between the steps of a sequence. The crash
// tests kill a process at each of them (as well as at random instants).
const (
	CrashSetupJournal   = "setup:journal"
	CrashSetupKeyring   = "setup:keyring"
	CrashSetupProfile   = "setup:profile"
	CrashPromoteJournal = "promote:journal"
	CrashPromotePrev    = "promote:previous"
	CrashPromoteCurrent = "promote:current"
	CrashPromoteProfile = "promote:profile"
	CrashFinishJournal  = "finish:journal"
	CrashFinishKeyring  = "finish:keyring"
	CrashFinishProfile  = "finish:profile"
)

// CrashPoints lists them in order.
var CrashPoints = []string{
	CrashSetupJournal, CrashSetupKeyring, CrashSetupProfile,
	CrashPromoteJournal, CrashPromotePrev, CrashPromoteCurrent, CrashPromoteProfile,
	CrashFinishJournal, CrashFinishKeyring, CrashFinishProfile,
}

// journal is written before a sequence's first change and removed after
// its last: it holds the profile the sequence is writing (never a secret)
// and enough to recognise the new secret in the keyring afterwards.
type journal struct {
	Op      string   `json:"op"`
	Profile *Profile `json:"profile"`
	NewHint string   `json:"new_hint,omitempty"`
	NewLen  int      `json:"new_length,omitempty"`
}

// Prover proves a secret live before anything is written.
type Prover func(ctx context.Context) error

// NewSecretInfo describes secret without keeping it.
func (s *Store) NewSecretInfo(secret, description, expires string) SecretInfo {
	hint := ""
	if r := []rune(secret); len(r) >= 3 {
		hint = string(r[:3])
	}
	return SecretInfo{Description: description, Hint: hint, Length: len(secret), Created: s.now(), Expires: expires}
}

func (s *Store) writeJournal(name string, j journal) error {
	if err := s.ensureDirs(); err != nil {
		return err
	}
	if j.Profile != nil {
		p := *j.Profile
		p.Name = name
		j.Profile = &p
	}
	data, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("store: encoding journal: %w", err)
	}
	return writeAtomic(s.journalPath(name), data)
}

func (s *Store) removeJournal(name string) error {
	if err := os.Remove(s.journalPath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: removing journal: %w", err)
	}
	return syncDir(s.profilesDir())
}

// readJournal returns the journal of an interrupted sequence, or nil. A
// journal entrasso does not trust (see readTrusted), or one whose profile
// calls itself by another name, is an *UnsafeError: it is neither acted on
// nor removed.
func (s *Store) readJournal(name string) (*journal, error) {
	path := s.journalPath(name)
	data, err := readTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		var ue *UnsafeError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, fmt.Errorf("store: reading journal: %w", err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil || j.Profile == nil {
		// A journal is written atomically, so a damaged one was never
		// acted on; it is dropped.
		return &journal{Op: "damaged"}, nil
	}
	if err := checkName(path, j.Profile, name); err != nil {
		return nil, err
	}
	return &j, nil
}

// present returns the ErrNotFound-wrapping error of Load when name has
// neither a profile nor a journal that could complete one: a sequence on
// it has nothing to work on, and must create nothing (no folder, no lock
// file) to find that out. Other problems are left to the sequence.
func (s *Store) present(name string) error {
	_, err := s.Load(name)
	if !errors.Is(err, ErrNotFound) {
		return nil
	}
	if j, jerr := s.readJournal(name); jerr != nil || j != nil {
		return jerr
	}
	return err
}

// untrusted returns the *UnsafeError of name's profile or journal, if
// either is a file entrasso does not trust, so that a sequence refuses it
// before it makes a lock file for it.
func (s *Store) untrusted(name string) error {
	var ue *UnsafeError
	if _, err := s.Load(name); errors.As(err, &ue) {
		return err
	}
	if _, err := s.readJournal(name); errors.As(err, &ue) {
		return err
	}
	return nil
}

func matches(secret string, hint string, n int) bool {
	r := []rune(secret)
	return len(r) >= 3 && string(r[:3]) == hint && len(secret) == n
}

// SetupProver proves the values live and returns the profile to save.
type SetupProver func(ctx context.Context) (Profile, error)

// Setup stores a first secret and its profile: prove, then the keyring,
// then the profile. Nothing is written unless prove succeeds. A profile
// that exists with the same secret is updated in place, and not written at
// all when nothing changed (re-running setup with the same values changes
// nothing); one with another secret is an *ExistsError, since replacing it
// is a rotation.
func (s *Store) Setup(ctx context.Context, name, secret string, prove SetupProver) (note string, err error) {
	if len(secret) > MaxSecretBytes {
		return "", tooBig(len(secret))
	}
	unlock, n, err := s.begin(name)
	note = n
	if err != nil {
		return note, err
	}
	defer unlock()
	existing, err := s.Load(name)
	switch {
	case err == nil:
		cur, gerr := s.Keyring.Get(Service, CurrentUser(name))
		if gerr != nil && !isMissing(gerr) {
			return note, gerr
		}
		if gerr != nil || cur != secret {
			return note, &ExistsError{Name: name}
		}
		p, err := prove(ctx)
		if err != nil {
			return note, err
		}
		p.Name, p.Schema = name, SchemaVersion
		p.Created, p.Secret.Created, p.Updated = existing.Created, existing.Secret.Created, existing.Updated
		p.LastVerified, p.LastSignIn, p.Previous = existing.LastVerified, existing.LastSignIn, existing.Previous
		if same(existing, &p) {
			return note, nil
		}
		p.Updated = s.now()
		return note, s.write(name, &p)
	case !errors.Is(err, ErrNotFound):
		return note, err
	}
	// No profile here, but the keyring may still hold another secret under
	// this name (entries are per profile name, so another --config-dir, or
	// a profile file removed by hand): never overwrite a secret that may
	// be the one Syncro works with.
	cur, gerr := s.Keyring.Get(Service, CurrentUser(name))
	if gerr != nil && !isMissing(gerr) {
		return note, gerr
	}
	if gerr == nil && cur != secret {
		return note, &KeyringTakenError{Name: name}
	}
	p, err := prove(ctx)
	if err != nil {
		return note, err
	}
	p.Name = name
	now := s.now()
	p.Created, p.Updated = now, now
	if err := s.writeJournal(name, journal{Op: "setup", Profile: &p, NewHint: p.Secret.Hint, NewLen: len(secret)}); err != nil {
		return note, err
	}
	s.crash(CrashSetupJournal)
	if err := s.Keyring.Set(Service, CurrentUser(name), secret); err != nil {
		_ = s.removeJournal(name)
		return note, err
	}
	s.crash(CrashSetupKeyring)
	if err := s.write(name, &p); err != nil {
		return note, err
	}
	s.crash(CrashSetupProfile)
	return note, s.removeJournal(name)
}

func same(a, b *Profile) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

func isMissing(err error) bool {
	var se *Error
	return errors.As(err, &se) && se.Code == CodeSecretMissing || errors.Is(err, keyring.ErrNotFound)
}

// Promote makes a new, live-proven secret the current one and keeps the
// old one as previous: prove, then previous := current, current := new,
// then the profile. Nothing is written unless prove succeeds; a failure at
// any point leaves the working secret stored.
func (s *Store) Promote(ctx context.Context, name string, info SecretInfo, secret string, prove Prover) (note string, err error) {
	if len(secret) > MaxSecretBytes {
		return "", tooBig(len(secret))
	}
	if err := ValidName(name); err != nil {
		return "", err
	}
	if err := s.present(name); err != nil {
		return "", err
	}
	unlock, n, err := s.begin(name)
	note = n
	if err != nil {
		return note, err
	}
	defer unlock()
	p, err := s.Load(name)
	if err != nil {
		return note, err
	}
	if p.Previous != nil {
		return note, ErrRotationInProgress
	}
	old, err := s.Keyring.Get(Service, CurrentUser(name))
	if err != nil && !isMissing(err) {
		return note, err
	}
	hadOld := err == nil
	if hadOld && old == secret {
		return note, ErrSameSecret
	}
	if err := prove(ctx); err != nil {
		return note, err
	}
	next := *p
	prev := p.Secret
	next.Previous = &prev
	next.Secret = info
	next.Updated = s.now()
	if err := s.writeJournal(name, journal{Op: "promote", Profile: &next, NewHint: info.Hint, NewLen: len(secret)}); err != nil {
		return note, err
	}
	s.crash(CrashPromoteJournal)
	if hadOld {
		if err := s.Keyring.Set(Service, PreviousUser(name), old); err != nil {
			_ = s.removeJournal(name)
			return note, err
		}
	} else {
		next.Previous = nil
	}
	s.crash(CrashPromotePrev)
	if err := s.Keyring.Set(Service, CurrentUser(name), secret); err != nil {
		// The working secret is still current; undo the copy.
		_ = s.Keyring.Delete(Service, PreviousUser(name))
		_ = s.removeJournal(name)
		return note, err
	}
	s.crash(CrashPromoteCurrent)
	if err := s.write(name, &next); err != nil {
		return note, err
	}
	s.crash(CrashPromoteProfile)
	return note, s.removeJournal(name)
}

// Finish ends a rotation once Syncro has the new secret: it removes the
// previous secret from the keyring and the profile, and returns what it
// knew of it, so the admin can be told which secret to delete in Entra.
func (s *Store) Finish(name string) (old SecretInfo, note string, err error) {
	if err := ValidName(name); err != nil {
		return old, "", err
	}
	if err := s.present(name); err != nil {
		return old, "", err
	}
	unlock, n, err := s.begin(name)
	note = n
	if err != nil {
		return old, note, err
	}
	defer unlock()
	p, err := s.Load(name)
	if err != nil {
		return old, note, err
	}
	if p.Previous == nil {
		return old, note, ErrNoRotation
	}
	old = *p.Previous
	next := *p
	next.Previous = nil
	next.Updated = s.now()
	if err := s.writeJournal(name, journal{Op: "finish", Profile: &next}); err != nil {
		return old, note, err
	}
	s.crash(CrashFinishJournal)
	if err := s.Keyring.Delete(Service, PreviousUser(name)); err != nil && !isMissing(err) {
		_ = s.removeJournal(name)
		return old, note, err
	}
	s.crash(CrashFinishKeyring)
	if err := s.write(name, &next); err != nil {
		return old, note, err
	}
	s.crash(CrashFinishProfile)
	return old, note, s.removeJournal(name)
}

// begin takes the profile's lock and settles any interrupted sequence
// first: how every sequence starts. A profile or journal entrasso does not
// trust is refused before the lock file is made. On error the lock is
// already released.
func (s *Store) begin(name string) (unlock func(), note string, err error) {
	if err := ValidName(name); err != nil {
		return nil, "", err
	}
	if err := s.untrusted(name); err != nil {
		return nil, "", err
	}
	unlock, err = s.lock(name)
	if err != nil {
		return nil, "", err
	}
	if note, err = s.reconcile(name); err != nil {
		unlock()
		return nil, note, err
	}
	return unlock, note, nil
}

// Interrupted reports whether a sequence was cut off and waits for the
// next Reconcile. It reads no keyring, for status.
func (s *Store) Interrupted(name string) bool {
	_, err := os.Stat(s.journalPath(name))
	return err == nil
}

// Reconcile completes or undoes a sequence a crash interrupted, and says
// in words what it found. Commands call it before they read a profile.
// With no journal it returns at once and writes nothing (not even a lock
// file); the lock is taken only when there is something to settle.
func (s *Store) Reconcile(name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", err
	}
	if j, err := s.readJournal(name); err != nil || j == nil {
		return "", err
	}
	unlock, err := s.lock(name)
	if err != nil {
		return "", err
	}
	defer unlock()
	return s.reconcile(name)
}

func (s *Store) reconcile(name string) (string, error) {
	j, err := s.readJournal(name)
	if err != nil || j == nil {
		return "", err
	}
	var note string
	switch j.Op {
	case "setup":
		cur, err := s.Keyring.Get(Service, CurrentUser(name))
		if err != nil && !isMissing(err) {
			return "", err
		}
		if err == nil && matches(cur, j.NewHint, j.NewLen) {
			if err := s.write(name, j.Profile); err != nil {
				return "", err
			}
			note = "an interrupted save was completed: the secret had reached the keyring, so the profile was written"
		} else {
			note = "an interrupted save was undone: the secret had not reached the keyring; run entrasso setup again"
		}
	case "promote":
		cur, cerr := s.Keyring.Get(Service, CurrentUser(name))
		if cerr != nil && !isMissing(cerr) {
			return "", cerr
		}
		prev, perr := s.Keyring.Get(Service, PreviousUser(name))
		if perr != nil && !isMissing(perr) {
			return "", perr
		}
		if cerr == nil && matches(cur, j.NewHint, j.NewLen) && (perr != nil || prev != cur) {
			if err := s.write(name, j.Profile); err != nil {
				return "", err
			}
			note = "an interrupted rotation was completed: the new secret (proven live) is current and the old one is kept as previous; paste the new one into Syncro, then run entrasso rotate --finish"
		} else {
			if perr == nil && cerr == nil && prev == cur {
				if err := s.Keyring.Delete(Service, PreviousUser(name)); err != nil && !isMissing(err) {
					return "", err
				}
			}
			note = "an interrupted rotation was undone: the new secret had not been stored and the working secret is unchanged; run entrasso rotate again"
		}
	case "finish":
		_, perr := s.Keyring.Get(Service, PreviousUser(name))
		if perr != nil && !isMissing(perr) {
			return "", perr
		}
		if perr != nil {
			if err := s.write(name, j.Profile); err != nil {
				return "", err
			}
			note = "an interrupted finish was completed: the previous secret is gone from the keyring and the profile"
		} else {
			note = "an interrupted finish was undone: the previous secret is still kept; run entrasso rotate --finish again"
		}
	default:
		note = "a damaged journal of an interrupted change was removed; nothing had been changed"
	}
	return note, s.removeJournal(name)
}

// Secret reads the current secret of a profile from where it is stored.
func (s *Store) Secret(name string) (string, error) {
	if err := ValidName(name); err != nil {
		return "", err
	}
	return s.Keyring.Get(Service, CurrentUser(name))
}

// Forget removes a profile: its keyring entries first (so that a keyring
// failure leaves the profile for another try), then any journal, then the
// profile itself.
func (s *Store) Forget(name string) error {
	unlock, err := s.lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	for _, u := range []string{CurrentUser(name), PreviousUser(name)} {
		if err := s.Keyring.Delete(Service, u); err != nil && !isMissing(err) {
			return err
		}
	}
	for _, p := range []string{s.journalPath(name), s.entraJournalPath(name), s.ProgressPath(name), s.Path(name)} {
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: removing %s: %w", p, err)
		}
	}
	return syncDir(s.profilesDir())
}
