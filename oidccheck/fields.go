package oidccheck

import (
	"entrasso/internal/lazyre"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Result is what the offline check of one pasted value found: the cleaned,
// normalized value and one check (pass, warn or fail), or more when a value
// passes with warnings.
type Result struct {
	Field   Field
	Value   string
	Cleaned Cleaned
	Checks  []Check
}

// OK reports whether no check of the result failed.
func (r Result) OK() bool {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return false
		}
	}
	return true
}

// Err returns the first failure as a *ProblemError, or nil. It makes a
// result usable as a huh validator's answer.
func (r Result) Err() error {
	for _, c := range r.Checks {
		if err := c.Err(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Result) add(s Status, code Code, msg, fix string) {
	r.Checks = append(r.Checks, Check{Field: r.Field, Status: s, Code: code, Message: msg, Fix: fix, Cleaned: r.Cleaned.Said()})
}

var guidRe = lazyre.New(`^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$`)

// ParseGUID accepts a GUID in any letter case, with or without braces, and
// returns it in lowercase, the form Entra prints.
func ParseGUID(s string) (string, bool) {
	m := guidRe().FindStringSubmatch(s)
	if m == nil || (strings.HasPrefix(s, "{") != strings.HasSuffix(s, "}")) {
		return "", false
	}
	return strings.ToLower(m[1]), true
}

// MaxRedirectURILength is Entra's limit on a redirect URI (entra-facts.md 3).
const MaxRedirectURILength = 256

// CheckRedirectURI checks Syncro's redirect URI against the rules that the
// Entra portal applies to a Web redirect URI (entra-facts.md section 3).
func CheckRedirectURI(raw string) Result {
	r := Result{Field: FieldRedirectURI, Cleaned: Clean(raw, FieldRedirectURI)}
	v := r.Cleaned.Value
	r.Value = v
	const whereFrom = "copy it again from Syncro: Admin > Syncro Administration > Login Settings, \"Single Sign On with OpenID Connect\""
	switch {
	case v == "":
		r.add(StatusFail, CodeInvalidURL, "the redirect URI is empty", whereFrom)
		return r
	case len(v) > MaxRedirectURILength:
		r.add(StatusFail, CodeTooLong, fmt.Sprintf("the redirect URI is %d characters long; Entra accepts at most %d", len(v), MaxRedirectURILength), whereFrom)
		return r
	case strings.ContainsAny(v, " \t"):
		r.add(StatusFail, CodeInvalidURL, "the redirect URI contains a space", whereFrom)
		return r
	}
	u, err := url.Parse(v)
	if err != nil || u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		r.add(StatusFail, CodeInvalidURL, "this is not a URL (it should start with https://)", whereFrom)
		return r
	}
	scheme := strings.ToLower(u.Scheme)
	host := strings.ToLower(u.Hostname())
	switch {
	case strings.HasPrefix(host, "[") || strings.Contains(host, ":"):
		r.add(StatusFail, CodeInvalidURL, "Entra does not accept IPv6 addresses such as [::1] in a redirect URI", "use https:// with a host name, or http://localhost")
		return r
	case scheme == "https":
	case scheme == "http" && host == "localhost":
	case scheme == "http" && net.ParseIP(host) != nil && net.ParseIP(host).IsLoopback():
		r.add(StatusFail, CodeNotHTTPS, "the portal's redirect box takes http only for localhost, not for "+host, "use http://localhost instead")
		return r
	default:
		r.add(StatusFail, CodeNotHTTPS, "Entra needs a redirect URI that starts with https:// (http:// only for localhost)", whereFrom)
		return r
	}
	switch {
	case strings.Contains(v, "#"):
		r.add(StatusFail, CodeHasFragment, "the redirect URI contains a fragment (#...), which Entra does not accept", "remove everything from # on; "+whereFrom)
		return r
	case strings.Contains(v, "*"):
		r.add(StatusFail, CodeHasWildcard, "the redirect URI contains a wildcard (*), which the portal does not accept", whereFrom)
		return r
	}
	if i := strings.IndexAny(v, "!$'(),;"); i >= 0 {
		r.add(StatusFail, CodeBadCharacter, fmt.Sprintf("the redirect URI contains %q, one of the characters ! $ ' ( ) , ; that Entra does not accept", v[i]), whereFrom)
		return r
	}
	// Entra stores a URI without a path with a trailing slash; normalizing
	// the same way keeps the two comparable (entra-facts.md section 3).
	if u.Path == "" && u.RawQuery == "" {
		v += "/"
		r.Cleaned.note("a / added after the host (Entra stores a URI without a path with one)")
	}
	r.Value = v
	r.add(StatusPass, "", "a redirect URI Entra accepts for the Web platform", "")
	return r
}

// CheckClientID checks an Application (client) ID. tenantID, when known,
// catches the Directory (tenant) ID pasted in its place.
func CheckClientID(raw, tenantID string) Result {
	r := Result{Field: FieldClientID, Cleaned: Clean(raw, FieldClientID)}
	v := r.Cleaned.Value
	r.Value = v
	const fix = "copy \"Application (client) ID\" from the app's Overview page in Entra"
	id, ok := r.Cleaned.guid(v)
	if !ok {
		r.add(StatusFail, CodeNotGUID, describeNotGUID(v, "the Application (client) ID"), fix)
		return r
	}
	r.Value = id
	if tenantID != "" && id == strings.ToLower(tenantID) {
		r.add(StatusFail, CodeIsTenantID, "this is the Directory (tenant) ID, not the Application (client) ID", fix+" (the line above the tenant ID)")
		return r
	}
	r.add(StatusPass, "", "shaped like an Application (client) ID", "")
	return r
}

func describeNotGUID(v, what string) string {
	switch {
	case v == "":
		return what + " is empty"
	case strings.Contains(v, "://"):
		return "this is a URL; " + what + " is a GUID such as 00000000-0000-0000-0000-000000000000"
	case strings.Contains(v, "@"):
		return "this is an email address; " + what + " is a GUID"
	case strings.Contains(v, "Q~"):
		return "this looks like a client secret; " + what + " is a GUID"
	}
	return what + " must be a GUID (8-4-4-4-12 hexadecimal digits)"
}

// Shapes of a client secret's Value (entra-facts.md section 1). The current
// and previous formats come from Microsoft's credential scanner rule
// SEC101/156; the community pattern covers the variants seen since.
var (
	secretCurrent   = lazyre.New(`^[A-Za-z0-9_~.-]{3}8Q~[A-Za-z0-9_~.-]{34}$`)
	secretPrevious  = lazyre.New(`^[A-Za-z0-9_~.-]{3}7Q~[A-Za-z0-9_~.-]{31}$`)
	secretCommunity = lazyre.New(`^[A-Za-z0-9_~.]{3}\dQ~[A-Za-z0-9_~.-]{31,34}$`)
	secretLegacy32  = lazyre.New(`^[A-Za-z0-9.=\-:\[_@/*\]+?]{32}$`)
	secretURLSafe34 = lazyre.New(`^[A-Za-z0-9_-]{34}$`)
	secretBase64    = lazyre.New(`^[A-Za-z0-9+/]{20,62}={1,2}$`)
	maskedRun       = lazyre.New(`\*{3,}|\.\.\.|…`)
)

// SecretHint is what Entra itself shows of a secret: its first three
// characters. It is all of the secret that ever reaches a report or a profile.
func SecretHint(secret string) string {
	rs := []rune(secret)
	if len(rs) < 3 {
		return ""
	}
	return string(rs[:3])
}

// CheckSecret checks a client secret's Value without any network. A GUID is
// the Secret ID pasted in the Value's place; asterisks or an ellipsis are the
// masked value the portal shows after the page was left. An unknown shape is
// only a warning: secrets made years ago have other formats and still work.
// No message ever contains the secret.
func CheckSecret(raw string) Result {
	r := Result{Field: FieldClientSecret, Cleaned: Clean(raw, FieldClientSecret)}
	v := r.Cleaned.Value
	r.Value = v
	const newSecret = "in Entra open the app's Certificates & secrets, add a new client secret and copy its Value column right away"
	switch {
	case v == "":
		r.add(StatusFail, CodeEmpty, "the client secret is empty", "paste the Value of the client secret")
		return r
	case guidRe().MatchString(v):
		r.add(StatusFail, CodeSecretIDNotValue, "this is the Secret ID (a GUID), not the secret's Value", "copy the Value column of the secret, not the Secret ID column; if the Value is already hidden, "+newSecret)
		return r
	case maskedRun().MatchString(v):
		r.add(StatusFail, CodeMaskedValue, "this is the masked Value the portal shows after you leave the page; it cannot sign in", "the full Value is shown only once: "+newSecret)
		return r
	}
	switch {
	case secretCurrent().MatchString(v), secretPrevious().MatchString(v), secretCommunity().MatchString(v):
		r.add(StatusPass, "", "shaped like a client secret Value", "")
	case strings.ContainsAny(v, " \t"):
		r.add(StatusWarn, CodeUnusualFormat, "the secret contains a space, which Entra's secrets never do", "copy the Value again, without anything around it")
	case strings.ContainsFunc(v, func(c rune) bool { return isQuote(c) || strings.ContainsRune("<>()", c) }):
		// What encloses a secret is taken off, but never a character from
		// its end: a quote closed before a final '.' stays, and is named.
		r.add(StatusWarn, CodeUnusualFormat, "the secret contains a quote or a bracket, which Entra's secrets never do",
			"copy the Value again, without anything around it; entrasso takes off quotes around a secret but never a '.', '-' or '~' at its end")
	case len(v) < 16 || len(v) > 64:
		r.add(StatusWarn, CodeUnusualFormat, fmt.Sprintf("the secret is %d characters long; Entra's secrets have 16 to 64", len(v)), "check that the whole Value was copied")
	case secretLegacy32().MatchString(v), secretURLSafe34().MatchString(v), secretBase64().MatchString(v):
		r.add(StatusPass, "", "shaped like an older client secret Value (still valid until it expires)", "")
	default:
		r.add(StatusWarn, CodeUnusualFormat, "the secret does not look like a current Entra secret Value", "if the live check fails, "+newSecret)
	}
	return r
}
