package steps

// Step 1 of the procedure: Syncro's redirect URI, from Admin > Syncro
// Administration > Login Settings, "Single Sign On with OpenID Connect".

import (
	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// RedirectStep is step 1.
func RedirectStep() Step {
	check, field := byField([]string{"redirect_uri", "logout_url"}, map[string]func(*Values, Env) []oidccheck.Check{
		"redirect_uri": func(v *Values, _ Env) []oidccheck.Check {
			if v.RedirectURI == "" {
				return nil
			}
			return oidccheck.CheckRedirectURI(v.RedirectURI).Checks
		},
		"logout_url": func(v *Values, _ Env) []oidccheck.Check {
			if v.LogoutURL == "" {
				return nil
			}
			r := oidccheck.CheckRedirectURI(v.LogoutURL)
			for i := range r.Checks {
				r.Checks[i].Message = "Logout URL: " + r.Checks[i].Message
			}
			return r.Checks
		},
	})
	return Step{
		Number: 1, Name: "Redirect URI", Title: "Syncro's redirect URI",
		Instructions: func(*Values, Env) string {
			return lines(
				"In Syncro open Admin > Syncro Administration > Login Settings and find \"Single Sign On with OpenID Connect\". Copy its Redirect URI and paste it here. These URLs travel from Syncro to Entra, never the other way round.",
				"The Logout URL Syncro may show is optional; it goes to Entra's \"Front-channel logout URL\" under Authentication.")
		},
		Fields: func(v *Values, _ Env) []huh.Field {
			return []huh.Field{
				huh.NewInput().Key("redirect_uri").Title("Redirect URI (from Syncro)").
					Placeholder("https://yourcompany.syncromsp.com/...").CharLimit(oidccheck.MaxInput).
					Value(&v.RedirectURI).Validate(validator(oidccheck.CheckRedirectURI)),
				huh.NewInput().Key("logout_url").Title("Logout URL (optional)").CharLimit(oidccheck.MaxInput).
					Value(&v.LogoutURL).Validate(func(s string) error {
					if s == "" {
						return nil
					}
					return oidccheck.CheckRedirectURI(s).Err()
				}),
			}
		},
		Check: check, FieldCheck: field,
	}
}
