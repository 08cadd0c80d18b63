package main

import (
	"context"
	"flag"
	"fmt"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/wizard"
)

func testLoginCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	timeout := fs.Duration("login-timeout", oidccheck.DefaultLoginTimeout, "how long to wait for the sign-in in the browser (a positive `duration`)")
	useGraph := fs.Bool("graph", false, "add "+oidccheck.LoopbackRedirectURI+" to the app through Microsoft Graph for the test, and remove it afterwards")
	return func(ctx context.Context, g *globals, e env) int {
		if *timeout <= 0 {
			return usage(e, g, "test-login", usagef("--login-timeout must be a positive duration such as 3m"))
		}
		d, code := g.flowDeps(e, "test-login", true)
		if d == nil {
			return code
		}
		authPage := ""
		if r := flow.Load(d, g.profile); r.Profile != nil {
			authPage = wizard.AuthenticationURL(r.Profile)
		}
		browser := wizard.CanOpenBrowser(g.noBrowser, e.getenv)
		// The full authorize URL alone on a line on stdout, for scripts
		// (on stderr with --json, where stdout holds only the report); the
		// person is shown the short loopback address that leads to it.
		full := func(u string) {
			if g.json {
				fmt.Fprintln(e.stderr, u)
			} else {
				fmt.Fprintln(e.stdout, u)
			}
		}
		open := func(short string) error {
			if !*useGraph {
				fmt.Fprintf(e.stderr, "The app needs %s as a Web redirect URI (Authentication: %s).\n", oidccheck.LoopbackRedirectURI, authPage)
			}
			if browser && wizard.OpenBrowser(short) == nil {
				fmt.Fprintln(e.stderr, "Sign in in the browser window that opened; waiting up to "+timeout.String()+".")
				return nil
			}
			fmt.Fprintln(e.stderr, "Open "+short+" in a browser on this machine and sign in (it leads to Entra's sign-in page); waiting up to "+timeout.String()+".")
			return nil
		}
		in := flow.LoginInput{Profile: g.profile, Timeout: *timeout, Open: open, AuthorizeURL: full}
		if *useGraph {
			p, code, ok := g.graphProfile(e, d, "test-login")
			if !ok {
				return code
			}
			gs, sr := g.graphSignIn(ctx, e, d, p.AuthorityHost, g.graphTenant(p))
			if gs == nil {
				return finish(e, g, "test-login", sr)
			}
			return finish(e, g, "test-login", withSignIn(sr, flow.TestLoginGraph(ctx, d, gs, in)))
		}
		res := flow.TestLogin(ctx, d, in)
		if res.Identity != nil && !res.Failed() {
			fmt.Fprintf(e.stderr, "The sign-in works. You may remove %s from the app again (Authentication: %s).\n", oidccheck.LoopbackRedirectURI, authPage)
		}
		return finish(e, g, "test-login", res)
	}
}
