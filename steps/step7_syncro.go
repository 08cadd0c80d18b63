package steps

// Step 7 of the procedure: enter the values in Syncro, Save & Verify SSO,
// Enable SSO, Save; and what to do before enforcing SSO account-wide.

import (
	"entrasso/oidccheck"
)

// SyncroStep is step 7.
func SyncroStep() Step {
	return Step{
		Number: 7, Name: "Enter in Syncro", Title: "Enter the values in Syncro",
		Instructions: func(_ *Values, e Env) string {
			return lines(
				"In Syncro's Login Settings, \"Single Sign On with OpenID Connect\", paste each value (" + e.Key("keys 1-4 copy them", "listed below") + "), then click Save & Verify SSO, Enable SSO and Save.")
		},
		Check: func(*Values, Env) []oidccheck.Check { return nil },
		Copies: func(v *Values, e Env) []Copy {
			expires, _ := ExpiryDate(v, e.Now)
			return []Copy{
				{Label: "Client ID", Value: oidccheck.CheckClientID(v.ClientID, "").Value},
				{Label: "Client Secret", Value: oidccheck.CheckSecret(v.Secret).Value, Secret: true},
				{Label: "OpenID Connect Discovery", Value: v.DiscoveryURL},
				{Label: "Client Secret Expiration Date", Value: expires},
			}
		},
		Link: func(v *Values, e Env) (Link, bool) {
			id := oidccheck.CheckClientID(v.ClientID, "")
			if !id.OK() {
				return Link{}, false
			}
			return Link{"the app's Authentication (for the test sign-in URI)", AppURL(e.Portal(v), BladeAuthentication, id.Value)}, true
		},
	}
}

// Checklist is what to do before SSO is enforced for every user of the
// Syncro account. Each line fits an 80-column screen.
func Checklist(expires string, e Env) []string {
	return []string{
		"Test a real sign-in (" + e.Key("key t, or ", "") + "entrasso test-login)",
		"Each technician's Syncro email must equal their Entra email",
		"Keep a second Syncro session signed in while you switch",
		"After Enable SSO, sign in to Syncro in a private window",
		"Syncro's \"Client Secret Expiration Date\": " + orDash(expires) + " (it reminds you)",
		"In cron: entrasso status --warn-days 30 · Syncro's own MFA stays on",
	}
}

func orDash(s string) string {
	if s == "" {
		return "the expiry date"
	}
	return s
}
