package wizard

// The Graph path as plain line prompts (--accessible): the same fields of
// package steps and the same flow calls as graph.go and graph_rotate.go,
// said one line at a time.

import (
	"context"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/huh"
)

// plainNote says a note of a Graph sequence as it happens: where to sign
// in, each call as it starts or fails, the propagation wait.
func (a *plain) plainNote() func(tea.Msg) {
	seen := map[string]string{}
	return func(n tea.Msg) {
		switch n := n.(type) {
		case graphSignInMsg:
			switch {
			case n.code != nil:
				how := "copied to the clipboard"
				if a.d.Copy == nil {
					how = "not copied: no clipboard"
				} else if _, err := a.d.Copy(n.code.UserCode); err != nil {
					how = "not copied: " + err.Error()
				}
				a.say("Sign in to Microsoft Graph as an admin of your tenant: on any device, open this address")
				a.say("%s", oidccheck.SafeText(n.code.VerificationURI))
				a.say("and enter the code (%s)", how)
				a.say("%s", oidccheck.SafeText(n.code.UserCode))
			case n.opened:
				a.say("A browser was sent to this address; if none opened, open it in a browser on this machine and sign in as an admin:")
				a.say("%s", n.short)
			default:
				a.say("Open this address in a browser on this machine and sign in as an admin of your tenant:")
				a.say("%s", n.short)
			}
		case graphProgressMsg:
			for i, c := range n.calls {
				state := "done"
				switch {
				case i == 0:
					state = "signed in"
				case c.running > 0:
					state = "running"
				case c.failed:
					state = "failed"
				}
				if seen[c.what] != state {
					seen[c.what] = state
					a.say("%s: %s", c.what, state)
				}
			}
			n.ack()
		case waitedMsg:
			a.say("%s.", n.text())
		}
	}
}

// askGraphMethod asks the sign-in again after a failure that another way
// may pass: the other method, the portal, or stop.
func (a *plain) graphWayOut(c oidccheck.Check, method, consent string) string {
	if way := graphWayOut(c, method, consent); way != "" {
		a.say("%s", way)
	}
	choice := "retry"
	opts := []huh.Option[string]{huh.NewOption("Try again", "retry"),
		huh.NewOption("Sign in with "+methodName(otherMethod(method))+" instead", "other"),
		huh.NewOption("Do it in the portal instead (the values entered so far are kept)", "portal")}
	if !a.ask(huh.NewSelect[string]().Title("What now?").Options(opts...).Value(&choice)) {
		return ""
	}
	return choice
}

// graphSetup is step 2's Graph path: the form, the sign-in and
// flow.RegisterGraph. It returns the saved profile, or portal true when the
// admin chose the portal path (values kept in v); code is ExitInterrupted
// at the end of input.
func (a *plain) graphSetup(v *steps.Values) (saved *store.Profile, portal bool, code int) {
	d := a.d
	if v.Discovery == "" {
		v.Discovery = d.Graph.Tenant
	}
	method := defaultMethod(d)
	def := steps.GraphRegisterStep(&method)
	a.say("\nStep 2 of 7, done by entrasso: %s\n%s", def.Title, def.Instructions(v, a.env))
	if d.Demo != nil {
		a.say("Demo portal: Tenant domain: %s", d.Demo.TenantDomain)
	}
	ask := true
	for {
		if a.ctx.Err() != nil {
			return nil, false, ExitInterrupted
		}
		if ask {
			if !a.askFields(def, v) {
				return nil, false, ExitInterrupted
			}
			checks := def.Check(v, a.env)
			for _, c := range checks {
				a.say("%s", plainCheck(c))
			}
			if failed(checks) {
				continue
			}
		}
		expires, _ := steps.ExpiryDate(v, a.env.Now)
		disc, _ := oidccheck.ParseDiscovery(v.Discovery, a.env.AuthorityHost)
		loginHost := disc.Host
		if loginHost == "" {
			loginHost = a.env.AuthorityHost
		}
		in := flow.RegisterInput{Profile: d.Profile, RedirectURI: v.RedirectURI, LogoutURL: v.LogoutURL, Tenant: v.Discovery,
			SecretDescription: v.SecretDescription, SecretExpires: expires, Wait: a.wait()}
		var res flow.Result
		if r := flow.CheckRegister(&in); r.Failed() {
			res = r
		} else {
			note := a.plainNote()
			fd, tr := observe(d.Flow, note)
			gs, sr := flow.SignIn(a.ctx, fd, signInInput(d, loginHost, disc.Tenant, method, note))
			res = sr
			if gs != nil {
				tr.started(signedInAs(sr))
				res = withSignIn(sr, flow.RegisterGraph(a.ctx, fd, gs, in))
			}
		}
		a.report(res)
		c, bad := res.Report.FirstFailure()
		if !bad && res.Profile != nil {
			a.say("Saved as profile %s: %s", d.Profile, graphSummary(res))
			return res.Profile, false, ExitDone
		}
		if a.ctx.Err() != nil {
			return nil, false, ExitInterrupted
		}
		switch a.graphWayOut(c, method, consentURL(loginHost, disc.Tenant, d.Graph.ClientID)) {
		case "":
			return nil, false, ExitInterrupted
		case "portal":
			v.AppChoice = steps.AppNew
			return nil, true, ExitDone
		case "other":
			method, ask = otherMethod(method), false
		default:
			ask = c.Code == oidccheck.CodeLifetimePolicy || c.Field != oidccheck.FieldGraph
		}
	}
}

// graphRotate is the rotation by Graph as plain prompts, in DESIGN's
// order: flow.RotateGraph, the admin's word that Syncro works, then
// flow.FinishGraph. It returns the profile as it left it.
func (a *plain) graphRotate(p *store.Profile) (int, *store.Profile) {
	d := a.d
	method := defaultMethod(d)
	tenant := d.Graph.Tenant
	if tenant == "" {
		tenant = p.TenantID
	}
	var gs *flow.GraphSession
	session := func(ctx context.Context, note func(tea.Msg)) (*flow.Deps, *flow.GraphSession, flow.Result) {
		fd, tr := observe(d.Flow, note)
		if gs != nil {
			if s, err := fd.NewGraphSession(gs.Client.Host(), gs.Session); err == nil {
				tr.started("Microsoft Graph (signed in earlier)")
				return fd, s, flow.Result{}
			}
		}
		s, sr := flow.SignIn(ctx, fd, signInInput(d, p.AuthorityHost, tenant, method, note))
		if s != nil {
			gs = s
			tr.started(signedInAs(sr))
		}
		return fd, s, sr
	}
	consent := consentURL(p.AuthorityHost, tenant, d.Graph.ClientID)
	if p.Previous == nil {
		v := syncroValues(p)
		v.SecretExpiry, v.SecretDescription = "", "Syncro SSO "+a.env.Now.Format("2006")
		v.Defaults()
		def := steps.GraphRotateStep(currentSecret(p, a.env), &method)
		a.say("\nRotating the client secret through Microsoft Graph (the profile knows the app's object ID %s)\n%s", p.AppObjectID, def.Instructions(v, a.env))
		ask := true
		for {
			if a.ctx.Err() != nil {
				return ExitInterrupted, p
			}
			if ask && !a.askFields(def, v) {
				return ExitInterrupted, p
			}
			expires, err := steps.ExpiryDate(v, a.env.Now)
			if err != nil {
				a.say("The expiry date cannot be read: %v", err)
				ask = true
				continue
			}
			fd, s, sr := session(a.ctx, a.plainNote())
			res := sr
			if s != nil {
				res = withSignIn(sr, flow.RotateGraph(a.ctx, fd, s, flow.GraphRotateInput{Profile: d.Profile, Description: v.SecretDescription,
					Expires: expires, Wait: a.wait()}))
			}
			a.report(res)
			c, bad := res.Report.FirstFailure()
			if !bad {
				if res.Profile != nil {
					p = res.Profile
				}
				break
			}
			if a.ctx.Err() != nil {
				return ExitInterrupted, p
			}
			switch a.graphWayOut(c, method, consent) {
			case "", "portal":
				a.say("Nothing changed: the stored secret is still the working one.")
				return ExitDone, p
			case "other":
				method, ask, gs = otherMethod(method), false, nil
			default:
				ask = true
			}
		}
	}
	v := syncroValues(p)
	a.say("\nIn Syncro's Login Settings paste the new Client Secret (entrasso secret prints it), set Client Secret Expiration Date, and click Save & Verify SSO.")
	a.copies(steps.RotateSyncroStep(true).Copies(v, a.env))
	a.say("The old secret %s… stays in Entra and here until you confirm; then entrasso removes it in Entra, and only then here.", p.Previous.Hint)
	for {
		yes := false
		if !a.ask(huh.NewConfirm().Title("Did Save & Verify SSO pass in Syncro with the new secret? Then the old one is removed in Entra.").Value(&yes)) {
			return ExitInterrupted, p
		}
		if !yes {
			a.say("The new secret stays current and the old one is kept, in Entra and here. Finish later with entrasso rotate --finish --graph.")
			return ExitDone, p
		}
		fd, s, sr := session(a.ctx, a.plainNote())
		res := sr
		if s != nil {
			res = withSignIn(sr, flow.FinishGraph(a.ctx, fd, s, d.Profile))
		}
		a.report(res)
		if res.Profile != nil {
			p = res.Profile
		}
		c, bad := res.Report.FirstFailure()
		if !bad {
			if res.Old != nil {
				a.say("The rotation is finished: the old secret %s… is removed in Entra and gone from this machine.", res.Old.Hint)
			}
			return ExitDone, p
		}
		if way := graphWayOut(c, method, consent); way != "" {
			a.say("%s", way)
		}
		if c.Code == oidccheck.CodeSignInBlocked {
			method, gs = otherMethod(method), nil
		}
	}
}
