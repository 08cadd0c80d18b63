package oidccheck

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

// GraphScope is the scope of the client-credentials request that proves a
// secret. It needs no API permission on a fresh app (entra-facts.md 7).
const GraphScope = "https://graph.microsoft.com/.default"

// Checker runs the live checks. Its zero value is not usable: set HTTP.
type Checker struct {
	// HTTP is the client of every request (NewHTTPClient).
	HTTP *http.Client
	// AuthorityHost is --authority-host: trusted like an Entra host.
	AuthorityHost string
	// PropagationWait is how long an invalid_secret answer is retried, for
	// a secret Entra may not have spread to all its servers yet.
	PropagationWait time.Duration
	// Sleep waits between retries; nil means a real, cancellable sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// OnWait, when set, is told before every wait for propagation.
	OnWait func(WaitInfo)
}

// WaitInfo says how a wait for a new secret to propagate is going.
type WaitInfo struct {
	Attempt int
	Waited  time.Duration
	Limit   time.Duration
	Next    time.Duration
}

func (c *Checker) sleep(ctx context.Context, d time.Duration) error {
	if c.Sleep != nil {
		return c.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Provider is what a passed discovery check learned.
type Provider struct {
	Issuer                string
	TenantID              string
	DiscoveryURL          string
	TokenEndpoint         string
	AuthorizationEndpoint string
	JWKSURI               string
	EndSessionEndpoint    string
	// OIDC is go-oidc's provider, for verifying ID tokens later.
	OIDC *oidc.Provider
}

type providerClaims struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
	JWKSURI       string `json:"jwks_uri"`
	AuthEndpoint  string `json:"authorization_endpoint"`
	EndSession    string `json:"end_session_endpoint"`
}

// Discover fetches and checks the discovery document of d with go-oidc. The
// issuer check is never skipped: a domain-name tenant is resolved by reading
// the GUID from the issuer Entra names and fetching again with it
// (entra-facts.md section 4).
func (c *Checker) Discover(ctx context.Context, d Discovery) (*Provider, Check) {
	client, rec := recording(c.HTTP)
	ctx = oidc.ClientContext(ctx, client)
	fail := func(code Code, msg, fix string) (*Provider, Check) {
		return nil, Check{Field: FieldDiscoveryURL, Status: StatusFail, Code: code, Message: msg, Fix: fix}
	}
	const fixCopy = "copy \"OpenID Connect metadata document\" from the app's Overview > Endpoints in Entra"

	p, err := oidc.NewProvider(ctx, d.Issuer)
	var mismatch *oidc.IssuerMismatchError
	if errors.As(err, &mismatch) && d.Entra && !d.TenantIsGUID {
		if tid, ok := tenantOfIssuer(mismatch.Discovered, d.Host); ok && !multiTenant[tid] {
			p, err = oidc.NewProvider(ctx, V2Issuer(d.Host, tid))
		}
	}
	if err != nil {
		if errors.As(err, &mismatch) {
			if mismatch.Discovered == "" {
				return fail(CodeNotDiscoveryDocument, "this is not an OpenID Connect discovery document (no issuer)", fixCopy)
			}
			if strings.Contains(mismatch.Discovered, "{tenantid}") {
				return fail(CodeMultiTenantEndpoint, "this document is a multi-tenant endpoint's (its issuer is a placeholder)", fixCopy)
			}
			return fail(CodeIssuerMismatch, fmt.Sprintf("the document names the issuer %q, not %q", mismatch.Discovered, mismatch.Provided),
				"the document must come from the tenant's own URL on its login host; "+fixCopy)
		}
		return nil, c.fetchFailure(FieldDiscoveryURL, err, rec.lastExchange(), d.Host, "discovery document")
	}
	var pc providerClaims
	if err := p.Claims(&pc); err != nil {
		return fail(CodeNotDiscoveryDocument, "the discovery document is not valid JSON", fixCopy)
	}
	var missing []string
	for name, v := range map[string]string{"issuer": pc.Issuer, "token_endpoint": pc.TokenEndpoint, "jwks_uri": pc.JWKSURI} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fail(CodeNotDiscoveryDocument, "this is not an OpenID Connect discovery document (no "+strings.Join(slices.Sorted(slices.Values(missing)), ", ")+")", fixCopy)
	}
	if msg, bad := endpointProblem(pc, d.Host); bad {
		return fail(CodeNotDiscoveryDocument, msg,
			"entrasso only uses a document whose endpoints are https on its own host; check the URL and any proxy in between. "+fixCopy)
	}
	prov := &Provider{Issuer: pc.Issuer, TokenEndpoint: pc.TokenEndpoint, JWKSURI: pc.JWKSURI,
		AuthorizationEndpoint: pc.AuthEndpoint, EndSessionEndpoint: pc.EndSession, OIDC: p, DiscoveryURL: d.URL}
	msg := "discovery document found; issuer " + pc.Issuer
	if d.Entra {
		tid, ok := tenantOfIssuer(pc.Issuer, d.Host)
		if !ok {
			return fail(CodeIssuerMismatch, "the document's issuer "+pc.Issuer+" is not a tenant's v2 issuer on "+d.Host, fixCopy)
		}
		prov.TenantID = tid
		prov.DiscoveryURL = CanonicalDiscoveryURL(d.Host, tid)
		msg = "discovery document of tenant " + tid + " found; issuer " + pc.Issuer
	}
	return prov, Check{Field: FieldDiscoveryURL, Status: StatusPass, Message: msg}
}

// endpointProblem checks where the document sends entrasso next. The
// token endpoint receives the secret and jwks_uri says which keys to trust,
// so both must be https on the host the document was fetched from (host,
// with its port); the browser is sent to authorization_endpoint, which must
// be https. A document that points elsewhere is refused before anything is
// fetched from it or sent to it. msg names the endpoint and the reason.
func endpointProblem(pc providerClaims, host string) (msg string, bad bool) {
	for _, ep := range []struct {
		name, url string
		sameHost  bool
	}{
		{"token_endpoint", pc.TokenEndpoint, true},
		{"jwks_uri", pc.JWKSURI, true},
		{"authorization_endpoint", pc.AuthEndpoint, false},
	} {
		if ep.url == "" {
			// issuer, token_endpoint and jwks_uri are required above; a
			// document without authorization_endpoint can still be checked,
			// and TestLogin refuses to run without one.
			continue
		}
		u, err := url.Parse(ep.url)
		switch {
		case err != nil || u.Host == "" || u.User != nil:
			return "the document's " + ep.name + " is not a usable URL", true
		case u.Scheme == "":
			return "the document's " + ep.name + " does not start with https://, so entrasso will not use it", true
		case u.Scheme != "https":
			return "the document's " + ep.name + " is not an https URL (it uses " + u.Scheme + "://), so entrasso will not use it", true
		case ep.sameHost && normalizeHost(u.Host) != host:
			return "the document's " + ep.name + " is on " + short(normalizeHost(u.Host)) + ", not on " + host +
				" where the document came from, so entrasso will not use it", true
		}
	}
	return "", false
}

// endpointProblem holds a provider to the same rule before a sign-in,
// taking the document's host from DiscoveryURL when it is known; here an
// authorization_endpoint is required, since the sign-in starts there.
func (p *Provider) endpointProblem() (string, bool) {
	if p.AuthorizationEndpoint == "" {
		return "the discovery document names no authorization_endpoint, so no sign-in can start", true
	}
	if p.TokenEndpoint == "" {
		return "the discovery document names no token_endpoint", true
	}
	pc := providerClaims{TokenEndpoint: p.TokenEndpoint, AuthEndpoint: p.AuthorizationEndpoint, JWKSURI: p.JWKSURI}
	host := hostOf(p.DiscoveryURL)
	if host == "" {
		// Without the document's address only the token endpoint's scheme
		// and the authorization endpoint's can be judged.
		host, pc.JWKSURI = hostOf(p.TokenEndpoint), ""
	}
	return endpointProblem(pc, host)
}

// tenantOfIssuer reads the tenant GUID from a v2 issuer on host.
func tenantOfIssuer(issuer, host string) (string, bool) {
	rest, ok := strings.CutPrefix(issuer, "https://"+host+"/")
	if !ok {
		return "", false
	}
	tid, ok := strings.CutSuffix(rest, "/v2.0")
	if !ok {
		return "", false
	}
	if multiTenant[tid] {
		return tid, true
	}
	return ParseGUID(tid)
}

// fetchFailure explains a failed request: a transport fault, Entra's own
// error body, or an answer that is not what was asked for.
func (c *Checker) fetchFailure(field Field, err error, last *Exchange, host, what string) Check {
	if code, reason, ok := classifyTransport(err); ok {
		return Check{Field: field, Status: StatusFail, Code: code, Message: "could not fetch the " + what + ": " + reason, Fix: transportFix(code)}
	}
	if last != nil {
		if e, ok := ParseEntraError(last.Body); ok && last.Status >= 400 {
			return entraCheck(e, field, host)
		}
		kind := "an answer that is not JSON"
		switch {
		case last.Status >= 300:
			kind = fmt.Sprintf("HTTP %d", last.Status)
		case strings.Contains(strings.ToLower(last.ContentType), "html") || strings.HasPrefix(strings.TrimSpace(string(last.Body)), "<"):
			kind = "an HTML page"
		}
		return Check{Field: field, Status: StatusFail, Code: CodeNotDiscoveryDocument,
			Message: "the " + what + " came back as " + kind + ", not Entra's JSON", Fix: transportFix(CodeNotDiscoveryDocument)}
	}
	return Check{Field: field, Status: StatusFail, Code: CodeNotDiscoveryDocument, Message: "the " + what + " could not be read", Fix: transportFix(CodeNotDiscoveryDocument)}
}

func transportFix(code Code) string {
	switch code {
	case CodeTimeout:
		return "check the network or proxy (HTTPS_PROXY), or allow more time with --timeout"
	case CodeTLSError:
		return "a TLS-inspecting proxy needs its CA certificate in SSL_CERT_FILE; entrasso never skips verification"
	case CodeTooLarge:
		return "this is not Entra's answer; check the URL and any proxy in between"
	case CodeUnreachable:
		return "check the network, the proxy (HTTPS_PROXY, NO_PROXY) and the host in the URL"
	}
	return "check the URL: it should be the \"OpenID Connect metadata document\" from the app's Overview > Endpoints"
}

// CheckKeys fetches the signing keys the document names and checks that
// they are a JSON Web Key Set with at least one key.
func (c *Checker) CheckKeys(ctx context.Context, jwksURI, host string) Check {
	client, rec := recording(c.HTTP)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURI, nil)
	if err != nil {
		return Check{Field: FieldDiscoveryURL, Status: StatusFail, Code: CodeNotDiscoveryDocument, Message: "the document's jwks_uri is not a URL"}
	}
	resp, err := client.Do(req)
	if err == nil {
		defer resp.Body.Close()
		var set struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&set) == nil && len(set.Keys) > 0 {
			return Check{Field: FieldDiscoveryURL, Status: StatusPass, Message: fmt.Sprintf("signing keys found (%d)", len(set.Keys))}
		}
		if resp.StatusCode == http.StatusOK && len(set.Keys) == 0 && json.Valid(rec.lastExchange().Body) {
			return Check{Field: FieldDiscoveryURL, Status: StatusFail, Code: CodeNotDiscoveryDocument, Message: "the signing keys (jwks_uri) hold no key", Fix: transportFix(CodeNotDiscoveryDocument)}
		}
		err = errNotKeys
	}
	return c.fetchFailure(FieldDiscoveryURL, err, rec.lastExchange(), host, "signing keys (jwks_uri)")
}

const errNotKeys = parseError("oidccheck: not a key set")

// TokenProof is what a passed secret check learned from the token.
type TokenProof struct {
	TenantID string
	AppID    string
	Waited   time.Duration
	Attempts int
}

// ProveSecret proves tenant, client ID and secret together with a
// client-credentials request to tokenURL. An invalid_secret answer is
// retried with backoff for up to PropagationWait, since a brand-new secret
// takes seconds to reach every Entra server (entra-facts.md section 1).
// expectTenant, when set, is compared with the token's tid.
func (c *Checker) ProveSecret(ctx context.Context, tokenURL, clientID, secret, expectTenant string) (*TokenProof, []Check) {
	host := hostOf(tokenURL)
	waited := time.Duration(0)
	next := time.Second
	for attempt := 1; ; attempt++ {
		proof, checks := c.tryToken(ctx, tokenURL, clientID, secret, expectTenant, host)
		retry := len(checks) == 1 && checks[0].Code == CodeInvalidSecret && waited+next <= c.PropagationWait
		if !retry {
			if proof != nil {
				proof.Waited, proof.Attempts = waited, attempt
			}
			if waited > 0 {
				for i := range checks {
					checks[i].Message += fmt.Sprintf(" (after waiting %s for the new secret to reach Entra's servers)", waited.Round(time.Second))
				}
			}
			return proof, redactAll(checks, secret)
		}
		if c.OnWait != nil {
			c.OnWait(WaitInfo{Attempt: attempt, Waited: waited, Limit: c.PropagationWait, Next: next})
		}
		if err := c.sleep(ctx, next); err != nil {
			return nil, []Check{{Field: FieldClientSecret, Status: StatusFail, Code: CodeTimeout, Message: "stopped while waiting for a new secret to reach Entra"}}
		}
		waited += next
		next = min(next*2, 8*time.Second)
	}
}

func (c *Checker) tryToken(ctx context.Context, tokenURL, clientID, secret, expectTenant, host string) (*TokenProof, []Check) {
	client, rec := recording(c.HTTP)
	cfg := clientcredentials.Config{
		ClientID: clientID, ClientSecret: secret, TokenURL: tokenURL,
		Scopes: []string{GraphScope},
		// x/oauth2 otherwise retries a refused request with the other auth
		// style, which doubles every failure (entra-facts.md section 4).
		AuthStyle: oauth2.AuthStyleInParams,
	}
	tok, err := cfg.Token(context.WithValue(ctx, oauth2.HTTPClient, client))
	if err != nil {
		var re *oauth2.RetrieveError
		if errors.As(err, &re) {
			if e, ok := ParseEntraError(re.Body); ok {
				return nil, []Check{entraCheck(e, FieldClientSecret, host)}
			}
			return nil, []Check{c.fetchFailure(FieldClientSecret, errNotKeys, rec.lastExchange(), host, "token endpoint's answer")}
		}
		if _, _, ok := classifyTransport(err); ok {
			return nil, []Check{c.fetchFailure(FieldClientSecret, err, nil, host, "token endpoint")}
		}
		return nil, []Check{{Field: FieldClientSecret, Status: StatusFail, Code: CodeNotDiscoveryDocument,
			Message: "the token endpoint's answer holds no token", Fix: transportFix(CodeNotDiscoveryDocument)}}
	}
	proof := &TokenProof{}
	var checks []Check
	if claims, ok := decodeJWTClaims(tok.AccessToken); ok {
		// Graph tokens must not be validated by clients; they are only
		// decoded to cross-check tenant and app (entra-facts.md 7).
		proof.TenantID, proof.AppID = claims.TID, claims.AppID
		if expectTenant != "" && claims.TID != "" && !strings.EqualFold(claims.TID, expectTenant) {
			checks = append(checks, Check{Field: FieldDiscoveryURL, Status: StatusFail, Code: CodeIssuerMismatch,
				Message: "Entra issued the token for tenant " + claims.TID + ", not " + expectTenant,
				Fix:     "use the metadata URL of the tenant where the app is registered"})
		}
		if claims.AppID != "" && !strings.EqualFold(claims.AppID, clientID) {
			checks = append(checks, Check{Field: FieldClientID, Status: StatusFail, Code: CodeEntraError,
				Message: "Entra issued the token for app " + claims.AppID + ", not " + clientID})
		}
	}
	if len(checks) > 0 {
		return nil, checks
	}
	return proof, []Check{
		{Field: FieldClientID, Status: StatusPass, Message: "Entra knows this application in the tenant"},
		{Field: FieldClientSecret, Status: StatusPass, Message: "Entra accepted the secret and issued a token"},
	}
}

type tokenClaims struct {
	TID   string `json:"tid"`
	AppID string `json:"appid"`
	AZP   string `json:"azp"`
}

func decodeJWTClaims(tok string) (tokenClaims, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return tokenClaims{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return tokenClaims{}, false
	}
	var c tokenClaims
	if json.Unmarshal(raw, &c) != nil {
		return tokenClaims{}, false
	}
	if c.AppID == "" {
		c.AppID = c.AZP
	}
	return c, true
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return normalizeHost(u.Host)
}

// redactAll replaces the secret wherever a server echoed it back, in every
// text of every check (Entra's trace and correlation IDs included), and
// returns the checks safe to show.
func redactAll(cs []Check, secret string) []Check {
	rep := secretReplacer(secret)
	for i := range cs {
		cs[i] = cs[i].redacted(rep).Safe()
	}
	return cs
}
