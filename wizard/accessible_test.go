package wizard

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"entrasso/store"
)

func TestAccessibleRunsTheSameStepsAndChecks(t *testing.T) {
	f := newFixture(t)
	in := strings.Join([]string{
		redirect, "", // redirect URI, no logout URL
		"1",                 // I registered the app
		f.demo.App.ObjectID, // the wrong ID: a GUID, so only Entra catches it
		"", "1",             // description (default), expiry: 180 days
		f.demo.Secret.KeyID, // the Secret ID: refused at once
		f.demo.Secret.Value, // then the Value
		"https://" + f.srv.Host + "/" + f.demo.Tenant.ID + "/v2.0/.well-known/openid-configuration",
		f.demo.App.ClientID, // step 3 again after Entra's app_not_found
		"", "1", f.demo.Secret.Value,
		f.demo.Tenant.ID,
	}, "\n") + "\n"
	var out bytes.Buffer
	code := RunAccessible(context.Background(), f.deps, strings.NewReader(in), &out)
	o := out.String()
	if code != ExitDone {
		t.Fatalf("exit %d\n%s", code, o)
	}
	for _, want := range []string{"Step 1 of 7", "Step 7 of 7", "secret's Value", "app_not_found", "Back to step 3",
		"Saved as profile default", "Before you enforce SSO"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q\n%s", want, o)
		}
	}
	if strings.Contains(o, f.demo.Secret.Value) {
		t.Error("the secret was printed")
	}
	if p, err := f.store.Load("default"); err != nil || p.ClientID != f.demo.App.ClientID {
		t.Fatalf("profile %+v %v", p, err)
	}
}

func TestAccessibleEndOfInputKeepsProgress(t *testing.T) {
	f := newFixture(t)
	var out bytes.Buffer
	code := RunAccessible(context.Background(), f.deps, strings.NewReader(redirect+"\n\n1\n"), &out)
	if code != ExitInterrupted {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	if p, ok := f.store.LoadProgress("default"); !ok || p.Step != 3 || p.RedirectURI != redirect {
		t.Fatalf("progress %+v", p)
	}
}

// TestAccessibleRotateGoesStraightToTheRotation is `entrasso rotate
// --accessible`: the rotation's prompts alone, never the setup's, and no
// setup progress written.
func TestAccessibleRotateGoesStraightToTheRotation(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	f.deps.Start = StartRotate
	f.srv.SetPropagationDelay(10 * time.Second)
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO 2027", f.clock.Now().AddDate(1, 0, 0))
	in := strings.Join([]string{
		"", "1", // description (default), expiry: 180 days
		f.demo.Secret.KeyID, // the Secret ID: refused at once
		fresh.Value,         // the new Value, which Entra takes a while to accept
		"1",                 // yes: Save & Verify SSO passed in Syncro
	}, "\n") + "\n"
	var out bytes.Buffer
	code := RunAccessible(context.Background(), f.deps, strings.NewReader(in), &out)
	o := out.String()
	if code != ExitDone {
		t.Fatalf("exit %d\n%s", code, o)
	}
	for _, want := range []string{"Rotating the client secret, 1 of 2", "Entra does not accept the new secret yet",
		"kept as previous", "Rotating the client secret, 2 of 2", "delete the old secret in Entra", f.demo.Secret.Hint + "…"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q\n%s", want, o)
		}
	}
	if strings.Contains(o, "Step 1 of 7") || strings.Contains(o, "What now?") {
		t.Fatalf("the rotation showed the setup or the menu:\n%s", o)
	}
	if strings.Contains(o, fresh.Value) || strings.Contains(o, f.demo.Secret.Value) {
		t.Fatal("a secret was printed")
	}
	if _, err := os.Stat(f.store.ProgressPath("default")); err == nil {
		t.Fatal("the rotation wrote setup progress")
	}
	if stored(f, store.CurrentUser("default")) != fresh.Value || stored(f, store.PreviousUser("default")) != "" {
		t.Fatal("the new secret is not current, or the old one was not dropped after the yes")
	}
}

// TestAccessibleMenuVerifyAndSignIn: with a saved profile the plain prompts
// open the menu; verify reports flow.Verify's checks, and the test
// sign-in prints the sign-in page's URL alone on its line, where the admin
// (here the test's browser, reading the output) opens it.
func TestAccessibleMenuVerifyAndSignIn(t *testing.T) {
	f := newFixture(t)
	saveProfile(t, f, f.demo.Secret.Value)
	neverVerified(t, f)
	f.deps.NoBrowser = true
	out := &readingBrowser{browser: f.browser()}
	code := RunAccessible(context.Background(), f.deps, strings.NewReader("2\n3\n6\n"), out)
	o := out.String()
	if code != ExitDone {
		t.Fatalf("exit %d\n%s", code, o)
	}
	for _, want := range []string{"What now?", "a redirect URI Entra accepts", "Entra accepted the secret and issued a token",
		"Open this URL in a browser on this machine", "signed in as Adele Vance", "The sign-in works"} {
		if !strings.Contains(o, want) {
			t.Errorf("output lacks %q\n%s", want, o)
		}
	}
	if out.visited() != 1 {
		t.Fatalf("the sign-in page's URL was on %d lines of its own, want 1:\n%s", out.visited(), o)
	}
	if strings.Contains(o, "Step 1 of 7") {
		t.Fatal("the menu showed the setup")
	}
	if p, _ := f.store.Load("default"); p.LastVerified == nil || p.LastSignIn == nil {
		t.Fatalf("verify or the sign-in was not recorded: %+v", p)
	}
}

// readingBrowser is the plain prompts' output as the admin reads it: a line
// that is a URL alone is opened in the browser, as the admin would.
type readingBrowser struct {
	mu      sync.Mutex
	all     bytes.Buffer
	line    []byte
	opened  int
	browser *http.Client
}

func (r *readingBrowser) Write(p []byte) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.all.Write(p)
	for _, b := range p {
		if b != '\n' {
			r.line = append(r.line, b)
			continue
		}
		if l := string(r.line); strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
			r.opened++
			go visit(r.browser, l)
		}
		r.line = r.line[:0]
	}
	return len(p), nil
}

func (r *readingBrowser) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.all.String()
}

func (r *readingBrowser) visited() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.opened
}

// TestAccessibleNamesNoKeysAndSaysEachRetry: the plain prompts run the
// setup with a secret Entra accepts only after a while: no line names a
// key (no key acts there), and each retry of the propagation wait is a
// line of its own.
func TestAccessibleNamesNoKeysAndSaysEachRetry(t *testing.T) {
	f := newFixture(t)
	f.srv.SetPropagationDelay(4 * time.Second)
	fresh := f.srv.AddSecret(f.demo.App, "Syncro SSO", f.clock.Now().AddDate(0, 6, 0))
	in := strings.Join([]string{redirect, "", "1", f.demo.App.ClientID, "", "1", fresh.Value, f.demo.Tenant.ID, "n"}, "\n") + "\n"
	var out bytes.Buffer
	if code := RunAccessible(context.Background(), f.deps, strings.NewReader(in), &out); code != ExitDone {
		t.Fatalf("exit %d\n%s", code, out.String())
	}
	o := out.String()
	for _, k := range []string{"ctrl+", "key t", "key 2", "keys 1-4", "(key "} {
		if strings.Contains(o, k) {
			t.Errorf("the plain prompts name a key (%q):\n%s", k, o)
		}
	}
	if n := strings.Count(o, "Entra does not accept the new secret yet"); n < 2 {
		t.Fatalf("%d lines for the retries:\n%s", n, o)
	}
	if !strings.Contains(o, "Saved as profile default") {
		t.Fatalf("not saved:\n%s", o)
	}
}
