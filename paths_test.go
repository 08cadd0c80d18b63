package main

import (
	"path/filepath"
	"runtime"
	"testing"
)

// TestConfigDirChoice: --config-dir (or ENTRASSO_CONFIG_DIR, its default)
// wins; otherwise the system's own config folder, per os.UserConfigDir
// ($XDG_CONFIG_HOME on Linux, Application Support on macOS, %AppData% on
// Windows), with entrasso's folder inside.
func TestConfigDirChoice(t *testing.T) {
	if got, _ := configDir(&globals{configDir: "/tmp/x"}); got != "/tmp/x" {
		t.Fatalf("flag: %s", got)
	}
	base := t.TempDir()
	switch runtime.GOOS {
	case "windows":
		t.Setenv("AppData", base)
	case "darwin":
		t.Setenv("HOME", base)
		base = filepath.Join(base, "Library", "Application Support")
	default:
		t.Setenv("XDG_CONFIG_HOME", base)
	}
	got, err := configDir(&globals{})
	if err != nil || got != filepath.Join(base, "entrasso") {
		t.Fatalf("default: %s %v", got, err)
	}
}
