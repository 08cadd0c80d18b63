package flow

import (
	"context"
	"net/url"
	"time"

	"entrasso/oidccheck"
	"entrasso/store"
)

// LoginInput configures a test sign-in: how long to wait for the browser,
// and how to send it to the sign-in page (open a browser, or show the URL).
type LoginInput struct {
	Profile string
	Timeout time.Duration
	// Open sends the browser to the short loopback address, or shows it.
	Open func(url string) error
	// AuthorizeURL, when set, is told Entra's full authorize URL.
	AuthorizeURL func(url string)
}

// TestLogin signs a real user in through the browser with the saved
// profile and its stored secret, and records when it worked. The code is
// exchanged only at a token endpoint the checked document names on its
// own, trusted, host.
func TestLogin(ctx context.Context, d *Deps, in LoginInput) Result {
	secret, r := Secret(d, in.Profile)
	if r.Profile == nil || r.Failed() {
		return r
	}
	p := r.Profile
	if ok, why := d.profileTrust(p); !ok {
		r.add(oidccheck.Check{Field: oidccheck.FieldLogin, Status: oidccheck.StatusFail, Code: CodeUntrustedProfile,
			Message: "the test sign-in needs the stored secret, which is not sent: " + why,
			Fix:     untrustedSkip(why, d.untrustedFix(p.AuthorityHost), p).Fix})
		return r
	}
	c := d.checker(Wait{}, secret)
	disc, res := oidccheck.ParseDiscovery(p.DiscoveryURL, d.AuthorityHost)
	if !res.OK() {
		r.add(res.Checks...)
		return r
	}
	prov, dc := c.Discover(ctx, disc)
	if prov == nil {
		r.add(dc)
		r.Report.Redact(secret)
		return r
	}
	if u, err := url.Parse(prov.TokenEndpoint); err != nil || u.Scheme != "https" || normalizeHost(u.Host) != disc.Host || !d.trusted(u.Host) {
		r.add(oidccheck.Check{Field: oidccheck.FieldDiscoveryURL, Status: oidccheck.StatusFail, Code: oidccheck.CodeNotDiscoveryDocument,
			Message: "the document names a token endpoint that is not https on its own host; the secret is not sent there",
			Fix:     "check the profile's metadata URL with entrasso verify"})
		r.Report.Redact(secret)
		return r
	}
	id, checks := c.TestLogin(ctx, oidccheck.LoginOptions{Provider: prov, ClientID: p.ClientID, Secret: secret,
		ExpectTenant: p.TenantID, Timeout: in.Timeout, Open: in.Open, AuthorizeURL: in.AuthorizeURL})
	if id == nil && ctx.Err() != nil {
		checks = []oidccheck.Check{{Field: oidccheck.FieldLogin, Status: oidccheck.StatusSkip, Code: CodeCancelled,
			Message: "the test sign-in was stopped before it finished", Fix: "start it again when you are ready"}}
	}
	r.add(checks...)
	r.Identity = id
	r.Report.Values = oidccheck.Values{ClientID: p.ClientID, TenantID: p.TenantID, Issuer: prov.Issuer, DiscoveryURL: p.DiscoveryURL}
	if id != nil && !r.Failed() {
		now := d.now().UTC()
		if err := d.Store.Update(in.Profile, func(p *store.Profile) error { p.LastSignIn = &now; return nil }); err != nil {
			r.note("the sign-in worked but could not be recorded: " + trim(err))
		} else if np, err := d.Store.Load(in.Profile); err == nil {
			r.Profile = np
		}
	}
	r.Report.Redact(secret)
	return r
}
