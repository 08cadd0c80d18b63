package wizard

import (
	"os"
	"strings"
	"testing"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// One colour profile for every test run, whatever the terminal
	// (lipgloss #33).
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

const redirect = "https://demo.syncromsp.com/users/auth/openid_connect/callback"

// toSecret walks the happy path up to the secret's value field.
func toSecret(h *harness, f *fixture) *harness {
	h.t.Helper()
	h.at(stepRedirect)
	h.paste(redirect).key("enter").key("enter")
	h.at(stepRegister)
	h.key("enter")
	h.at(stepClientID)
	h.paste(f.demo.App.ClientID).key("enter")
	h.at(stepSecret)
	h.key("enter") // description
	h.key("enter") // expiry: the recommended 180 days
	return h
}

func TestHappyPathForwardAndBack(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.sees("Step 1 of 7", "Syncro's redirect URI", "Login Settings")
	toSecret(h, f)
	h.sees("Value (the secret)")
	h.paste(f.demo.Secret.Value)
	h.sees("shaped like a client secret Value", f.demo.Secret.Hint+"…")
	h.doesNotSee(f.demo.Secret.Value)
	h.key("enter")
	h.at(stepDiscovery)

	// Back from every step keeps what was entered.
	h.key("ctrl+b").at(stepSecret)
	h.key("ctrl+b").at(stepClientID)
	h.sees(f.demo.App.ClientID)
	h.key("ctrl+b").at(stepRegister)
	h.key("ctrl+b").at(stepRedirect)
	h.sees(redirect)
	h.key("ctrl+b").at(stepRedirect) // nothing before step 1

	// Forward again: the values are still there.
	h.key("enter").key("enter").at(stepRegister)
	h.key("enter").at(stepClientID)
	h.key("enter").at(stepSecret)
	h.key("enter").key("enter").key("enter").at(stepDiscovery)
	h.paste(f.demo.Tenant.Domains[0])
	h.sees("tenant domain contoso.onmicrosoft.com", "discovery document of tenant "+f.demo.Tenant.ID)
	h.key("enter")
	h.at(stepSyncro)
	h.sees("Entra accepted every value", f.demo.App.ClientID, oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.demo.Tenant.ID), "Before you enforce SSO")
	h.doesNotSee(f.demo.Secret.Value)
	if h.m.setup.values.Secret != "" {
		t.Fatal("the secret stayed in memory after it was stored")
	}
	p, err := f.store.Load("default")
	if err != nil || p.TenantID != f.demo.Tenant.ID || p.Secret.Hint != f.demo.Secret.Hint {
		t.Fatalf("profile %+v %v", p, err)
	}
	if _, ok := f.store.LoadProgress("default"); ok || h.m.ProgressKept() {
		t.Fatal("progress kept after the save")
	}
	// Copy keys: the secret comes back from the keyring.
	h.key("2")
	if f.lastCopied() != f.demo.Secret.Value {
		t.Fatal("key 2 did not copy the secret from the keyring")
	}
	h.key("1")
	if f.lastCopied() != f.demo.App.ClientID {
		t.Fatal("key 1 did not copy the client ID")
	}
	h.sees("Copied Client ID via test clipboard")
	// Step 7 has nothing to go back to: the secret is no longer here.
	h.key("ctrl+b").at(stepSyncro)
	h.key("enter")
	if !h.quit || h.m.ExitCode() != ExitDone || !h.m.Saved() {
		t.Fatalf("quit %v code %d saved %v", h.quit, h.m.ExitCode(), h.m.Saved())
	}
}

// TestPasteIsCheckedBeforeEnter pastes each documented mistake and reads
// the screen right after the paste: no enter has been pressed.
func TestPasteIsCheckedBeforeEnter(t *testing.T) {
	f0 := newFixture(t)
	cases := []struct {
		at    step
		paste string
		want  []string
	}{
		{stepRedirect, redirect + "#x", []string{"has_fragment"}},
		{stepRedirect, "http://demo.syncromsp.com/cb", []string{"not_https"}},
		{stepClientID, "https://login.microsoftonline.com/x", []string{"not_guid", "this is a URL"}},
		{stepSecret, "{" + strings.ToUpper(f0.demo.Secret.KeyID) + "}", []string{"secret_id_not_value", "Secret ID"}},
		{stepSecret, f0.demo.Secret.Hint + "************************", []string{"masked_value"}},
		{stepSecret, "Value: \u200b" + f0.demo.Secret.Value + "\n", []string{"shaped like a client secret Value", "from the paste: invisible characters", `the label "Value"`}},
		{stepDiscovery, "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration", []string{"multi_tenant_endpoint"}},
	}
	for _, c := range cases {
		t.Run(c.at.String()+"/"+c.want[0], func(t *testing.T) {
			f := f0.withStore(t)
			h := newHarness(t, f)
			if c.at >= stepRegister {
				h.paste(redirect).key("enter").key("enter").key("enter")
			}
			if c.at >= stepSecret {
				h.paste(f.demo.App.ClientID).key("enter").key("enter").key("enter")
			}
			if c.at >= stepDiscovery {
				h.paste(f.demo.Secret.Value).key("enter")
			}
			h.at(c.at)
			h.paste(c.paste)
			h.sees(c.want...)
			h.doesNotSee(f.demo.Secret.Value)
			h.key("enter")
			if c.want[0] != "shaped like a client secret Value" {
				h.at(c.at) // a failing value does not advance
			}
		})
	}
}

func TestStaleLiveResultIsDropped(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter")
	// The check of the value is under way: its result has not come yet.
	h.send(pasteMsg(f.demo.Tenant.ID))
	l := h.m.setup.live
	stale := liveDoneMsg{id: l.id, seq: l.seq - 1, value: f.demo.Tenant.ID,
		result: discoveredMsg{check: oidccheck.Check{Status: oidccheck.StatusFail, Message: "stale"}}}
	h.send(stale)
	// A result for a value other than the one in the field changes nothing
	// either, even with the running check's number.
	other := liveDoneMsg{id: l.id, seq: l.seq, value: "other", result: discoveredMsg{check: oidccheck.Check{Status: oidccheck.StatusFail, Message: "stale"}}}
	h.send(other)
	// Nor does another screen's check with the same number.
	h.send(liveDoneMsg{id: l.id + 1000, seq: l.seq, value: f.demo.Tenant.ID, result: discoveredMsg{check: oidccheck.Check{Status: oidccheck.StatusFail, Message: "stale"}}})
	if !h.m.setup.live.running {
		t.Fatal("a stale result ended the running check")
	}
	h.drain()
	h.doesNotSee("stale")
	h.sees("discovery document of tenant")
	if len(h.dropped) != 3 {
		t.Fatalf("%d results dropped, want the 3 stale ones", len(h.dropped))
	}
}

func TestLiveFailureReturnsToTheField(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.paste(redirect).key("enter").key("enter").key("enter")
	h.paste(f.demo.App.ObjectID).key("enter") // the Object ID: a GUID, wrong
	h.key("enter").key("enter").paste(f.demo.Secret.Value).key("enter")
	h.paste(f.demo.Tenant.ID).key("enter")
	h.at(stepClientID)
	h.sees("Entra said:", "app_not_found", "Entra trace ID", f.demo.App.ObjectID)
	if _, err := f.store.Load("default"); err == nil {
		t.Fatal("saved despite a failed check")
	}
	// Fixing the value clears the message; the rest is still there.
	h.replace(f.demo.App.ClientID)
	h.doesNotSee("Entra said:")
	h.key("enter").at(stepSecret)
	h.key("enter").key("enter")
	h.sees("Value (the secret)")
}

// TestRefusalStaysWithItsField: a refusal shown under one field is gone
// once the admin steps back to another.
func TestRefusalStaysWithItsField(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Expired.Value).key("enter")
	h.paste(f.demo.Tenant.ID).key("enter")
	h.at(stepSecret).sees("Entra said:", "expired_secret")
	h.key("ctrl+b").at(stepClientID).doesNotSee("expired_secret", "Entra said:")
}

func TestProbeFailureBlocksBeforeAnyWork(t *testing.T) {
	f := newFixture(t)
	f.store.Keyring = failing{&store.Error{Code: store.CodeKeyringUnavailable, Message: "no Secret Service is running", Fix: "start one"}}
	h := newHarness(t, f)
	h.at(stateBlocked)
	h.sees("cannot be kept", "keyring_unavailable", "--insecure-storage")
	h.key("q")
	if !h.quit || h.m.ExitCode() != ExitStore {
		t.Fatalf("quit %v code %d", h.quit, h.m.ExitCode())
	}
}

type failing struct{ err error }

func (f failing) Get(string, string) (string, error) { return "", f.err }
func (f failing) Set(string, string, string) error   { return f.err }
func (f failing) Delete(string, string) error        { return f.err }

func TestQuitKeepsProgressAndResumeReturnsToSecret(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter")
	h.paste(f.demo.Tenant.ID)
	h.key("ctrl+c")
	if !h.quit || h.m.ExitCode() != ExitInterrupted || !h.m.ProgressKept() {
		t.Fatalf("quit %v code %d kept %v", h.quit, h.m.ExitCode(), h.m.ProgressKept())
	}
	p, ok := f.store.LoadProgress("default")
	if !ok || p.Step != 5 || p.ClientID != f.demo.App.ClientID || p.Discovery != f.demo.Tenant.ID {
		t.Fatalf("progress %+v %v", p, ok)
	}
	data, err := os.ReadFile(f.store.ProgressPath("default"))
	if err != nil || strings.Contains(string(data), f.demo.Secret.Value) {
		t.Fatalf("the secret is in the progress file (%v)", err)
	}

	h2 := newHarness(t, f)
	h2.at(stepResume)
	h2.sees("stopped at step 5", "Resume at step 4")
	h2.key("enter")
	h2.at(stepSecret)
	h2.key("enter").key("enter")
	h2.sees("Value (the secret)")
	h2.paste(f.demo.Secret.Value).key("enter")
	h2.at(stepDiscovery)
	h2.sees(f.demo.Tenant.ID)

	// Start over forgets the progress.
	h3 := newHarness(t, f)
	h3.key("down").key("enter")
	h3.at(stepRedirect)
	h3.doesNotSee(redirect)
	if p, ok := f.store.LoadProgress("default"); ok || h3.m.ProgressKept() {
		t.Fatalf("start over kept the old values: %+v", p)
	}
}

// TestNothingEnteredOffersNoResume: a quit before anything was entered
// leaves nothing to resume, and says nothing was kept.
func TestNothingEnteredOffersNoResume(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.key("ctrl+c")
	if h.m.ProgressKept() {
		t.Fatal("an empty setup claims to have kept values")
	}
	if _, ok := f.store.LoadProgress("default"); ok {
		t.Fatal("progress written before anything was entered")
	}
	newHarness(t, f).at(stepRedirect)
}

func TestLinksAndCopies(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.paste(redirect).key("enter").key("enter")
	h.key("ctrl+y")
	if f.lastCopied() != redirect {
		t.Fatalf("copied %q", f.copied)
	}
	h.key("ctrl+o")
	if len(f.opened) != 1 || !strings.Contains(f.opened[0], "CreateApplicationBlade") {
		t.Fatalf("opened %q", f.opened)
	}
	h.key("enter").paste(f.demo.App.ClientID).key("enter")
	h.key("ctrl+o")
	if !strings.Contains(f.opened[1], "/Credentials/appId/"+f.demo.App.ClientID) {
		t.Fatalf("opened %q", f.opened[1])
	}

	// Without a browser the URL is shown instead.
	f.deps.NoBrowser = true
	h = newHarness(t, f)
	h.paste(redirect).key("enter").key("enter").key("enter").paste(f.demo.App.ClientID).key("enter")
	h.key("ctrl+o")
	h.sees("No browser here", "is copied (test clipboard)").seesWhole(steps.AppURL("https://entra.microsoft.com", steps.BladeCredentials, f.demo.App.ClientID))
	if f.lastCopied() != steps.AppURL("https://entra.microsoft.com", steps.BladeCredentials, f.demo.App.ClientID) {
		t.Fatalf("copied %q", f.lastCopied())
	}
	if len(f.opened) != 2 {
		t.Fatalf("opened a browser despite NoBrowser: %q", f.opened)
	}
}

func TestStateAndStepNames(t *testing.T) {
	for s := stepResume; s <= stepSyncro; s++ {
		if s.String() == "" {
			t.Errorf("step %d has no name", s)
		}
	}
	for s := stateProbe; s <= stateSignIn; s++ {
		if s.String() == "" {
			t.Errorf("state %d has no name", s)
		}
	}
	if stepSecret.number() != 4 || stepSyncro.number() != 7 || fieldStep(oidccheck.FieldClientSecret) != stepSecret {
		t.Fatal("numbering")
	}
}

func TestHugePasteIsCutAndSaid(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.paste(strings.Repeat("x", 1<<20))
	h.sees("The paste was cut", "too_long")
	if n := len(h.m.setup.values.RedirectURI); n > oidccheck.MaxInput {
		t.Fatalf("%d bytes kept", n)
	}
}

// TestDemoKeepsNothing: the demo writes no progress, so nothing offers or
// claims a resume.
func TestDemoKeepsNothing(t *testing.T) {
	f := newFixture(t)
	f.deps.Demo = &DemoPortal{RedirectURI: redirect, ClientID: f.demo.App.ClientID, TenantID: f.demo.Tenant.ID}
	h := newHarness(t, f)
	h.sees("Demo portal", redirect)
	h.paste(redirect).key("enter").key("enter").key("enter")
	h.at(stepClientID)
	h.key("ctrl+c")
	if h.m.ProgressKept() {
		t.Fatal("the demo claims to have kept values")
	}
	if _, ok := f.store.LoadProgress("default"); ok {
		t.Fatal("the demo wrote progress")
	}
}

// TestUntrustedHostIsSavedButNotCalledProven: a document on a host that is
// not Entra's is saved with its secret unchecked, and step 7 says so
// instead of "Entra accepted every value".
func TestUntrustedHostIsSavedButNotCalledProven(t *testing.T) {
	f := newFixture(t)
	f.deps.Flow.AuthorityHost = ""
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter")
	h.paste(oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.demo.Tenant.ID)).key("enter")
	h.at(stepSyncro)
	h.doesNotSee("Entra accepted every value")
	h.sees("not everything was proven", "not_entra_host")
	if p, err := f.store.Load("default"); err != nil || p.LastVerified != nil {
		t.Fatalf("profile %+v %v: a skipped secret check recorded a verification", p, err)
	}
}
