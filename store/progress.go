package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// Progress is where an unfinished wizard stopped, and the values entered so
// far. It never holds the secret: a resume past the secret's step goes back
// to it, since the portal shows a Value only once.
type Progress struct {
	Schema            int       `json:"schema"`
	Step              int       `json:"step"`
	RedirectURI       string    `json:"redirect_uri,omitempty"`
	LogoutURL         string    `json:"logout_url,omitempty"`
	AppChoice         string    `json:"app_choice,omitempty"`
	ClientID          string    `json:"client_id,omitempty"`
	SecretDescription string    `json:"secret_description,omitempty"`
	SecretExpiry      string    `json:"secret_expiry,omitempty"`
	SecretCustomDate  string    `json:"secret_custom_date,omitempty"`
	Discovery         string    `json:"discovery,omitempty"`
	Saved             time.Time `json:"saved"`
}

// SaveProgress writes the wizard's progress atomically, mode 0600.
func (s *Store) SaveProgress(name string, p Progress) error {
	if err := ValidName(name); err != nil {
		return err
	}
	path := s.ProgressPath(name)
	if err := ensureDir(filepath.Dir(path)); err != nil {
		return err
	}
	p.Schema, p.Saved = SchemaVersion, s.now()
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding progress: %w", err)
	}
	return writeAtomic(path, append(data, '\n'))
}

// LoadProgress reads it; ok is false when there is none (or it is
// unreadable, or a file entrasso does not trust, in which case starting
// over is the only sensible offer). ReadProgress tells these apart.
func (s *Store) LoadProgress(name string) (Progress, bool) {
	p, ok, err := s.ReadProgress(name)
	if err != nil {
		return Progress{}, false
	}
	return p, ok
}

// ReadProgress reads the wizard's progress. ok is false with a nil error
// when there is none, or when it is damaged or from a newer entrasso
// (starting over is then the only sensible offer). The error is an
// *UnsafeError when the file or its folder is not to be trusted, a
// *NameError for a bad name, or another error the file could not be read
// for; ok is false then too.
func (s *Store) ReadProgress(name string) (p Progress, ok bool, err error) {
	if err := ValidName(name); err != nil {
		return Progress{}, false, err
	}
	path := s.ProgressPath(name)
	data, err := readTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Progress{}, false, nil
	}
	if err != nil {
		var ue *UnsafeError
		if errors.As(err, &ue) {
			return Progress{}, false, err
		}
		return Progress{}, false, fmt.Errorf("store: reading %s: %w", path, err)
	}
	if json.Unmarshal(data, &p) != nil || p.Schema > SchemaVersion {
		return Progress{}, false, nil
	}
	return p, true, nil
}

// ClearProgress removes it.
func (s *Store) ClearProgress(name string) error {
	if err := os.Remove(s.ProgressPath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
