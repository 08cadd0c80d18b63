package wizard

import (
	"testing"
)

// TestMistakesEndAtTheFieldToFix makes each documented mistake and checks
// that the wizard ends at the field to fix with the right problem code,
// having saved nothing.
func TestMistakesEndAtTheFieldToFix(t *testing.T) {
	f0 := newFixture(t)
	cases := []struct {
		name    string
		mistake func(f *fixture) (clientID, secret, discovery string)
		at      step
		code    string
	}{
		{"secret id pasted", func(f *fixture) (string, string, string) { return f.demo.App.ClientID, f.demo.Secret.KeyID, "" },
			stepSecret, "secret_id_not_value"},
		{"masked value", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Secret.Hint + "*******************************", ""
		}, stepSecret, "masked_value"},
		{"common endpoint", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Secret.Value, "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
		}, stepDiscovery, "multi_tenant_endpoint"},
		{"unknown tenant", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Secret.Value, "11111111-2222-4333-8444-555555555555"
		}, stepDiscovery, "tenant_not_found"},
		{"expired secret", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Expired.Value, f.demo.Tenant.ID
		}, stepSecret, "expired_secret"},
		{"wrong client id", func(f *fixture) (string, string, string) {
			return f.demo.App.ObjectID, f.demo.Secret.Value, f.demo.Tenant.ID
		}, stepClientID, "app_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := f0.withStore(t)
			clientID, secret, discovery := c.mistake(f)
			h := newHarness(t, f)
			h.paste(redirect).key("enter").key("enter").key("enter")
			h.paste(clientID).key("enter").key("enter").key("enter")
			h.paste(secret)
			if discovery != "" {
				h.key("enter").at(stepDiscovery)
				h.paste(discovery)
				if c.at != stepDiscovery {
					h.sees("discovery document of tenant").key("enter")
				}
			}
			h.at(c.at).sees(c.code)
			if c.at != stepDiscovery && discovery != "" {
				h.sees("Entra said:")
			}
			h.doesNotSee(f.demo.Secret.Value)
			if _, err := f.store.Load("default"); err == nil {
				t.Fatal("a profile was saved despite the mistake")
			}
		})
	}
}
