package store

import (
	"context"
	"testing"
)

func BenchmarkProfileLoad(b *testing.B) {
	s := New(b.TempDir(), NewMemoryKeyring())
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Load("default"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkProfileSave is a locked read-modify-write with the atomic
// replace (temp file, fsync, rename, fsync of the folder).
func BenchmarkProfileSave(b *testing.B) {
	s := New(b.TempDir(), NewMemoryKeyring())
	if _, err := s.Setup(context.Background(), "default", oldSecret, proveWith(testProfile(s, "default", oldSecret), proveOK)); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := s.Update("default", func(*Profile) error { return nil }); err != nil {
			b.Fatal(err)
		}
	}
}
