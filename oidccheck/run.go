package oidccheck

import (
	"context"
	"net/url"
)

// Input is what a check is asked about. A nil field was not given and is
// reported as skip.
type Input struct {
	RedirectURI  *string
	ClientID     *string
	ClientSecret *string
	Discovery    *string
	// SecretExpires is the normalized expiry date (YYYY-MM-DD), if known.
	SecretExpires string
	Profile       string
	// Offline skips the live checks.
	Offline bool
}

// Outcome is a report plus what the live checks learned, for a caller that
// goes on to save the values.
type Outcome struct {
	Report   Report
	Provider *Provider
	Proof    *TokenProof
	// Secret is the cleaned secret, for the caller that stores it. It is
	// never part of the report.
	Secret string
}

func skip(f Field, msg string) Check {
	return Check{Field: f, Status: StatusSkip, Message: msg}
}

// Run checks every given value offline, then live: the discovery document
// and its keys, and the secret at the token endpoint. When the tenant and
// host are known up front, the token request is sent to Entra's predictable
// token endpoint alongside discovery and confirmed against the document
// afterwards, so a full check costs about one round trip instead of two.
func (c *Checker) Run(ctx context.Context, in Input) Outcome {
	out := Outcome{Report: Report{Profile: in.Profile}}
	rep := &out.Report
	rep.Values.SecretExpires = in.SecretExpires

	var (
		disc           Discovery
		discOK         bool
		clientID       string
		clientOK       bool
		secret         string
		secretOK       bool
		discResult     Result
		clientResult   Result
		knownTenantArg string
	)
	if in.Discovery != nil {
		disc, discResult = ParseDiscovery(*in.Discovery, c.AuthorityHost)
		discOK = discResult.OK()
		if discOK && disc.TenantIsGUID {
			knownTenantArg = disc.Tenant
		}
	}
	if in.RedirectURI != nil {
		r := CheckRedirectURI(*in.RedirectURI)
		rep.Add(r.Checks...)
		rep.Values.RedirectURI = short(r.Value)
	} else {
		rep.Add(skip(FieldRedirectURI, "not given"))
	}
	if in.ClientID != nil {
		clientResult = CheckClientID(*in.ClientID, knownTenantArg)
		clientID, clientOK = clientResult.Value, clientResult.OK()
		rep.Add(clientResult.Checks...)
		rep.Values.ClientID = short(clientID)
	} else {
		rep.Add(skip(FieldClientID, "not given"))
	}
	if in.ClientSecret != nil {
		r := CheckSecret(*in.ClientSecret)
		secret, secretOK = r.Value, r.OK()
		rep.Add(r.Checks...)
		if secretOK {
			rep.Values.SecretHint = SecretHint(secret)
			out.Secret = secret
		}
	} else {
		rep.Add(skip(FieldClientSecret, "not given"))
	}
	if in.Discovery != nil {
		rep.Add(discResult.Checks...)
		rep.Values.DiscoveryURL = short(discResult.Value)
		if discOK && disc.TenantIsGUID {
			rep.Values.TenantID = disc.Tenant
		}
	} else {
		rep.Add(skip(FieldDiscoveryURL, "not given"))
	}

	if in.Offline || !discOK {
		if in.ClientSecret != nil && secretOK && !in.Offline {
			rep.Add(skip(FieldClientSecret, "the secret is proven live once the metadata document passes"))
		}
		return out
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	canProve := clientOK && secretOK
	type tokenResult struct {
		url    string
		proof  *TokenProof
		checks []Check
	}
	var tokenCh chan tokenResult
	var predicted string
	if canProve && disc.Entra {
		predicted = TokenURL(disc.Host, disc.Tenant)
		tokenCh = make(chan tokenResult, 1)
		go func() {
			p, cs := c.ProveSecret(ctx, predicted, clientID, secret, knownTenantArg)
			tokenCh <- tokenResult{predicted, p, cs}
		}()
	}
	var keysCh chan Check
	predictedKeys := ""
	if disc.Entra {
		predictedKeys = KeysURL(disc.Host, disc.Tenant)
		keysCh = make(chan Check, 1)
		go func() { keysCh <- c.CheckKeys(ctx, predictedKeys, disc.Host) }()
	}

	prov, dc := c.Discover(ctx, disc)
	if prov == nil {
		cancel()
		rep.Add(dc)
		if canProve {
			rep.Add(skip(FieldClientSecret, "the secret is proven live once the metadata document passes"))
		}
		return out
	}
	out.Provider = prov
	rep.Add(dc)
	rep.Values.Issuer = prov.Issuer
	rep.Values.DiscoveryURL = prov.DiscoveryURL
	if prov.TenantID != "" {
		rep.Values.TenantID = prov.TenantID
	}

	if keysCh != nil && prov.TenantID != "" && prov.JWKSURI == KeysURL(disc.Host, prov.TenantID) {
		rep.Add(<-keysCh)
	} else {
		rep.Add(c.CheckKeys(ctx, prov.JWKSURI, disc.Host))
	}

	if clientOK && prov.TenantID != "" && clientID == prov.TenantID && knownTenantArg == "" {
		again := CheckClientID(clientID, prov.TenantID)
		rep.Add(again.Checks...)
		canProve = false
	}
	switch {
	case in.ClientSecret == nil || in.ClientID == nil:
		return out
	case !canProve:
		rep.Add(skip(FieldClientSecret, "the secret is proven live once the client ID and the secret pass their own checks"))
		return out
	case !c.mayReceiveSecret(prov.TokenEndpoint, disc):
		rep.Add(skip(FieldClientSecret, "the secret is sent only to the token endpoint of a Microsoft Entra host; "+
			hostOf(prov.TokenEndpoint)+" is not one (pass --authority-host "+disc.Host+" to trust it)"))
		return out
	}
	var tr tokenResult
	if tokenCh != nil && prov.TokenEndpoint == TokenURL(disc.Host, prov.TenantID) {
		tr = <-tokenCh
	} else {
		tr.proof, tr.checks = c.ProveSecret(ctx, prov.TokenEndpoint, clientID, secret, prov.TenantID)
	}
	if prov.TenantID != "" && tr.proof != nil && tr.proof.TenantID == "" {
		tr.proof.TenantID = prov.TenantID
	}
	out.Proof = tr.proof
	rep.Add(tr.checks...)
	return out
}

// mayReceiveSecret says whether a token endpoint may be sent the secret: an
// https URL on the host of a checked Entra document, or on the authority
// host the admin named.
func (c *Checker) mayReceiveSecret(tokenEndpoint string, d Discovery) bool {
	u, err := url.Parse(tokenEndpoint)
	if err != nil || u.Scheme != "https" || u.User != nil {
		return false
	}
	h := normalizeHost(u.Host)
	if _, entra := PrimaryHost(h); entra && h == d.Host {
		return true
	}
	authority, _ := PrimaryHost(normalizeHost(c.AuthorityHost))
	return c.AuthorityHost != "" && h == authority
}

// short keeps a report readable when the paste was huge.
func short(s string) string {
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
