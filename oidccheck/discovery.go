package oidccheck

import (
	"entrasso/internal/lazyre"
	"net"
	"net/url"
	"strings"
)

// Cloud is one national cloud of Entra: its primary login host, the aliases
// that reach the same service, and its admin portal (entra-facts.md 5).
type Cloud struct {
	Host    string
	Aliases []string
	Portal  string
}

// Clouds lists the Entra clouds that are still open. Entra's documents
// always name the primary host as issuer, so an alias is replaced by it
// before anything is fetched (panva/openid-client#742).
var Clouds = []Cloud{
	{Host: "login.microsoftonline.com", Aliases: []string{"login.windows.net", "login.microsoft.com", "sts.windows.net"}, Portal: "https://entra.microsoft.com"},
	{Host: "login.microsoftonline.us", Aliases: []string{"login.usgovcloudapi.net"}, Portal: "https://portal.azure.us"},
	{Host: "login.partner.microsoftonline.cn", Aliases: []string{"login.chinacloudapi.cn"}, Portal: "https://portal.azure.cn"},
}

// DefaultAuthorityHost is the global cloud's login host.
const DefaultAuthorityHost = "login.microsoftonline.com"

// ConsumersTenantID is the tenant that the "consumers" endpoint names.
const ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

// PrimaryHost maps a login host or one of its aliases to the primary host.
// ok is false for a host that is not an Entra login host.
func PrimaryHost(host string) (primary string, ok bool) {
	h := strings.TrimSuffix(strings.ToLower(host), ":443")
	for _, c := range Clouds {
		if h == c.Host {
			return c.Host, true
		}
		for _, a := range c.Aliases {
			if h == a {
				return c.Host, true
			}
		}
	}
	// Entra External ID tenants sign in on {name}.ciamlogin.com.
	if strings.HasSuffix(h, ".ciamlogin.com") {
		return h, true
	}
	return h, false
}

// CloudFor returns the cloud whose primary host is host, or the global cloud
// (whose portal also serves a look-alike or an unknown host).
func CloudFor(host string) Cloud {
	for _, c := range Clouds {
		if c.Host == host {
			return c
		}
	}
	return Clouds[0]
}

// normalizeHost lowercases a host and drops the default https port.
func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ":443")
}

// Discovery is a parsed discovery value: where the document will be fetched
// and which issuer it must name.
type Discovery struct {
	// Host is the primary host (with a port when not 443).
	Host string
	// Tenant is the tenant as given: a GUID in lowercase or a domain name.
	Tenant string
	// TenantIsGUID is true when Tenant is already the tenant's GUID.
	TenantIsGUID bool
	// Entra is true for an Entra login host or the configured authority host.
	Entra bool
	// Issuer is the issuer go-oidc is asked for.
	Issuer string
	// URL is the discovery document that will be fetched.
	URL string
}

// CanonicalDiscoveryURL is the v2 metadata URL of a tenant, the form a
// report shows once the tenant's GUID is known.
func CanonicalDiscoveryURL(host, tenantID string) string {
	return "https://" + host + "/" + tenantID + "/v2.0/.well-known/openid-configuration"
}

// V2Issuer is the issuer that Entra's v2 document names for a tenant.
func V2Issuer(host, tenantID string) string {
	return "https://" + host + "/" + tenantID + "/v2.0"
}

// TokenURL is Entra's v2 token endpoint for a tenant on a host.
func TokenURL(host, tenant string) string {
	return "https://" + host + "/" + tenant + "/oauth2/v2.0/token"
}

// KeysURL is Entra's v2 signing-keys endpoint for a tenant on a host.
func KeysURL(host, tenant string) string {
	return "https://" + host + "/" + tenant + "/discovery/v2.0/keys"
}

var (
	domainRe      = lazyre.New(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$`)
	singleLabelRe = lazyre.New(`^(?i)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
)

// multiTenant are the tenant segments that serve any organisation.
var multiTenant = map[string]bool{"common": true, "organizations": true, "consumers": true, ConsumersTenantID: true}

// notATenant are path words of the Endpoints panel that end up in the tenant
// segment when the tenant itself was cut off the URL; Entra answers them with
// AADSTS900023.
var notATenant = map[string]bool{
	"oauth2": true, "v2.0": true, ".well-known": true, "discovery": true, "authorize": true, "token": true,
	"federationmetadata": true, "wsfed": true, "saml2": true, "error": true, "logout": true, "kerberos": true,
}

// ParseDiscovery reads whatever the admin pasted for the OpenID Connect
// metadata document (DESIGN.md "What a pasted discovery value may look
// like"): the v2 or v1 metadata URL, any Endpoints-panel URL that carries the
// tenant, a bare tenant GUID or domain, with or without a scheme.
// authorityHost is used for values without a host and counts as Entra.
func ParseDiscovery(raw, authorityHost string) (Discovery, Result) {
	r := Result{Field: FieldDiscoveryURL, Cleaned: Clean(raw, FieldDiscoveryURL)}
	v := r.Cleaned.Value
	r.Value = v
	if authorityHost == "" {
		authorityHost = DefaultAuthorityHost
	}
	authority, _ := PrimaryHost(normalizeHost(authorityHost))
	const fix = "copy \"OpenID Connect metadata document\" from the app's Overview > Endpoints in Entra"
	fail := func(code Code, msg string) (Discovery, Result) {
		r.add(StatusFail, code, msg, fix)
		return Discovery{}, r
	}
	if v == "" {
		return fail(CodeUnparseable, "the discovery value is empty")
	}
	if strings.ContainsAny(v, " \t") {
		return fail(CodeUnparseable, "this has spaces in it; it is not a URL, a tenant ID or a domain")
	}

	// A bare tenant: a GUID or a domain name, on the authority host.
	if id, ok := r.Cleaned.guid(v); ok {
		return tenantOn(r, authority, id, "the tenant ID "+id)
	}
	// A bare word is a tenant segment as well: common, organizations and
	// consumers are refused below, anything else Entra itself judges.
	if !strings.ContainsAny(v, "/:.") && singleLabelRe().MatchString(v) {
		return tenantOn(r, authority, r.lowerName(v), "")
	}
	if !strings.Contains(v, "/") && !strings.Contains(v, ":") && domainRe().MatchString(v) {
		d := strings.ToLower(v)
		if _, isLogin := PrimaryHost(d); isLogin || d == authority {
			return fail(CodeUnparseable, "this is only the sign-in host; the tenant is missing")
		}
		d = r.lowerName(v)
		return tenantOn(r, authority, d, "the tenant domain "+d)
	}

	// Otherwise a URL, with or without its scheme.
	u, readAsHTTPS, err := parseLooseURL(v)
	if err != nil {
		return fail(CodeUnparseable, "this is neither a URL nor a tenant ID or domain")
	}
	if readAsHTTPS {
		r.Cleaned.note("http:// read as https:// (the document is only fetched over verified TLS)")
	}
	if i := strings.Index(v, "://"); i > 0 && v[:i] != strings.ToLower(v[:i]) {
		r.Cleaned.noteUpper(caseScheme)
	}
	r.noteQueryAndFragment(v)
	host := normalizeHost(u.Host)
	primary, entra := PrimaryHost(host)
	if host == authority {
		primary, entra = authority, true
	}
	if !entra {
		return genericProvider(r, u, host)
	}
	// The host is named in lower case and without the port https implies.
	if u.Host != strings.ToLower(u.Host) {
		r.Cleaned.noteUpper(caseHost)
	}
	if strings.HasSuffix(u.Host, ":443") {
		r.Cleaned.note("the port :443 (https implies it)")
	}
	if primary != host {
		r.Cleaned.note("the alias " + host + " (Entra's documents name " + primary + " instead)")
	}
	segs := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if len(segs) == 0 || segs[0] == "" {
		return fail(CodeUnparseable, "this URL has no tenant in it (the part after "+host+"/)")
	}
	t, err := url.PathUnescape(segs[0])
	if err != nil {
		return fail(CodeMalformedTenant, "the tenant part of this URL is not readable")
	}
	if id, ok := r.Cleaned.guid(t); ok {
		t = id
	} else {
		t = r.lowerName(t)
	}
	rest := strings.ToLower(strings.Join(segs[1:], "/"))
	switch {
	case rest == ".well-known/openid-configuration" && host != "sts.windows.net":
		r.add(StatusWarn, CodeV1Endpoint, "this is the v1 metadata document; entrasso checks the v2 one of the same tenant, which Syncro should get",
			"give Syncro the v2 URL "+CanonicalDiscoveryURL(primary, t))
	case rest == "" || rest == "v2.0" || rest == "v2.0/.well-known/openid-configuration":
		// The tenant, its v2 issuer or its v2 document: nothing is lost.
	default:
		r.Cleaned.note(noteRestOfURL)
	}
	return tenantOn(r, primary, t, "")
}

// noteRestOfURL says that an Endpoints-panel URL other than the metadata
// document was turned into the document's URL.
const noteRestOfURL = "the rest of the URL after the tenant (the metadata URL is built from the tenant)"

// lowerName returns a tenant or host name in lower case, the way Entra
// prints it, and says so when that changed it: DNS names are not
// case-sensitive.
func (r *Result) lowerName(s string) string {
	l := strings.ToLower(s)
	if l != s {
		r.Cleaned.noteUpper(caseHost)
	}
	return l
}

// noteQueryAndFragment says that a query string or a fragment on a
// discovery URL is dropped: the document's URL is rebuilt without them.
func (r *Result) noteQueryAndFragment(v string) {
	q, h := strings.IndexByte(v, '?'), strings.IndexByte(v, '#')
	if q >= 0 && (h < 0 || q < h) {
		r.Cleaned.note("the query string after ? (the metadata URL is used without it)")
	}
	if h >= 0 {
		r.Cleaned.note("the fragment after # (never sent to a server)")
	}
}

// parseLooseURL parses a URL that may lack its scheme. An http:// URL is
// read as https (readAsHTTPS says so): the document is only ever fetched
// over verified TLS.
func parseLooseURL(v string) (u *url.URL, readAsHTTPS bool, err error) {
	lower := strings.ToLower(v)
	switch {
	case strings.HasPrefix(lower, "https://"):
	case strings.HasPrefix(lower, "http://"):
		v = "https://" + v[len("http://"):]
		readAsHTTPS = true
	case strings.Contains(lower, "://"):
		return nil, false, errNotURL
	default:
		v = "https://" + v
	}
	u, err = url.Parse(v)
	if err != nil {
		return nil, false, err
	}
	if u.Host == "" || u.User != nil || strings.ContainsAny(u.Host, "@ ") {
		return nil, false, errNotURL
	}
	h := u.Hostname()
	if !domainRe().MatchString(h) && net.ParseIP(h) == nil && !singleLabelRe().MatchString(h) {
		return nil, false, errNotURL
	}
	return u, readAsHTTPS, nil
}

type parseError string

func (e parseError) Error() string { return string(e) }

const errNotURL = parseError("oidccheck: not a URL")

// tenantOn finishes a parse once the host and tenant segment are known.
func tenantOn(r Result, host, tenant, what string) (Discovery, Result) {
	const fix = "copy \"OpenID Connect metadata document\" from the app's Overview > Endpoints in Entra"
	switch {
	case multiTenant[tenant]:
		r.add(StatusFail, CodeMultiTenantEndpoint,
			"\""+tenant+"\" is a multi-tenant endpoint that lets any organisation sign in; single sign-on for one organisation needs its own tenant's URL",
			fix+" (the URL carries your tenant ID, a GUID)")
		return Discovery{}, r
	case notATenant[tenant]:
		r.add(StatusFail, CodeMalformedTenant, "\""+tenant+"\" stands where the tenant should be; the tenant was cut off this URL", fix)
		return Discovery{}, r
	}
	_, isGUID := ParseGUID(tenant)
	if !isGUID && !singleLabelRe().MatchString(tenant) && !domainRe().MatchString(tenant) {
		r.add(StatusFail, CodeMalformedTenant, "the tenant part of this URL is neither a tenant ID nor a domain name", fix)
		return Discovery{}, r
	}
	d := Discovery{Host: host, Tenant: tenant, TenantIsGUID: isGUID, Entra: true,
		Issuer: V2Issuer(host, tenant), URL: CanonicalDiscoveryURL(host, tenant)}
	r.Value = d.URL
	if what == "" {
		what = "tenant " + tenant
	}
	r.add(StatusPass, "", "the metadata document of "+what+" on "+host, "")
	return d, r
}

// genericProvider accepts an OpenID provider that is not Entra with a
// warning: entrasso can fetch its document but will not send it the secret.
func genericProvider(r Result, u *url.URL, host string) (Discovery, Result) {
	if strings.HasSuffix(host, "graph.microsoft.com") || strings.HasSuffix(host, "graph.microsoft.us") || strings.HasSuffix(host, "microsoftgraph.chinacloudapi.cn") {
		r.add(StatusFail, CodeUnparseable, "this is the Microsoft Graph endpoint, which carries no tenant",
			"copy \"OpenID Connect metadata document\" from the same Endpoints panel")
		return Discovery{}, r
	}
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	path = strings.TrimSuffix(path, "/.well-known/openid-configuration")
	issuer := "https://" + u.Host + path
	d := Discovery{Host: host, Issuer: issuer, URL: issuer + "/.well-known/openid-configuration"}
	r.Value = d.URL
	r.add(StatusWarn, CodeNotEntraHost, host+" is not a Microsoft Entra sign-in host; entrasso checks its document but sends it no secret",
		"for Entra use the URL from the app's Overview > Endpoints; to trust this host, pass --authority-host "+host)
	return d, r
}
