package flow

import (
	"context"
	"errors"
	"net/url"

	"entrasso/oidccheck"
	"entrasso/store"
)

// SetupInput is what a first save needs, as the admin entered it: the
// values as pasted (they are cleaned and checked again here), the secret's
// description and its expiry date (YYYY-MM-DD).
type SetupInput struct {
	Profile           string
	RedirectURI       string
	ClientID          string
	Discovery         string
	Secret            string
	SecretDescription string
	SecretExpires     string
	Wait              Wait
	// KeyID and AppObjectID are recorded in the profile when the secret
	// was made through Microsoft Graph (RegisterGraph).
	KeyID       string
	AppObjectID string
}

// Check runs `entrasso check`: every given value offline, then live, and
// saves nothing.
func Check(ctx context.Context, d *Deps, in oidccheck.Input, w Wait) Result {
	var secrets []string
	if in.ClientSecret != nil {
		secrets = append(secrets, *in.ClientSecret, oidccheck.CheckSecret(*in.ClientSecret).Value)
	}
	out := d.checker(w, secrets...).Run(ctx, in)
	r := Result{Report: out.Report}
	r.Report.Redact(secrets...)
	return r
}

// Discover checks a pasted discovery value live, without any secret: the
// wizard's check at step 5. tenantID is what the document revealed.
func Discover(ctx context.Context, d *Deps, value string) (tenantID string, c oidccheck.Check) {
	disc, r := oidccheck.ParseDiscovery(value, d.AuthorityHost)
	if !r.OK() {
		first, _ := (&oidccheck.Report{Checks: r.Checks}).FirstFailure()
		return "", first
	}
	p, c := d.checker(Wait{}).Discover(ctx, disc)
	if p == nil {
		return "", c
	}
	return p.TenantID, c
}

// Setup is the first save, the same for the wizard, the plain prompts and
// `setup --non-interactive`: the keyring is probed first; the values are
// proven live; only then the secret goes to the keyring and the rest to
// the profile. Nothing is written when a check fails.
func Setup(ctx context.Context, d *Deps, in SetupInput) Result {
	r := newResult(in.Profile)
	if pr := Probe(ctx, d); pr.Failed() {
		r.add(pr.Report.Checks...)
		return r
	}
	secret := oidccheck.CheckSecret(in.Secret).Value
	c := d.checker(in.Wait, in.Secret, secret)
	oin := oidccheck.Input{RedirectURI: &in.RedirectURI, ClientID: &in.ClientID, ClientSecret: &in.Secret,
		Discovery: &in.Discovery, SecretExpires: in.SecretExpires, Profile: in.Profile}
	var rep oidccheck.Report
	proven := false
	note, err := d.Store.Setup(ctx, in.Profile, secret, func(ctx context.Context) (store.Profile, error) {
		out := c.Run(ctx, oin)
		rep = out.Report
		if rep.Failed() {
			return store.Profile{}, errProofFailed
		}
		proven = out.Proof != nil
		p := d.profileFrom(out, in.SecretDescription)
		p.Secret.KeyID, p.AppObjectID = in.KeyID, in.AppObjectID
		return p, nil
	})
	r.note(note)
	r.Report.Checks, r.Report.Values = rep.Checks, rep.Values
	var exists *store.ExistsError
	switch {
	case errors.Is(err, errProofFailed):
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing was saved: a check failed"})
	case err != nil && ctx.Err() != nil:
		r.add(storeCheck(ctx.Err(), in.Profile))
	case errors.As(err, &exists):
		r.add(d.existsCheck(in.Profile, err))
	case err != nil:
		r.add(storeCheck(err, in.Profile))
	default:
		_ = d.Store.ClearProgress(in.Profile)
		where := "the OS keyring"
		if storage(d.Store) == store.StorageFile {
			where = "the plain file chosen with --insecure-storage"
		}
		msg := "secret kept in " + where + "; profile saved at " + d.Store.Path(in.Profile)
		if !proven {
			msg += " (the secret was not proven live, so no verification is recorded)"
		}
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusPass, Message: msg})
		if p, err := d.Store.Load(in.Profile); err == nil {
			r.Profile = p
		}
	}
	r.Report.Redact(in.Secret, secret)
	return r
}

// existsCheck says why a profile that exists was not overwritten: another
// secret is stored for it, or its keyring entry is gone.
func (d *Deps) existsCheck(profile string, err error) oidccheck.Check {
	c := storeCheck(err, profile)
	if _, gerr := d.Store.Secret(profile); gerr != nil {
		c.Message = "profile " + profile + " exists, but its secret is missing from the keyring; nothing was changed"
		c.Fix = "remove the profile with entrasso forget, then set it up again with a new secret"
	}
	return c
}

// profileFrom builds the profile to save from a passed check. Its
// authority host is the host of the checked document, and whether that
// host was trusted on this command is recorded with it.
func (d *Deps) profileFrom(out oidccheck.Outcome, description string) store.Profile {
	v := out.Report.Values
	host := ""
	if u, err := url.Parse(v.DiscoveryURL); err == nil {
		host = normalizeHost(u.Host)
	}
	trusted := d.trusted(host)
	p := store.Profile{
		RedirectURI: v.RedirectURI, ClientID: v.ClientID, TenantID: v.TenantID, Issuer: v.Issuer,
		DiscoveryURL: v.DiscoveryURL, AuthorityHost: host, AuthorityTrusted: &trusted, SecretStorage: storage(d.Store),
		Secret: d.Store.NewSecretInfo(out.Secret, description, v.SecretExpires),
	}
	if out.Proof != nil {
		now := d.now().UTC()
		p.LastVerified = &now
	}
	return p
}
