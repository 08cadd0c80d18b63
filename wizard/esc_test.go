package wizard

import (
	"context"
	"testing"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
)

// The tests here press esc while each live check runs. Each check's work
// starts only when its command runs, so the harness can hold the command
// and press esc first (the check has started, its I/O not yet), or run it
// until the check waits (for a new secret to spread, or for the browser)
// and press esc then. Either way the work must see its context cancelled,
// its late result must be dropped, and the admin must be back where they
// were, with nothing saved that should not be.

// droppedResult is the one result the wizard dropped, of type T.
func droppedResult[T tea.Msg](t *testing.T, h *harness) T {
	t.Helper()
	var found []T
	for _, r := range h.dropped {
		if v, ok := r.(T); ok {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d dropped results of the stopped check, want 1 (dropped: %#v)", len(found), h.dropped)
	}
	return found[0]
}

func TestEscDuringDiscovery(t *testing.T) {
	f := newFixture(t)
	h := newHarness(t, f)
	toSecret(h, f).paste(f.demo.Secret.Value).key("enter")
	h.send(pasteMsg(f.demo.Tenant.ID))
	h.at(stepDiscovery).sees("Fetching the metadata document")
	if h.m.setup.live.cancel == nil {
		t.Fatal("a running check without a cancel")
	}
	h.key("esc")
	h.at(stepDiscovery).sees("Stopped the check").doesNotSee("Fetching the metadata document", "discovery document of tenant")
	if h.quit || h.m.setup.found != nil {
		t.Fatalf("quit %v, found %v", h.quit, h.m.setup.found)
	}
	// The fetch ran on a cancelled context, and its answer was not shown.
	if r := droppedResult[discoveredMsg](t, h); r.check.Status != oidccheck.StatusFail {
		t.Fatalf("the stopped fetch went on: %+v", r.check)
	}
	// The value is still there: enter checks it again and goes on.
	h.key("enter").at(stepSyncro)
}

func TestEscDuringSaveWhileEntraSpreadsTheSecret(t *testing.T) {
	f := newFixture(t)
	f.clock.stall = true
	f.srv.SetPropagationDelay(time.Minute)
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO", f.clock.Now().AddDate(0, 0, 180))
	h := newHarness(t, f)
	toSecret(h, f).paste(fresh.Value).key("enter")
	h.paste(f.demo.Tenant.ID)
	h.send(keyMsg("enter"))
	if !h.until(func() bool { return h.m.setup.live.wait != nil }) {
		t.Fatalf("no propagation wait shown\n%s", h.view())
	}
	h.at(stepSave).sees("Entra does not accept the new secret yet", "esc stops")
	h.key("esc")
	h.at(stepSave).sees("Stopped the check", "Press enter to check again")
	if _, cancelled := f.clock.count(); cancelled != 1 || h.quit {
		t.Fatalf("the wait was cancelled %d times; quit %v", cancelled, h.quit)
	}
	droppedResult[savedMsg](t, h)
	if _, err := f.store.Load("default"); err == nil {
		t.Fatal("a stopped save wrote the profile")
	}
	if stored(f, store.CurrentUser("default")) != "" {
		t.Fatal("a stopped save wrote the keyring")
	}
	if h.m.setup.problem != nil {
		t.Fatalf("the stopped save's result was shown: %+v", h.m.setup.problem)
	}
}

func TestEscDuringMenuVerify(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	neverVerified(t, f)
	h := newHarness(t, f)
	h.send(keyMsg("down")).drain()
	h.send(keyMsg("enter"))
	if !h.until(func() bool { return h.m.menu.live.running }) {
		t.Fatal("verify did not start")
	}
	h.sees("Checking with Entra")
	h.key("esc")
	h.at(menuList).sees("Stopped the check").doesNotSee("Checking with Entra")
	if h.quit || h.m.menu.verified != nil {
		t.Fatalf("quit %v; the stopped verify was shown", h.quit)
	}
	if r := droppedResult[verifiedMsg](t, h); !r.result.Failed() {
		t.Fatal("the stopped verify went on")
	}
	if p, _ := f.store.Load("default"); p.LastVerified != nil {
		t.Fatal("a stopped verify recorded a verification")
	}
	h.sees("Last verified: never")
}

func TestEscDuringMenuTestSignIn(t *testing.T) {
	f := newFixture(t)
	f.deps.NoBrowser = true // the URL is shown, and nobody opens it
	h := withProfile(t, f, f.demo.Secret.Value)
	h.send(keyMsg("down")).drain()
	h.send(keyMsg("down")).drain()
	h.send(keyMsg("enter"))
	if !h.until(func() bool { return h.m.state == stateSignIn && h.m.signIn.url != "" }) {
		t.Fatalf("the sign-in page was not shown\n%s", h.view())
	}
	h.sees("Waiting for the sign-in", "Open this address in a browser on this machine", h.m.signIn.url)
	h.key("esc")
	h.at(menuList).sees("Stopped the test sign-in.").doesNotSee("sign_in_timeout")
	if h.quit {
		t.Fatal("esc quit")
	}
	if r := droppedResult[signedInMsg](t, h); r.result.Identity != nil || len(r.result.Report.For(oidccheck.FieldLogin)) != 1 ||
		r.result.Report.For(oidccheck.FieldLogin)[0].Code != flow.CodeCancelled {
		t.Fatalf("the stopped sign-in went on: %+v", r.result.Report.Checks)
	}
	if p, _ := f.store.Load("default"); p.LastSignIn != nil {
		t.Fatal("a stopped sign-in was recorded")
	}
}

func TestEscDuringRotationProof(t *testing.T) {
	f := newFixture(t)
	h := withProfile(t, f, f.demo.Secret.Value)
	f.clock.stall = true
	f.srv.SetPropagationDelay(time.Minute)
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", f.clock.Now().AddDate(1, 0, 0))
	h.key("enter").key("enter").key("enter").paste(fresh.Value)
	h.send(keyMsg("enter"))
	if !h.until(func() bool { return h.m.rotation.live.wait != nil }) {
		t.Fatalf("no propagation wait shown\n%s", h.view())
	}
	h.at(rotateProving).sees("Entra does not accept the new secret yet")
	h.key("esc")
	h.at(rotateSecret).sees("Stopped the check")
	if _, cancelled := f.clock.count(); cancelled != 1 || h.quit {
		t.Fatalf("the wait was cancelled %d times; quit %v", cancelled, h.quit)
	}
	droppedResult[rotatedMsg](t, h)
	if stored(f, store.CurrentUser("default")) != f.demo.Secret.Value || stored(f, store.PreviousUser("default")) != "" {
		t.Fatal("a stopped rotation changed the keyring")
	}
	if p, _ := f.store.Load("default"); p.Previous != nil || p.Secret.Hint != f.demo.Secret.Hint {
		t.Fatalf("a stopped rotation changed the profile: %+v", p)
	}
	// The new secret is still entered: enter proves it again.
	if h.m.rotation.values.Secret != fresh.Value {
		t.Fatal("esc lost the pasted secret")
	}
}

// TestLiveComponent: the one component behind every check. A start always
// holds a cancel; a stop cancels the work's context; a result is taken
// once, only from the check that runs now and for its value.
func TestLiveComponent(t *testing.T) {
	l := newLive()
	saw := make(chan context.Context, 2)
	w := func(ctx context.Context, _ func(tea.Msg)) tea.Msg { saw <- ctx; return "result" }

	first := l.start("a", "checking a", w)
	if !l.running || l.cancel == nil {
		t.Fatal("a running check without a cancel")
	}
	second := l.start("b", "checking b", w)
	// The first check's work runs after it was replaced: its context is
	// already cancelled, and its result is not taken.
	d1 := run(t, first)
	if ctx := <-saw; ctx.Err() == nil {
		t.Fatal("a replaced check's context was not cancelled")
	}
	if _, ok := l.done(d1, "a"); ok {
		t.Fatal("a replaced check's result was taken")
	}
	d2 := run(t, second)
	<-saw
	if _, ok := l.done(d2, "changed"); ok {
		t.Fatal("a result for a value since changed was taken")
	}
	if r, ok := l.done(d2, "b"); !ok || r != "result" || l.running || l.cancel != nil {
		t.Fatalf("the running check's result: %v %v", r, ok)
	}
	if _, ok := l.done(d2, "b"); ok {
		t.Fatal("a result was taken twice")
	}
	if l.stop() {
		t.Fatal("stop of nothing reported a stop")
	}
}

// run runs a live check's command as the harness does and returns its
// result message.
func run(t *testing.T, cmd tea.Cmd) liveDoneMsg {
	t.Helper()
	for _, c := range cmd().(tea.BatchMsg) {
		if d, ok := c().(liveDoneMsg); ok {
			return d
		}
	}
	t.Fatal("no result")
	return liveDoneMsg{}
}
