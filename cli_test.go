package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runIn runs a command in-process with an isolated environment.
func runIn(t *testing.T, stdin string, vars map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	env := env{stdin: strings.NewReader(stdin), stdout: &o, stderr: &e,
		getenv: func(k string) string { return vars[k] }, now: time.Now}
	code = run(args, env)
	return o.String(), e.String(), code
}

func TestUsageErrorsReadLikeTheRest(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--frobnicate"}, "entrasso: unknown flag --frobnicate\n"},
		{[]string{"check", "-frobnicate"}, "entrasso check: unknown flag --frobnicate\n"},
		{[]string{"status", "--profile"}, "entrasso status: --profile needs a value\n"},
		{[]string{"check", "--timeout", "soon"}, "entrasso check: --timeout: \"soon\" is not valid"},
		{[]string{"frob"}, "entrasso: unknown command \"frob\""},
		{[]string{"check", "--client-secret", "hunter2"}, "entrasso check: the secret is never taken as a flag value"},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			_, errOut, code := runIn(t, "", nil, c.args...)
			if code != exitUsage || !strings.HasPrefix(errOut, strings.SplitN(c.want, ":", 2)[0]) || !strings.Contains(errOut, c.want) {
				t.Fatalf("exit %d, stderr %q, want %q", code, errOut, c.want)
			}
			if strings.Contains(errOut, "entrasso :") || strings.Contains(errOut, "hunter2") {
				t.Fatalf("stderr %q", errOut)
			}
			out, _, code := runIn(t, "", nil, append([]string{"--json"}, c.args...)...)
			var v struct {
				OK    bool   `json:"ok"`
				Error string `json:"error"`
			}
			if code != exitUsage || json.Unmarshal([]byte(out), &v) != nil || v.OK || v.Error != "usage" {
				t.Fatalf("--json: exit %d, stdout %q", code, out)
			}
		})
	}
}

func TestHelpListsGlobalFlagsApart(t *testing.T) {
	out, _, code := runIn(t, "", nil, "--help")
	if code != 0 || !strings.Contains(out, "Global flags") || !strings.Contains(out, "--authority-host") || !strings.Contains(out, "--json") {
		t.Fatalf("entrasso --help:\n%s", out)
	}
	out, _, _ = runIn(t, "", nil, "check", "--help")
	own, global, ok := strings.Cut(out, "Global flags")
	if !ok || !strings.Contains(own, "--discovery-url") || strings.Contains(own, "--insecure-storage") || !strings.Contains(global, "--insecure-storage") {
		t.Fatalf("entrasso check --help:\n%s", out)
	}
	if strings.Contains(out, "\n  -") && !strings.Contains(out, "\n  --") {
		t.Fatalf("single-dash flags in help:\n%s", out)
	}
}

// With one saved profile, commands use it without --profile; with several,
// a command that needs one lists them and exits 2.
func TestTheOnlyProfileIsUsed(t *testing.T) {
	dir := t.TempDir()
	vars := map[string]string{"ENTRASSO_CONFIG_DIR": dir}
	if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "profiles", "ho.json"), profileJSON("ho"), 0o600)
	out, errOut, code := runIn(t, "", vars, "status")
	if code != 0 || !strings.Contains(out, "Profile ho") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(out, `""`) {
		t.Fatalf("an empty description is shown as quotes:\n%s", out)
	}
	writeFile(t, filepath.Join(dir, "profiles", "branch.json"), profileJSON("branch"), 0o600)
	_, errOut, code = runIn(t, "", vars, "status")
	if code != exitUsage || !strings.Contains(errOut, "branch, ho") || !strings.Contains(errOut, "--profile") {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	out, _, code = runIn(t, "", vars, "status", "--profile", "branch")
	if code != 0 || !strings.Contains(out, "Profile branch") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestStatusJSONWithoutProfileIsJSON(t *testing.T) {
	out, _, code := runIn(t, "", map[string]string{"ENTRASSO_CONFIG_DIR": t.TempDir()}, "status", "--json")
	var r struct {
		Checks []struct{ Field, Code string }
	}
	if code != 1 || json.Unmarshal([]byte(out), &r) != nil || len(r.Checks) != 1 || r.Checks[0].Code != "no_profile" {
		t.Fatalf("exit %d: %q", code, out)
	}
}

// A secret typed where it does not belong is refused without being
// repeated; --json after the mistake still gets JSON.
func TestMistakesDoNotEchoSecrets(t *testing.T) {
	const secret = "Zz9Q~SuperSecretValue0123456789"
	cases := [][]string{
		{"check", "--client-secret-stdin=" + secret},
		{"check", "--client-id", "x", secret},
		{"check", "--client-secret", secret},
	}
	for _, args := range cases {
		for _, asJSON := range []bool{false, true} {
			a := args
			if asJSON {
				a = append(append([]string{}, args...), "--json")
			}
			out, errOut, code := runIn(t, "", nil, a...)
			if code != exitUsage || strings.Contains(out+errOut, secret) || strings.Contains(out+errOut, "Zz9") {
				t.Fatalf("%v: exit %d, output %q %q", a, code, out, errOut)
			}
			if asJSON && !json.Valid([]byte(out)) {
				t.Fatalf("%v: not JSON: %q", a, out)
			}
		}
	}
}

func TestOversizedAndNegativeInput(t *testing.T) {
	_, errOut, code := runIn(t, strings.Repeat("a", 10<<20), nil, "check", "--client-secret-stdin")
	if code != exitUsage || !strings.Contains(errOut, "not a client secret") {
		t.Fatalf("10 MB secret: exit %d %q", code, errOut)
	}
	_, errOut, code = runIn(t, "", nil, "check", "--client-id", "x", "--propagation-wait", "-1s")
	if code != exitUsage || !strings.Contains(errOut, "--propagation-wait") {
		t.Fatalf("negative wait: exit %d %q", code, errOut)
	}
}

// status --json escapes what a terminal would act on, like every report.
func TestStatusJSONIsTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "profiles"), 0o700); err != nil {
		t.Fatal(err)
	}
	p := strings.Replace(profileJSON("default"), `"hint":"abc"`, `"hint":"abc","description":"D\u001b]0;T\u0007\u009b2J\u202eevil\u007f"`, 1)
	writeFile(t, filepath.Join(dir, "profiles", "default.json"), p, 0o600)
	for _, args := range [][]string{{"status", "--json"}, {"status"}} {
		out, errOut, code := runIn(t, "", map[string]string{"ENTRASSO_CONFIG_DIR": dir}, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d %s", args, code, errOut)
		}
		for _, bad := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\x7f"} {
			if strings.Contains(out, bad) {
				t.Fatalf("%v: raw %q in %q", args, bad, out)
			}
		}
	}
}
