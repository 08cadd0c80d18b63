package wizard

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/steps"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
)

// graphFixture is the fixture with the admin's Graph sign-in pointed at
// the look-alike, which approves a device code after one pending poll (its
// admin sign-in knob; the poll interval is Entra's minimum of a second).
func graphFixture(t *testing.T) *fixture {
	f := newFixture(t)
	f.deps.Graph = GraphSignIn{Host: f.srv.Host, Timeout: 10 * time.Second}
	f.deps.NoBrowser = true
	f.srv.SetDeviceCodeInterval(1)
	f.srv.AutoApproveDeviceCodes(1)
	return f
}

// toGraphForm walks step 1 and chooses entrasso's registration at step 2.
func toGraphForm(h *harness) *harness {
	h.t.Helper()
	h.at(stepRedirect)
	h.paste(redirect).key("enter")
	h.paste("https://demo.syncromsp.com/logout").key("enter")
	h.at(stepRegister).sees("Let entrasso register the app (sign in as an admin)", "I'll do it in the portal")
	h.key("down").key("enter")
	if h.m.state != stateGraph || h.m.graph.screen != graphForm {
		h.t.Fatalf("not at the Graph form: %s\n%s", h.m.state, h.view())
	}
	return h
}

// fillGraphForm enters the tenant, a description, 90 days, and keeps the
// offered sign-in; the last enter starts the sign-in, which the caller
// runs.
func fillGraphForm(h *harness, tenant string) *harness {
	h.t.Helper()
	h.paste(tenant).key("enter")
	h.replace("Syncro SSO wizard").key("enter")
	h.key("down").key("enter") // 90 days
	h.send(keyMsg("enter"))    // the sign-in as offered
	return h
}

// sized is the wizard in a terminal of w columns and ht rows.
func sized(t *testing.T, f *fixture, w, ht int) *harness {
	h := newHarness(t, f)
	return h.send(tea.WindowSizeMsg{Width: w, Height: ht}).drain()
}

func secretOf(t *testing.T, f *fixture) string {
	t.Helper()
	s, err := f.store.Secret("default")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestGraphSetupByDeviceCode: step 2's "let entrasso register the app",
// signed in by device code (no browser here), the code copied and the
// verification address shown whole; each Graph step listed; step 7 with
// the values for Syncro, the secret never on screen and copied only by
// key 2, from the keyring.
func TestGraphSetupByDeviceCode(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {100, 30}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			f := graphFixture(t)
			h := sized(t, f, size[0], size[1])
			toGraphForm(h).sees("finds the app", "Your tenant")
			fillGraphForm(h, f.demo.Tenant.Domains[0])
			if !h.until(func() bool { return h.m.graph.signIn.code != nil }) {
				t.Fatalf("no device code shown\n%s", h.view())
			}
			code := h.m.graph.signIn.code
			h.seesWhole(code.VerificationURI).sees(code.UserCode, "copied to the clipboard", "esc stop")
			if !strings.Contains(h.screen(), code.UserCode) || !strings.Contains(h.screen(), "Step 2 of 7") {
				t.Fatalf("the code is not on the %dx%d screen:\n%s", size[0], size[1], h.screen())
			}
			h.drain()
			if f.lastCopied() != code.UserCode && !contains(f.copied, code.UserCode) {
				t.Fatalf("the code was not copied: %q", f.copied)
			}
			h.at(stepSyncro).sees("Through Microsoft Graph, entrasso registered the app", "Entra accepted every value")
			if !strings.Contains(h.screen(), "Step 7 of 7") {
				t.Fatalf("step 7's header is off the screen:\n%s", h.screen())
			}
			p, err := f.store.Load("default")
			if err != nil || p.AppObjectID == "" || p.Secret.KeyID == "" || p.Secret.Description != "Syncro SSO wizard" {
				t.Fatalf("profile %+v %v", p, err)
			}
			h.sees(p.ClientID).seesWhole(oidccheck.CanonicalDiscoveryURL(f.srv.Host, f.demo.Tenant.ID))
			secret := secretOf(t, f)
			h.doesNotSee(secret)
			for _, c := range f.copied {
				if c == secret {
					t.Fatal("the secret was copied before key 2")
				}
			}
			if h.m.setup.values.Secret != "" {
				t.Fatal("the secret is in the wizard's memory")
			}
			h.key("2")
			if f.lastCopied() != secret {
				t.Fatal("key 2 did not copy the stored secret")
			}
			h.doesNotSee(secret)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// TestGraphFailureNamesItsCodeAndSwitchesToThePortal: an admin without the
// role gets insufficient_privileges with the role to ask for; a blocked
// device code sign-in gets signin_blocked and o signs in through the
// browser instead; p switches to the portal path with every value kept.
func TestGraphFailureNamesItsCodeAndSwitchesToThePortal(t *testing.T) {
	f := graphFixture(t)
	// The device code is asked for; the browser, once chosen, is played.
	f.deps.Graph.DeviceCode = true
	browser := f.browser()
	f.deps.Graph.Browser = func(u string) error { go visit(browser, u); return nil }
	f.srv.BlockSignIn(entratest.SignInDeviceCode, true)
	f.srv.DenyGraphWrites(true)
	h := sized(t, f, 80, 24)
	toGraphForm(h)
	fillGraphForm(h, f.demo.Tenant.Domains[0]).drain()
	if h.m.state != stateGraph || h.m.graph.screen != graphFailed {
		t.Fatalf("not at the failure: %s\n%s", h.m.state, h.view())
	}
	h.sees("[signin_blocked]", "Conditional Access blocks the device code sign-in: o signs in with the browser", "p do it in the portal")

	// The other sign-in method: through the browser (the fixture plays it).
	h.key("o")
	if h.m.graph.screen != graphFailed || h.m.graph.problem.Code != oidccheck.CodeInsufficientPrivileges {
		t.Fatalf("want insufficient_privileges after the browser sign-in\n%s", h.view())
	}
	h.sees("[insufficient_privileges]", "Application Developer", "Cloud Application Administrator")
	if _, err := f.store.Load("default"); err == nil {
		t.Fatal("a failed registration saved a profile")
	}

	h.key("p")
	h.at(stepRegister).sees("Switched to the portal")
	v := h.m.setup.values
	if v.RedirectURI != redirect || v.LogoutURL != "https://demo.syncromsp.com/logout" || v.SecretDescription != "Syncro SSO wizard" ||
		v.SecretExpiry != "90d" || v.Discovery != f.demo.Tenant.Domains[0] || v.AppChoice != steps.AppNew {
		t.Fatalf("values not kept: %+v", *v)
	}
	h.key("enter").at(stepClientID)
	h.paste(f.demo.App.ClientID).key("enter").at(stepSecret)
	h.sees("Syncro SSO wizard")
}

// TestGraphEscStopsTheStepsAndReturns: esc while the new secret's live
// proof waits for Entra to spread it stops the sequence and returns to the
// form; the wizard neither quits nor saves, and the secret added for the
// stopped run is removed in Entra again. esc during the sign-in does the
// same, before anything was done in Entra.
func TestGraphEscStopsTheStepsAndReturns(t *testing.T) {
	f := graphFixture(t)
	f.clock.stall = true
	f.srv.SetPropagationDelay(time.Minute)
	h := newHarness(t, f)
	toGraphForm(h)
	f.srv.AutoApproveDeviceCodes(-1) // the admin never signs in
	fillGraphForm(h, f.demo.Tenant.Domains[0])
	if !h.until(func() bool { return h.m.graph.signIn.code != nil }) {
		t.Fatalf("no device code\n%s", h.view())
	}
	h.send(keyMsg("esc"))
	if h.quit || h.m.state != stateGraph || h.m.graph.screen != graphForm || h.m.graph.live.running {
		t.Fatalf("esc during the sign-in: quit %v, %s\n%s", h.quit, h.m.state, h.view())
	}
	h.sees("Stopped").drain()

	f.srv.AutoApproveDeviceCodes(0)
	h.send(keyMsg("enter")) // the form is complete: enter on its last field starts again
	for h.m.graph.screen == graphForm {
		// The last enter starts the run, which is not run to its end.
		h.send(keyMsg("enter")).until(func() bool { return h.m.graph.screen != graphForm })
	}
	if !h.until(func() bool { return h.m.graph.live.wait != nil }) {
		t.Fatalf("no propagation wait shown\n%s", h.view())
	}
	h.sees("Entra does not accept the new secret yet", "Adding the new client secret", "Registering the app")
	h.key("esc")
	if h.quit || h.m.state != stateGraph || h.m.graph.screen != graphForm {
		t.Fatalf("esc during the proof: quit %v, %s\n%s", h.quit, h.m.state, h.view())
	}
	if _, err := f.store.Load("default"); err == nil {
		t.Fatal("a stopped run saved the profile")
	}
	_, app, ok := findApp(f, "Syncro SSO")
	if !ok {
		t.Fatal("the app was not registered before the esc")
	}
	if n := len(app.Secrets); n != 0 {
		t.Fatalf("the stopped run's secret is still in Entra (%d secrets)", n)
	}
	// esc again leaves the Graph path for step 2, never the wizard.
	h.key("esc").at(stepRegister)
	if h.quit {
		t.Fatal("esc quit")
	}
}

// findApp is a snapshot of the look-alike's app named name in the demo
// tenant. The tenant's apps are read while UpdateApp holds the
// look-alike's lock (its handlers add apps from their own goroutines).
func findApp(f *fixture, name string) (*entratest.Tenant, *entratest.App, bool) {
	var found *entratest.App
	f.srv.UpdateApp(f.demo.App, func(*entratest.App) {
		for _, a := range f.demo.Tenant.Apps {
			if a.Name == name {
				cp := *a
				cp.Secrets = nil
				for _, s := range a.Secrets {
					c := *s
					cp.Secrets = append(cp.Secrets, &c)
				}
				found = &cp
			}
		}
	})
	return f.demo.Tenant, found, found != nil
}

// TestGraphRotationFromTheMenu: a profile set up through Graph rotates
// through Graph, and says so; DESIGN's order holds: the new secret is
// added, proven and promoted while the old one stays in Entra; only after
// the admin confirms that Syncro works is the old one removed in Entra and
// here.
func TestGraphRotationFromTheMenu(t *testing.T) {
	f := graphFixture(t)
	h := sized(t, f, 80, 24)
	toGraphForm(h)
	fillGraphForm(h, f.demo.Tenant.Domains[0]).drain()
	h.at(stepSyncro)
	before, _ := f.store.Load("default")
	old := before.Secret

	f.deps.Current = before
	h = sized(t, f, 80, 24)
	h.at(menuList).key("enter")
	if h.m.state != stateGraphRotation || h.m.graphRotation.screen != grForm {
		t.Fatalf("not the Graph rotation: %s\n%s", h.m.state, h.view())
	}
	h.sees("through Microsoft Graph", old.Hint+"…")
	h.key("enter").key("enter")
	h.send(keyMsg("enter"))
	h.drain()
	if h.m.graphRotation.screen != grSyncro {
		t.Fatalf("not at Syncro: %s\n%s", h.m.graphRotation.screen, h.view())
	}
	p, _ := f.store.Load("default")
	if p.Previous == nil || p.Previous.KeyID != old.KeyID || p.Secret.KeyID == old.KeyID {
		t.Fatalf("not promoted: %+v", p)
	}
	_, app, _ := findApp(f, "Syncro SSO")
	if !hasKey(app, old.KeyID) || !hasKey(app, p.Secret.KeyID) {
		t.Fatal("the old secret was removed in Entra before the admin confirmed")
	}
	newSecret := secretOf(t, f)
	h.doesNotSee(newSecret).sees("added a new client secret", "stays in Entra and here until you confirm")
	h.key("2")
	if f.lastCopied() != newSecret {
		t.Fatal("key 2 did not copy the new secret")
	}
	// "Not yet" keeps both.
	h.key("enter")
	if h.m.graphRotation.screen != grSyncro {
		t.Fatalf("not yet: %s", h.m.graphRotation.screen)
	}
	_, app, _ = findApp(f, "Syncro SSO")
	if !hasKey(app, old.KeyID) {
		t.Fatal("not yet removed the old secret")
	}
	h.key("down").key("enter")
	if h.m.graphRotation.screen != grDone {
		t.Fatalf("not done: %s\n%s", h.m.graphRotation.screen, h.view())
	}
	h.sees("removed the previous secret", "The rotation is finished")
	_, app, _ = findApp(f, "Syncro SSO")
	if hasKey(app, old.KeyID) || !hasKey(app, p.Secret.KeyID) {
		t.Fatal("the old secret is still in Entra, or the new one is gone")
	}
	if p, _ := f.store.Load("default"); p.Previous != nil {
		t.Fatal("the previous secret is still kept here")
	}
	if _, err := f.store.Keyring.Get(store.Service, store.PreviousUser("default")); err == nil {
		t.Fatal("the previous secret is still in the keyring")
	}
	h.key("enter").at(menuList)
}

func hasKey(a *entratest.App, keyID string) bool {
	for _, s := range a.Secrets {
		if strings.EqualFold(s.KeyID, keyID) {
			return true
		}
	}
	return false
}

// TestAccessibleGraphSetupAndRotation: --accessible takes the same Graph
// path with the same flow calls: step 2's registration by device code to
// step 7, then `entrasso rotate` through Graph to its end, the old secret
// removed in Entra only after the admin's yes. No secret is printed.
func TestAccessibleGraphSetupAndRotation(t *testing.T) {
	f := graphFixture(t)
	in := strings.Join([]string{
		redirect, "", // redirect URI, no logout URL
		"2",                      // let entrasso register the app
		f.demo.Tenant.Domains[0], // the tenant
		"", "2",                  // description (default), 90 days
		"2", // the device code
	}, "\n") + "\n"
	var out strings.Builder
	if code := RunAccessible(context.Background(), f.deps, strings.NewReader(in), &out); code != ExitDone {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	o := out.String()
	for _, want := range []string{"Step 2 of 7, done by entrasso", "/devicelogin", "and enter the code", "Adding the new client secret (addPassword): done",
		"Saved as profile default: Through Microsoft Graph", "Step 7 of 7", "Before you enforce SSO"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q\n%s", want, o)
		}
	}
	first := secretOf(t, f)
	if strings.Contains(o, first) {
		t.Fatal("the secret was printed")
	}
	p, _ := f.store.Load("default")
	f.deps.Current, f.deps.Start = p, StartRotate
	in = strings.Join([]string{"", "1", "2", "y"}, "\n") + "\n"
	out.Reset()
	if code := RunAccessible(context.Background(), f.deps, strings.NewReader(in), &out); code != ExitDone {
		t.Fatalf("rotate: exit %d\n%s", code, out.String())
	}
	o = out.String()
	for _, want := range []string{"Rotating the client secret through Microsoft Graph", "stays in Entra and here until you confirm",
		"removed the previous secret", "The rotation is finished"} {
		if !strings.Contains(o, want) {
			t.Errorf("rotate output lacks %q\n%s", want, o)
		}
	}
	second := secretOf(t, f)
	if strings.Contains(o, second) || second == first {
		t.Fatal("the new secret was printed, or not made")
	}
	_, app, _ := findApp(f, "Syncro SSO")
	if hasKey(app, p.Secret.KeyID) {
		t.Fatal("the old secret is still in Entra")
	}
}
