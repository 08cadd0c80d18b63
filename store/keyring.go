package store

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/zalando/go-keyring"
)

// Service is the keyring service name of every entry entrasso writes.
const Service = "entrasso"

// MaxSecretBytes bounds what is written to a keyring. Entra's secrets have
// at most 64 characters; Windows Credential Manager refuses more than 2560
// bytes, so anything near that is a paste gone wrong, refused up front.
const MaxSecretBytes = 1024

// DefaultKeyringTimeout bounds each keyring call. gh uses 3 s, but an unlock
// prompt needs longer (cli/cli #11005); a dead D-Bus must still not hang.
const DefaultKeyringTimeout = 20 * time.Second

// Keyring is where secrets live. Get returns an error wrapping
// keyring.ErrNotFound (errors.Is) for an entry that does not exist.
type Keyring interface {
	Get(service, user string) (string, error)
	Set(service, user, secret string) error
	Delete(service, user string) error
}

// CurrentUser and PreviousUser are the keyring users of a profile.
func CurrentUser(profile string) string  { return profile + "/client-secret" }
func PreviousUser(profile string) string { return profile + "/previous-client-secret" }

// SystemKeyring is the OS keyring through zalando/go-keyring, with a
// timeout on every call and, on Linux, a guard against D-Bus autolaunch.
type SystemKeyring struct {
	Timeout time.Duration
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
}

func (k SystemKeyring) getenv(s string) string {
	if k.Getenv != nil {
		return k.Getenv(s)
	}
	return os.Getenv(s)
}

// checkBus refuses to go on when no session bus is reachable. Without
// DBUS_SESSION_BUS_ADDRESS and without $XDG_RUNTIME_DIR/bus, godbus would
// autolaunch a bus (and a keyring) that outlive entrasso (DESIGN.md).
func (k SystemKeyring) checkBus() error {
	if runtime.GOOS != "linux" && runtime.GOOS != "freebsd" && runtime.GOOS != "openbsd" && runtime.GOOS != "netbsd" {
		return nil
	}
	if k.getenv("DBUS_SESSION_BUS_ADDRESS") != "" {
		return nil
	}
	if d := k.getenv("XDG_RUNTIME_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "bus")); err == nil {
			return nil
		}
	}
	return &Error{Code: CodeKeyringUnavailable, Message: "no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set)", Fix: platformFix()}
}

func (k SystemKeyring) do(op func() (string, error)) (string, error) {
	if err := k.checkBus(); err != nil {
		return "", err
	}
	return k.doUnchecked(op)
}

// doUnchecked runs op under the timeout.
func (k SystemKeyring) doUnchecked(op func() (string, error)) (string, error) {
	t := k.Timeout
	if t <= 0 {
		t = DefaultKeyringTimeout
	}
	type result struct {
		v   string
		err error
	}
	ch := make(chan result, 1)
	// The call cannot be cancelled; on a timeout its goroutine is left to
	// finish on its own, as cli/cli's keyring wrapper does.
	go func() {
		v, err := op()
		ch <- result{v, err}
	}()
	timer := time.NewTimer(t)
	defer timer.Stop()
	select {
	case r := <-ch:
		return r.v, classify(r.err)
	case <-timer.C:
		return "", &Error{Code: CodeKeyringTimeout, Message: "the OS keyring did not answer within " + t.String(),
			Fix: "answer the keyring's unlock prompt if one is open, or check that the keyring service is running; " + platformFix()}
	}
}

// Get reads a secret.
func (k SystemKeyring) Get(service, user string) (string, error) {
	return k.do(func() (string, error) { return keyring.Get(service, user) })
}

// Set writes a secret.
func (k SystemKeyring) Set(service, user, secret string) error {
	if len(secret) > MaxSecretBytes {
		return tooBig(len(secret))
	}
	_, err := k.do(func() (string, error) { return "", keyring.Set(service, user, secret) })
	return err
}

// Delete removes a secret.
func (k SystemKeyring) Delete(service, user string) error {
	_, err := k.do(func() (string, error) { return "", keyring.Delete(service, user) })
	return err
}

func tooBig(n int) error {
	return &Error{Code: CodeTooBig, Message: "the secret is " + strconv.Itoa(n) + " bytes, more than a keyring entry takes (" + strconv.Itoa(MaxSecretBytes) + ")",
		Fix: "an Entra secret has at most 64 characters: copy only the Value"}
}

// classify maps a keyring library error to an *Error.
func classify(err error) error {
	var se *Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se):
		return se
	case errors.Is(err, keyring.ErrNotFound):
		return &Error{Code: CodeSecretMissing, Message: "the secret is not in the keyring", Fix: "run entrasso setup (or rotate) to store it again", Err: err}
	case errors.Is(err, keyring.ErrSetDataTooBig):
		return &Error{Code: CodeTooBig, Message: "the keyring refused the secret as too big", Fix: "copy only the secret's Value", Err: err}
	}
	msg := err.Error()
	reason := "the OS keyring cannot be used"
	switch {
	case strings.Contains(msg, "org.freedesktop.secrets") || strings.Contains(msg, "ServiceUnknown"):
		reason = "no Secret Service is running on the D-Bus session bus"
	case strings.Contains(strings.ToLower(msg), "locked"):
		reason = "the keyring is locked"
	case strings.Contains(msg, "dial") || strings.Contains(msg, "connect") || strings.Contains(msg, "no such file"):
		reason = "the D-Bus session bus cannot be reached"
	case strings.Contains(msg, "prompt") || strings.Contains(msg, "dismissed"):
		reason = "the keyring's unlock prompt was dismissed"
	}
	return &Error{Code: CodeKeyringUnavailable, Message: reason, Fix: platformFix(), Err: err}
}

// MemoryKeyring keeps secrets in memory: `entrasso demo` and tests.
type MemoryKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryKeyring returns an empty in-memory keyring.
func NewMemoryKeyring() *MemoryKeyring { return &MemoryKeyring{m: map[string]string{}} }

// Get reads a secret.
func (k *MemoryKeyring) Get(service, user string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[service+"\x00"+user]
	if !ok {
		return "", classify(keyring.ErrNotFound)
	}
	return v, nil
}

// Set writes a secret.
func (k *MemoryKeyring) Set(service, user, secret string) error {
	if len(secret) > MaxSecretBytes {
		return tooBig(len(secret))
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.m[service+"\x00"+user] = secret
	return nil
}

// Delete removes a secret.
func (k *MemoryKeyring) Delete(service, user string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[service+"\x00"+user]; !ok {
		return classify(keyring.ErrNotFound)
	}
	delete(k.m, service+"\x00"+user)
	return nil
}

// Probe checks that the keyring can write, read and delete an entry, so
// the wizard can say before any work is done that nothing could be stored.
func Probe(ctx context.Context, k Keyring) error {
	user := "probe/" + strings.ReplaceAll(time.Now().Format("150405.000000000"), ".", "")
	if err := k.Set(Service, user, "entrasso keyring probe"); err != nil {
		return err
	}
	v, err := k.Get(Service, user)
	_ = k.Delete(Service, user)
	if err != nil {
		return err
	}
	if v != "entrasso keyring probe" {
		return &Error{Code: CodeKeyringUnavailable, Message: "the keyring returned something other than what was stored", Fix: platformFix()}
	}
	return ctx.Err()
}
