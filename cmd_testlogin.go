package main

import (
	"context"
	"flag"
	"fmt"

	"entrasso/oidccheck"
	"entrasso/store"
	"entrasso/wizard"
)

func testLoginCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	timeout := fs.Duration("login-timeout", oidccheck.DefaultLoginTimeout, "how long to wait for the sign-in in the browser")
	return func(ctx context.Context, g *globals, e env) int {
		s, p, secret, checker, code := withStoredSecret(g, e, "test-login")
		if p == nil {
			return code
		}
		rep := oidccheck.Report{Profile: g.profile}
		d, r := oidccheck.ParseDiscovery(p.DiscoveryURL, checker.AuthorityHost)
		if !r.OK() {
			rep.Add(r.Checks...)
			return printReport(e, g, &rep)
		}
		prov, c := checker.Discover(ctx, d)
		if prov == nil {
			rep.Add(c)
			return printReport(e, g, &rep)
		}
		authPage := wizard.AuthenticationURL(p)
		fmt.Fprintf(e.stderr, "The app needs %s as a Web redirect URI (Authentication: %s).\n", oidccheck.LoopbackRedirectURI, authPage)
		browser := wizard.CanOpenBrowser(g.noBrowser, e.getenv)
		open := func(u string) error {
			if browser && wizard.OpenBrowser(u) == nil {
				fmt.Fprintln(e.stderr, "Sign in in the browser window that opened; waiting up to "+timeout.String()+".")
				return nil
			}
			fmt.Fprintln(e.stderr, "Open this URL in a browser on this machine and sign in; waiting up to "+timeout.String()+":")
			fmt.Fprintln(e.stdout, u)
			return nil
		}
		id, checks := checker.TestLogin(ctx, oidccheck.LoginOptions{Provider: prov, ClientID: p.ClientID, Secret: secret,
			ExpectTenant: p.TenantID, Timeout: *timeout, Open: open})
		rep.Add(checks...)
		rep.Values = oidccheck.Values{ClientID: p.ClientID, TenantID: p.TenantID, Issuer: prov.Issuer, DiscoveryURL: p.DiscoveryURL}
		if id != nil && !rep.Failed() {
			now := e.now().UTC()
			_ = s.Update(g.profile, func(p *store.Profile) error { p.LastSignIn = &now; return nil })
			fmt.Fprintf(e.stderr, "The sign-in works. You may remove %s from the app again (Authentication: %s).\n", oidccheck.LoopbackRedirectURI, authPage)
		}
		return printReport(e, g, &rep)
	}
}
