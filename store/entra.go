package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The Entra journal records what entrasso changed in Entra (through
// Microsoft Graph) before the profile knew of it: a client secret added by
// addPassword whose value has not reached the keyring yet, and a redirect
// URI added for the test sign-in. Those changes happen outside the store's
// own journalled sequences (Setup, Promote, Finish), so a kill between the
// change in Entra and the store's write would otherwise leave something in
// Entra that nobody knows of. The next Graph run reads it: a secret
// recorded here that never became current or previous is removed in Entra
// (its value exists nowhere, so nothing can be using it); a redirect URI
// recorded here is removed after the next test sign-in. It never holds a
// secret.

// EntraJournal is the Entra journal of one profile.
type EntraJournal struct {
	Schema int    `json:"schema"`
	Name   string `json:"name"`
	// Added are client secrets entrasso added in Entra whose outcome the
	// profile does not record yet.
	Added []AddedSecret `json:"added_secrets,omitempty"`
	// Redirects are redirect URIs entrasso added for a test sign-in and
	// has not removed yet.
	Redirects []AddedRedirect `json:"redirects_added,omitempty"`
}

// AddedSecret is one addPassword. It is written before the call, without
// KeyID, and again with the KeyID Graph answered: a kill between the two
// leaves an entry that names the secret only by its description, its
// start and the secrets the app had before (Known).
type AddedSecret struct {
	AppObjectID string    `json:"app_object_id"`
	KeyID       string    `json:"key_id,omitempty"`
	Description string    `json:"description,omitempty"`
	Expires     string    `json:"expires,omitempty"`
	Started     time.Time `json:"started"`
	Known       []string  `json:"known_key_ids"`
}

// AddedRedirect is a Web redirect URI entrasso added to an app.
type AddedRedirect struct {
	AppObjectID string `json:"app_object_id"`
	URI         string `json:"uri"`
}

func (j *EntraJournal) empty() bool { return len(j.Added) == 0 && len(j.Redirects) == 0 }

// entraJournalPath is where a profile's Entra journal lives.
func (s *Store) entraJournalPath(name string) string {
	return filepath.Join(s.profilesDir(), name+".entra.json")
}

// EntraJournal reads a profile's Entra journal; an empty one when there is
// none. A file entrasso does not trust is an *UnsafeError. It never writes.
func (s *Store) EntraJournal(name string) (*EntraJournal, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	path := s.entraJournalPath(name)
	data, err := readTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &EntraJournal{Schema: SchemaVersion, Name: name}, nil
	}
	if err != nil {
		var ue *UnsafeError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, fmt.Errorf("store: reading %s: %w", path, err)
	}
	var j EntraJournal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	if j.Name != name {
		return nil, &UnsafeError{Path: path, Reason: fmt.Sprintf("it holds the Entra journal of %q, not %q", j.Name, name)}
	}
	return &j, nil
}

// ChangeEntraJournal changes a profile's Entra journal under the profile's
// lock: read, change, write atomically (or remove it once empty).
func (s *Store) ChangeEntraJournal(name string, change func(*EntraJournal)) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if _, err := s.EntraJournal(name); err != nil {
		return err
	}
	unlock, err := s.lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	j, err := s.EntraJournal(name)
	if err != nil {
		return err
	}
	change(j)
	path := s.entraJournalPath(name)
	if j.empty() {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("store: removing %s: %w", path, err)
		}
		return nil
	}
	j.Schema, j.Name = SchemaVersion, name
	data, err := json.MarshalIndent(j, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding the Entra journal: %w", err)
	}
	return writeAtomic(path, append(data, '\n'))
}

// Leftover says whether a client secret of the app objectID, as Graph
// lists it, is one entrasso added and never stored: by its keyId, or, for
// an entry a kill cut off before Graph's answer was recorded, by being
// new since the entry (not among Known) with the entry's description and
// a start at or after it. exact is true for a keyId match.
func (j *EntraJournal) Leftover(objectID, keyID, description string, start time.Time) (entry int, exact, ok bool) {
	for i, a := range j.Added {
		if !strings.EqualFold(a.AppObjectID, objectID) {
			continue
		}
		if a.KeyID != "" && strings.EqualFold(a.KeyID, keyID) {
			return i, true, true
		}
	}
	for i, a := range j.Added {
		if !strings.EqualFold(a.AppObjectID, objectID) || a.KeyID != "" {
			continue
		}
		known := slices.ContainsFunc(a.Known, func(k string) bool { return strings.EqualFold(k, keyID) })
		// A minute of slack for the difference between this machine's
		// clock and Entra's.
		if !known && a.Description == description && !start.Before(a.Started.Add(-time.Minute)) {
			return i, false, true
		}
	}
	return -1, false, false
}
