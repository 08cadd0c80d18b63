package steps

// Step 3 of the procedure: the Application (client) ID from the app's
// Overview page, which goes into Syncro's "Client ID".

import (
	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// ClientIDStep is step 3.
func ClientIDStep() Step {
	check, field := byField([]string{"client_id"}, map[string]func(*Values, Env) []oidccheck.Check{
		"client_id": func(v *Values, _ Env) []oidccheck.Check {
			if v.ClientID == "" {
				return nil
			}
			return oidccheck.CheckClientID(v.ClientID, v.TenantID).Checks
		},
	})
	return Step{
		Number: 3, Name: "Client ID", Title: "Application (client) ID",
		Instructions: func(*Values, Env) string {
			return lines(
				"On the app's Overview page copy \"Application (client) ID\" and paste it here: not the \"Object ID\" and not the \"Directory (tenant) ID\" beside it.")
		},
		Fields: func(v *Values, _ Env) []huh.Field {
			return []huh.Field{
				huh.NewInput().Key("client_id").Title("Application (client) ID").
					Placeholder("00000000-0000-0000-0000-000000000000").CharLimit(oidccheck.MaxInput).
					Value(&v.ClientID).Validate(func(s string) error { return oidccheck.CheckClientID(s, v.TenantID).Err() }),
			}
		},
		Check: check, FieldCheck: field,
		Link: func(v *Values, e Env) (Link, bool) {
			return Link{"App registrations", e.Portal(v) + "/#view/Microsoft_AAD_RegisteredApps/ApplicationsListBlade/quickStartType~/null/sourceType/Microsoft_AAD_IAM"}, true
		},
	}
}
