package main

import (
	"context"
	"flag"
	"fmt"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"
)

// credentialsURL is the app's Certificates & secrets page in its cloud's
// portal (entra-facts.md section 8).
func credentialsURL(p *store.Profile) string {
	return steps.AppURL(steps.PortalFor(p.AuthorityHost), steps.BladeCredentials, p.ClientID)
}

func rotateCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	var v valueFlags
	v.register(fs, 60*time.Second)
	nonInteractive := fs.Bool("non-interactive", false, "take the new secret from stdin or ENTRASSO_CLIENT_SECRET and print the report")
	finishRotation := fs.Bool("finish", false, "after Syncro has the new secret: drop the old one and name it for deletion in Entra")
	useGraph := fs.Bool("graph", false, "sign in as an admin and add (and with --finish remove) the secret through Microsoft Graph")
	removeUnknown := fs.Bool("remove-unknown", false, "with --graph: remove the app's secrets that entrasso does not know (only when nothing uses them)")
	return func(ctx context.Context, g *globals, e env) int {
		switch {
		case *useGraph && *finishRotation:
			return rotateFinishGraph(ctx, g, e)
		case *useGraph:
			return rotateGraph(ctx, g, e, &v, *removeUnknown, *nonInteractive)
		case *removeUnknown:
			return usage(e, g, "rotate", usagef("--remove-unknown needs --graph"))
		case *finishRotation:
			return rotateFinish(ctx, g, e)
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
		return usage(e, g, "rotate", usagef("--non-interactive takes the new secret from --client-secret-stdin or ENTRASSO_CLIENT_SECRET"))
	}
	if !v.secretExpires.set {
		return usage(e, g, "rotate", usagef("--non-interactive is missing --secret-expires (as chosen in Entra)"))
	}
	expires, err := v.expiry(e.now())
	if err != nil {
		return usage(e, g, "rotate", err)
	}
	d, code := g.flowDeps(e, "rotate", true)
	if d == nil {
		return code
	}
	res := flow.Rotate(ctx, d, flow.RotateInput{Profile: g.profile, Secret: *secret, Description: v.secretDescription.value,
		Expires: expires, Wait: g.waitPrinter(e, v.propagationWait)})
	code = finish(e, g, "rotate", res)
	if code == exitOK && !g.json {
		fmt.Fprintln(e.stdout, "\nNext: paste the new secret into Syncro's Client Secret (entrasso secret | pbcopy), set its Client Secret Expiration Date to "+expires+",")
		fmt.Fprintln(e.stdout, "click Save & Verify SSO, then run: entrasso rotate --finish")
	}
	return code
}

// rotateFinish drops the previous secret and names it for deletion.
func rotateFinish(ctx context.Context, g *globals, e env) int {
	d, code := g.flowDeps(e, "rotate", true)
	if d == nil {
		return code
	}
	res := flow.Finish(ctx, d, g.profile)
	if res.Old == nil || g.json {
		return finish(e, g, "rotate --finish", res)
	}
	for _, n := range res.Notes {
		fmt.Fprintln(e.stderr, "entrasso: "+oidccheck.SafeText(n))
	}
	old := res.Old
	fmt.Fprintf(e.stdout, "The old secret is gone from this machine. Delete it in Entra too (Certificates & secrets):\n  %s\n", credentialsURL(res.Profile))
	fmt.Fprintf(e.stdout, "  the secret whose Value starts with %q, description %q, expiring %s\n", old.Hint, oidccheck.SafeText(old.Description), orNone(old.Expires))
	return exitOK
}
