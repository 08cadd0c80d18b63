package oidccheck

import (
	"context"
	"entrasso/internal/lazyre"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"entrasso/internal/loopback"
)

// LoopbackRedirectPath is the path of the test sign-in's redirect URI.
// Entra ignores the port of a localhost redirect URI (entra-facts.md 3), so
// the admin registers http://localhost/entrasso/callback once, as a Web
// redirect URI, and any port entrasso listens on matches it.
const LoopbackRedirectPath = "/entrasso/callback"

// LoopbackRedirectURI is what the admin registers.
const LoopbackRedirectURI = "http://localhost" + LoopbackRedirectPath

// ShortLoopbackURL is the address the admin opens for a sign-in: entrasso's
// own listener, which redirects to Entra's authorize URL.
func ShortLoopbackURL(port int) string { return loopback.ShortURL(port) }

// DefaultLoginTimeout is how long the test sign-in waits for the browser.
const DefaultLoginTimeout = 3 * time.Minute

// LoginOptions configures TestLogin.
type LoginOptions struct {
	Provider *Provider
	ClientID string
	Secret   string
	// ExpectTenant is the profile's tenant; the signed-in user's tid must
	// match it.
	ExpectTenant string
	// Timeout bounds the wait for the browser's callback.
	Timeout time.Duration
	// Open sends the browser to the authorize URL (or prints it).
	// Open sends the browser to the sign-in (or shows the address). It is
	// given the short loopback address http://localhost:PORT/, which
	// redirects to Entra's authorize URL: some 430 characters that no
	// terminal shows whole on one line.
	Open func(url string) error
	// AuthorizeURL, when set, is told the full authorize URL first, for a
	// front end that prints it for scripts.
	AuthorizeURL func(url string)
}

// Identity is who signed in.
type Identity struct {
	Name              string `json:"name,omitempty"`
	Email             string `json:"email,omitempty"`
	PreferredUsername string `json:"preferred_username,omitempty"`
	TenantID          string `json:"tid,omitempty"`
	ObjectID          string `json:"oid,omitempty"`
}

func randomToken() string { return loopback.RandomToken() }

func loginCheck(s Status, code Code, msg, fix string) Check {
	return Check{Field: FieldLogin, Status: s, Code: code, Message: msg, Fix: fix}
}

// TestLogin signs a real user in through the browser with the
// authorization code flow, PKCE (S256), state and nonce, on a one-time
// listener on 127.0.0.1; exchanges the code with the secret; verifies the
// ID token with go-oidc; and reports who signed in and what matters to
// Syncro. It proves tenant, app, secret, user assignment and claims.
//
// Every check it returns has the secret redacted and is safe to show.
func (c *Checker) TestLogin(ctx context.Context, o LoginOptions) (*Identity, []Check) {
	id, checks := c.testLogin(ctx, o)
	return id, redactAll(checks, o.Secret)
}

func (c *Checker) testLogin(ctx context.Context, o LoginOptions) (*Identity, []Check) {
	if o.Provider == nil {
		return nil, []Check{{Field: FieldDiscoveryURL, Status: StatusFail, Code: CodeNotDiscoveryDocument,
			Message: "no discovery document was checked, so there is nowhere to sign in", Fix: "check the metadata document URL first"}}
	}
	if msg, bad := o.Provider.endpointProblem(); bad {
		// Discover refuses such a document already; this guards a Provider
		// built by hand, since the code exchange carries the secret.
		return nil, []Check{{Field: FieldDiscoveryURL, Status: StatusFail, Code: CodeNotDiscoveryDocument, Message: msg,
			Fix: "check the metadata document URL: it should be the \"OpenID Connect metadata document\" from the app's Overview > Endpoints"}}
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultLoginTimeout
	}
	ln, err := loopback.Listen(loopback.Options{CallbackPath: LoopbackRedirectPath, Again: "entrasso test-login"})
	if err != nil {
		return nil, []Check{loginCheck(StatusFail, CodeSignInTimeout, "cannot listen on 127.0.0.1 for the sign-in's answer: "+err.Error(), "free a local port and try again")}
	}
	defer ln.Close()
	nonce, verifier := randomToken(), oauth2.GenerateVerifier()
	cfg := oauth2.Config{ClientID: o.ClientID, ClientSecret: o.Secret, RedirectURL: ln.RedirectURI(),
		Endpoint: oauth2.Endpoint{AuthURL: o.Provider.AuthorizationEndpoint, TokenURL: o.Provider.TokenEndpoint, AuthStyle: oauth2.AuthStyleInParams},
		Scopes:   []string{oidc.ScopeOpenID, "profile", "email"}}
	authURL := cfg.AuthCodeURL(ln.State(), oauth2.S256ChallengeOption(verifier), oidc.Nonce(nonce))
	ln.Serve(authURL)

	if o.AuthorizeURL != nil {
		o.AuthorizeURL(authURL)
	}
	if o.Open != nil {
		if err := o.Open(ln.ShortURL()); err != nil {
			return nil, []Check{loginCheck(StatusFail, CodeSignInTimeout, "could not show the sign-in page: "+err.Error(), "run again with --no-browser and open the printed URL")}
		}
	}
	cb, err := ln.Wait(ctx, o.Timeout)
	switch {
	case errors.Is(err, loopback.ErrTimeout):
		return nil, []Check{loginCheck(StatusFail, CodeSignInTimeout, "no sign-in came back within "+o.Timeout.String(),
			"if the browser shows AADSTS50011, "+LoopbackRedirectURI+" is not a Web redirect URI of the app: add it under Authentication > Web (not \"Mobile and desktop applications\"), then try again")}
	case err != nil:
		return nil, []Check{loginCheck(StatusFail, CodeSignInTimeout, "the sign-in was stopped", "run entrasso test-login again")}
	}
	id, checks := c.completeLogin(ctx, o, cfg, cb, verifier, nonce)
	cb.Reply(outcomeOf(id, checks, o.Secret))
	return id, checks
}

// outcomeOf is the page the browser shows once the sign-in is judged.
func outcomeOf(id *Identity, checks []Check, secret string) loopback.Page {
	rep := secretReplacer(secret)
	for _, c := range checks {
		if c.Status == StatusFail {
			c = c.redacted(rep).Safe()
			body := c.Message
			if c.Fix != "" {
				body += ". " + c.Fix
			}
			return loopback.Page{Status: http.StatusOK, Title: "The test sign-in did not work", Body: body + ". The terminal shows the details."}
		}
	}
	who := "you"
	if id != nil && id.Name != "" {
		who = SafeText(id.Name)
	}
	body := "Entra signed " + who + " in, and entrasso checked the code exchange and the ID token. You can close this tab and go back to the terminal"
	for _, c := range checks {
		if c.Status == StatusWarn {
			return loopback.Page{Status: http.StatusOK, Title: "Signed in, with a warning", Body: body + ": it shows what to look at before Syncro matches users."}
		}
	}
	return loopback.Page{Status: http.StatusOK, Title: "Signed in", Body: body + "."}
}

// completeLogin turns the browser's answer into the sign-in's outcome:
// Entra's refusal, or the code exchange, the ID token's verification and
// the identity's checks.
func (c *Checker) completeLogin(ctx context.Context, o LoginOptions, cfg oauth2.Config, cb *loopback.Callback, verifier, nonce string) (*Identity, []Check) {
	if cb.Error != "" {
		return nil, []Check{signInError(cb.Error, cb.ErrorDescription, o.Provider)}
	}

	client, _ := recording(c.HTTP)
	ctx = oidc.ClientContext(ctx, client)
	tok, err := cfg.Exchange(ctx, cb.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, []Check{exchangeError(err, o.Provider)}
	}
	raw, _ := tok.Extra("id_token").(string)
	if raw == "" {
		return nil, []Check{loginCheck(StatusFail, CodeIDTokenInvalid, "the code exchange returned no ID token", "check that the app may sign users in (openid scope)")}
	}
	idt, err := o.Provider.OIDC.Verifier(&oidc.Config{ClientID: o.ClientID}).Verify(ctx, raw)
	if err != nil {
		return nil, []Check{loginCheck(StatusFail, CodeIDTokenInvalid, "the ID token does not verify: "+idTokenReason(err), "this is not something to fix in the portal: report it with the time of the sign-in")}
	}
	if idt.Nonce != nonce {
		return nil, []Check{loginCheck(StatusFail, CodeIDTokenInvalid, "the ID token does not verify: its nonce is not the one this sign-in sent (a replayed token)", "run entrasso test-login again")}
	}
	var claims struct {
		Identity
		Acct *int `json:"acct"`
	}
	if err := idt.Claims(&claims); err != nil {
		return nil, []Check{loginCheck(StatusFail, CodeIDTokenInvalid, "the ID token's claims cannot be read", "")}
	}
	id := claims.Identity
	return &id, identityChecks(id, claims.Acct, o.ExpectTenant)
}

// identityChecks are the warnings that matter to Syncro, which matches the
// signed-in user to a Syncro user by email (entra-facts.md section 10).
func identityChecks(id Identity, acct *int, expectTenant string) []Check {
	who := id.Name
	if id.PreferredUsername != "" {
		who += " (" + id.PreferredUsername + ")"
	}
	checks := []Check{loginCheck(StatusPass, "", "signed in as "+strings.TrimSpace(who)+", object ID "+id.ObjectID, "")}
	switch {
	case id.TenantID == "":
		checks = append(checks, loginCheck(StatusSkip, "", "the provider issues no tid claim: the tenant cannot be compared", ""))
	case expectTenant != "" && !strings.EqualFold(id.TenantID, expectTenant):
		checks = append(checks, loginCheck(StatusFail, CodeTenantMismatch, "the user signed in to tenant "+id.TenantID+", not the profile's "+expectTenant,
			"sign in with an account of the tenant the app is registered in"))
	default:
		checks = append(checks, loginCheck(StatusPass, "", "tenant "+id.TenantID+" is the profile's", ""))
	}
	switch {
	case id.Email == "":
		checks = append(checks, loginCheck(StatusWarn, CodeNoEmailClaim, "the ID token has no email claim, so Syncro cannot match this user to a Syncro user",
			"give the user a mail address in Entra, or add the optional claim \"email\" under the app's Token configuration"))
	case id.PreferredUsername != "" && !strings.EqualFold(id.Email, id.PreferredUsername):
		checks = append(checks, loginCheck(StatusWarn, "", "email "+id.Email+" differs from the sign-in name "+id.PreferredUsername+"; Syncro matches the email",
			"make sure the technician's Syncro email is "+id.Email))
	default:
		checks = append(checks, loginCheck(StatusPass, "", "email "+id.Email+": Syncro matches users by this address", ""))
	}
	if (acct != nil && *acct == 1) || strings.Contains(strings.ToUpper(id.PreferredUsername), "#EXT#") {
		checks = append(checks, loginCheck(StatusWarn, CodeGuestUser, "this is a guest user of the tenant",
			"technicians should sign in with a member account of this tenant; a guest's email may not match Syncro"))
	}
	return checks
}

var aadstsRe = lazyre.New(`AADSTS(\d+)`)

// signInError maps an error Entra sent back to the callback to its code.
func signInError(errCode, desc string, p *Provider) Check {
	n := 0
	if m := aadstsRe().FindStringSubmatch(desc); m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	summary := strings.TrimSpace(desc)
	if i := strings.Index(summary, "Trace ID:"); i >= 0 {
		summary = strings.TrimSpace(summary[:i])
	}
	c := loginCheck(StatusFail, CodeAccessDenied, "Entra refused the sign-in: "+summary, "")
	switch {
	case n == 50011:
		c.Code, c.Fix = CodeRedirectURINotRegistered, "add "+LoopbackRedirectURI+" as a Web redirect URI under the app's Authentication"
	case n == 50105:
		c.Code, c.Fix = CodeUserNotAssigned, "assign the user (or a group of theirs) to the app under Enterprise applications > Users and groups"
	case n == 65001 || n == 90094 || errCode == "consent_required":
		c.Code, c.Fix = CodeConsentRequired, "grant admin consent under the app's API permissions"
	case n == 53003:
		c.Code, c.Fix = CodeBlockedByPolicy, "a Conditional Access policy blocked the sign-in: check the sign-in logs for the policy"
	default:
		c.Fix = "sign in again and accept; if Entra keeps refusing, look up the code on its error page"
	}
	if n != 0 && p != nil {
		c.Fix += fmt.Sprintf("; see https://%s/error?code=%d", hostOf(p.TokenEndpoint), n)
	}
	return c
}

// exchangeError explains a failed code exchange.
func exchangeError(err error, p *Provider) Check {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if e, ok := ParseEntraError(re.Body); ok {
			c := loginCheck(StatusFail, CodeCodeExchangeFailed, "the code exchange failed: "+e.Summary(), "")
			c.TraceID, c.CorrelationID = e.TraceID, e.CorrelationID
			switch e.Code() {
			case 700025:
				c.Fix = LoopbackRedirectURI + " is registered under \"Mobile and desktop applications\"; move it to the Web platform under Authentication"
			case 7000215, 7000222:
				c.Fix = "the stored secret no longer works: run entrasso verify, then entrasso rotate"
			default:
				c.Fix = fmt.Sprintf("see https://%s/error?code=%d", hostOf(p.TokenEndpoint), e.Code())
			}
			return c
		}
	}
	if code, reason, ok := classifyTransport(err); ok {
		return loginCheck(StatusFail, code, "the code exchange failed: "+reason, transportFix(code))
	}
	return loginCheck(StatusFail, CodeCodeExchangeFailed, "the code exchange failed", "run entrasso test-login again")
}

// idTokenReason says in words why go-oidc refused a token.
func idTokenReason(err error) string {
	var expired *oidc.TokenExpiredError
	msg := err.Error()
	switch {
	case errors.As(err, &expired):
		return "it has expired"
	case strings.Contains(msg, "fetching keys"):
		return "the provider's signing keys could not be read"
	case strings.Contains(msg, "audience") || strings.Contains(msg, "aud"):
		return "it was issued for another app (audience)"
	case strings.Contains(msg, "issuer"):
		return "it was issued by another issuer"
	case strings.Contains(msg, "signature"):
		return "its signature does not match the provider's keys"
	}
	return strings.TrimPrefix(msg, "oidc: ")
}
