package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"entrasso/oidccheck"
	"entrasso/store"
)

// errChecksFailed stops a save when a check failed; the report says which.
var errChecksFailed = errors.New("a check failed")

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

// profileFrom builds the profile to save from a passed check.
func profileFrom(out oidccheck.Outcome, s *store.Store, storage, description string) store.Profile {
	v := out.Report.Values
	host := ""
	if u, err := url.Parse(v.DiscoveryURL); err == nil {
		host = u.Host
	}
	return store.Profile{
		RedirectURI: v.RedirectURI, ClientID: v.ClientID, TenantID: v.TenantID, Issuer: v.Issuer,
		DiscoveryURL: v.DiscoveryURL, AuthorityHost: host, SecretStorage: storage,
		Secret: s.NewSecretInfo(out.Secret, description, v.SecretExpires),
	}
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
		in := oidccheck.Input{RedirectURI: v.redirectURI.ptr(), ClientID: v.clientID.ptr(), ClientSecret: secret,
			Discovery: v.discoveryURL.ptr(), SecretExpires: expires, Profile: g.profile}
		cleaned := oidccheck.CheckSecret(*secret).Value
		var out oidccheck.Outcome
		proved := false
		note, err := s.Setup(ctx, g.profile, cleaned, func(ctx context.Context) (store.Profile, error) {
			proved = true
			out = checker.Run(ctx, in)
			if out.Report.Failed() {
				return store.Profile{}, errChecksFailed
			}
			return profileFrom(out, s, storage, v.secretDescription.value), nil
		})
		if note != "" {
			fmt.Fprintln(e.stderr, "entrasso: "+note)
		}
		if proved {
			rep = out.Report
		} else {
			rep.Values.SecretExpires = expires
		}
		var exists *store.ExistsError
		switch {
		case errors.Is(err, errChecksFailed):
			rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing was saved: a check failed"})
		case errors.As(err, &exists):
			rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusFail,
				Message: "profile " + g.profile + " already exists with another secret; nothing was changed",
				Fix:     "to replace the secret run entrasso rotate (it keeps the old one until Syncro has the new); to start over run entrasso forget first"})
		case err != nil:
			c, code := storeCheck(err)
			rep.Add(c)
			printReport(e, g, &rep)
			return code
		default:
			where := "the OS keyring"
			if storage == store.StorageFile {
				where = "the plain file you chose with --insecure-storage"
			}
			rep.Add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusPass,
				Message: "secret kept in " + where + "; profile saved at " + s.Path(g.profile)})
		}
		return printReport(e, g, &rep)
	}
}
