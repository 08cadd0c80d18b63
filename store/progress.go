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
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	p.Schema, p.Saved = SchemaVersion, s.now()
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding progress: %w", err)
	}
	return writeAtomic(path, append(data, '\n'))
}

// LoadProgress reads it; ok is false when there is none (or it is
// unreadable, in which case starting over is the only sensible offer).
func (s *Store) LoadProgress(name string) (Progress, bool) {
	var p Progress
	data, err := os.ReadFile(s.ProgressPath(name))
	if err != nil || json.Unmarshal(data, &p) != nil || p.Schema > SchemaVersion {
		return Progress{}, false
	}
	return p, true
}

// ClearProgress removes it.
func (s *Store) ClearProgress(name string) error {
	if err := os.Remove(s.ProgressPath(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
