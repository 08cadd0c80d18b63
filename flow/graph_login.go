package flow

import (
	"context"
	"strings"
	"time"

	"entrasso/oidccheck"
	"entrasso/store"
)

// TestLoginGraph is test-login --graph: the loopback redirect URI
// (http://localhost/entrasso/callback) is added to the app's Web redirect
// URIs for the test, when it is not there, and removed again afterwards,
// also after a failed or cancelled test. Only a URI entrasso added is
// removed; the addition is recorded in the Entra journal first, so a kill
// during the test leaves it for the next test-login --graph to remove.
func TestLoginGraph(ctx context.Context, d *Deps, gs *GraphSession, in LoginInput) Result {
	r := Load(d, in.Profile)
	if r.Profile == nil {
		return r
	}
	app, err := d.resolveApp(ctx, gs, r.Profile)
	if err != nil {
		r.add(graphCheck(err))
		return r
	}
	uri := oidccheck.LoopbackRedirectURI
	j, err := d.Store.EntraJournal(in.Profile)
	if err != nil {
		r.add(storeCheck(err, in.Profile))
		return r
	}
	ours := false
	for _, a := range j.Redirects {
		ours = ours || (strings.EqualFold(a.AppObjectID, app.ID) && a.URI == uri)
	}
	record := func(add bool) error {
		return d.Store.ChangeEntraJournal(in.Profile, func(j *store.EntraJournal) {
			out := j.Redirects[:0]
			for _, a := range j.Redirects {
				if !(strings.EqualFold(a.AppObjectID, app.ID) && a.URI == uri) {
					out = append(out, a)
				}
			}
			j.Redirects = out
			if add {
				j.Redirects = append(j.Redirects, store.AddedRedirect{AppObjectID: app.ID, URI: uri})
			}
		})
	}
	var pre []oidccheck.Check
	if !containsURI(app.Web.RedirectURIs, uri) {
		if err := record(true); err != nil {
			r.add(storeCheck(err, in.Profile))
			return r
		}
		changed, err := gs.Client.AddRedirectURI(ctx, app.ID, uri)
		if err != nil {
			_ = record(ours)
			r.add(graphCheck(err))
			return r
		}
		ours = ours || changed
		pre = append(pre, graphPass("added "+uri+" to the app's Web redirect URIs for the test"))
	}
	lr := TestLogin(ctx, d, in)
	for _, n := range lr.Notes {
		r.note(n)
	}
	r.Report.Checks = append(pre, lr.Report.Checks...)
	r.Report.Values = lr.Report.Values
	r.Identity = lr.Identity
	if lr.Profile != nil {
		r.Profile = lr.Profile
	}
	if ours {
		// A context of its own: a cancelled test still cleans up.
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
		defer cancel()
		if _, err := gs.Client.RemoveRedirectURI(cctx, app.ID, uri); err != nil {
			c := graphCheck(err)
			c.Status = oidccheck.StatusWarn
			c.Message = "could not remove " + uri + " from the app again: " + c.Message
			c.Fix = "the next entrasso test-login --graph removes it; or remove it under Authentication in the portal"
			r.add(c)
		} else {
			_ = record(false)
			r.add(graphPass("removed " + uri + " from the app's Web redirect URIs again"))
		}
	} else {
		r.add(graphPass(uri + " was already registered before the test, so it stays"))
	}
	r.Report.OK = !r.Report.Failed()
	return r
}
