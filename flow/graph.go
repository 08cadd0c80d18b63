package flow

// The Graph sequences (DESIGN.md "Letting entrasso do Entra's side"): the
// admin's sign-in, registering the app (setup --graph), rotating and
// finishing by Graph, listing the app's secrets (status --live) and the
// test sign-in with the loopback redirect URI added for it. Each reuses the
// store sequences and the live proof of the pasted-secret flows: the secret
// text Graph returns goes straight into Setup or Rotate, as a pasted Value
// would, and nowhere else.
//
// Where the secret and the token may go: the secret text is only ever
// handed to the live proof (whose guarded client sends it only to the
// trusted token endpoint) and the keyring; it is redacted from every
// report. The Graph access token is only sent to the Graph host by the
// graph client itself (graph.bearerTransport).

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"entrasso/graph"
	"entrasso/oidccheck"
	"entrasso/store"
)

// The named points of the Graph sequences, between a change in Entra and
// the store's next write: the kill tests end the process at each (through
// Deps.Crash) and check what the next run makes of it.
const (
	// CrashGraphAdded: addPassword answered and its keyId is in the Entra
	// journal; the secret is neither proven nor stored.
	CrashGraphAdded = "graph:added"
	// CrashGraphPromoted: the new secret is current and the old one
	// previous in the keyring and the profile; the Entra journal entry is
	// not cleared yet.
	CrashGraphPromoted = "graph:promoted"
	// CrashGraphRemoved: removePassword of the previous secret answered;
	// the keyring and the profile still keep it as previous.
	CrashGraphRemoved = "graph:removed"
)

// DefaultAppName is the display name of the app setup --graph registers.
const DefaultAppName = "Syncro SSO"

// GraphSignIn is how the admin signs in to Microsoft Graph.
type GraphSignIn struct {
	// LoginHost is the Entra login host: the profile's authority host, or
	// --authority-host.
	LoginHost string
	// GraphHost is --graph-host; empty means the Graph host of LoginHost's
	// cloud (graph.HostForLogin).
	GraphHost string
	// Tenant is the tenant's GUID or domain (--tenant, or the profile's).
	Tenant string
	// ClientID is --graph-client-id; empty means graph.DefaultClientID.
	ClientID string
	// DeviceCode chooses the device code flow (--device-code, or no
	// browser can be opened: the front end decides).
	DeviceCode bool
	// Timeout bounds the browser sign-in's wait.
	Timeout time.Duration
	// Open sends the browser to the short loopback address, or shows it.
	Open func(shortURL string) error
	// AuthorizeURL, when set, is told the full authorize URL.
	AuthorizeURL func(url string)
	// ShowCode shows the device code and where to enter it.
	ShowCode func(graph.DeviceCode)
}

// GraphSession is a signed-in admin and the Graph client acting as them.
type GraphSession struct {
	Client  *graph.Client
	Session *graph.Session
}

// GraphHostFor is the Graph host of a sign-in: explicit (--graph-host)
// when given, else the one of the login host's cloud. ok is false for a
// login host of no known cloud without --graph-host.
func GraphHostFor(loginHost, explicit string) (string, bool) {
	if explicit != "" {
		return explicit, true
	}
	if loginHost == "" {
		loginHost = oidccheck.DefaultAuthorityHost
	}
	return graph.HostForLogin(loginHost)
}

// SignIn signs the admin in to Microsoft Graph, in the browser or with a
// device code, and returns the session; on failure the result holds a
// failed check of the graph field with its code (signin_blocked suggests
// the other method).
func SignIn(ctx context.Context, d *Deps, in GraphSignIn) (*GraphSession, Result) {
	r := newResult("")
	gh, ok := GraphHostFor(in.LoginHost, in.GraphHost)
	if !ok {
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError,
			Message: in.LoginHost + " belongs to no cloud entrasso knows the Graph host of",
			Fix:     "give the Graph host with --graph-host HOST (or ENTRASSO_GRAPH_HOST)"})
		return nil, r
	}
	if in.Tenant == "" {
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError,
			Message: "the sign-in needs the tenant", Fix: "give --tenant with the tenant's ID or domain (contoso.onmicrosoft.com)"})
		return nil, r
	}
	o := graph.SignIn{LoginHost: in.LoginHost, Tenant: in.Tenant, ClientID: in.ClientID, GraphHost: gh, HTTP: d.HTTP,
		Timeout: in.Timeout, Open: in.Open, AuthorizeURL: in.AuthorizeURL, ShowCode: in.ShowCode}
	var (
		sess *graph.Session
		err  error
	)
	if in.DeviceCode {
		sess, err = graph.SignInDevice(ctx, o)
	} else {
		sess, err = graph.SignInBrowser(ctx, o)
	}
	if err != nil {
		r.add(graphCheck(err))
		return nil, r
	}
	gs, err := d.NewGraphSession(gh, sess)
	if err != nil {
		r.add(graphCheck(err))
		return nil, r
	}
	who := sess.Account().UPN
	if who == "" {
		who = "the admin"
	}
	msg := "signed in to Microsoft Graph (" + gh + ") as " + who
	if !sess.Granted(graph.ScopePolicyRead) {
		msg += "; Policy.Read.All was not granted, so the tenant's secret lifetime policy cannot be read"
	}
	r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusPass, Message: msg})
	return gs, r
}

// NewGraphSession builds the Graph client of a session on this command's
// hardened HTTP client; retries wait through Deps.Sleep.
func (d *Deps) NewGraphSession(host string, sess *graph.Session) (*GraphSession, error) {
	c, err := graph.New(graph.Options{Host: host, Tokens: sess.TokenSource(), HTTP: d.HTTP, Sleep: d.Sleep})
	if err != nil {
		return nil, err
	}
	return &GraphSession{Client: c, Session: sess}, nil
}

// NewGraphSessionFromToken is a session for a token obtained elsewhere
// (tests; scopes are those granted).
func (d *Deps) NewGraphSessionFromToken(host, accessToken string, scopes ...string) (*GraphSession, error) {
	return d.NewGraphSession(host, graph.NewSession(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: accessToken}), scopes...))
}

// graphCheck turns any error of the graph package into a failed check.
func graphCheck(err error) oidccheck.Check {
	var ge *graph.Error
	var se *graph.SignInError
	switch {
	case errors.As(err, &ge):
		return ge.Check()
	case errors.As(err, &se):
		return se.Check()
	}
	return oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError,
		Message: strings.TrimPrefix(err.Error(), "graph: "), Fix: "see the message"}.Safe()
}

func graphPass(msg string) oidccheck.Check {
	return oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusPass, Message: msg}
}

func graphWarn(msg, fix string) oidccheck.Check {
	return oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusWarn, Message: msg, Fix: fix}
}

// policyResult is the tenant's secret policy read alongside another call.
type policyResult struct {
	policy *graph.PasswordPolicy
	err    error
	// skipped: the session has no Policy.Read.All, so Graph was not asked.
	skipped bool
}

// readPolicy reads the tenant's password policy, unless the session lacks
// Policy.Read.All (then Graph is not asked at all).
func readPolicy(ctx context.Context, gs *GraphSession) policyResult {
	if gs.Session != nil && len(gs.Session.Scopes()) > 0 && !gs.Session.Granted(graph.ScopePolicyRead) {
		return policyResult{skipped: true}
	}
	p, err := gs.Client.PasswordPolicy(ctx)
	return policyResult{policy: p, err: err}
}

// policyCheck judges an expiry against the tenant's policy before any
// write: a failure (lifetime_policy, or Graph's own error) stops the flow;
// a policy that cannot be read is a skip.
func policyCheck(pr policyResult, appCreated, start, end time.Time) (oidccheck.Check, bool) {
	switch {
	case pr.skipped || errors.Is(pr.err, graph.ErrPolicyNotReadable):
		return oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusSkip, Code: oidccheck.CodeLifetimePolicy,
			Message: "the tenant's secret lifetime policy could not be read (Policy.Read.All not granted), so the expiry was not checked against it",
			Fix:     "if addPassword is refused for its lifetime, choose an earlier --secret-expires"}, true
	case pr.err != nil:
		return graphCheck(pr.err), false
	}
	if err := pr.policy.Check(appCreated, start, end); err != nil {
		return graphCheck(err), false
	}
	msg := "the tenant's secret lifetime policy allows an expiry on " + end.Format("2006-01-02")
	if pr.policy.Enabled && pr.policy.MaxLifetime != nil {
		msg += fmt.Sprintf(" (its maximum is %s, about %d days)", pr.policy.MaxLifetime, int(pr.policy.MaxLifetime.Approx().Hours()/24))
	}
	return graphPass(msg), true
}

// endOf is the endDateTime of a secret that expires on date (YYYY-MM-DD):
// that day at the current UTC time of day, so that "90d" is exactly 90
// days from now, as a policy counts it.
func endOf(date string, now time.Time) (time.Time, error) {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return time.Time{}, fmt.Errorf("flow: %q is not a date YYYY-MM-DD", date)
	}
	now = now.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), now.Hour(), now.Minute(), now.Second(), 0, time.UTC), nil
}

// addSecret adds a client secret in Entra, recording it in the Entra
// journal before the call and again with its keyId after, so that a kill
// at any instant leaves a trace the next run acts on.
func (d *Deps) addSecret(ctx context.Context, gs *GraphSession, profile string, app *graph.Application, description, expires string) (*graph.NewPassword, error) {
	end, err := endOf(expires, d.now())
	if err != nil {
		return nil, err
	}
	started := d.now().UTC()
	var known []string
	for _, c := range app.PasswordCredentials {
		known = append(known, c.KeyID)
	}
	if err := d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) {
		j.Added = append(j.Added, store.AddedSecret{AppObjectID: app.ID, Description: description, Expires: expires, Started: started, Known: known})
	}); err != nil {
		return nil, err
	}
	np, err := gs.Client.AddPassword(ctx, app.ID, description, end)
	if err != nil {
		// Graph refused: nothing was added; the entry goes again.
		_ = d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) { dropAdded(j, app.ID, "", started) })
		return nil, err
	}
	if err := d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) {
		for i := range j.Added {
			if j.Added[i].AppObjectID == app.ID && j.Added[i].KeyID == "" && j.Added[i].Started.Equal(started) {
				j.Added[i].KeyID = np.KeyID
			}
		}
	}); err != nil {
		// The keyId could not be recorded: remove the secret again, as
		// nothing would know of it.
		_ = gs.Client.RemovePassword(context.WithoutCancel(ctx), app.ID, np.KeyID)
		return nil, err
	}
	d.crash(CrashGraphAdded)
	return np, nil
}

// dropAdded removes the journal entry of a secret by keyId, or the entry
// without one that started at started.
func dropAdded(j *store.EntraJournal, objectID, keyID string, started time.Time) {
	out := j.Added[:0]
	for _, a := range j.Added {
		match := a.AppObjectID == objectID && ((keyID != "" && strings.EqualFold(a.KeyID, keyID)) || (keyID == "" && a.KeyID == "" && a.Started.Equal(started)))
		if !match {
			out = append(out, a)
		}
	}
	j.Added = out
}

// undoAdded takes back a secret a failed sequence added: unless the store
// ended up keeping it after all (a store sequence that is completed by its
// reconcile), it is removed in Entra and its journal entry dropped. Its
// value was never stored, so nothing can be using it. Removal uses a
// context of its own: a cancelled command still cleans up.
func (d *Deps) undoAdded(ctx context.Context, gs *GraphSession, profile, objectID string, np *graph.NewPassword, r *Result) {
	if note, err := d.Store.Reconcile(profile); err == nil {
		r.note(note)
	}
	if cur, err := d.Store.Secret(profile); err == nil && cur == np.Secret.Reveal() {
		_ = d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) { dropAdded(j, objectID, np.KeyID, time.Time{}) })
		return
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	err := gs.Client.RemovePassword(cctx, objectID, np.KeyID)
	if err != nil && !errors.Is(err, graph.ErrNotFound) {
		c := graphCheck(err)
		c.Status = oidccheck.StatusWarn
		c.Message = "the new secret " + np.Hint + "… (Secret ID " + np.KeyID + ") was not stored and could not be removed in Entra again: " + c.Message
		c.Fix = "the next entrasso rotate --graph or setup --graph removes it; or delete it in the portal (Certificates & secrets)"
		r.add(c)
		return
	}
	_ = d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) { dropAdded(j, objectID, np.KeyID, time.Time{}) })
	r.add(graphPass("the new secret " + np.Hint + "… was not stored, so it was removed in Entra again; the working secret is unchanged"))
}

// cleanLeftovers removes, before a new secret is added, the secrets an
// interrupted earlier run added to this app and never stored (found by
// keyId in the Entra journal), and reports every other secret entrasso
// does not know. Those are removed only when removeUnknown says so (the
// flag --remove-unknown, or the admin's yes). It returns the app's secrets
// that remain.
func (d *Deps) cleanLeftovers(ctx context.Context, gs *GraphSession, profile string, p *store.Profile, app *graph.Application, removeUnknown func(graph.PasswordCredential, bool) bool, r *Result) []graph.PasswordCredential {
	j, err := d.Store.EntraJournal(profile)
	if err != nil {
		r.add(storeCheck(err, profile))
		return app.PasswordCredentials
	}
	var keep []graph.PasswordCredential
	for _, c := range app.PasswordCredentials {
		if storedAs(p, c) != "" {
			keep = append(keep, c)
			continue
		}
		_, exact, ours := j.Leftover(app.ID, c.KeyID, c.DisplayName, c.StartDateTime)
		if p == nil && !ours {
			keep = append(keep, c)
			continue
		}
		what := describeCred(c)
		if !exact && (removeUnknown == nil || !removeUnknown(c, ours)) {
			why := "entrasso does not store it"
			if ours {
				why = "it looks like one an interrupted entrasso run added (same description, added since) and never stored"
			}
			r.add(graphWarn("the app has a client secret unknown to entrasso: "+what+"; "+why,
				"if nothing uses it, remove it with --remove-unknown (or delete it in the portal)"))
			keep = append(keep, c)
			continue
		}
		if err := gs.Client.RemovePassword(ctx, app.ID, c.KeyID); err != nil && !errors.Is(err, graph.ErrNotFound) {
			c2 := graphCheck(err)
			c2.Status = oidccheck.StatusWarn
			c2.Message = "could not remove " + what + ": " + c2.Message
			r.add(c2)
			keep = append(keep, c)
			continue
		}
		_ = d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) {
			dropAdded(j, app.ID, c.KeyID, time.Time{})
			if !exact {
				for i, a := range j.Added {
					if a.AppObjectID == app.ID && a.KeyID == "" {
						j.Added = append(j.Added[:i], j.Added[i+1:]...)
						break
					}
				}
			}
		})
		if exact {
			r.add(graphPass("removed " + what + ": an interrupted entrasso run had added it and never stored it, so nothing could use it"))
		} else {
			r.add(graphPass("removed " + what + ", unknown to entrasso, as asked"))
		}
	}
	// Entries whose secret is no longer in Entra are settled.
	_ = d.Store.ChangeEntraJournal(profile, func(j *store.EntraJournal) {
		out := j.Added[:0]
		for _, a := range j.Added {
			present := a.KeyID == "" || a.AppObjectID != app.ID
			for _, c := range keep {
				present = present || sameKey(c.KeyID, a.KeyID)
			}
			if present {
				out = append(out, a)
			}
		}
		j.Added = out
	})
	return keep
}

func sameKey(a, b string) bool { return a != "" && strings.EqualFold(a, b) }

// storedAs says which of the profile's secrets a credential is: "current"
// or "previous", by keyId, or by hint for a secret stored without one (a
// pasted secret, whose keyId entrasso never learned); "" for neither.
func storedAs(p *store.Profile, c graph.PasswordCredential) string {
	if p == nil {
		return ""
	}
	is := func(s *store.SecretInfo) bool {
		if s.KeyID != "" {
			return sameKey(c.KeyID, s.KeyID)
		}
		return s.Hint != "" && c.Hint == s.Hint
	}
	switch {
	case is(&p.Secret):
		return "current"
	case p.Previous != nil && is(p.Previous):
		return "previous"
	}
	return ""
}

func describeCred(c graph.PasswordCredential) string {
	s := fmt.Sprintf("%s… (Secret ID %s", c.Hint, c.KeyID)
	if c.DisplayName != "" {
		s += fmt.Sprintf(", description %q", c.DisplayName)
	}
	if !c.EndDateTime.IsZero() {
		s += ", expires " + c.EndDateTime.UTC().Format("2006-01-02")
	}
	return s + ")"
}

// RegisterInput is setup --graph.
type RegisterInput struct {
	Profile     string
	RedirectURI string
	// LogoutURL is Syncro's Logout URL (front-channel logout); optional.
	LogoutURL string
	// AppName is the display name to find or register (default "Syncro
	// SSO"); ClientID, when given, finds the app by it instead.
	AppName  string
	ClientID string
	// Tenant is the tenant's GUID or domain (the discovery value to prove).
	Tenant            string
	SecretDescription string
	// SecretExpires is YYYY-MM-DD.
	SecretExpires string
	Wait          Wait
	// RemoveUnknown, when set, is asked about each secret of an adopted app
	// that entrasso does not know (ours: it looks like an interrupted
	// run's); true removes it.
	RemoveUnknown func(c graph.PasswordCredential, ours bool) bool
}

// RegisterGraph is setup --graph: find the app (by client ID, else by name
// and the tag entrasso) and adopt it, or register it with its service
// principal; read the tenant's secret lifetime policy before any write and
// refuse an expiry it would reject; add a secret; then the same live
// proof, keyring and profile as a pasted secret (Setup). Run again with the
// same values it changes nothing in Entra: the app is adopted, and a
// profile whose stored secret works gets no new one.
func RegisterGraph(ctx context.Context, d *Deps, gs *GraphSession, in RegisterInput) Result {
	r := CheckRegister(&in)
	if r.Failed() {
		return r
	}
	r.Report.Checks = nil
	if pr := Probe(ctx, d); pr.Failed() {
		r.add(pr.Report.Checks...)
		return r
	}
	note, err := d.Store.Reconcile(in.Profile)
	r.note(note)
	if err != nil {
		r.add(storeCheck(err, in.Profile))
		return r
	}
	existing, err := d.Store.Load(in.Profile)
	switch {
	case err == nil:
		return d.registerAgain(ctx, gs, existing, in, r)
	case !errors.Is(err, store.ErrNotFound):
		r.add(storeCheck(err, in.Profile))
		return r
	}

	// The policy is read alongside the app lookup: both are reads, and
	// the policy must be known before the first write.
	var pr policyResult
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); pr = readPolicy(ctx, gs) }()
	app, ferr := gs.Client.FindApplication(ctx, in.ClientID, in.AppName)
	wg.Wait()
	if ferr != nil {
		r.add(graphCheck(ferr))
		return r
	}
	if app == nil && in.ClientID != "" {
		r.add(oidccheck.Check{Field: oidccheck.FieldClientID, Status: oidccheck.StatusFail, Code: oidccheck.CodeAppNotFound,
			Message: "no app with the client ID " + in.ClientID + " in this tenant",
			Fix:     "check --client-id, or leave it out to have entrasso register the app"})
		return r
	}
	now := d.now()
	end, err := endOf(in.SecretExpires, now)
	if err != nil {
		r.add(oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: oidccheck.CodeGraphError, Message: trim(err)})
		return r
	}
	var created time.Time
	if app != nil {
		created = app.CreatedDateTime
	}
	pc, ok := policyCheck(pr, created, now, end)
	r.add(pc)
	if !ok {
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip, Message: "nothing was changed in Entra or saved"})
		return r
	}

	registered := app == nil
	if app == nil {
		app, err = gs.Client.CreateApplication(ctx, graph.NewApplication{DisplayName: in.AppName, RedirectURIs: []string{in.RedirectURI}, LogoutURL: in.LogoutURL})
		if err != nil {
			r.add(graphCheck(err))
			return r
		}
		r.add(graphPass(fmt.Sprintf("registered the app %q (client ID %s, object ID %s): single tenant, Web redirect URI %s, the email claim in the ID token", app.DisplayName, app.AppID, app.ID, in.RedirectURI)))
	} else {
		r.add(graphPass(fmt.Sprintf("adopted the existing app %q (client ID %s, object ID %s) instead of registering another", app.DisplayName, app.AppID, app.ID)))
		app.PasswordCredentials = d.cleanLeftovers(ctx, gs, in.Profile, nil, app, in.RemoveUnknown, &r)
	}

	// The service principal, Syncro's redirect URI on an adopted app, and
	// the secret are independent writes: they run together.
	var (
		spErr, ruErr error
		ruChanged    bool
		np           *graph.NewPassword
		addErr       error
	)
	wg.Add(2)
	go func() {
		defer wg.Done()
		if registered {
			// Registered a moment ago: it has no service principal yet.
			_, spErr = gs.Client.NewServicePrincipal(ctx, app.AppID)
			return
		}
		_, spErr = gs.Client.EnsureServicePrincipal(ctx, app.AppID)
	}()
	go func() {
		defer wg.Done()
		if !containsURI(app.Web.RedirectURIs, in.RedirectURI) {
			ruChanged, ruErr = gs.Client.AddRedirectURI(ctx, app.ID, in.RedirectURI)
		}
	}()
	np, addErr = d.addSecret(ctx, gs, in.Profile, app, in.SecretDescription, in.SecretExpires)
	wg.Wait()
	for _, e := range []error{spErr, ruErr, addErr} {
		if e != nil {
			var se *store.UnsafeError
			if errors.As(e, &se) {
				r.add(storeCheck(e, in.Profile))
			} else {
				r.add(graphCheck(e))
			}
		}
	}
	if ruChanged {
		r.add(graphPass("added Syncro's redirect URI " + in.RedirectURI + " to the adopted app"))
	}
	if r.Failed() {
		if np != nil {
			d.undoAdded(ctx, gs, in.Profile, app.ID, np, &r)
		}
		r.add(oidccheck.Check{Field: oidccheck.FieldSecretStore, Status: oidccheck.StatusSkip,
			Message: "nothing was saved; the app stays registered, and the next entrasso setup --graph adopts it"})
		return r
	}
	secret := np.Secret.Reveal()
	exp := np.EndDateTime.UTC().Format("2006-01-02")
	if np.EndDateTime.IsZero() {
		exp = in.SecretExpires
	}
	sr := Setup(ctx, d, SetupInput{Profile: in.Profile, RedirectURI: in.RedirectURI, ClientID: app.AppID, Discovery: in.Tenant,
		Secret: secret, SecretDescription: in.SecretDescription, SecretExpires: exp, Wait: in.Wait, KeyID: np.KeyID, AppObjectID: app.ID})
	for _, n := range sr.Notes {
		r.note(n)
	}
	r.Report.Checks = append(r.Report.Checks, sr.Report.Checks...)
	r.Report.Values = sr.Report.Values
	r.Profile = sr.Profile
	info := d.Store.NewSecretInfo(secret, in.SecretDescription, exp)
	info.KeyID = np.KeyID
	r.Added = &info
	if sr.Failed() || sr.Profile == nil {
		d.undoAdded(ctx, gs, in.Profile, app.ID, np, &r)
	} else {
		_ = d.Store.ChangeEntraJournal(in.Profile, func(j *store.EntraJournal) { dropAdded(j, app.ID, np.KeyID, time.Time{}) })
		r.Next = "enter in Syncro: Client ID " + app.AppID + ", Client Secret (entrasso secret | pbcopy), OpenID Connect Discovery " + r.Report.Values.DiscoveryURL + ", Client Secret Expiration Date " + exp
	}
	r.Report.Redact(secret)
	r.Report.OK = !r.Report.Failed()
	return r
}

// CheckRegister checks the values of setup --graph offline, before the
// sign-in and before anything is written in Entra: Syncro's redirect URI
// and the client ID when one is given; in is changed to the cleaned values.
func CheckRegister(in *RegisterInput) Result {
	r := newResult(in.Profile)
	if in.AppName == "" {
		in.AppName = DefaultAppName
	}
	ru := oidccheck.CheckRedirectURI(in.RedirectURI)
	r.add(ru.Checks...)
	in.RedirectURI = ru.Value
	if in.ClientID != "" {
		ci := oidccheck.CheckClientID(in.ClientID, "")
		r.add(ci.Checks...)
		in.ClientID = ci.Value
	}
	if in.LogoutURL != "" {
		lu := oidccheck.CheckRedirectURI(in.LogoutURL)
		for _, c := range lu.Checks {
			c.Message = "Logout URL: " + c.Message
			r.add(c)
		}
		in.LogoutURL = lu.Value
	}
	return r
}

// registerAgain is setup --graph for a profile that exists: when its
// stored secret works, nothing changes (in Entra or here); otherwise it
// says to rotate.
func (d *Deps) registerAgain(ctx context.Context, gs *GraphSession, p *store.Profile, in RegisterInput, r Result) Result {
	if in.ClientID != "" && !strings.EqualFold(in.ClientID, p.ClientID) {
		r.add(oidccheck.Check{Field: FieldProfile, Status: oidccheck.StatusFail, Code: CodeProfileExists,
			Message: "profile " + p.Name + " already exists for another app (client ID " + p.ClientID + "); nothing was changed",
			Fix:     "choose another name with --profile, or remove it with entrasso forget"})
		return r
	}
	vr := Verify(ctx, d, p.Name)
	r.Report.Values = vr.Report.Values
	r.Profile = vr.Profile
	if vr.Failed() || (vr.Profile != nil && vr.Profile.LastVerified == nil) {
		r.add(vr.Report.Checks...)
		r.add(oidccheck.Check{Field: FieldProfile, Status: oidccheck.StatusFail, Code: CodeProfileExists,
			Message: "profile " + p.Name + " already exists and its stored secret does not work; nothing was changed in Entra",
			Fix:     "make a new secret with entrasso rotate --graph, or remove the profile with entrasso forget"})
		return r
	}
	r.add(vr.Report.Checks...)
	r.add(graphPass("profile " + p.Name + " is already set up and its stored secret works: nothing was changed in Entra or here"))
	return r
}

func containsURI(uris []string, u string) bool {
	for _, x := range uris {
		if x == u {
			return true
		}
	}
	return false
}

// resolveApp finds the profile's app: by its recorded object ID, else by
// its client ID (a profile set up by pasting), recording the object ID.
func (d *Deps) resolveApp(ctx context.Context, gs *GraphSession, p *store.Profile) (*graph.Application, error) {
	if p.AppObjectID != "" {
		app, err := gs.Client.GetApplication(ctx, p.AppObjectID)
		if err == nil && strings.EqualFold(app.AppID, p.ClientID) {
			return app, nil
		}
		if err != nil && !errors.Is(err, graph.ErrNotFound) {
			return nil, err
		}
	}
	app, err := gs.Client.FindApplication(ctx, p.ClientID, "")
	if err != nil {
		return nil, err
	}
	if app == nil {
		return nil, &graph.Error{Op: "find the application", Message: "no app with the client ID " + p.ClientID + " in this tenant",
			Problem: oidccheck.CodeNotFound, Fix: "check that you signed in to the profile's tenant (" + p.TenantID + ")"}
	}
	return app, nil
}

// DeviceCode is the code and address a device-code sign-in shows the
// admin; front ends name it through flow, which alone talks to Graph.
type DeviceCode = graph.DeviceCode

// PasswordCredential is one client secret of the app as Graph lists it
// (never its value), for a front end asked what to do with one.
type PasswordCredential = graph.PasswordCredential

// Defaults of the admin's Graph sign-in, for front ends.
const (
	DefaultGraphClientID      = graph.DefaultClientID
	DefaultGraphSignInTimeout = graph.DefaultSignInTimeout
)
