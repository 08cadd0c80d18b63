package wizard

import (
	"bytes"
	"context"
	"strings"
	"testing"
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
