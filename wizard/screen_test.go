package wizard

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"

	"github.com/charmbracelet/x/ansi"
)

// sizes are the terminals the issue was seen in.
var sizes = []struct{ w, h int }{{80, 24}, {100, 30}}

func forSizes(t *testing.T, run func(t *testing.T, w, h int)) {
	for _, s := range sizes {
		t.Run(fmt.Sprintf("%dx%d", s.w, s.h), func(t *testing.T) { run(t, s.w, s.h) })
	}
}

// fits checks that the screen has no more rows than the terminal and no
// line wider than it, and that the header is on it.
func (h *harness) fits(w, ht int, header ...string) *harness {
	h.t.Helper()
	screen := h.screen()
	lines := strings.Split(screen, "\n")
	if len(lines) > ht {
		h.t.Fatalf("%d rows on a %d-row terminal:\n%s", len(lines), ht, screen)
	}
	for _, l := range lines {
		if ansi.StringWidth(l) > w {
			h.t.Fatalf("a line of %d columns on a %d-column terminal: %q", ansi.StringWidth(l), w, l)
		}
	}
	for _, part := range append([]string{"entrasso · Syncro single sign-on"}, header...) {
		if !strings.Contains(lines[0]+"\n"+strings.Join(lines[1:min(4, len(lines))], "\n"), part) {
			h.t.Fatalf("the header lacks %q:\n%s", part, screen)
		}
	}
	return h
}

// onScreen checks the terminal itself shows parts (not scrolled away).
func (h *harness) onScreen(parts ...string) *harness {
	h.t.Helper()
	for _, p := range parts {
		if !strings.Contains(h.screen(), p) {
			h.t.Fatalf("the screen lacks %q:\n%s", p, h.screen())
		}
	}
	return h
}

// TestPortalLinksWholeWithoutABrowser: ctrl+o at steps 2 and 4 with no
// browser shows the whole URL on the screen, wrapped with nothing
// inserted, as an OSC 8 hyperlink, and copies it.
func TestPortalLinksWholeWithoutABrowser(t *testing.T) {
	forSizes(t, func(t *testing.T, w, ht int) {
		f := newFixture(t)
		f.deps.NoBrowser = true
		h := newHarnessAt(t, f, w, ht)
		h.paste(redirect).key("enter").key("enter").at(stepRegister)
		h.key("ctrl+o")
		l, _ := steps.RegisterStep().Link(h.m.setup.values, h.m.c.env)
		seesWhole(t, h.screen(), l.URL)
		if !strings.Contains(h.m.View(), ansi.SetHyperlink(l.URL)) {
			t.Fatal("the URL is no hyperlink")
		}
		if f.lastCopied() != l.URL {
			t.Fatalf("copied %q", f.lastCopied())
		}
		h.fits(w, ht, "Step 2 of 7")
		h.key("enter").paste(f.demo.App.ClientID).key("enter").at(stepSecret)
		h.key("ctrl+o")
		l, _ = steps.SecretStep().Link(h.m.setup.values, h.m.c.env)
		seesWhole(t, h.screen(), l.URL)
		h.fits(w, ht, "Step 4 of 7")
	})
}

// TestRefusalShownOnceWithItsCode: enter on an empty field shows one
// refusal, with its code, and no blank lines of huh's own error line.
func TestRefusalShownOnceWithItsCode(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.key("enter").at(stepRedirect)
	v := h.view()
	c := oidccheck.CheckRedirectURI("").Checks[0]
	if n := strings.Count(v, c.Message); n != 1 || !strings.Contains(v, "["+string(c.Code)+"]") {
		t.Fatalf("the refusal %q is shown %d times, or without its code:\n%s", c.Message, n, v)
	}
	// Step 4's secret, empty: [empty].
	h.paste(redirect).key("enter").key("enter").key("enter").paste(f.demo.App.ClientID).key("enter")
	h.key("enter").key("enter").key("enter")
	v = h.view()
	if strings.Count(v, "the client secret is empty") != 1 || !strings.Contains(v, "[empty]") {
		t.Fatalf("the empty secret:\n%s", v)
	}
}

// TestNotesStayUnderTheirField: the redirect URI's cleaning note is not
// under Logout URL; the secret's note is not under Description after
// going back; old verify results are gone from the menu after a rotation.
func TestNotesStayUnderTheirField(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.paste("  \"" + redirect + "\"  ").sees("from the paste:")
	h.key("enter").sees("Logout URL").doesNotSee("from the paste:", "removed from the paste")
	h.key("enter").at(stepRegister).key("enter").paste(f.demo.App.ClientID).key("enter").key("enter").key("enter")
	h.paste(f.demo.Secret.Value).sees("shaped like a client secret Value").key("enter").at(stepDiscovery)
	h.key("ctrl+b").at(stepSecret).sees("Description").doesNotSee("shaped like a client secret Value")
}

// TestObjectIDRefusedWithoutATick: the Object ID pasted as client ID is
// refused at step 6; back at step 3 the refusal stands alone under the
// field, without the offline check's tick, and it is not "Entra said"
// unless Entra said it.
func TestObjectIDRefusedWithoutATick(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	h.paste(redirect).key("enter").key("enter").key("enter")
	h.paste(f.demo.App.ObjectID).key("enter")
	h.key("enter").key("enter").paste(f.demo.Secret.Value).key("enter")
	h.paste(f.demo.Tenant.ID).key("enter")
	h.at(stepClientID).sees("app_not_found")
	if strings.Contains(h.view(), "✓") {
		t.Fatalf("a tick beside the refusal:\n%s", h.view())
	}
}

// TestOfflineRefusalIsNotEntraSaid: a refusal made here (an expiry date
// that cannot be read) never says "Entra said".
func TestOfflineRefusalIsNotEntraSaid(t *testing.T) {
	f := newFixture(t)
	c := &common{deps: f.deps, styles: newStyles(f.deps.Renderer), width: 100}
	v := c.problemView(oidccheck.Check{Field: oidccheck.FieldClientID, Status: oidccheck.StatusFail, Code: "not_guid", Message: "not a GUID"})
	if strings.Contains(v, "Entra said") {
		t.Fatal(v)
	}
}

// TestHeaderStaysOverEveryRefusalAndResult at 80x24 and 100x30: the title,
// the progress line and "Step N of 7" stay on screen over a refusal at
// step 4 and the result at step 7; the body scrolls beneath with a hint,
// by pgdown and ctrl+down, and the focused field stays in view.
func TestHeaderStaysOverEveryRefusalAndResult(t *testing.T) {
	forSizes(t, func(t *testing.T, w, ht int) {
		f := newFixture(t)
		f.deps.Demo = &DemoPortal{TenantID: f.demo.Tenant.ID, TenantDomain: f.demo.Tenant.Domains[0], ClientID: f.demo.App.ClientID,
			ObjectID: f.demo.App.ObjectID, Secret: f.demo.Secret.Value, SecretID: f.demo.Secret.KeyID, RedirectURI: redirect,
			MetadataURL: oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.demo.Tenant.ID)}
		h := newHarnessAt(t, f, w, ht)
		h.fits(w, ht, "Step 1 of 7")
		toSecret(h, f).paste(f.demo.Expired.Value).key("enter")
		h.paste(f.demo.Tenant.ID).key("enter")
		h.at(stepSecret).fits(w, ht, "1 › 2 › 3 › 4 Client secret", "Step 4 of 7").onScreen("expired_secret", "Value (the secret)")
		f.deps.NoBrowser = true
		h.key("ctrl+o").fits(w, ht, "Step 4 of 7").onScreen("expired_secret", "Value (the secret)", "No browser here")
		if w == 80 {
			// The refusal, the demo portal and the address do not all fit
			// 80x24: the body scrolls beneath the header, and says so,
			// with the field and its refusal in view.
			h.onScreen("more below", "pgup/pgdown")
			h.key("pgdown").fits(w, ht, "Step 4 of 7").onScreen("more above", "Demo portal")
			h.key("ctrl+up").key("ctrl+down").fits(w, ht, "Step 4 of 7")
			h.key("pgup").key("pgup").onScreen("Open the app's Certificates")
		}
		h.replace(f.demo.Secret.Value).key("enter").key("enter").at(stepSyncro)
		h.fits(w, ht, "Step 7 of 7").onScreen("Entra accepted every value")
		h.key("enter").at(menuList) // the demo goes on to the menu
		h.fits(w, ht, "Profile default").onScreen("What now?")
		h.key("down").key("enter").sees("Entra accepted the secret")
		h.fits(w, ht, "Profile default").onScreen("What now?")
		// The sign-in's result, from the menu.
		f.deps.NoBrowser = false
		f.playBrowser()
		h.key("down").key("down").key("enter").at(stateSignIn).sees("The sign-in works")
		h.fits(w, ht, "Test sign-in")
		h.key("enter").at(menuList).fits(w, ht, "Profile default")
	})
}

// TestMenuShowsTheProofsFlowRecorded: right after step 6, and after a
// rotation's proof, the menu shows when the secret was last verified.
func TestMenuShowsTheProofsFlowRecorded(t *testing.T) {
	f := newFixture(t)
	f.deps.Demo = &DemoPortal{Secret: f.demo.Secret.Value}
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter").paste(f.demo.Tenant.ID).key("enter").at(stepSyncro)
	h.key("enter").at(menuList).doesNotSee("Last verified: never")
	saveProfile(t, f, f.demo.Secret.Value)
	neverVerified(t, f)
	h = newHarness(t, f)
	h.sees("Last verified: never")
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", f.clock.Now().AddDate(1, 0, 0))
	h.key("enter").key("enter").key("enter").paste(fresh.Value).key("enter").at(rotateSyncro)
	h.key("ctrl+b").at(menuList).doesNotSee("Last verified: never")
}

// TestValuesForSyncroSayNothingWasCopied: before a key is pressed, the
// values screen says which key copies the secret, not that it was copied.
func TestValuesForSyncroSayNothingWasCopied(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	h.key("down").key("down").key("down").key("enter").at(menuValues)
	h.doesNotSee("copied").sees("key 2 copies it from the keyring")
	seesWhole(t, h.screen(), oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.demo.Tenant.ID))
}

// TestPropagationWaitShowsABar: while Entra does not yet accept a new
// secret, the rotation shows a bar with the seconds waited and left.
func TestPropagationWaitShowsABar(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	f.srv.SetPropagationDelay(time.Hour)
	f.clock.stall = true
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", f.clock.Now().AddDate(1, 0, 0))
	h.key("enter").key("enter").key("enter").paste(fresh.Value)
	h.send(keyMsg("enter"))
	if !h.until(func() bool { return h.m.rotation.live.wait != nil }) {
		t.Fatalf("no wait shown\n%s", h.view())
	}
	h.sees("0s waited, 60s left", "░░░░")
	h.key("esc").at(rotateSecret)
}

// TestSeveralProfilesArePickedFirst: `entrasso` with several profiles and
// no --profile asks which one, then opens the menu on it; the plain
// prompts ask the same.
func TestSeveralProfilesArePickedFirst(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	res := flow.Setup(context.Background(), f.deps.Flow, flow.SetupInput{Profile: "branch", RedirectURI: redirect,
		ClientID: f.demo.App.ClientID, Discovery: f.demo.Tenant.ID, Secret: f.demo.Secret.Value, SecretDescription: "Branch office",
		SecretExpires: time.Now().AddDate(0, 0, 90).Format("2006-01-02")})
	if res.Failed() {
		t.Fatal(res.Report.Checks)
	}
	f.deps.Current, f.deps.Profile, f.deps.Profiles = nil, "", []string{"branch", "default"}
	forSizes(t, func(t *testing.T, w, ht int) {
		h := newHarnessAt(t, f, w, ht)
		h.at(statePick).sees("There are 2 profiles", "branch", "default").fits(w, ht)
		h.key("enter").at(menuList).sees("Profile branch", `"Branch office"`).fits(w, ht, "Profile branch")
		h.key("down").key("enter").sees("Entra accepted the secret")
		if p, _ := f.store.Load("branch"); p.LastVerified == nil {
			t.Fatal("the verify went to another profile")
		}
	})
	var out bytes.Buffer
	if code := RunAccessible(context.Background(), f.deps, strings.NewReader("2\n6\n"), &out); code != ExitDone ||
		!strings.Contains(out.String(), "Which one?") || !strings.Contains(out.String(), "Profile default, client ID") {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
}

// TestDemoStartOverOffersAFreshSecret: in the demo, start over never
// offers the first secret, which a finished rotation deleted in the
// look-alike: the look-alike makes a fresh one, and it works.
func TestDemoStartOverOffersAFreshSecret(t *testing.T) {
	f := newFixture(t)
	f.deps.Demo = &DemoPortal{TenantID: f.demo.Tenant.ID, ClientID: f.demo.App.ClientID, Secret: f.demo.Secret.Value,
		SecretID: f.demo.Secret.KeyID, RedirectURI: redirect}
	var fresh string
	f.deps.DemoNewSecret = func() (string, string) {
		s := f.srv.AddSecret(f.demo.App, "Syncro SSO", f.clock.Now().AddDate(0, 6, 0))
		fresh = s.Value
		return s.Value, s.KeyID
	}
	f.deps.DeleteOld = func(hint string) error {
		f.srv.DeleteSecretByHint(f.demo.App, hint)
		return nil
	}
	h := withProfile(t, f, f.demo.Secret.Value)
	// The first secret is gone from the look-alike, as after a rotation.
	f.srv.DeleteSecretByHint(f.demo.App, f.demo.Secret.Hint)
	h.key("down").key("down").key("down").key("down").key("enter").key("down").key("enter").at(stepRedirect)
	toSecret(h, f)
	h.doesNotSee(f.demo.Secret.Value).sees("Value:     " + fresh)
	h.paste(fresh).key("enter").paste(f.demo.Tenant.ID).key("enter").at(stepSyncro)
}
