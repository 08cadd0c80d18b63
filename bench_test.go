package main

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"entrasso/store"
)

// BenchmarkProcessVersion and BenchmarkProcessStatus run the built binary
// as a whole process; side by side they show what status adds to a bare
// start (it reads one profile and no keyring).
func BenchmarkProcessVersion(b *testing.B) {
	for b.Loop() {
		if err := exec.Command(binary, "--version").Run(); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkProcessStatus(b *testing.B) {
	dir := b.TempDir()
	s := store.New(dir, store.NewMemoryKeyring())
	p := store.Profile{ClientID: "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90", TenantID: "72f988bf-86f1-41af-91ab-2d7cd011db47",
		SecretStorage: store.StorageKeyring, Secret: s.NewSecretInfo("Abc8Q~x", "Syncro SSO", "2027-05-25")}
	if _, err := s.Setup(context.Background(), "default", "Abc8Q~x", func(context.Context) (store.Profile, error) { return p, nil }); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		cmd := exec.Command(binary, "status")
		cmd.Env = append(os.Environ(), "ENTRASSO_CONFIG_DIR="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%v %s", err, out)
		}
	}
}
