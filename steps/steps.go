// Package steps holds the documented steps of Syncro's Entra ID procedure:
// for each, its instructions in entrasso's own words, its huh fields bound
// to Values, its portal links and the values it copies, and the pure checks
// the wizard runs as the admin pastes. It does no I/O.
package steps

import (
	"strings"
	"time"

	"entrasso/oidccheck"

	"github.com/charmbracelet/huh"
)

// Values is what the admin enters across the steps. Secret lives only in
// memory, until it has been proven live and stored.
type Values struct {
	RedirectURI       string
	LogoutURL         string
	AppChoice         string
	ClientID          string
	SecretDescription string
	SecretExpiry      string
	SecretCustomDate  string
	Secret            string
	Discovery         string

	// Learned from the live checks.
	TenantID     string
	DiscoveryURL string
}

// App choices of step 2.
const (
	AppNew      = "new"
	AppExisting = "existing"
)

// Defaults fills what the portal itself suggests.
func (v *Values) Defaults() {
	if v.SecretDescription == "" {
		v.SecretDescription = "Syncro SSO"
	}
	if v.SecretExpiry == "" {
		v.SecretExpiry = "180d"
	}
	if v.AppChoice == "" {
		v.AppChoice = AppNew
	}
}

// Env is what a step may know of the world, decided before the wizard runs.
type Env struct {
	// AuthorityHost is --authority-host.
	AuthorityHost string
	// Now is the time the wizard started (for expiry dates).
	Now time.Time
	// Plain is set for the plain line prompts (--accessible), where no key
	// acts: instructions then name what is printed, not a key to press.
	Plain bool
}

// Key words an instruction for both front ends: keyed in the full-screen
// wizard, plain in the line prompts.
func (e Env) Key(keyed, plain string) string {
	if e.Plain {
		return plain
	}
	return keyed
}

// Portal is the admin portal of the cloud the values point at.
func (e Env) Portal(v *Values) string {
	host := e.AuthorityHost
	if d, r := oidccheck.ParseDiscovery(v.Discovery, e.AuthorityHost); v.Discovery != "" && r.OK() {
		host = d.Host
	}
	return PortalFor(host)
}

// PortalFor is the admin portal of the cloud whose login host is host.
func PortalFor(host string) string {
	p, _ := oidccheck.PrimaryHost(host)
	return oidccheck.CloudFor(p).Portal
}

// Link is a portal page a key opens.
type Link struct {
	Label string
	URL   string
}

// Copy is a value a key copies to the clipboard.
type Copy struct {
	Label  string
	Value  string
	Secret bool
}

// Step is one documented step.
type Step struct {
	// Number is the step's place in the procedure, 1 to 7.
	Number int
	// Name is the short name in the progress line.
	Name string
	// Title heads the screen.
	Title string
	// Instructions say what to do where, naming the portal's and Syncro's
	// own labels.
	Instructions func(v *Values, e Env) string
	// Fields are the step's huh fields bound to v; nil for none.
	Fields func(v *Values, e Env) []huh.Field
	// Check runs the pure checks of the step's values, for display under
	// the fields as the admin pastes.
	Check func(v *Values, e Env) []oidccheck.Check
	// FieldCheck is Check for one field, by its key: what is shown under
	// that field alone, so that one field's notes never stand under
	// another. Nil when the step has no field with checks.
	FieldCheck func(key string, v *Values, e Env) []oidccheck.Check
	// Link is the portal page for this step, if any.
	Link func(v *Values, e Env) (Link, bool)
	// Copies are the values this step hands to the other side.
	Copies func(v *Values, e Env) []Copy
}

// All returns the seven steps in the documented order.
func All() []Step {
	return []Step{RedirectStep(), RegisterStep(), ClientIDStep(), SecretStep(), DiscoveryStep(), SaveStep(), SyncroStep()}
}

// Names returns the short names, for the progress line.
func Names() []string {
	var n []string
	for _, s := range All() {
		n = append(n, s.Name)
	}
	return n
}

// validator adapts a pure check to huh: huh runs it on enter, tab and blur.
func validator(check func(string) oidccheck.Result) func(string) error {
	return func(s string) error { return check(s).Err() }
}

// Blades of an app registration that entrasso links to.
const (
	BladeOverview       = "Overview"
	BladeCredentials    = "Credentials"
	BladeAuthentication = "Authentication"
)

// AppURL is a deep link into one blade of an app registration
// (entra-facts.md section 8).
func AppURL(portal, blade, clientID string) string {
	return portal + "/#view/Microsoft_AAD_RegisteredApps/ApplicationMenuBlade/~/" + blade + "/appId/" + clientID + "/isMSAApp~/false"
}

func lines(s ...string) string { return strings.Join(s, "\n") }

// byField builds a step's Check and FieldCheck from one check per field
// key, in the order of keys.
func byField(keys []string, checks map[string]func(v *Values, e Env) []oidccheck.Check) (func(*Values, Env) []oidccheck.Check, func(string, *Values, Env) []oidccheck.Check) {
	field := func(key string, v *Values, e Env) []oidccheck.Check {
		if c := checks[key]; c != nil {
			return c(v, e)
		}
		return nil
	}
	all := func(v *Values, e Env) []oidccheck.Check {
		var out []oidccheck.Check
		for _, k := range keys {
			out = append(out, field(k, v, e)...)
		}
		return out
	}
	return all, field
}
