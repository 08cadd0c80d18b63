package wizard

import (
	"context"
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"
)

// withProfile saves the demo tenant's values as a profile through Save,
// as the wizard's step 6 does, and opens the wizard on it.
func withProfile(t *testing.T, f *fixture, secret string) *harness {
	t.Helper()
	v := steps.Values{RedirectURI: redirect, ClientID: f.demo.App.ClientID, Secret: secret, Discovery: f.demo.Tenant.ID,
		SecretDescription: "Syncro SSO", SecretExpiry: "180d"}
	rep, _, err := Save(context.Background(), f.deps, f.deps.Checker, v, steps.Env{AuthorityHost: f.srv.Host, Now: time.Now()})
	if err != nil || rep.Failed() {
		t.Fatalf("save: %v %+v", err, rep.Checks)
	}
	p, err := f.store.Load("default")
	if err != nil {
		t.Fatal(err)
	}
	f.deps.Current = p
	return newHarness(t, f)
}

func stored(t *testing.T, f *fixture, user string) string {
	v, _ := f.store.Keyring.Get(store.Service, user)
	return v
}

func TestMenuVerifyRecordsAndShows(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.at(stepMenu)
	h.sees("Profile default", f.demo.Secret.Hint+"…", "180 days left", "Last verified: never")
	h.key("down").key("enter")
	h.sees("Entra accepted the secret and issued a token")
	if p, _ := f.store.Load("default"); p.LastVerified == nil {
		t.Fatal("verify was not recorded")
	}
	h.doesNotSee("Last verified: never")
}

func TestGuidedRotationNeverDropsTheWorkingSecretFirst(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	// A new secret that Entra accepts only after a while: the fake clock
	// the look-alike and the checker share makes the wait instant.
	clock := &fakeClock{now: time.Now()}
	f.srv.SetClock(clock.Now)
	f.deps.Checker.Sleep = clock.Sleep
	f.deps.Checker.PropagationWait = time.Minute
	f.srv.SetPropagationDelay(10 * time.Second)
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", clock.Now().AddDate(1, 0, 0))

	h.key("enter").at(stepRotateSecret)
	h.sees("The stored secret "+f.demo.Secret.Hint+"…", "Do not delete the old")
	h.key("enter").key("enter")
	h.paste(f.demo.Secret.KeyID)
	h.sees("secret_id_not_value")
	h.replace(fresh.Value).key("enter")
	h.at(stepRotateSyncro)
	if stored(t, f, store.CurrentUser("default")) != fresh.Value || stored(t, f, store.PreviousUser("default")) != f.demo.Secret.Value {
		t.Fatal("after the live proof the new secret must be current and the old one kept")
	}
	h.doesNotSee(fresh.Value)
	// The default answer keeps the old secret.
	h.key("enter")
	h.at(stepRotateSyncro)
	h.sees("the old one is kept")
	if stored(t, f, store.PreviousUser("default")) == "" {
		t.Fatal("the old secret was dropped without a yes")
	}
	h.key("2")
	if f.copied[len(f.copied)-1] != fresh.Value {
		t.Fatal("key 2 did not copy the new secret from the keyring")
	}
	h.apply(keyUp())
	h.settle()
	h.key("enter")
	h.at(stepRotateDone)
	h.sees("delete the old secret in Entra", f.demo.Secret.Hint+"…", `"Syncro SSO"`)
	if stored(t, f, store.PreviousUser("default")) != "" {
		t.Fatal("the previous secret is still kept after finishing")
	}
	h.key("enter").at(stepMenu)
}

func TestRotationWithARefusedSecretChangesNothing(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("enter").key("enter").key("enter")
	h.paste("Zz_8Q~" + strings.Repeat("q", 34)).key("enter")
	h.at(stepRotateSecret)
	h.sees("Entra said:", "invalid_secret")
	if stored(t, f, store.CurrentUser("default")) != f.demo.Secret.Value || stored(t, f, store.PreviousUser("default")) != "" {
		t.Fatal("a refused secret changed the keyring")
	}
}

func TestExpiredSecretIsShownAndRotatedTheSameWay(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	f.deps.Current.Secret.Expires = time.Now().AddDate(0, 0, -3).Format("2006-01-02")
	h = newHarness(t, f)
	h.sees("EXPIRED 3 days ago")
	h.key("enter").at(stepRotateSecret)
	h.sees("EXPIRED on")
}

func TestStartOverAsksFirst(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("down").key("down").key("down").key("down").key("enter").at(stepConfirmOver)
	h.key("enter").at(stepMenu) // the default answer is no
	if _, err := f.store.Load("default"); err != nil {
		t.Fatal("the profile was forgotten on a no")
	}
	h.key("down").key("down").key("down").key("down").key("enter").key("down").key("enter")
	h.at(stepRedirect)
	if _, err := f.store.Load("default"); err == nil || stored(t, f, store.CurrentUser("default")) != "" {
		t.Fatal("start over kept the profile or its secret")
	}
}

var _ = oidccheck.StatusPass

func TestTestSignInAfterStep7(t *testing.T) {
	f := newFixture(t)
	browser := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.srv.CA.Pool()}}, Timeout: 10 * time.Second}
	f.deps.OpenURL = func(u string) error {
		go func() {
			if resp, err := browser.Get(u); err == nil {
				resp.Body.Close()
			}
		}()
		return nil
	}
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter")
	h.paste(f.demo.Tenant.ID).key("enter")
	h.at(stepSyncro)
	h.key("c")
	if f.copied[len(f.copied)-1] != oidccheck.LoopbackRedirectURI {
		t.Fatal("c did not copy the localhost redirect URI")
	}
	h.key("t")
	h.sees("signed in as Adele Vance", "differs from the sign-in name")
	if p, _ := f.store.Load("default"); p.LastSignIn == nil {
		t.Fatal("the sign-in was not recorded")
	}
}
