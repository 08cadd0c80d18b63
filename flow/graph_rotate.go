package flow

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"entrasso/graph"
	"entrasso/oidccheck"
	"entrasso/store"
)

// Rotation by Graph, in order (DESIGN.md "Rotation, in order"):
//
//  1. addPassword, recorded in the Entra journal before and after the call;
//  2. the live proof of the new secret (retrying while Entra spreads it),
//     then store.Promote: new to current, old to previous (Rotate);
//  3. the admin puts the new secret into Syncro and confirms (for scripts:
//     rotate --finish --graph later);
//  4. FinishGraph: the current secret is proven live again, then the
//     previous one is removed in Entra, and only then dropped here
//     (store.Finish).
//
// Removing in Entra before dropping it here means a kill between the two
// leaves the previous secret still named in the profile: the next
// rotate --finish (with or without --graph) completes it, and a removal
// that finds the secret already gone counts as done. Dropping it here first
// would lose its keyId, and a kill would leave a secret in Entra nothing
// knows of. The working (current) secret is never touched by any step.
//
// A failure before the promote removes the new secret in Entra again
// (its value was never stored, so nothing uses it) unless the store ended
// up keeping it; a kill there leaves its keyId in the Entra journal, and
// the next rotate --graph or setup --graph removes it.

// GraphRotateInput is rotate --graph.
type GraphRotateInput struct {
	Profile string
	// Description of the new secret; empty keeps the current one's.
	Description string
	// Expires is the new secret's expiry, YYYY-MM-DD.
	Expires string
	Wait    Wait
	// RemoveUnknown is asked about each secret of the app that entrasso
	// does not know; true removes it (--remove-unknown, or the admin's
	// yes). nil keeps them all and reports them.
	RemoveUnknown func(c graph.PasswordCredential, ours bool) bool
}

// RotateGraph adds a new secret through Graph, proves it live and
// promotes it, keeping the working one as previous (in Entra too) until
// FinishGraph. A failure at any point leaves the working secret in Entra,
// the keyring and the profile.
func RotateGraph(ctx context.Context, d *Deps, gs *GraphSession, in GraphRotateInput) Result {
	r := Load(d, in.Profile)
	if r.Profile == nil {
		return r
	}
	p := r.Profile
	if p.Previous != nil {
		c := storeCheck(store.ErrRotationInProgress, in.Profile)
		c.Fix = "put the current secret into Syncro, then finish it with entrasso rotate --finish --graph"
		r.add(c)
		return r
	}
	if ok, why := d.profileTrust(p); !ok {
		r.add(oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail, Code: CodeUntrustedProfile,
			Message: "a new secret could not be proven: " + why, Fix: "nothing changed; " + untrustedSkip(why, d.untrustedFix(p.AuthorityHost), p).Fix})
		return r
	}
	if in.Description == "" {
		in.Description = p.Secret.Description
	}
	now := d.now()
	end, err := endOf(in.Expires, now)
	if err != nil {
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError, Message: trim(err)})
		return r
	}

	var (
		pr  policyResult
		wg  sync.WaitGroup
		app *graph.Application
	)
	wg.Add(1)
	go func() { defer wg.Done(); pr = readPolicy(ctx, gs) }()
	app, err = d.resolveApp(ctx, gs, p)
	wg.Wait()
	if err != nil {
		r.add(graphCheck(err))
		return r
	}
	d.learnKeys(in.Profile, p, app, &r)

	app.PasswordCredentials = d.cleanLeftovers(ctx, gs, in.Profile, p, app, in.RemoveUnknown, &r)
	pc, ok := policyCheck(pr, app.CreatedDateTime, now, end)
	r.add(pc)
	if !ok {
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing changed: the stored secret is still the working one"})
		return r
	}
	np, err := d.addSecret(ctx, gs, in.Profile, app, in.Description, in.Expires)
	if err != nil {
		var ue *store.UnsafeError
		if errors.As(err, &ue) {
			r.add(storeCheck(err, in.Profile))
		} else {
			r.add(graphCheck(err))
		}
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing changed: the stored secret is still the working one"})
		return r
	}
	r.add(graphPass("added a new client secret " + np.Hint + "… (Secret ID " + np.KeyID + ") expiring " + np.EndDateTime.UTC().Format("2006-01-02")))
	exp := np.EndDateTime.UTC().Format("2006-01-02")
	if np.EndDateTime.IsZero() {
		exp = in.Expires
	}
	secret := np.Secret.Reveal()
	rr := Rotate(ctx, d, RotateInput{Profile: in.Profile, Secret: secret, Description: in.Description, Expires: exp, Wait: in.Wait, KeyID: np.KeyID})
	for _, n := range rr.Notes {
		r.note(n)
	}
	r.Report.Checks = append(r.Report.Checks, rr.Report.Checks...)
	r.Report.Values = rr.Report.Values
	if rr.Profile != nil {
		r.Profile = rr.Profile
	}
	info := d.Store.NewSecretInfo(secret, in.Description, exp)
	info.KeyID = np.KeyID
	r.Added = &info
	if rr.Failed() {
		d.undoAdded(ctx, gs, in.Profile, app.ID, np, &r)
	} else {
		d.crash(CrashGraphPromoted)
		_ = d.Store.ChangeEntraJournal(in.Profile, func(j *store.EntraJournal) { dropAdded(j, app.ID, np.KeyID, time.Time{}) })
		r.Next = "paste the new secret into Syncro's Client Secret (entrasso secret | pbcopy), set its Client Secret Expiration Date to " + exp +
			", click Save & Verify SSO, then run: entrasso rotate --finish --graph"
	}
	r.Report.Redact(secret)
	r.Report.OK = !r.Report.Failed()
	return r
}

// learnKeys records the app's object ID, and the keyId of a stored secret
// known only by its hint when exactly one of the app's secrets has that
// hint, so that later steps name secrets by keyId.
func (d *Deps) learnKeys(profile string, p *store.Profile, app *graph.Application, r *Result) {
	byHint := func(s *store.SecretInfo, not string) string {
		if s == nil || s.KeyID != "" {
			return ""
		}
		found := ""
		for _, c := range app.PasswordCredentials {
			if c.Hint == s.Hint && !sameKey(c.KeyID, not) {
				if found != "" {
					return ""
				}
				found = c.KeyID
			}
		}
		return found
	}
	cur := byHint(&p.Secret, "")
	prev := byHint(p.Previous, firstNonEmpty(cur, p.Secret.KeyID))
	if p.AppObjectID == app.ID && cur == "" && prev == "" {
		return
	}
	err := d.Store.Update(profile, func(q *store.Profile) error {
		q.AppObjectID = app.ID
		if cur != "" && q.Secret.KeyID == "" && q.Secret.Hint == p.Secret.Hint {
			q.Secret.KeyID = cur
		}
		if prev != "" && q.Previous != nil && q.Previous.KeyID == "" {
			q.Previous.KeyID = prev
		}
		return nil
	})
	if err != nil {
		r.note("the app's object ID could not be recorded: " + trim(err))
		return
	}
	if np, err := d.Store.Load(profile); err == nil {
		*p = *np
		r.Profile = np
	}
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// FinishGraph ends a rotation by Graph once Syncro has the new secret: the
// current secret is proven live (never remove the old one while the new
// one does not work), then the previous secret is removed in Entra, and
// only then dropped from the keyring and the profile (Finish).
func FinishGraph(ctx context.Context, d *Deps, gs *GraphSession, profile string) Result {
	r := Load(d, profile)
	if r.Profile == nil {
		return r
	}
	p := r.Profile
	if p.Previous == nil {
		c := storeCheck(store.ErrNoRotation, profile)
		c.Fix = "start one with entrasso rotate --graph"
		r.add(c)
		return r
	}
	var (
		vr  Result
		wg  sync.WaitGroup
		app *graph.Application
		err error
	)
	wg.Add(1)
	go func() { defer wg.Done(); vr = Verify(ctx, d, profile) }()
	app, err = d.resolveApp(ctx, gs, p)
	wg.Wait()
	r.Report.Values = vr.Report.Values
	if err != nil {
		r.add(graphCheck(err))
		return r
	}
	proven := false
	for _, c := range vr.Report.For(oidccheck.FieldClientSecret) {
		proven = proven || c.Status == oidccheck.StatusPass
	}
	if vr.Failed() || !proven {
		r.add(vr.Report.Checks...)
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeInvalidSecret,
			Message: "the current secret was not proven at Entra's token endpoint, so the previous one is kept, in Entra and here",
			Fix:     "check the profile with entrasso verify; the previous secret still works for Syncro"})
		return r
	}
	d.learnKeys(profile, p, app, &r)
	prev := p.Previous
	var match []graph.PasswordCredential
	for _, c := range app.PasswordCredentials {
		if storedAs(p, c) == "previous" {
			match = append(match, c)
		}
	}
	switch {
	case len(match) > 1:
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError,
			Message: fmt.Sprintf("%d of the app's secrets start with %s…, so entrasso cannot tell which one is the previous secret; nothing was removed", len(match), prev.Hint),
			Fix:     "delete the old one in the portal (Certificates & secrets), then run entrasso rotate --finish"})
		return r
	case len(match) == 1:
		if storedAs(p, match[0]) != "previous" || sameKey(match[0].KeyID, p.Secret.KeyID) {
			r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError,
				Message: "the previous secret's Secret ID is the current one's; nothing was removed"})
			return r
		}
		err := gs.Client.RemovePassword(ctx, app.ID, match[0].KeyID)
		if err != nil && !errors.Is(err, graph.ErrNotFound) {
			r.add(graphCheck(err))
			r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip,
				Message: "the previous secret is still kept, in Entra and here; run entrasso rotate --finish --graph again"})
			return r
		}
		r.add(graphPass("removed the previous secret " + describeCred(match[0]) + " in Entra"))
		d.crash(CrashGraphRemoved)
	default:
		r.add(graphPass("the previous secret " + prev.Hint + "… is no longer in Entra (removed earlier)"))
	}
	fr := Finish(ctx, d, profile)
	for _, n := range fr.Notes {
		r.note(n)
	}
	for _, c := range fr.Report.Checks {
		if c.Status == oidccheck.StatusPass {
			c.Message = "the previous secret " + prev.Hint + "… is gone from Entra and from this machine"
		}
		r.add(c)
	}
	r.Old = fr.Old
	if fr.Profile != nil {
		r.Profile = fr.Profile
	}
	r.Report.Values.SecretHint = r.Profile.Secret.Hint
	return r
}

// LiveCredential is one client secret of the app, as Graph lists it.
type LiveCredential struct {
	KeyID       string     `json:"key_id"`
	Description string     `json:"description,omitempty"`
	Hint        string     `json:"hint"`
	Start       *time.Time `json:"start,omitempty"`
	End         *time.Time `json:"end,omitempty"`
	DaysLeft    *int       `json:"days_left,omitempty"`
	Expired     bool       `json:"expired"`
	// Stored is "current" or "previous" for the secrets entrasso keeps,
	// "unknown" for the others.
	Stored string `json:"stored"`
	// LeftByEntrasso: an interrupted entrasso run added it and never
	// stored it; the next rotate --graph removes it.
	LeftByEntrasso bool `json:"left_by_entrasso,omitempty"`
}

// LiveStatus is status --live: the app's secrets and the tenant's policy.
type LiveStatus struct {
	AppObjectID string           `json:"app_object_id"`
	ClientID    string           `json:"client_id"`
	AppName     string           `json:"app_name,omitempty"`
	Credentials []LiveCredential `json:"credentials"`
	// Policy is "none", "max_lifetime", "no_secrets" or "not_readable".
	Policy string `json:"policy"`
	// MaxLifetime is the policy's cap (ISO 8601, e.g. P90D) and its days.
	MaxLifetime     string `json:"max_lifetime,omitempty"`
	MaxLifetimeDays *int   `json:"max_lifetime_days,omitempty"`
	// Missing names the stored secrets ("current", "previous") Entra no
	// longer has.
	Missing []string `json:"missing_in_entra,omitempty"`
}

// ListCredentials reads every client secret of the profile's app from
// Graph, with the tenant's maximum lifetime (read alongside): which ones
// entrasso stores, which are unknown to it, which have expired.
func ListCredentials(ctx context.Context, d *Deps, gs *GraphSession, profile string) Result {
	r := Load(d, profile)
	if r.Profile == nil {
		return r
	}
	p := r.Profile
	var (
		pr  policyResult
		wg  sync.WaitGroup
		app *graph.Application
		err error
	)
	wg.Add(1)
	go func() { defer wg.Done(); pr = readPolicy(ctx, gs) }()
	app, err = d.resolveApp(ctx, gs, p)
	wg.Wait()
	if err != nil {
		r.add(graphCheck(err))
		return r
	}
	j, jerr := d.Store.EntraJournal(profile)
	if jerr != nil {
		j = &store.EntraJournal{}
	}
	now := d.now().UTC()
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	live := &LiveStatus{AppObjectID: app.ID, ClientID: app.AppID, AppName: app.DisplayName, Credentials: []LiveCredential{}, Policy: "none"}
	seen := map[string]bool{}
	for _, c := range app.PasswordCredentials {
		lc := LiveCredential{KeyID: c.KeyID, Description: c.DisplayName, Hint: c.Hint, Stored: storedAs(p, c)}
		if !c.StartDateTime.IsZero() {
			t := c.StartDateTime.UTC()
			lc.Start = &t
		}
		if !c.EndDateTime.IsZero() {
			t := c.EndDateTime.UTC()
			lc.End = &t
			end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			days := int(end.Sub(today).Hours() / 24)
			lc.DaysLeft = &days
			lc.Expired = !t.After(now)
		}
		seen[lc.Stored] = true
		if lc.Stored == "" {
			lc.Stored = "unknown"
			_, _, lc.LeftByEntrasso = j.Leftover(app.ID, c.KeyID, c.DisplayName, c.StartDateTime)
		}
		live.Credentials = append(live.Credentials, lc)
	}
	sort.SliceStable(live.Credentials, func(a, b int) bool {
		order := map[string]int{"current": 0, "previous": 1, "unknown": 2}
		return order[live.Credentials[a].Stored] < order[live.Credentials[b].Stored]
	})
	switch {
	case pr.skipped || errors.Is(pr.err, graph.ErrPolicyNotReadable):
		live.Policy = "not_readable"
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusSkip, Code: oidccheck.CodeLifetimePolicy,
			Message: "the tenant's secret lifetime policy could not be read (Policy.Read.All not granted)"})
	case pr.err != nil:
		c := graphCheck(pr.err)
		c.Status = oidccheck.StatusWarn
		r.add(c)
		live.Policy = "not_readable"
	case pr.policy != nil && pr.policy.Enabled && pr.policy.AdditionBlocked:
		live.Policy = "no_secrets"
	case pr.policy != nil && pr.policy.Enabled && pr.policy.MaxLifetime != nil:
		live.Policy = "max_lifetime"
		live.MaxLifetime = pr.policy.MaxLifetime.String()
		days := int(pr.policy.MaxLifetime.Approx().Hours() / 24)
		live.MaxLifetimeDays = &days
	}
	r.add(graphPass(fmt.Sprintf("the app %q (client ID %s) has %d client secret(s)", app.DisplayName, app.AppID, len(app.PasswordCredentials))))
	for _, which := range []string{"current", "previous"} {
		if which == "previous" && p.Previous == nil {
			continue
		}
		if !seen[which] {
			live.Missing = append(live.Missing, which)
			if which == "current" {
				r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeNotFound,
					Message: "the stored secret " + p.Secret.Hint + "… is not among the app's secrets in Entra: Syncro's sign-in with it fails",
					Fix:     "make a new one with entrasso rotate --graph"})
			} else {
				r.add(graphWarn("the previous secret "+p.Previous.Hint+"… is no longer in Entra", "finish the rotation with entrasso rotate --finish"))
			}
		}
	}
	var unknown []string
	for _, c := range live.Credentials {
		if c.Stored == "unknown" {
			s := c.Hint + "… (" + c.KeyID + ")"
			if c.LeftByEntrasso {
				s += " left by an interrupted entrasso run"
			}
			unknown = append(unknown, s)
		}
		if c.Expired {
			r.add(graphWarn("the secret "+c.Hint+"… (Secret ID "+c.KeyID+") has expired", "delete it in Entra, or let entrasso rotate --graph --remove-unknown remove it"))
		}
	}
	if len(unknown) > 0 {
		r.add(graphWarn("secrets unknown to entrasso: "+strings.Join(unknown, ", "),
			"the next entrasso rotate --graph removes those an interrupted run left; others only with --remove-unknown (or in the portal), once nothing uses them"))
	}
	r.Live = live
	return r
}
