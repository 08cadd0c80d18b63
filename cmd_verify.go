package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"entrasso/oidccheck"
	"entrasso/store"
)

// loadForUse opens the store, completes or undoes an interrupted change,
// and loads the profile; a failure has already been printed.
func loadForUse(g *globals, e env, cmd string) (*store.Store, *store.Profile, int) {
	s, err := openStore(g, e)
	if err != nil {
		return nil, nil, storeExit(e, g, cmd, err)
	}
	note, err := s.Reconcile(g.profile)
	if note != "" {
		fmt.Fprintln(e.stderr, "entrasso: "+note)
	}
	if err != nil {
		return nil, nil, storeExit(e, g, cmd, err)
	}
	p, err := s.Load(g.profile)
	if err != nil {
		return nil, nil, storeExit(e, g, cmd, err)
	}
	return s, p, exitOK
}

// profileChecker is the live checker for a saved profile: its own
// authority host is trusted (setup checked it), unless --authority-host
// names another.
func profileChecker(g *globals, e env, p *store.Profile, wait time.Duration) (*oidccheck.Checker, error) {
	c, err := newChecker(g, wait, e)
	if err != nil {
		return nil, err
	}
	if g.authorityHost == oidccheck.DefaultAuthorityHost && p.AuthorityHost != "" {
		c.AuthorityHost = p.AuthorityHost
	}
	return c, nil
}

// withStoredSecret loads the profile, its stored secret and a checker for
// it (which never retries: a stored secret that Entra refuses is not a new
// one on its way). On failure it has printed why; code is the exit code.
func withStoredSecret(g *globals, e env, cmd string) (s *store.Store, p *store.Profile, secret string, c *oidccheck.Checker, code int) {
	s, p, code = loadForUse(g, e, cmd)
	if p == nil {
		return nil, nil, "", nil, code
	}
	secret, err := s.Secret(g.profile)
	if err != nil {
		c, code := storeCheck(err)
		rep := oidccheck.Report{Profile: g.profile}
		rep.Add(c)
		printReport(e, g, &rep)
		return nil, nil, "", nil, code
	}
	if c, err = profileChecker(g, e, p, 0); err != nil {
		fmt.Fprintf(e.stderr, "entrasso %s: %v\n", cmd, err)
		return nil, nil, "", nil, exitFailed
	}
	return s, p, secret, c, exitOK
}

func verifyCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	return func(ctx context.Context, g *globals, e env) int {
		s, p, secret, checker, code := withStoredSecret(g, e, "verify")
		if p == nil {
			return code
		}
		in := oidccheck.Input{ClientID: &p.ClientID, ClientSecret: &secret, Discovery: &p.DiscoveryURL,
			SecretExpires: p.Secret.Expires, Profile: g.profile}
		if p.RedirectURI != "" {
			in.RedirectURI = &p.RedirectURI
		}
		rep := checker.Run(ctx, in).Report
		if !rep.Failed() {
			now := e.now().UTC()
			err := s.Update(g.profile, func(p *store.Profile) error { p.LastVerified = &now; return nil })
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				fmt.Fprintf(e.stderr, "entrasso verify: the check passed but could not be recorded: %v\n", err)
			}
		}
		return printReport(e, g, &rep)
	}
}
