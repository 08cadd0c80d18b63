package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
)

func setupCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	var v valueFlags
	// A secret given to setup is usually minutes old: retry while Entra
	// spreads it (DESIGN.md "--propagation-wait").
	v.register(fs, 60*time.Second)
	nonInteractive := fs.Bool("non-interactive", false, "take every value from flags and stdin, check them all, save only if none fails")
	useGraph := fs.Bool("graph", false, "sign in as an admin and let entrasso register the app and make the secret through Microsoft Graph")
	appName := fs.String("app-name", "Syncro SSO", "with --graph: the app's display `name` to find or register")
	logoutURL := fs.String("logout-url", "", "with --graph: Syncro's Logout `URL`, set as the app's front-channel logout URL")
	return func(ctx context.Context, g *globals, e env) int {
		if *useGraph {
			// The wizard's Graph path is its own; from the command line
			// --graph runs from flags, with or without --non-interactive.
			return setupGraph(ctx, g, e, &v, *appName, *logoutURL)
		}
		if !*nonInteractive {
			return setupWizard(ctx, g, e)
		}
		secret, err := v.readSecret(e)
		if err != nil {
			return usage(e, g, "setup", err)
		}
		var missing []string
		for _, f := range []struct {
			name string
			set  bool
		}{{"--redirect-uri", v.redirectURI.set}, {"--client-id", v.clientID.set}, {"--discovery-url", v.discoveryURL.set},
			{"--secret-expires", v.secretExpires.set}, {"the secret (--client-secret-stdin or ENTRASSO_CLIENT_SECRET)", secret != nil}} {
			if !f.set {
				missing = append(missing, f.name)
			}
		}
		if len(missing) > 0 {
			return usage(e, g, "setup", usagef("--non-interactive is missing %s", strings.Join(missing, ", ")))
		}
		expires, err := v.expiry(e.now())
		if err != nil {
			return usage(e, g, "setup", err)
		}
		d, code := g.flowDeps(e, "setup", true)
		if d == nil {
			return code
		}
		res := flow.Setup(ctx, d, flow.SetupInput{Profile: g.profile, RedirectURI: v.redirectURI.value, ClientID: v.clientID.value,
			Discovery: v.discoveryURL.value, Secret: *secret, SecretDescription: v.secretDescription.value, SecretExpires: expires,
			Wait: g.waitPrinter(e, v.propagationWait)})
		if res.Report.Values.SecretExpires == "" {
			res.Report.Values.SecretExpires = expires
		}
		return finish(e, g, "setup", res)
	}
}

// waitPrinter says on stderr, for people, that a new secret is being
// retried while Entra spreads it; scripts reading --json get the report.
func (g *globals) waitPrinter(e env, limit time.Duration) flow.Wait {
	w := flow.Wait{Limit: limit}
	if !g.json && limit > 0 {
		w.OnWait = func(i oidccheck.WaitInfo) {
			fmt.Fprintf(e.stderr, "Entra does not accept the secret yet; a new secret takes a few seconds to spread. Waiting %s (%s of %s so far)...\n",
				i.Next, i.Waited.Round(time.Second), i.Limit)
		}
	}
	return w
}
