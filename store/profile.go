package store

import (
	"bytes"
	"encoding/json"
	"entrasso/internal/lazyre"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// SchemaVersion is the profile format this entrasso writes. Version 2
// added the app's object ID and each secret's keyId (recorded when Graph
// was used); a version 1 profile reads as one without them, and is written
// back as version 2. An older entrasso refuses a version 2 profile rather
// than dropping what it does not know on its next write.
const SchemaVersion = 2

// Storage says where a profile's secret lives.
const (
	StorageKeyring = "keyring"
	StorageFile    = "file"
)

// SecretInfo describes a client secret without containing it: its
// description in Entra, its hint (first three characters, as the portal
// shows), when it was stored and when it expires (YYYY-MM-DD), and, when
// entrasso made it or found it through Microsoft Graph, its keyId (the
// portal's Secret ID).
type SecretInfo struct {
	Description string    `json:"description,omitempty"`
	Hint        string    `json:"hint"`
	Length      int       `json:"length"`
	Created     time.Time `json:"created"`
	Expires     string    `json:"expires,omitempty"`
	KeyID       string    `json:"key_id,omitempty"`
}

// ExpiresAt parses Expires; ok is false when no date was recorded.
func (s SecretInfo) ExpiresAt() (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s.Expires)
	return t, err == nil
}

// DaysLeft is the number of whole days from now until the secret expires;
// negative once it has expired. ok is false when no date was recorded.
func (s SecretInfo) DaysLeft(now time.Time) (int, bool) {
	t, ok := s.ExpiresAt()
	if !ok {
		return 0, false
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	return int(t.Sub(today).Hours() / 24), true
}

// Profile is what entrasso keeps of one Syncro/Entra connection. It never
// holds the secret.
type Profile struct {
	Schema        int    `json:"schema"`
	Name          string `json:"name"`
	RedirectURI   string `json:"redirect_uri,omitempty"`
	ClientID      string `json:"client_id"`
	TenantID      string `json:"tenant_id"`
	Issuer        string `json:"issuer"`
	DiscoveryURL  string `json:"discovery_url"`
	AuthorityHost string `json:"authority_host"`
	// AuthorityTrusted records whether AuthorityHost was trusted (an Entra
	// login host or the --authority-host of the saving command) when the
	// profile was saved. nil in profiles written before it was recorded.
	AuthorityTrusted *bool  `json:"authority_trusted,omitempty"`
	SecretStorage    string `json:"secret_storage"`
	// AppObjectID is the app registration's object ID, recorded when
	// Microsoft Graph was used (setup --graph, rotate --graph).
	AppObjectID  string      `json:"app_object_id,omitempty"`
	Secret       SecretInfo  `json:"secret"`
	Previous     *SecretInfo `json:"previous_secret,omitempty"`
	Created      time.Time   `json:"created"`
	Updated      time.Time   `json:"updated"`
	LastVerified *time.Time  `json:"last_verified,omitempty"`
	LastSignIn   *time.Time  `json:"last_sign_in,omitempty"`
}

var nameRe = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidName checks a profile name: letters, digits, '.', '_' and '-', at
// most 64, no path separators and no "..". A bad name is a usage error.
func ValidName(name string) error {
	switch {
	case name == "":
		return &NameError{name, "it is empty"}
	case strings.ContainsAny(name, `/\`):
		return &NameError{name, "it contains a path separator"}
	case strings.Contains(name, ".."):
		return &NameError{name, `it contains ".."`}
	case !nameRe().MatchString(name):
		return &NameError{name, "use letters, digits, '.', '_' and '-' (at most 64, starting with a letter or digit)"}
	}
	return nil
}

// Store is a configuration folder and a keyring.
type Store struct {
	// Dir is the configuration folder ({config-dir}).
	Dir string
	// Keyring keeps the secrets.
	Keyring Keyring
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// crashAt, when set by a test, is called at every named crash point.
	crashAt func(point string)
}

// New returns a store over dir with keyring k.
func New(dir string, k Keyring) *Store { return &Store{Dir: dir, Keyring: k} }

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Store) crash(point string) {
	if s.crashAt != nil {
		s.crashAt(point)
	}
}

func (s *Store) profilesDir() string { return filepath.Join(s.Dir, "profiles") }

// Path is the file of a profile.
func (s *Store) Path(name string) string { return filepath.Join(s.profilesDir(), name+".json") }

// ProgressPath is where an unfinished wizard keeps its (secret-free)
// progress.
func (s *Store) ProgressPath(name string) string {
	return filepath.Join(s.Dir, "progress", name+".json")
}

func (s *Store) journalPath(name string) string {
	return filepath.Join(s.profilesDir(), name+".journal.json")
}

// ensureDirs creates the profiles folder (and the configuration folder)
// readable by the owner only, if they are missing, and refuses a profiles
// folder that cannot be trusted. It changes the mode of no folder that
// already existed.
func (s *Store) ensureDirs() error { return ensureDir(s.profilesDir()) }

// Load reads a profile. It returns ErrNotFound (wrapped), an *UnsafeError
// (a file or folder entrasso does not trust, including a profile that
// calls itself by another name), a *CorruptError or a *SchemaError. It
// never writes.
func (s *Store) Load(name string) (*Profile, error) {
	if err := ValidName(name); err != nil {
		return nil, err
	}
	return readProfile(s.Path(name), name)
}

// readProfile reads the profile at path, which was opened as name.
func readProfile(path, name string) (*Profile, error) {
	data, err := readTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNotFound, path)
	}
	if err != nil {
		var ue *UnsafeError
		if errors.As(err, &ue) {
			return nil, err
		}
		return nil, fmt.Errorf("store: reading %s: %w", path, err)
	}
	p, err := decodeProfile(path, data)
	if err != nil {
		return nil, err
	}
	if err := checkName(path, p, name); err != nil {
		return nil, err
	}
	return p, nil
}

// checkName refuses a profile that calls itself by another name than the
// one it was opened by: its name would otherwise decide where it is
// written next.
func checkName(path string, p *Profile, name string) error {
	if p.Name != name {
		return &UnsafeError{Path: path, Reason: fmt.Sprintf("it holds the profile named %q, not %q", p.Name, name)}
	}
	return nil
}

func decodeProfile(path string, data []byte) (*Profile, error) {
	var head struct {
		Schema *int `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &CorruptError{Path: path, Err: fmt.Errorf("not valid JSON: %w", err)}
	}
	switch {
	case head.Schema == nil || *head.Schema < 1:
		return nil, &CorruptError{Path: path, Err: errors.New("no schema version")}
	case *head.Schema > SchemaVersion:
		return nil, &SchemaError{Path: path, Found: *head.Schema}
	}
	var p Profile
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&p); err != nil {
		return nil, &CorruptError{Path: path, Err: err}
	}
	if p.ClientID == "" || p.Secret.Hint == "" {
		return nil, &CorruptError{Path: path, Err: errors.New("client ID or secret hint missing")}
	}
	return &p, nil
}

// List returns the names of the saved profiles, sorted.
func (s *Store) List() ([]string, error) {
	entries, err := os.ReadDir(s.profilesDir())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: listing profiles: %w", err)
	}
	var names []string
	for _, e := range entries {
		n, ok := strings.CutSuffix(e.Name(), ".json")
		if !ok || strings.HasSuffix(n, ".journal") || strings.HasSuffix(n, ".secrets") || strings.HasSuffix(n, ".entra") || ValidName(n) != nil {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// write saves p atomically as the profile name, under the caller's lock.
// The file and the name inside it come from name, the name the caller
// opened the profile by, never from p.Name, which may have been read from
// a file.
func (s *Store) write(name string, p *Profile) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if err := s.ensureDirs(); err != nil {
		return err
	}
	p.Name = name
	p.Schema = SchemaVersion
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("store: encoding profile: %w", err)
	}
	return writeAtomic(s.Path(name), append(data, '\n'))
}

// Update changes a profile under its lock: read, change, write. It is how
// verify and test-login record when they last passed. A profile that is
// missing or not to be trusted is reported before anything is touched: no
// folder and no lock file is created for it.
func (s *Store) Update(name string, change func(*Profile) error) error {
	if _, err := s.Load(name); err != nil {
		return err
	}
	unlock, err := s.lock(name)
	if err != nil {
		return err
	}
	defer unlock()
	p, err := s.Load(name)
	if err != nil {
		return err
	}
	if err := change(p); err != nil {
		return err
	}
	p.Updated = s.now()
	return s.write(name, p)
}

// openLockFile opens (creating) the profile's lock file. It is never
// deleted: removing a lock file lets two processes lock two different files.
func (s *Store) openLockFile(name string) (*os.File, string, error) {
	if err := ValidName(name); err != nil {
		return nil, "", err
	}
	if err := s.ensureDirs(); err != nil {
		return nil, "", err
	}
	path := filepath.Join(s.profilesDir(), "."+name+".lock")
	// openFlags: a lock file replaced by a link must not make entrasso
	// create or open a file somewhere else.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|openFlags, 0o600)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil {
			if cerr := checkFile(path, fi); cerr != nil {
				return nil, "", cerr
			}
		}
		return nil, "", fmt.Errorf("store: opening lock %s: %w", path, err)
	}
	return f, path, nil
}

// writeAtomic replaces path with data so that a reader, or a crash, sees
// either the old file or the new one: a temporary file in the same folder,
// fsync, rename, fsync of the folder.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			os.Remove(tmp)
		}
	}()
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("store: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("store: writing %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("store: syncing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("store: replacing %s: %w", path, err)
	}
	ok = true
	return syncDir(dir)
}
