package steps

// Step 2 of the procedure: register the app in Entra (App registrations >
// New registration), single tenant, platform Web, Syncro's redirect URI.

import (
	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// RegisterStep is step 2.
func RegisterStep() Step {
	return Step{
		Number: 2, Name: "Register app", Title: "Register the app in Entra",
		Instructions: func(v *Values, e Env) string {
			return lines(
				"In the Entra admin center ("+e.Key("ctrl+o opens it", "its address is below")+") open App registrations > + New registration:",
				"• Name: e.g. \"Syncro\"",
				"• Supported account types: \"Accounts in this organizational directory only\"",
				"• Redirect URI: platform \"Web\", then the redirect URI ("+e.Key("ctrl+y copies it", "repeated below")+")",
				"Click Register. This needs the Application Developer role or higher, unless your tenant lets every user register apps. Already have the app (another laptop, another admin, a manual setup)? Adopt it.")
		},
		Fields: func(v *Values, _ Env) []huh.Field {
			return []huh.Field{
				huh.NewSelect[string]().Key("app").Title("Where do you stand?").
					Options(huh.NewOption("I'll do it in the portal: registered, next its client ID", AppNew),
						huh.NewOption("Let entrasso register the app (sign in as an admin)", AppGraph),
						huh.NewOption("The app already exists: adopt it", AppExisting)).
					Value(&v.AppChoice),
			}
		},
		Check: func(*Values, Env) []oidccheck.Check { return nil },
		Link: func(v *Values, e Env) (Link, bool) {
			return Link{"New registration", e.Portal(v) + "/#view/Microsoft_AAD_RegisteredApps/CreateApplicationBlade/quickStartType~/null/isMSAApp~/false"}, true
		},
		Copies: func(v *Values, _ Env) []Copy {
			return []Copy{{Label: "Redirect URI", Value: oidccheck.CheckRedirectURI(v.RedirectURI).Value}}
		},
	}
}
