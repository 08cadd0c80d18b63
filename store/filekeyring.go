package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/zalando/go-keyring"
)

// FileKeyring keeps secrets in a 0600 file beside each profile,
// {config-dir}/profiles/{profile}.secrets.json. It exists only for the
// admin who passes --insecure-storage on a machine without a keyring, and
// Warn is called on every read and write so that the choice stays visible.
type FileKeyring struct {
	Dir  string
	Warn func(msg string)
	mu   sync.Mutex
}

func (k *FileKeyring) path(user string) (string, string, error) {
	profile, key, ok := strings.Cut(user, "/")
	if !ok || ValidName(profile) != nil {
		return "", "", fmt.Errorf("store: bad keyring user %q", user)
	}
	return filepath.Join(k.Dir, "profiles", profile+".secrets.json"), key, nil
}

func (k *FileKeyring) warn(verb, path string) {
	if k.Warn != nil {
		k.Warn(fmt.Sprintf("warning: %s the client secret in the plain file %s (--insecure-storage); anyone who can read it can sign in as the app", verb, path))
	}
}

// read returns the secrets in path: none when it does not exist, an
// *UnsafeError when it or its folder is not to be trusted (see
// readTrusted).
func (k *FileKeyring) read(path string) (map[string]string, error) {
	m := map[string]string{}
	data, err := readTrusted(path)
	if errors.Is(err, fs.ErrNotExist) {
		return m, nil
	}
	var ue *UnsafeError
	if errors.As(err, &ue) {
		return nil, err
	}
	if err != nil {
		return nil, &Error{Code: CodeKeyringUnavailable, Message: "the secrets file cannot be read", Fix: "check the permissions of " + path, Err: err}
	}
	if fi, err := os.Lstat(path); err == nil && othersCanRead(fi) {
		return nil, &UnsafeError{Path: path, Reason: fmt.Sprintf("others can read it (mode %04o); a secrets file must be yours alone", fi.Mode().Perm())}
	}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, &Error{Code: CodeKeyringUnavailable, Message: "the secrets file " + path + " is damaged", Fix: "remove it and run entrasso setup --insecure-storage again", Err: err}
	}
	return m, nil
}

// Get reads a secret.
func (k *FileKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	path, key, err := k.path(user)
	if err != nil {
		return "", err
	}
	m, err := k.read(path)
	if err != nil {
		return "", err
	}
	v, ok := m[service+"/"+key]
	if !ok {
		return "", classify(keyring.ErrNotFound)
	}
	k.warn("reading", path)
	return v, nil
}

// Set writes a secret.
func (k *FileKeyring) Set(service, user, secret string) error {
	if len(secret) > MaxSecretBytes {
		return tooBig(len(secret))
	}
	return k.change(service, user, func(m map[string]string, key string) bool {
		m[key] = secret
		return true
	}, "writing")
}

// Delete removes a secret.
func (k *FileKeyring) Delete(service, user string) error {
	found := false
	err := k.change(service, user, func(m map[string]string, key string) bool {
		_, found = m[key]
		delete(m, key)
		return found
	}, "removing")
	if err == nil && !found {
		return classify(keyring.ErrNotFound)
	}
	return err
}

func (k *FileKeyring) change(service, user string, f func(map[string]string, string) bool, verb string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	path, key, err := k.path(user)
	if err != nil {
		return err
	}
	m, err := k.read(path)
	if err != nil {
		return err
	}
	if !f(m, service+"/"+key) {
		return nil
	}
	if err := ensureDir(filepath.Dir(path)); err != nil {
		var ue *UnsafeError
		if errors.As(err, &ue) {
			return err
		}
		return &Error{Code: CodeKeyringUnavailable, Message: "the secrets folder cannot be created", Err: err}
	}
	if len(m) == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &Error{Code: CodeKeyringUnavailable, Message: "the secrets file cannot be removed", Err: err}
		}
		return nil
	}
	data, _ := json.Marshal(m)
	if err := writeAtomic(path, data); err != nil {
		return &Error{Code: CodeKeyringUnavailable, Message: "the secrets file cannot be written", Err: err}
	}
	k.warn(verb, path)
	return nil
}
