package flow

import (
	"context"

	"entrasso/oidccheck"
	"entrasso/store"
)

// Verify checks a saved profile live with its stored secret: the
// discovery document, its keys and the secret at the token endpoint. It
// never retries (a stored secret Entra refuses is not one on its way), and
// records the time only when the secret itself was proven.
func Verify(ctx context.Context, d *Deps, profile string) Result {
	secret, r := Secret(d, profile)
	if r.Profile == nil || r.Failed() {
		return r
	}
	p := r.Profile
	ok, why := d.profileTrust(p)
	in := oidccheck.Input{ClientID: &p.ClientID, Discovery: &p.DiscoveryURL, SecretExpires: p.Secret.Expires, Profile: profile}
	if p.RedirectURI != "" {
		in.RedirectURI = &p.RedirectURI
	}
	if ok {
		in.ClientSecret = &secret
	}
	out := d.checker(Wait{}, secret).Run(ctx, in)
	r.Report.Checks, r.Report.Values = out.Report.Checks, out.Report.Values
	if !ok {
		r.Report.Checks = withoutSkips(r.Report.Checks, oidccheck.FieldClientSecret)
		r.add(untrustedSkip(why, d.untrustedFix(p.AuthorityHost), p))
	}
	r.Report.Values.SecretHint = p.Secret.Hint
	if out.Proof != nil && !r.Failed() {
		r.recordVerified(d, profile)
	}
	r.Report.Redact(secret)
	return r
}

// untrustedSkip is the secret check of a profile whose secret may not be
// sent: it names why, and the way out only when there is one.
func untrustedSkip(why, fix string, p *store.Profile) oidccheck.Check {
	c := oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusSkip, Code: CodeUntrustedProfile,
		Message: "the stored secret was not checked: " + why}
	if p.AuthorityTrusted == nil || *p.AuthorityTrusted {
		c.Fix = fix
	} else {
		c.Fix = "set the profile up again against your tenant's Entra metadata URL"
	}
	return c
}

// recordVerified notes that the stored secret was just proven live.
func (r *Result) recordVerified(d *Deps, profile string) {
	now := d.now().UTC()
	if err := d.Store.Update(profile, func(p *store.Profile) error { p.LastVerified = &now; return nil }); err != nil {
		r.note("the check passed but could not be recorded: " + trim(err))
		return
	}
	if p, err := d.Store.Load(profile); err == nil {
		r.Profile = p
	}
}

// withoutSkips drops the skips of one field, for a caller that explains the
// skip itself.
func withoutSkips(cs []oidccheck.Check, f oidccheck.Field) []oidccheck.Check {
	var out []oidccheck.Check
	for _, c := range cs {
		if c.Field != f || c.Status != oidccheck.StatusSkip {
			out = append(out, c)
		}
	}
	return out
}
