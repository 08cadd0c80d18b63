package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"
)

// errProofFailed stops a promote when the new secret's live check failed.
var errProofFailed = errors.New("the new secret did not pass")

// credentialsURL is the app's Certificates & secrets page in its cloud's
// portal (entra-facts.md section 8).
func credentialsURL(p *store.Profile) string {
	return steps.AppURL(steps.PortalFor(p.AuthorityHost), steps.BladeCredentials, p.ClientID)
}

func rotateCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	var v valueFlags
	v.register(fs, 60*time.Second)
	nonInteractive := fs.Bool("non-interactive", false, "take the new secret from stdin or ENTRASSO_CLIENT_SECRET and print the report")
	finish := fs.Bool("finish", false, "after Syncro has the new secret: drop the old one and name it for deletion in Entra")
	return func(ctx context.Context, g *globals, e env) int {
		switch {
		case *finish:
			return rotateFinish(g, e)
		case *nonInteractive:
			return rotateNonInteractive(ctx, g, e, &v)
		}
		return rotateWizard(ctx, g, e)
	}
}

// rotateNonInteractive proves the new secret live (retrying while Entra
// spreads it), and only then promotes it: new to current, old to previous.
func rotateNonInteractive(ctx context.Context, g *globals, e env, v *valueFlags) int {
	secret, err := v.readSecret(e)
	if err != nil || secret == nil {
		fmt.Fprintln(e.stderr, "entrasso rotate --non-interactive: the new secret comes from --client-secret-stdin or ENTRASSO_CLIENT_SECRET")
		return exitUsage
	}
	if !v.secretExpires.set {
		fmt.Fprintln(e.stderr, "entrasso rotate --non-interactive: missing --secret-expires (as chosen in Entra)")
		return exitUsage
	}
	expires, err := v.expiry(e.now())
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso rotate: %v\n", err)
		return exitUsage
	}
	s, p, code := loadForUse(g, e, "rotate")
	if p == nil {
		return code
	}
	checker, err := profileChecker(g, e, p, v.propagationWait)
	if err != nil {
		fmt.Fprintf(e.stderr, "entrasso rotate: %v\n", err)
		return exitFailed
	}
	rep := oidccheck.Report{Profile: g.profile}
	cleaned := oidccheck.CheckSecret(*secret).Value
	info := s.NewSecretInfo(cleaned, v.secretDescription.value, expires)
	_, err = s.Promote(ctx, g.profile, info, cleaned, func(ctx context.Context) error {
		rep = checker.Run(ctx, oidccheck.Input{ClientID: &p.ClientID, ClientSecret: secret, Discovery: &p.DiscoveryURL,
			SecretExpires: expires, Profile: g.profile}).Report
		if rep.Failed() {
			return errProofFailed
		}
		return nil
	})
	switch {
	case errors.Is(err, errProofFailed):
		rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing changed: the stored secret is still the working one"})
	case errors.Is(err, store.ErrRotationInProgress), errors.Is(err, store.ErrSameSecret):
		rep.Add(oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail,
			Message: strings.TrimPrefix(err.Error(), "store: "), Fix: "nothing changed"})
	case err != nil:
		c, code := storeCheck(err)
		rep.Add(c)
		printReport(e, g, &rep)
		return code
	default:
		rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusPass,
			Message: "the new secret is current; the old one is kept as previous until you run entrasso rotate --finish"})
	}
	code = printReport(e, g, &rep)
	if code == exitOK && !g.json {
		fmt.Fprintln(e.stdout, "\nNext: paste the new secret into Syncro's Client Secret (entrasso secret | pbcopy), update its Client Secret Expiration Date to "+expires+",\nclick Save & Verify SSO, then run: entrasso rotate --finish")
	}
	return code
}

// rotateFinish drops the previous secret and names it for deletion.
func rotateFinish(g *globals, e env) int {
	s, p, code := loadForUse(g, e, "rotate")
	if p == nil {
		return code
	}
	old, _, err := s.Finish(g.profile)
	if errors.Is(err, store.ErrNoRotation) {
		fmt.Fprintln(e.stderr, "entrasso rotate --finish: no rotation is in progress; nothing to do")
		return exitFailed
	}
	if err != nil {
		return storeExit(e, g, "rotate", err)
	}
	fmt.Fprintf(e.stdout, "The old secret is gone from this machine. Delete it in Entra too (Certificates & secrets):\n  %s\n", credentialsURL(p))
	fmt.Fprintf(e.stdout, "  the secret whose Value starts with %q, description %q, expiring %s\n", old.Hint, old.Description, orNone(old.Expires))
	return exitOK
}
