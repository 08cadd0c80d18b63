package graph

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"entrasso/internal/lazyre"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"entrasso/internal/loopback"
	"entrasso/oidccheck"
)

// DefaultClientID is Microsoft Graph Command Line Tools: a public client
// Microsoft registers in every tenant, with http://localhost as a redirect
// URI and public client flows allowed (entra-facts.md 9).
const DefaultClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// The delegated permissions entrasso asks for.
const (
	// ScopeApplications lets the admin register apps and manage their
	// secrets (admin consent).
	ScopeApplications = "Application.ReadWrite.All"
	// ScopePolicyRead lets entrasso read the tenant's secret lifetime
	// policy. Optional: without it the policy check is skip.
	ScopePolicyRead = "Policy.Read.All"
	// ScopeOffline gives a refresh token, so a long session needs no
	// second sign-in.
	ScopeOffline = "offline_access"
)

// DefaultSignInTimeout is how long the browser sign-in waits.
const DefaultSignInTimeout = 5 * time.Minute

// SignIn configures SignInBrowser and SignInDevice.
type SignIn struct {
	// LoginHost is the authority host (--authority-host); default
	// login.microsoftonline.com.
	LoginHost string
	// Tenant is the tenant's GUID or domain.
	Tenant string
	// ClientID is the public client; default DefaultClientID.
	ClientID string
	// GraphHost names the resource the scopes are for; default
	// graph.microsoft.com.
	GraphHost string
	// WithoutPolicyScope leaves Policy.Read.All out, for a tenant where
	// asking for it stops the sign-in (consent_required).
	WithoutPolicyScope bool
	// HTTP is the hardened client for the login host (and the refresh of
	// the token later); nil means a new oidccheck.NewHTTPClient.
	HTTP *http.Client
	// Timeout bounds the browser sign-in's wait; default
	// DefaultSignInTimeout. The device flow ends when its code expires.
	Timeout time.Duration
	// Open sends the browser to the short loopback address
	// (http://localhost:PORT/), or shows it (browser sign-in).
	Open func(shortURL string) error
	// AuthorizeURL, when set, is told the full authorize URL first
	// (browser sign-in), for a front end that prints it for scripts.
	AuthorizeURL func(url string)
	// ShowCode shows the user code and where to enter it (device sign-in).
	ShowCode func(DeviceCode)
}

// DeviceCode is what the admin is shown in the device code flow.
type DeviceCode struct {
	UserCode        string
	VerificationURI string
	// Message is Entra's own sentence with both.
	Message string
	Expires time.Time
}

// Account is who signed in, read from the access token (Graph tokens are
// decoded, never validated, by clients: entra-facts.md 7).
type Account struct {
	Name     string `json:"name,omitempty"`
	UPN      string `json:"upn,omitempty"`
	TenantID string `json:"tid,omitempty"`
	ObjectID string `json:"oid,omitempty"`
}

// Session is a signed-in admin: tokens in memory only, renewed with the
// refresh token while the command runs.
type Session struct {
	tokens  oauth2.TokenSource
	scopes  []string
	account Account
}

// NewSession wraps a token source that was obtained elsewhere (tests, or a
// token given by a caller); scopes are those granted.
func NewSession(ts oauth2.TokenSource, scopes ...string) *Session {
	return &Session{tokens: ts, scopes: scopes}
}

// TokenSource gives the Graph access tokens, for Options.Tokens.
func (s *Session) TokenSource() oauth2.TokenSource { return s.tokens }

// Account is who signed in.
func (s *Session) Account() Account { return s.account }

// Scopes are the permissions Entra granted, without a resource prefix.
func (s *Session) Scopes() []string { return slices.Clone(s.scopes) }

// Granted says whether Entra granted scope (ScopePolicyRead, say): a flow
// that finds Policy.Read.All missing reports the policy check as skip
// without calling Graph.
func (s *Session) Granted(scope string) bool {
	return slices.ContainsFunc(s.scopes, func(g string) bool { return strings.EqualFold(g, scope) })
}

// SignInError is a sign-in that did not give a token: its problem code,
// Entra's AADSTS code and description, and the trace and correlation IDs.
type SignInError struct {
	// Method is "browser" or "device code".
	Method  string
	Problem oidccheck.Code
	// Message and Fix are in words; Message quotes Entra's description.
	Message string
	Fix     string
	// AADSTS is Entra's code (0 when none), OAuthError the OAuth error
	// (access_denied, expired_token, ...).
	AADSTS        int
	OAuthError    string
	TraceID       string
	CorrelationID string
	wrapped       error
}

// Error is one line, safe for a terminal.
func (e *SignInError) Error() string {
	s := "graph: the " + e.Method + " sign-in failed: " + oidccheck.SafeText(e.Message)
	if e.AADSTS != 0 && !strings.Contains(e.Message, "AADSTS") {
		s += fmt.Sprintf(" (AADSTS%d)", e.AADSTS)
	}
	return s
}

// Unwrap gives the underlying error, if any.
func (e *SignInError) Unwrap() error { return e.wrapped }

// Check is the error as a failed check of the graph field.
func (e *SignInError) Check() oidccheck.Check {
	msg := "the " + e.Method + " sign-in failed: " + e.Message
	if e.AADSTS != 0 && !strings.Contains(e.Message, "AADSTS") {
		msg += fmt.Sprintf(" (AADSTS%d)", e.AADSTS)
	}
	return oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: e.Problem, Message: msg, Fix: e.Fix,
		TraceID: e.TraceID, CorrelationID: e.CorrelationID}.Safe()
}

const (
	methodBrowser = "browser"
	methodDevice  = "device code"
)

// config builds the OAuth configuration of a sign-in.
func (o *SignIn) config(redirect string) (*oauth2.Config, *http.Client, error) {
	if o.LoginHost == "" {
		o.LoginHost = "login.microsoftonline.com"
	}
	host, err := normalizeHost(o.LoginHost)
	if err != nil {
		return nil, nil, fmt.Errorf("graph: login host: %w", err)
	}
	if o.Tenant == "" || strings.ContainsAny(o.Tenant, "/?#%\\ ") {
		return nil, nil, fmt.Errorf("graph: %q is not a tenant ID or domain", o.Tenant)
	}
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.GraphHost == "" {
		o.GraphHost = HostGlobal
	}
	graphHost, err := normalizeHost(o.GraphHost)
	if err != nil {
		return nil, nil, err
	}
	httpc := o.HTTP
	if httpc == nil {
		if httpc, err = oidccheck.NewHTTPClient(oidccheck.HTTPOptions{}); err != nil {
			return nil, nil, err
		}
	}
	// Graph's permissions are named with the resource's URL, so that the
	// sovereign clouds get tokens for their own Graph host.
	resource := "https://" + graphHost + "/"
	scopes := []string{resource + ScopeApplications}
	if !o.WithoutPolicyScope {
		scopes = append(scopes, resource+ScopePolicyRead)
	}
	scopes = append(scopes, ScopeOffline)
	base := "https://" + host + "/" + o.Tenant + "/oauth2/v2.0/"
	return &oauth2.Config{ClientID: o.ClientID, RedirectURL: redirect, Scopes: scopes,
		// A public client has no secret; AuthStyleInParams stops x/oauth2
		// from probing the header style (entra-facts.md 4).
		Endpoint: oauth2.Endpoint{AuthURL: base + "authorize", TokenURL: base + "token", DeviceAuthURL: base + "devicecode",
			AuthStyle: oauth2.AuthStyleInParams}}, httpc, nil
}

// SignInBrowser signs the admin in with the authorization code flow, PKCE
// (S256) and state, on a one-time listener on 127.0.0.1: the admin opens
// the short address http://localhost:PORT/, which redirects to Entra; Entra
// comes back to http://localhost:PORT/ (any port matches the public
// client's http://localhost, entra-facts.md 9); the code is exchanged with
// the verifier and no secret; and the browser tab shows the real outcome.
func SignInBrowser(ctx context.Context, o SignIn) (*Session, error) {
	ln, err := loopback.Listen(loopback.Options{CallbackPath: "/", Again: "entrasso"})
	if err != nil {
		return nil, &SignInError{Method: methodBrowser, Problem: oidccheck.CodeSignInFailed, Message: "cannot listen on 127.0.0.1 for the sign-in's answer",
			Fix: "free a local port, or use --device-code", wrapped: err}
	}
	defer ln.Close()
	if o.Timeout <= 0 {
		o.Timeout = DefaultSignInTimeout
	}
	cfg, httpc, err := o.config(ln.RedirectURI())
	if err != nil {
		return nil, err
	}
	verifier := oauth2.GenerateVerifier()
	authURL := cfg.AuthCodeURL(ln.State(), oauth2.S256ChallengeOption(verifier), oauth2.SetAuthURLParam("prompt", "select_account"))
	ln.Serve(authURL)
	if o.AuthorizeURL != nil {
		o.AuthorizeURL(authURL)
	}
	if o.Open != nil {
		if err := o.Open(ln.ShortURL()); err != nil {
			return nil, &SignInError{Method: methodBrowser, Problem: oidccheck.CodeSignInFailed, Message: "could not show the sign-in page",
				Fix: "use --no-browser and open the address shown, or --device-code", wrapped: err}
		}
	}
	cb, err := ln.Wait(ctx, o.Timeout)
	switch {
	case errors.Is(err, loopback.ErrTimeout):
		return nil, &SignInError{Method: methodBrowser, Problem: oidccheck.CodeSignInTimeout, Message: "no sign-in came back within " + o.Timeout.String(),
			Fix: "sign in again; without a browser on this machine use --device-code", wrapped: err}
	case err != nil:
		return nil, &SignInError{Method: methodBrowser, Problem: oidccheck.CodeSignInTimeout, Message: "the sign-in was stopped", wrapped: err}
	}
	sess, serr := exchange(ctx, cfg, httpc, cb, verifier)
	if serr != nil {
		cb.Reply(loopback.Page{Status: http.StatusOK, Title: "The sign-in did not work",
			Body: oidccheck.SafeText(serr.Message) + ". " + serr.Fix + ". The terminal shows the details."})
		return nil, serr
	}
	who := "you"
	if a := sess.account; a.UPN != "" {
		who = oidccheck.SafeText(a.UPN)
	}
	cb.Reply(loopback.Page{Status: http.StatusOK, Title: "Signed in to Microsoft Graph",
		Body: "entrasso can now act as " + who + " in Entra. You can close this tab and go back to the terminal."})
	return sess, nil
}

func exchange(ctx context.Context, cfg *oauth2.Config, httpc *http.Client, cb *loopback.Callback, verifier string) (*Session, *SignInError) {
	if cb.Error != "" {
		return nil, signInFailure(methodBrowser, cb.Error, cb.ErrorDescription, nil, cfg)
	}
	tok, err := cfg.Exchange(context.WithValue(ctx, oauth2.HTTPClient, httpc), cb.Code, oauth2.VerifierOption(verifier))
	if err != nil {
		return nil, tokenFailure(methodBrowser, err, cfg)
	}
	return newSession(ctx, cfg, httpc, tok), nil
}

// SignInDevice signs the admin in with the device code flow: ShowCode is
// given the user code and the address to enter it at (on any device), and
// the token endpoint is polled at the interval Entra asks for until the
// admin is done, declines, or the code expires.
func SignInDevice(ctx context.Context, o SignIn) (*Session, error) {
	cfg, httpc, err := o.config("")
	if err != nil {
		return nil, err
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, httpc)
	da, err := cfg.DeviceAuth(hctx)
	if err != nil {
		return nil, tokenFailure(methodDevice, err, cfg)
	}
	if o.ShowCode != nil {
		// x/oauth2 keeps the codes, not Entra's sentence: say it ourselves.
		o.ShowCode(DeviceCode{UserCode: da.UserCode, VerificationURI: da.VerificationURI, Expires: da.Expiry,
			Message: "To sign in, open " + da.VerificationURI + " and enter the code " + da.UserCode + "."})
	}
	tok, err := cfg.DeviceAccessToken(hctx, da)
	if err != nil {
		if ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded) {
			// x/oauth2 stops polling at the code's expiry.
			return nil, &SignInError{Method: methodDevice, Problem: oidccheck.CodeDeviceCodeExpired, Message: "the code expired before the sign-in finished",
				Fix: "sign in again and enter the new code within its time", wrapped: err}
		}
		if ctx.Err() != nil {
			return nil, &SignInError{Method: methodDevice, Problem: oidccheck.CodeSignInTimeout, Message: "the sign-in was stopped", wrapped: err}
		}
		return nil, tokenFailure(methodDevice, err, cfg)
	}
	return newSession(ctx, cfg, httpc, tok), nil
}

// newSession keeps the token in memory, renewed with the refresh token
// through the same hardened client; the command's cancellation does not
// end the session's ability to refresh mid-call.
func newSession(ctx context.Context, cfg *oauth2.Config, httpc *http.Client, tok *oauth2.Token) *Session {
	rctx := context.WithValue(context.WithoutCancel(ctx), oauth2.HTTPClient, httpc)
	s := &Session{tokens: cfg.TokenSource(rctx, tok), account: accountOf(tok.AccessToken)}
	if sc, _ := tok.Extra("scope").(string); sc != "" {
		for _, f := range strings.Fields(sc) {
			if i := strings.LastIndex(f, "/"); i >= 0 {
				f = f[i+1:]
			}
			s.scopes = append(s.scopes, f)
		}
	}
	return s
}

// accountOf decodes (never validates) the access token's claims.
func accountOf(at string) Account {
	parts := strings.Split(at, ".")
	if len(parts) != 3 {
		return Account{}
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Account{}
	}
	var a Account
	_ = json.Unmarshal(raw, &a)
	return a
}

var (
	aadstsRe = lazyre.New(`AADSTS(\d+)`)
	traceRe  = lazyre.New(`Trace ID: ([0-9a-fA-F-]+)`)
	corrRe   = lazyre.New(`Correlation ID: ([0-9a-fA-F-]+)`)
)

// tokenFailure explains an error from the token or device code endpoint.
func tokenFailure(method string, err error, cfg *oauth2.Config) *SignInError {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if e, ok := oidccheck.ParseEntraError(re.Body); ok {
			s := signInFailure(method, e.Error, e.Description, e.Codes, cfg)
			s.TraceID, s.CorrelationID, s.wrapped = e.TraceID, e.CorrelationID, err
			return s
		}
		s := signInFailure(method, re.ErrorCode, re.ErrorDescription, nil, cfg)
		s.wrapped = err
		return s
	}
	if code, reason, ok := oidccheck.ClassifyTransport(err); ok {
		return &SignInError{Method: method, Problem: code, Message: reason, Fix: oidccheck.TransportFix(code), wrapped: err}
	}
	return &SignInError{Method: method, Problem: oidccheck.CodeSignInFailed, Message: "Entra's answer could not be read", Fix: "sign in again", wrapped: err}
}

// signInFailure maps Entra's OAuth error and AADSTS code to a problem code
// (entra-facts.md 9 and 10): Conditional Access, consent, and the device
// flow's declined and expired.
func signInFailure(method, oauthErr, desc string, codes []int, cfg *oauth2.Config) *SignInError {
	n := 0
	if len(codes) > 0 {
		n = codes[0]
	} else if m := aadstsRe().FindStringSubmatch(desc); m != nil {
		n, _ = strconv.Atoi(m[1])
	}
	summary := desc
	for _, cut := range []string{"\r\n", "\n", " Trace ID:"} {
		if i := strings.Index(summary, cut); i >= 0 {
			summary = summary[:i]
		}
	}
	summary = strings.TrimSpace(summary)
	if len(summary) > maxMessage {
		summary = summary[:maxMessage] + "…"
	}
	if summary == "" {
		summary = "Entra answered " + oauthErr
	}
	e := &SignInError{Method: method, Message: summary, AADSTS: n, OAuthError: oauthErr}
	if m := traceRe().FindStringSubmatch(desc); m != nil {
		e.TraceID = m[1]
	}
	if m := corrRe().FindStringSubmatch(desc); m != nil {
		e.CorrelationID = m[1]
	}
	other := "the device code sign-in (--device-code)"
	if method == methodDevice {
		other = "the browser sign-in (without --device-code)"
	}
	switch {
	case conditionalAccess(n):
		e.Problem = oidccheck.CodeSignInBlocked
		e.Fix = "a Conditional Access policy blocks this sign-in; try " + other + ", or ask an administrator which policy applies (the sign-in logs name it)"
	case n == 65001 || n == 90094 || n == 90008 || oauthErr == "consent_required":
		e.Problem = oidccheck.CodeConsentRequired
		e.Fix = "an administrator must consent to " + ScopeApplications + " for the sign-in app (a Global or Privileged Role Administrator can sign in once and accept for the organisation)"
		if cfg != nil && slices.ContainsFunc(cfg.Scopes, func(s string) bool { return strings.HasSuffix(s, ScopePolicyRead) }) {
			e.Fix += "; or sign in without " + ScopePolicyRead + " (the policy check is then skipped)"
		}
	case oauthErr == "expired_token" || n == 70019:
		e.Problem, e.Fix = oidccheck.CodeDeviceCodeExpired, "sign in again and enter the new code within its time"
	case oauthErr == "authorization_declined" || (method == methodDevice && oauthErr == "access_denied"):
		e.Problem, e.Fix = oidccheck.CodeDeviceCodeDeclined, "the sign-in was declined; sign in again and accept"
	default:
		e.Problem = oidccheck.CodeSignInFailed
		e.Fix = "sign in again"
		if n != 0 && cfg != nil {
			e.Fix += "; see " + errorPage(cfg.Endpoint.TokenURL, n)
		}
	}
	return e
}

// conditionalAccess says whether an AADSTS code is a Conditional Access
// block (530xx: device compliance, approved app, blocked by policy, risk).
func conditionalAccess(n int) bool {
	return (n >= 53000 && n <= 53011) || n == 530032 || n == 530034 || n == 530035
}

func errorPage(tokenURL string, n int) string {
	host := strings.TrimPrefix(tokenURL, "https://")
	if i := strings.Index(host, "/"); i >= 0 {
		host = host[:i]
	}
	return fmt.Sprintf("https://%s/error?code=%d", host, n)
}
