package flow

import (
	"context"
	"errors"

	"entrasso/oidccheck"
)

// RotateInput is a new secret for a saved profile: the Value as pasted,
// its description in Entra and its expiry date (YYYY-MM-DD).
type RotateInput struct {
	Profile     string
	Secret      string
	Description string
	Expires     string
	Wait        Wait
	// KeyID is the new secret's keyId, when Graph made it.
	KeyID string
}

// Rotate proves a new secret live (retrying while Entra spreads it) and
// only then makes it current, keeping the working one as previous until
// Syncro has the new one. A failure at any point leaves the stored secret
// and the profile as they were.
func Rotate(ctx context.Context, d *Deps, in RotateInput) Result {
	r := Load(d, in.Profile)
	if r.Profile == nil {
		return r
	}
	p := r.Profile
	if ok, why := d.profileTrust(p); !ok {
		r.add(oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail, Code: CodeUntrustedProfile,
			Message: "the new secret cannot be proven: " + why, Fix: "nothing changed; " + untrustedSkip(why, d.untrustedFix(p.AuthorityHost), p).Fix})
		return r
	}
	secret := oidccheck.CheckSecret(in.Secret).Value
	c := d.checker(in.Wait, in.Secret, secret)
	info := d.Store.NewSecretInfo(secret, in.Description, in.Expires)
	info.KeyID = in.KeyID
	var rep oidccheck.Report
	note, err := d.Store.Promote(ctx, in.Profile, info, secret, func(ctx context.Context) error {
		oin := oidccheck.Input{ClientID: &p.ClientID, ClientSecret: &in.Secret, Discovery: &p.DiscoveryURL,
			SecretExpires: in.Expires, Profile: in.Profile}
		if p.RedirectURI != "" {
			// The saved values are checked as verify checks them.
			oin.RedirectURI = &p.RedirectURI
		}
		out := c.Run(ctx, oin)
		rep = out.Report
		if !rep.Failed() && out.Proof == nil {
			rep.Add(oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail,
				Message: "the new secret could not be proven at Entra's token endpoint", Fix: "nothing changed; check the values with entrasso verify"})
		}
		if rep.Failed() {
			return errProofFailed
		}
		return nil
	})
	r.note(note)
	r.Report.Checks, r.Report.Values = rep.Checks, rep.Values
	r.Report.Values.SecretExpires = in.Expires
	switch {
	case errors.Is(err, errProofFailed):
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip,
			Message: "nothing changed: the stored secret is still the working one"})
	case err != nil && ctx.Err() != nil:
		r.add(storeCheck(ctx.Err(), in.Profile))
	case err != nil:
		c := storeCheck(err, in.Profile)
		c.Fix = "nothing changed: the stored secret is still the working one; " + c.Fix
		r.add(c)
	default:
		r.recordVerified(d, in.Profile)
		msg := "the new secret is current; the old one is kept as previous until Syncro has the new one"
		if r.Profile == nil || r.Profile.Previous == nil {
			msg = "the new secret is current; no earlier secret was left in the keyring to keep as previous"
		}
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusPass, Message: msg})
	}
	r.Report.Redact(in.Secret, secret)
	return r
}

// Finish ends a rotation once Syncro has the new secret: the previous one
// leaves the keyring and the profile, and Result.Old names it, for the
// admin to delete in Entra.
func Finish(ctx context.Context, d *Deps, profile string) Result {
	r := Load(d, profile)
	if r.Profile == nil {
		return r
	}
	old, note, err := d.Store.Finish(profile)
	r.note(note)
	if err != nil {
		r.add(storeCheck(err, profile))
		return r
	}
	r.Old = &old
	if p, err := d.Store.Load(profile); err == nil {
		r.Profile = p
	}
	r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusPass,
		Message: "the previous secret " + old.Hint + "… is gone from this machine; delete it in Entra too"})
	return r
}
