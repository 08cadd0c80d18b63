package steps

// The rotation a year later, in the order that never loses the working
// secret (DESIGN.md "Rotation"): a new secret added beside the old one,
// proven live, stored, given to Syncro; only then the old one goes.

import (
	"fmt"

	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// Current describes the stored profile to the rotation steps.
type Current struct {
	ClientID    string
	Hint        string
	Description string
	Expires     string
	DaysLeft    int
	HasExpiry   bool
}

func (c Current) expiryText() string {
	switch {
	case !c.HasExpiry:
		return "its expiry was not recorded"
	case c.DaysLeft < 0:
		return fmt.Sprintf("it EXPIRED on %s, %d days ago: Syncro sign-in fails until it is replaced", c.Expires, -c.DaysLeft)
	case c.DaysLeft == 0:
		return "it expires TODAY (" + c.Expires + ")"
	}
	return fmt.Sprintf("it expires on %s, in %d days", c.Expires, c.DaysLeft)
}

// RotateSecretStep asks for the new secret, exactly as step 4 does.
func RotateSecretStep(cur Current) Step {
	base := SecretStep()
	return Step{
		Number: 1, Name: "New secret", Title: "Add a new client secret (keep the old one)",
		Instructions: func(v *Values, e Env) string {
			return lines(
				fmt.Sprintf("The stored secret %s… (%q): %s.", cur.Hint, cur.Description, cur.expiryText()),
				"Open the app's Certificates & secrets ("+e.Key("ctrl+o", "its address is below")+") and add a new client secret. Do not delete the old one yet: Syncro keeps using it until it has the new one. Copy the new Value at once.")
		},
		Fields:     base.Fields,
		Check:      base.Check,
		FieldCheck: base.FieldCheck,
		Link:       base.Link,
	}
}

// RotateSyncroStep hands the new secret to Syncro. kept says what flow
// reported: whether the old secret is kept as previous. Only then is there
// an old secret to drop, and a question about it.
func RotateSyncroStep(kept bool) Step {
	var fields func(v *Values, _ Env) []huh.Field
	if kept {
		fields = func(v *Values, _ Env) []huh.Field {
			return []huh.Field{huh.NewSelect[string]().Key("syncro").Title("Did Save & Verify SSO pass in Syncro with the new secret?").
				Options(huh.NewOption("Yes: drop the old secret", "yes"), huh.NewOption("Not yet", "no")).Value(&v.AppChoice)}
		}
	}
	return Step{
		Number: 2, Name: "Give Syncro the new secret", Title: "Give Syncro the new secret",
		Instructions: func(_ *Values, e Env) string {
			first := "Entra accepted the new secret and it is stored; the old one is kept until Syncro works with the new one."
			if !kept {
				first = "Entra accepted the new secret and it is stored. No earlier secret was left on this machine, so there is nothing to drop afterwards."
			}
			return lines(first,
				"In Syncro's Login Settings paste the new Client Secret"+e.Key(" (key 2 copies it)", "")+", set Client Secret Expiration Date"+e.Key(" (key 4)", "")+", and click Save & Verify SSO.")
		},
		Check:  func(*Values, Env) []oidccheck.Check { return nil },
		Fields: fields,
		Link:   SecretStep().Link,
		Copies: func(v *Values, e Env) []Copy {
			exp, _ := ExpiryDate(v, e.Now)
			return []Copy{
				{Label: "Client ID", Value: oidccheck.CheckClientID(v.ClientID, "").Value},
				{Label: "Client Secret", Secret: true},
				{Label: "OpenID Connect Discovery", Value: v.DiscoveryURL},
				{Label: "Client Secret Expiration Date", Value: exp},
			}
		},
	}
}
