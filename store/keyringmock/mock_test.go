// Package keyringmock_test runs store's SystemKeyring over go-keyring's
// mock provider. It is its own test binary because MockInit replaces the
// provider for the whole process and cannot be undone.
package keyringmock_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	. "entrasso/store"
)

// withBus pretends a session bus is configured, so SystemKeyring's
// autolaunch guard lets calls through to go-keyring's provider.
const oldSecret = "Old8Q~aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

func withBus(string) string { return "unix:path=/run/user/0/bus" }

func TestSystemKeyringThroughMock(t *testing.T) {
	keyring.MockInit()
	k := SystemKeyring{Getenv: withBus}
	if err := k.Set(Service, CurrentUser("mock"), oldSecret); err != nil {
		t.Fatal(err)
	}
	if v, err := k.Get(Service, CurrentUser("mock")); err != nil || v != oldSecret {
		t.Fatalf("%q %v", v, err)
	}
	if err := k.Delete(Service, CurrentUser("mock")); err != nil {
		t.Fatal(err)
	}
	_, err := k.Get(Service, CurrentUser("mock"))
	var se *Error
	if !errors.As(err, &se) || se.Code != CodeSecretMissing || se.ExitCode() != 1 {
		t.Fatalf("missing: %v", err)
	}
	if err := k.Set(Service, CurrentUser("mock"), strings.Repeat("x", MaxSecretBytes+1)); !errors.As(err, &se) || se.Code != CodeTooBig || se.ExitCode() != 3 {
		t.Fatalf("too big: %v", err)
	}
}

func TestSystemKeyringClassifiesLibraryErrors(t *testing.T) {
	cases := map[string]struct {
		err    error
		code   string
		reason string
	}{
		"no secret service": {errors.New("The name org.freedesktop.secrets was not provided by any .service files"), CodeKeyringUnavailable, "no Secret Service"},
		"locked":            {errors.New("Cannot create an item in a locked collection"), CodeKeyringUnavailable, "locked"},
		"bus unreachable":   {errors.New("dial unix /run/user/0/bus: connect: no such file or directory"), CodeKeyringUnavailable, "D-Bus"},
		"too big (windows)": {keyring.ErrSetDataTooBig, CodeTooBig, "too big"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			keyring.MockInitWithError(c.err)
			err := SystemKeyring{Getenv: withBus}.Set(Service, CurrentUser("mock"), oldSecret)
			var se *Error
			if !errors.As(err, &se) || se.Code != c.code || !strings.Contains(se.Message, c.reason) || se.Fix == "" || se.ExitCode() != 3 {
				t.Fatalf("got %#v", err)
			}
		})
	}
}
