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
	"entrasso/wizard"
)

// storeCheck turns a store failure into the report's secret_store line.
func storeCheck(err error) (oidccheck.Check, int) {
	var se *store.Error
	if errors.As(err, &se) {
		return oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail, Code: oidccheck.Code(se.Code),
			Message: se.Message, Fix: se.Fix}, se.ExitCode()
	}
	return oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail,
		Message: strings.TrimPrefix(err.Error(), "store: "), Fix: "see the message; nothing was saved"}, exitFailed
}

func setupCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	var v valueFlags
	// A secret given to setup is usually minutes old: retry while Entra
	// spreads it (DESIGN.md "--propagation-wait").
	v.register(fs, 60*time.Second)
	nonInteractive := fs.Bool("non-interactive", false, "take every value from flags and stdin, check them all, save only if none fails")
	return func(ctx context.Context, g *globals, e env) int {
		if !*nonInteractive {
			return setupWizard(ctx, g, e)
		}
		secret, err := v.readSecret(e)
		if err != nil {
			fmt.Fprintf(e.stderr, "entrasso setup: %v\n", err)
			return exitUsage
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
			fmt.Fprintf(e.stderr, "entrasso setup --non-interactive: missing %s\n", strings.Join(missing, ", "))
			return exitUsage
		}
		expires, err := v.expiry(e.now())
		if err != nil {
			fmt.Fprintf(e.stderr, "entrasso setup: %v\n", err)
			return exitUsage
		}
		s, err := openStore(g, e)
		if err != nil {
			return storeExit(e, g, "setup", err)
		}
		rep := oidccheck.Report{Profile: g.profile}
		// Before any network work: can the secret be kept at all?
		if err := store.Probe(ctx, s.Keyring); err != nil {
			c, code := storeCheck(err)
			rep.Add(c)
			printReport(e, g, &rep)
			return code
		}
		checker, err := newChecker(g, v.propagationWait, e)
		if err != nil {
			fmt.Fprintf(e.stderr, "entrasso setup: %v\n", err)
			return exitFailed
		}
		storage := store.StorageKeyring
		if _, file := s.Keyring.(*store.FileKeyring); file {
			storage = store.StorageFile
		}
		d := &wizard.Deps{Store: s, Profile: g.profile, Checker: checker, AuthorityHost: g.authorityHost, Now: e.now, Storage: storage}
		values := steps.Values{RedirectURI: v.redirectURI.value, ClientID: v.clientID.value, Secret: *secret,
			Discovery: v.discoveryURL.value, SecretDescription: v.secretDescription.value, SecretExpiry: v.secretExpires.value}
		rep, note, err := wizard.Save(ctx, d, checker, values, steps.Env{AuthorityHost: g.authorityHost, Now: e.now()})
		if note != "" {
			fmt.Fprintln(e.stderr, "entrasso: "+note)
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "entrasso setup: %v\n", err)
			return exitFailed
		}
		if rep.Values.SecretExpires == "" {
			rep.Values.SecretExpires = expires
		}
		return printReport(e, g, &rep)
	}
}
