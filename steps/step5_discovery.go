package steps

// Step 5 of the procedure: the OpenID Connect metadata document, from the
// app's Overview > Endpoints, which goes into Syncro's "OpenID Connect
// Discovery (Discovery Document)".

import (
	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// DiscoveryStep is step 5.
func DiscoveryStep() Step {
	check, field := byField([]string{"discovery"}, map[string]func(*Values, Env) []oidccheck.Check{
		"discovery": func(v *Values, e Env) []oidccheck.Check {
			if v.Discovery == "" {
				return nil
			}
			_, r := oidccheck.ParseDiscovery(v.Discovery, e.AuthorityHost)
			return r.Checks
		},
	})
	return Step{
		Number: 5, Name: "Metadata URL", Title: "OpenID Connect metadata document",
		Instructions: func(_ *Values, e Env) string {
			return lines(
				"On the app's Overview (" + e.Key("ctrl+o", "its address is below") + ") click Endpoints and copy \"OpenID Connect metadata document\". Any URL of that panel, the tenant ID or the tenant's domain works too; entrasso finds the document from it.")
		},
		Fields: func(v *Values, e Env) []huh.Field {
			return []huh.Field{
				huh.NewInput().Key("discovery").Title("OpenID Connect metadata document").
					Placeholder("https://login.microsoftonline.com/<tenant>/v2.0/.well-known/openid-configuration").
					CharLimit(oidccheck.MaxInput).Value(&v.Discovery).
					Validate(func(s string) error { _, r := oidccheck.ParseDiscovery(s, e.AuthorityHost); return r.Err() }),
			}
		},
		Check: check, FieldCheck: field,
		Link: func(v *Values, e Env) (Link, bool) {
			id := oidccheck.CheckClientID(v.ClientID, "")
			if !id.OK() {
				return Link{}, false
			}
			return Link{"the app's Overview (then Endpoints)", AppURL(e.Portal(v), BladeOverview, id.Value)}, true
		},
	}
}
