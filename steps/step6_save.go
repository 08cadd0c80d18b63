package steps

// Step 6 of the procedure, "Save & Verify SSO" done before Syncro sees the
// values: the live discovery and token checks, then the keyring and the
// profile.

import "entrasso/oidccheck"

// SaveStep is step 6.
func SaveStep() Step {
	return Step{
		Number: 6, Name: "Check & save", Title: "Check with Entra and save",
		Instructions: func(*Values, Env) string {
			return lines(
				"entrasso now asks Entra for the metadata document and its signing keys, and proves the secret at the token endpoint (a brand-new secret can take a minute to be accepted). Only then does the secret go into the OS keyring and the rest into the profile.")
		},
		Check: func(*Values, Env) []oidccheck.Check { return nil },
	}
}
