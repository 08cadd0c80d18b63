package store

import (
	"errors"
	"os"
	"testing"
)

// TestSystemKeyringOnSecretService is the round trip on the real Secret
// Service that .ci/run starts; elsewhere it is skipped, in CI it must run.
func TestSystemKeyringOnSecretService(t *testing.T) {
	if os.Getenv("ENTRASSO_TEST_REAL_KEYRING") != "1" {
		if os.Getenv("ENTRASSO_TEST_REQUIRE_REAL") == "1" || os.Getenv("CI") != "" {
			t.Fatal("no real Secret Service in CI")
		}
		t.Skip("needs the Secret Service that .ci/run starts")
	}
	k := SystemKeyring{}
	name := uniqueName(t)
	if err := Probe(t.Context(), k); err != nil {
		t.Fatalf("probe: %v", err)
	}
	if err := k.Set(Service, CurrentUser(name), oldSecret); err != nil {
		t.Fatal(err)
	}
	defer k.Delete(Service, CurrentUser(name))
	if v, err := k.Get(Service, CurrentUser(name)); err != nil || v != oldSecret {
		t.Fatalf("%q %v", v, err)
	}
	var se *Error
	if _, err := k.Get(Service, PreviousUser(name)); !errors.As(err, &se) || se.Code != CodeSecretMissing {
		t.Fatalf("missing entry: %v", err)
	}
}
