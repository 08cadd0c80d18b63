package wizard

import (
	"context"
	"strings"
	"testing"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/store"
)

// saveProfile saves the demo tenant's values with secret as a profile,
// through flow.Setup as step 6 does, and makes it the wizard's start.
func saveProfile(t *testing.T, f *fixture, secret string) {
	t.Helper()
	res := flow.Setup(context.Background(), f.deps.Flow, flow.SetupInput{Profile: "default", RedirectURI: redirect,
		ClientID: f.demo.App.ClientID, Discovery: f.demo.Tenant.ID, Secret: secret, SecretDescription: "Syncro SSO",
		SecretExpires: time.Now().AddDate(0, 0, 180).Format("2006-01-02")})
	if res.Failed() || res.Profile == nil {
		t.Fatalf("save: %+v", res.Report.Checks)
	}
	f.deps.Current = res.Profile
}

// neverVerified clears the save's own proof from the profile, as for one
// saved before verifications were recorded, so that a test sees what a
// verify records.
func neverVerified(t *testing.T, f *fixture) {
	t.Helper()
	if err := f.store.Update("default", func(p *store.Profile) error { p.LastVerified = nil; return nil }); err != nil {
		t.Fatal(err)
	}
	f.deps.Current, _ = f.store.Load("default")
}

// withProfile opens the wizard on a saved profile: the menu.
func withProfile(t *testing.T, f *fixture, secret string) *harness {
	t.Helper()
	saveProfile(t, f, secret)
	return newHarness(t, f)
}

func stored(f *fixture, user string) string {
	v, _ := f.store.Keyring.Get(store.Service, user)
	return v
}

func TestMenuVerifyRecordsAndShows(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	neverVerified(t, f)
	h := newHarness(t, f)
	h.at(menuList)
	h.sees("Profile default", f.demo.Secret.Hint+"…", "180 days left", "Last verified: never")
	h.key("down").key("enter")
	h.sees("Entra accepted the secret and issued a token")
	if p, _ := f.store.Load("default"); p.LastVerified == nil {
		t.Fatal("verify was not recorded")
	}
	h.doesNotSee("Last verified: never")
}

// TestMenuVerifyIsFlowVerify: the menu's verify reports exactly what
// `entrasso verify` reports (flow.Verify), the redirect URI included.
func TestMenuVerifyIsFlowVerify(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("down").key("enter")
	got := h.m.menu.verified.Report.Checks
	want := flow.Verify(context.Background(), f.deps.Flow, "default").Report.Checks
	if len(got) != len(want) {
		t.Fatalf("menu verify has %d checks, flow.Verify %d", len(got), len(want))
	}
	sawRedirect := false
	for i := range want {
		if got[i].Field != want[i].Field || got[i].Status != want[i].Status || got[i].Code != want[i].Code {
			t.Errorf("check %d: menu %s/%s/%s, flow %s/%s/%s", i, got[i].Field, got[i].Status, got[i].Code, want[i].Field, want[i].Status, want[i].Code)
		}
		sawRedirect = sawRedirect || got[i].Field == oidccheck.FieldRedirectURI
	}
	if !sawRedirect {
		t.Fatal("the menu's verify does not check the redirect URI")
	}
	h.sees("a redirect URI Entra accepts", "Entra accepted the secret and issued a token")
}

func TestGuidedRotationNeverDropsTheWorkingSecretFirst(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	// A new secret that Entra accepts only after a while: the fake clock
	// the look-alike and the flows share makes the wait instant.
	f.srv.SetPropagationDelay(10 * time.Second)
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", f.clock.Now().AddDate(1, 0, 0))

	h.key("enter").at(rotateSecret)
	h.sees("The stored secret "+f.demo.Secret.Hint+"…", "Do not delete the old")
	h.key("enter").key("enter")
	h.paste(f.demo.Secret.KeyID)
	h.sees("secret_id_not_value")
	h.replace(fresh.Value).key("enter")
	h.at(rotateSyncro)
	if waits, _ := f.clock.count(); waits == 0 {
		t.Fatal("the new secret was not retried while Entra spread it")
	}
	if stored(f, store.CurrentUser("default")) != fresh.Value || stored(f, store.PreviousUser("default")) != f.demo.Secret.Value {
		t.Fatal("after the live proof the new secret must be current and the old one kept")
	}
	h.sees("kept as previous")
	h.doesNotSee(fresh.Value)
	// The default answer keeps the old secret.
	h.key("enter")
	h.at(rotateSyncro)
	h.sees("the old one is kept")
	if stored(f, store.PreviousUser("default")) == "" {
		t.Fatal("the old secret was dropped without a yes")
	}
	h.key("2")
	if f.lastCopied() != fresh.Value {
		t.Fatal("key 2 did not copy the new secret from the keyring")
	}
	h.key("up").key("enter")
	h.at(rotateDone)
	h.sees("delete the old secret in Entra", f.demo.Secret.Hint+"…", `"Syncro SSO"`)
	if stored(f, store.PreviousUser("default")) != "" {
		t.Fatal("the previous secret is still kept after finishing")
	}
	h.key("enter").at(menuList)
}

// TestRotationWithNothingToKeep: when the keyring had lost the current
// secret, the rotation does not claim to keep it, and asks nothing about
// dropping it.
func TestRotationWithNothingToKeep(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	if err := f.store.Keyring.Delete(store.Service, store.CurrentUser("default")); err != nil {
		t.Fatal(err)
	}
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", f.clock.Now().AddDate(1, 0, 0))
	h := newHarness(t, f)
	h.key("enter").key("enter").key("enter").paste(fresh.Value).key("enter")
	h.at(rotateSyncro)
	h.sees("no earlier secret was left")
	h.doesNotSee("kept as previous", "the old one is kept", "Did Save & Verify SSO pass")
	if stored(f, store.CurrentUser("default")) != fresh.Value {
		t.Fatal("the new secret is not current")
	}
	h.key("enter").at(menuList)
}

func TestRotationWithARefusedSecretChangesNothing(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("enter").key("enter").key("enter")
	h.paste("Zz_8Q~" + strings.Repeat("q", 34)).key("enter")
	h.at(rotateSecret)
	h.sees("Entra said:", "invalid_secret")
	if stored(f, store.CurrentUser("default")) != f.demo.Secret.Value || stored(f, store.PreviousUser("default")) != "" {
		t.Fatal("a refused secret changed the keyring")
	}
}

func TestExpiredSecretIsShownAndRotatedTheSameWay(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	if err := f.store.Update("default", func(p *store.Profile) error {
		p.Secret.Expires = time.Now().AddDate(0, 0, -3).Format("2006-01-02")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	f.deps.Current, _ = f.store.Load("default")
	h := newHarness(t, f)
	h.sees("EXPIRED 3 days ago")
	h.key("enter").at(rotateSecret)
	h.sees("EXPIRED on")
}

func TestStartOverAsksFirst(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("down").key("down").key("down").key("down").key("enter").at(menuConfirmOver)
	h.key("enter").at(menuList) // the default answer is no
	if _, err := f.store.Load("default"); err != nil {
		t.Fatal("the profile was forgotten on a no")
	}
	h.key("down").key("down").key("down").key("down").key("enter").key("down").key("enter")
	h.at(stepRedirect)
	if _, err := f.store.Load("default"); err == nil || stored(f, store.CurrentUser("default")) != "" {
		t.Fatal("start over kept the profile or its secret")
	}
}

func TestTestSignInAfterStep7(t *testing.T) {
	f := newFixture(t)
	f.playBrowser()
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter")
	h.paste(f.demo.Tenant.ID).key("enter")
	h.at(stepSyncro)
	h.key("c")
	if f.lastCopied() != oidccheck.LoopbackRedirectURI {
		t.Fatal("c did not copy the localhost redirect URI")
	}
	h.key("t")
	h.at(stateSignIn)
	h.sees("signed in as Adele Vance", "differs from the sign-in name", "The sign-in works")
	if p, _ := f.store.Load("default"); p.LastSignIn == nil {
		t.Fatal("the sign-in was not recorded")
	}
	h.key("enter").at(stepSyncro)
}

func TestMenuTestSignInRecordsAndShows(t *testing.T) {
	f := newFixture(t)
	f.playBrowser()
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("down").key("down").key("enter")
	h.at(stateSignIn).sees("signed in as Adele Vance")
	h.key("enter").at(menuList)
	h.doesNotSee("last sign-in: never")
}
