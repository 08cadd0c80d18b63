package steps

// Step 2's other way (DESIGN.md "Letting entrasso do Entra's side:
// Microsoft Graph"): the admin signs in and entrasso registers the app,
// its service principal and a new client secret itself, then proves the
// secret live and stores it, as steps 3 to 6 would with pasted values. The
// same fields serve the rotation by Graph.

import (
	"strings"

	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// AppGraph is step 2's choice to let entrasso register the app through
// Microsoft Graph.
const AppGraph = "graph"

// Sign-in methods of the admin's Graph sign-in.
const (
	SignInBrowser = "browser"
	SignInDevice  = "device"
)

// SignInOptions are the two ways the admin signs in to Microsoft Graph.
func SignInOptions() []huh.Option[string] {
	return []huh.Option[string]{
		huh.NewOption("In a browser on this machine (a short localhost address)", SignInBrowser),
		huh.NewOption("With a code, on any device (device code)", SignInDevice),
	}
}

// CheckTenant is the pure check of the tenant the admin signs in to: a
// tenant ID, a domain, or any metadata document URL that names one.
func CheckTenant(raw, authorityHost string) error {
	fail := func(code oidccheck.Code, msg string) error {
		return oidccheck.Check{Field: oidccheck.FieldDiscoveryURL, Status: oidccheck.StatusFail, Code: code, Message: msg,
			Fix: "enter your tenant's domain (contoso.onmicrosoft.com) or its Directory (tenant) ID"}.Err()
	}
	if strings.TrimSpace(raw) == "" {
		return fail(oidccheck.CodeEmpty, "the tenant is empty")
	}
	d, r := oidccheck.ParseDiscovery(raw, authorityHost)
	if err := r.Err(); err != nil {
		return err
	}
	switch strings.ToLower(d.Tenant) {
	case "", "common", "organizations", "consumers":
		return fail(oidccheck.CodeUnparseable, "that names no tenant of your own")
	}
	return nil
}

// GraphRegisterStep is step 2 done by entrasso: the tenant, the new
// secret's description and expiry, and how the admin signs in (method is
// bound to the sign-in choice).
func GraphRegisterStep(method *string) Step {
	return Step{
		Number: 2, Name: "Register app", Title: "Let entrasso register the app",
		Instructions: func(v *Values, e Env) string {
			return lines(
				"entrasso signs you in to Microsoft Graph as an admin of your tenant (Application Developer is enough for an app you own, Cloud Application Administrator for any), then:",
				"• finds the app \"Syncro SSO\" and adopts it, or registers it: single tenant, platform Web, Syncro's redirect URI"+logoutNote(v),
				"• creates its service principal and reads the tenant's secret lifetime policy",
				"• adds a client secret, proves it live at Entra's token endpoint and keeps it in the keyring: its Value is never shown",
				"Nothing from the sign-in is written anywhere.")
		},
		Fields: func(v *Values, e Env) []huh.Field {
			return []huh.Field{
				huh.NewInput().Key("tenant").Title("Your tenant: its domain (contoso.onmicrosoft.com) or its ID").CharLimit(2048).
					Validate(func(s string) error { return CheckTenant(s, e.AuthorityHost) }).Value(&v.Discovery),
				huh.NewInput().Key("description").Title("Description of the new client secret").CharLimit(256).Value(&v.SecretDescription),
				huh.NewSelect[string]().Key("expiry").Title("The new secret expires").Options(ExpiryOptions()...).Value(&v.SecretExpiry),
				customDateField(v, e),
				huh.NewSelect[string]().Key("signin").Title("Sign in to Microsoft Graph").Options(SignInOptions()...).Value(method),
			}
		},
		Check: func(v *Values, e Env) []oidccheck.Check {
			if err := CheckTenant(v.Discovery, e.AuthorityHost); err != nil {
				return []oidccheck.Check{{Field: oidccheck.FieldDiscoveryURL, Status: oidccheck.StatusFail, Message: err.Error()}}
			}
			if _, err := ExpiryDate(v, e.Now); err != nil {
				return []oidccheck.Check{{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail, Message: err.Error()}}
			}
			return nil
		},
		Copies: func(v *Values, _ Env) []Copy {
			return []Copy{{Label: "Redirect URI", Value: oidccheck.CheckRedirectURI(v.RedirectURI).Value}}
		},
	}
}

// GraphRotateStep is a rotation by Graph: the new secret's description
// and expiry, and how the admin signs in.
func GraphRotateStep(cur Current, method *string) Step {
	s := RotateSecretStep(cur)
	return Step{
		Number: 1, Name: "New secret", Title: "A new client secret, through Microsoft Graph",
		Instructions: func(v *Values, e Env) string {
			return lines(
				"This profile's app is known to entrasso by its object ID, so entrasso makes the new secret itself through Microsoft Graph, after you sign in as an admin. In order:",
				"• adds the new secret in Entra and proves it live (the old one keeps working)",
				"• stores it as the current secret, the old one kept as previous",
				"• you paste it into Syncro (key 2 copies it) and confirm",
				"• only then entrasso removes the old secret in Entra and here",
				"Its Value is never shown.")
		},
		Fields: func(v *Values, e Env) []huh.Field {
			return []huh.Field{
				huh.NewInput().Key("description").Title("Description of the new client secret").CharLimit(256).Value(&v.SecretDescription),
				huh.NewSelect[string]().Key("expiry").Title("The new secret expires").Options(ExpiryOptions()...).Value(&v.SecretExpiry),
				customDateField(v, e),
				huh.NewSelect[string]().Key("signin").Title("Sign in to Microsoft Graph").Options(SignInOptions()...).Value(method),
			}
		},
		Check: func(v *Values, e Env) []oidccheck.Check {
			if _, err := ExpiryDate(v, e.Now); err != nil {
				return []oidccheck.Check{{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail, Message: err.Error()}}
			}
			return nil
		},
		Link: s.Link,
	}
}

// customDateField is step 4's custom end date field, shown only for
// "Custom".
func customDateField(v *Values, e Env) huh.Field {
	for _, f := range SecretStep().Fields(v, e) {
		if f.GetKey() == "custom_date" {
			return f
		}
	}
	return huh.NewInput().Key("custom_date").Title("Custom end date (YYYY-MM-DD)").CharLimit(10).Value(&v.SecretCustomDate)
}

func logoutNote(v *Values) string {
	if v.LogoutURL == "" {
		return ""
	}
	return " and the Logout URL as front-channel logout"
}
