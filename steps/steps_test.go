package steps

import (
	"strings"
	"testing"
	"time"
)

func TestStepsAreTheSevenDocumentedOnes(t *testing.T) {
	all := All()
	if len(all) != 7 {
		t.Fatalf("%d steps", len(all))
	}
	for i, s := range all {
		if s.Number != i+1 || s.Name == "" || s.Title == "" || s.Instructions == nil || s.Check == nil {
			t.Errorf("step %d incomplete: %+v", i+1, s.Name)
		}
	}
}

func TestExpiryDate(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct{ choice, custom, want string }{
		{"180d", "", "2027-05-25"}, {"90d", "", "2027-02-24"}, {"730d", "", "2028-11-25"},
		{"custom", "2027-03-01", "2027-03-01"},
	} {
		got, err := ExpiryDate(&Values{SecretExpiry: c.choice, SecretCustomDate: c.custom}, now)
		if err != nil || got != c.want {
			t.Errorf("%s %s: %q %v", c.choice, c.custom, got, err)
		}
	}
	if _, err := ExpiryDate(&Values{SecretExpiry: "custom", SecretCustomDate: "2031-01-01"}, now); err == nil {
		t.Error("a date past Entra's 24 months was accepted")
	}
}

func TestDeepLinksFollowTheClientIDAndTheCloud(t *testing.T) {
	v := &Values{ClientID: "{0DDBB6A1-9F3C-4C4E-8D5E-2B1F6C3A7E90}"}
	e := Env{AuthorityHost: "login.microsoftonline.com"}
	l, ok := SecretStep().Link(v, e)
	if !ok || l.URL != "https://entra.microsoft.com/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/Credentials/appId/0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90/isMSAApp~/false" {
		t.Fatalf("%+v", l)
	}
	v.Discovery = "https://login.microsoftonline.us/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0"
	if l, _ := DiscoveryStep().Link(v, e); !strings.HasPrefix(l.URL, "https://portal.azure.us/") || !strings.Contains(l.URL, "/Overview/appId/") {
		t.Fatalf("US Government cloud: %+v", l)
	}
	if _, ok := SecretStep().Link(&Values{ClientID: "nope"}, e); ok {
		t.Fatal("a link without a client ID")
	}
}

func TestChecklistFitsEightyColumns(t *testing.T) {
	for _, item := range Checklist("2027-05-25", Env{}) {
		if n := len([]rune("• " + item)); n > 78 {
			t.Errorf("%d columns: %s", n, item)
		}
	}
}

// TestPlainWordingNamesNoKey: in the plain prompts (--accessible) no key
// acts, so no instruction, checklist line or rotation step may name one.
func TestPlainWordingNamesNoKey(t *testing.T) {
	v := &Values{ClientID: "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90"}
	v.Defaults()
	for _, e := range []Env{{}, {Plain: true}} {
		var texts []string
		for _, s := range append(All(), RotateSecretStep(Current{}), RotateSyncroStep(true), RotateSyncroStep(false)) {
			texts = append(texts, s.Instructions(v, e))
		}
		texts = append(texts, Checklist("2027-05-25", e)...)
		all := strings.Join(texts, "\n")
		for _, k := range []string{"ctrl+", "key t", "key 2", "key 4", "keys 1-4"} {
			if got := strings.Contains(all, k); got == e.Plain {
				t.Errorf("plain %v: %q present %v", e.Plain, k, got)
			}
		}
	}
}

// TestFieldChecksStayWithTheirField: what is shown under one field is
// that field's alone.
func TestFieldChecksStayWithTheirField(t *testing.T) {
	v := &Values{RedirectURI: "  https://demo.syncromsp.com/cb  ", Secret: "abc~defghijklmnopqrstuvwxyz0123456789AB"}
	v.Defaults()
	if cs := RedirectStep().FieldCheck("logout_url", v, Env{}); len(cs) != 0 {
		t.Fatalf("the redirect URI's checks under Logout URL: %+v", cs)
	}
	if cs := RedirectStep().FieldCheck("redirect_uri", v, Env{}); len(cs) == 0 {
		t.Fatal("no check under the redirect URI")
	}
	if cs := SecretStep().FieldCheck("description", v, Env{}); len(cs) != 0 {
		t.Fatalf("the secret's checks under Description: %+v", cs)
	}
	if len(SecretStep().Check(v, Env{})) == 0 {
		t.Fatal("the step's own check lost the secret's")
	}
}

// TestRotateSyncroStepSaysWhatFlowKept: with no earlier secret kept, the
// step neither claims one is kept nor asks about dropping it.
func TestRotateSyncroStepSaysWhatFlowKept(t *testing.T) {
	v := &Values{}
	if s := RotateSyncroStep(false); strings.Contains(s.Instructions(v, Env{}), "old one is kept") || s.Fields != nil {
		t.Fatal("claims an old secret is kept, or asks to drop it")
	}
	if s := RotateSyncroStep(true); !strings.Contains(s.Instructions(v, Env{}), "old one is kept") || s.Fields == nil {
		t.Fatal("a kept secret is not said")
	}
}
