package steps

// Step 4 of the procedure: a new client secret under Certificates &
// secrets: its description, its expiry (the portal's choices), then its
// Value, which goes into Syncro's "Client Secret".

import (
	"fmt"
	"time"

	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// ExpiryOptions are the portal's "Expires" choices (entra-facts.md 2).
func ExpiryOptions() []huh.Option[string] {
	return []huh.Option[string]{
		huh.NewOption("Recommended: 180 days (6 months)", "180d"),
		huh.NewOption("90 days (3 months)", "90d"),
		huh.NewOption("365 days (12 months)", "365d"),
		huh.NewOption("545 days (18 months)", "545d"),
		huh.NewOption("730 days (24 months)", "730d"),
		huh.NewOption("Custom end date", "custom"),
	}
}

// ExpiryDate is the date the chosen expiry ends on, YYYY-MM-DD.
func ExpiryDate(v *Values, now time.Time) (string, error) {
	choice := v.SecretExpiry
	if choice == "custom" {
		choice = v.SecretCustomDate
	}
	t, err := oidccheck.ParseExpiry(choice, now)
	if err != nil {
		return "", err
	}
	return t.Format("2006-01-02"), nil
}

// SecretStep is step 4.
func SecretStep() Step {
	check, field := byField([]string{"custom_date", "secret"}, map[string]func(*Values, Env) []oidccheck.Check{
		"custom_date": func(v *Values, e Env) []oidccheck.Check {
			if v.SecretExpiry != "custom" || v.SecretCustomDate == "" {
				return nil
			}
			if _, err := ExpiryDate(v, e.Now); err != nil {
				return []oidccheck.Check{{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail,
					Message: "expiry: " + trimPkg(err.Error()), Fix: "enter the end date you chose in Entra"}}
			}
			return nil
		},
		"secret": func(v *Values, _ Env) []oidccheck.Check {
			if v.Secret == "" {
				return nil
			}
			var out []oidccheck.Check
			r := oidccheck.CheckSecret(v.Secret)
			for _, c := range r.Checks {
				if c.Status == oidccheck.StatusPass {
					c.Message += fmt.Sprintf(" (%s…, %d characters)", oidccheck.SecretHint(r.Value), len(r.Value))
				}
				out = append(out, c)
			}
			return out
		},
	})
	return Step{
		Number: 4, Name: "Client secret", Title: "A new client secret",
		Instructions: func(_ *Values, e Env) string {
			return lines(
				"Open the app's Certificates & secrets (" + e.Key("ctrl+o", "its address is below") + ") and click + New client secret. Enter the same description and expiry as here, click Add, then copy the Value column at once: the portal shows it only while you stay on the page. The Secret ID column is not the secret. The value is never shown here.")
		},
		Fields: func(v *Values, e Env) []huh.Field {
			return []huh.Field{
				huh.NewInput().Key("description").Title("Description (as entered in Entra)").CharLimit(256).Value(&v.SecretDescription),
				huh.NewSelect[string]().Key("expiry").Title("Expires (as chosen in Entra)").Options(ExpiryOptions()...).Value(&v.SecretExpiry),
				huh.NewInput().Key("custom_date").Title("Custom end date (YYYY-MM-DD; only for \"Custom\")").CharLimit(10).
					Value(&v.SecretCustomDate).Validate(func(string) error {
					if v.SecretExpiry != "custom" {
						return nil
					}
					_, err := ExpiryDate(v, e.Now)
					if err != nil {
						return fmt.Errorf("%s", trimPkg(err.Error()))
					}
					return nil
				}),
				huh.NewInput().Key("secret").Title("Value (the secret)").EchoMode(huh.EchoModePassword).
					CharLimit(oidccheck.MaxInput).Value(&v.Secret).Validate(validator(oidccheck.CheckSecret)),
			}
		},
		Check: check, FieldCheck: field,
		Link: func(v *Values, e Env) (Link, bool) {
			id := oidccheck.CheckClientID(v.ClientID, "")
			if !id.OK() {
				return Link{}, false
			}
			return Link{"Certificates & secrets", AppURL(e.Portal(v), BladeCredentials, id.Value)}, true
		},
	}
}

func trimPkg(s string) string {
	for _, p := range []string{"oidccheck: "} {
		if len(s) > len(p) && s[:len(p)] == p {
			return s[len(p):]
		}
	}
	return s
}
