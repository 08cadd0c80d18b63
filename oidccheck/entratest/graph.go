package entratest

// The look-alike's Microsoft Graph side: the admin's sign-in as a public
// client (authorization code + PKCE on a loopback redirect, and the device
// code flow), the Graph access tokens it issues, and the knobs that make
// Graph and the sign-in misbehave as they do for real (entra-facts.md
// section 9). The Graph calls themselves are in graph_handlers.go.

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// GraphCLIClientID is Microsoft Graph Command Line Tools, the public client
// entrasso signs the admin in with by default. Like every first-party app it
// exists in every tenant; it has http://localhost registered as a public
// client redirect URI.
const GraphCLIClientID = "14d82eec-204b-4c2f-b7e8-296a70dab67e"

// The delegated Graph permissions the look-alike knows.
const (
	ScopeApplicationReadWrite = "Application.ReadWrite.All"
	ScopePolicyRead           = "Policy.Read.All"
)

// SignInMethod names one way the admin signs in, for BlockSignIn.
type SignInMethod string

// The admin's two sign-in methods.
const (
	SignInBrowser    SignInMethod = "browser"
	SignInDeviceCode SignInMethod = "device_code"
)

// grant is what one Graph access or refresh token stands for.
type grant struct {
	tenant   *Tenant
	user     *User
	clientID string
	scopes   []string
	expires  time.Time
}

func (g *grant) has(scope string) bool {
	for _, s := range g.scopes {
		if strings.EqualFold(s, scope) {
			return true
		}
	}
	return false
}

// publicCode is an authorization code issued to a public client.
type publicCode struct {
	clientID, redirectURI, challenge string
	scopes                           []string
	tenant                           *Tenant
	user                             *User
	expires                          time.Time
	used                             bool
}

// device is one device-code sign-in.
type device struct {
	code, userCode string
	clientID       string
	scopes         []string
	tenant         *Tenant
	expires        time.Time
	polls          int
	approved       bool
	declined       bool
	redeemed       bool
}

type graphState struct {
	publicClients  map[string]bool
	tokens         map[string]*grant
	refresh        map[string]*grant
	codes          map[string]*publicCode
	devices        map[string]*device // by device_code
	spIDs          map[string]string  // client ID -> service principal object ID
	spDelay        time.Duration
	maxDays        int
	blockPasswords bool
	policyDenied   bool
	writesDenied   bool
	throttleN      int
	throttleStatus int
	throttleAfter  string
	blocked        map[SignInMethod]bool
	needConsent    bool
	interval       int
	autoApprove    int
	slowDown       int
}

func newGraphState() graphState {
	return graphState{publicClients: map[string]bool{GraphCLIClientID: true}, tokens: map[string]*grant{},
		refresh: map[string]*grant{}, codes: map[string]*publicCode{}, devices: map[string]*device{},
		spIDs: map[string]string{}, blocked: map[SignInMethod]bool{}, interval: 5, autoApprove: -1}
}

// AddPublicClient makes clientID a public client known to every tenant,
// like GraphCLIClientID (for a tenant's own app with "Allow public client
// flows" and http://localhost registered).
func (s *Server) AddPublicClient(clientID string) {
	s.mu.Lock()
	s.state.graph.publicClients[strings.ToLower(clientID)] = true
	s.mu.Unlock()
}

func (s *Server) isPublicClient(clientID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.graph.publicClients[strings.ToLower(clientID)]
}

// SetServicePrincipalDelay makes POST /servicePrincipals fail for an app
// until d after the app was created, as Entra does while a new application
// replicates (entra-facts.md 9).
func (s *Server) SetServicePrincipalDelay(d time.Duration) {
	s.mu.Lock()
	s.state.graph.spDelay = d
	s.mu.Unlock()
}

// SetPasswordLifetimePolicy sets the tenant default app management policy's
// passwordLifetime restriction to maxDays (served as "P{maxDays}D"); 0
// removes it. addPassword beyond it fails with
// CredentialInvalidLifetimeAsPerAppPolicy.
func (s *Server) SetPasswordLifetimePolicy(maxDays int) {
	s.mu.Lock()
	s.state.graph.maxDays = maxDays
	s.mu.Unlock()
}

// BlockPasswordAddition adds (or removes) the policy's passwordAddition
// restriction: addPassword fails with CredentialTypeNotAllowedAsPerAppPolicy.
func (s *Server) BlockPasswordAddition(on bool) {
	s.mu.Lock()
	s.state.graph.blockPasswords = on
	s.mu.Unlock()
}

// DenyPolicyRead leaves Policy.Read.All out of the tokens issued from now on
// (as when nobody consented to it) and answers the policy with 403.
func (s *Server) DenyPolicyRead(on bool) {
	s.mu.Lock()
	s.state.graph.policyDenied = on
	s.mu.Unlock()
}

// DenyGraphWrites answers every Graph write (POST, PATCH) with 403
// Authorization_RequestDenied, as for an admin without the role.
func (s *Server) DenyGraphWrites(on bool) {
	s.mu.Lock()
	s.state.graph.writesDenied = on
	s.mu.Unlock()
}

// ThrottleGraph answers the next n Graph calls with status (429 or 503) and
// the Retry-After header retryAfter (seconds or an HTTP date; "" sends
// none).
func (s *Server) ThrottleGraph(n, status int, retryAfter string) {
	s.mu.Lock()
	s.state.graph.throttleN, s.state.graph.throttleStatus, s.state.graph.throttleAfter = n, status, retryAfter
	s.mu.Unlock()
}

// BlockSignIn makes Conditional Access block one sign-in method of the
// admin (AADSTS53003).
func (s *Server) BlockSignIn(m SignInMethod, on bool) {
	s.mu.Lock()
	s.state.graph.blocked[m] = on
	s.mu.Unlock()
}

// RequireAdminConsent makes the admin's sign-in fail with AADSTS65001: an
// admin has not consented to the scopes.
func (s *Server) RequireAdminConsent(on bool) {
	s.mu.Lock()
	s.state.graph.needConsent = on
	s.mu.Unlock()
}

// SetDeviceCodeInterval sets the polling interval the device code endpoint
// asks for (Entra says 5 seconds; tests use 1).
func (s *Server) SetDeviceCodeInterval(seconds int) {
	s.mu.Lock()
	s.state.graph.interval = seconds
	s.mu.Unlock()
}

// AutoApproveDeviceCodes approves every device sign-in after it has
// answered authorization_pending n times; negative (the default) waits for
// ApproveDeviceCode.
func (s *Server) AutoApproveDeviceCodes(n int) {
	s.mu.Lock()
	s.state.graph.autoApprove = n
	s.mu.Unlock()
}

// SlowDownDeviceCodes answers the next n polls with slow_down.
func (s *Server) SlowDownDeviceCodes(n int) {
	s.mu.Lock()
	s.state.graph.slowDown = n
	s.mu.Unlock()
}

// ApproveDeviceCode plays the admin entering userCode and signing in.
func (s *Server) ApproveDeviceCode(userCode string) bool {
	return s.changeDevice(userCode, func(d *device) { d.approved = true })
}

// DeclineDeviceCode plays the admin declining the sign-in.
func (s *Server) DeclineDeviceCode(userCode string) bool {
	return s.changeDevice(userCode, func(d *device) { d.declined = true })
}

// ExpireDeviceCode makes the device code run out now.
func (s *Server) ExpireDeviceCode(userCode string) bool {
	return s.changeDevice(userCode, func(d *device) { d.expires = time.Time{} })
}

func (s *Server) changeDevice(userCode string, f func(*device)) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, d := range s.state.graph.devices {
		if d.userCode == userCode {
			f(d)
			return true
		}
	}
	return false
}

// ExpireGraphTokens makes every Graph access token issued so far expire:
// Graph answers 401 InvalidAuthenticationToken, and a refresh gets new ones.
func (s *Server) ExpireGraphTokens() {
	s.mu.Lock()
	for _, g := range s.state.graph.tokens {
		g.expires = time.Time{}
	}
	s.mu.Unlock()
}

// IssueGraphToken returns a Graph access token for an admin of t with the
// given scopes (default Application.ReadWrite.All and Policy.Read.All), as
// if they had signed in: tests of Graph calls use it to skip the sign-in.
func (s *Server) IssueGraphToken(t *Tenant, scopes ...string) string {
	if len(scopes) == 0 {
		scopes = []string{ScopeApplicationReadWrite, ScopePolicyRead}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	tok := "eyJ0eXAiOiJKV1QifQ." + randomFrom(secretAlphabet[:62], 64)
	s.state.graph.tokens[tok] = &grant{tenant: t, user: s.adminOf(t), clientID: GraphCLIClientID, scopes: scopes,
		expires: s.state.now().Add(time.Hour)}
	return tok
}

// adminOf is who signs in as the admin: SignInAs's user, else the tenant's
// first user, else a made-up administrator. Call with s.mu held.
func (s *Server) adminOf(t *Tenant) *User {
	if u := s.state.signInAs; u != nil {
		return u
	}
	if len(t.Users) > 0 {
		return t.Users[0]
	}
	domain := "contoso.onmicrosoft.com"
	if len(t.Domains) > 0 {
		domain = t.Domains[0]
	}
	return &User{ObjectID: newID(), Name: "Admin", UPN: "admin@" + domain, Email: "admin@" + domain}
}

// graphScopes turns requested scopes into the delegated Graph permissions
// granted: a resource prefix (https://graph.microsoft.com/) is dropped,
// OpenID scopes are kept, and Policy.Read.All is left out when DenyPolicyRead
// is on. Call with s.mu held.
func (s *Server) graphScopes(requested string) []string {
	var out []string
	for _, sc := range strings.Fields(requested) {
		if i := strings.LastIndex(sc, "/"); i >= 0 {
			sc = sc[i+1:]
		}
		if strings.EqualFold(sc, ScopePolicyRead) && s.state.graph.policyDenied {
			continue
		}
		out = append(out, sc)
	}
	return out
}

// loopbackRedirect says whether uri may receive a public client's answer:
// http://localhost with any port, as registered by the Graph CLI tools
// (entra-facts.md 9: a localhost port is ignored; a URI with no path is the
// same as one with "/").
func loopbackRedirect(uri string) bool {
	u, err := url.Parse(uri)
	return err == nil && u.Scheme == "http" && u.Hostname() == "localhost" && (u.Path == "" || u.Path == "/") && u.RawQuery == "" && u.Fragment == ""
}

// publicAuthorize answers the admin's browser sign-in.
func (s *Server) publicAuthorize(w http.ResponseWriter, r *http.Request, t *Tenant, clientID string) {
	q := r.URL.Query()
	redirect := q.Get("redirect_uri")
	if !loopbackRedirect(redirect) {
		errorPage(w, 50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'.", redirect, clientID))
		return
	}
	back := func(params url.Values) {
		params.Set("state", q.Get("state"))
		http.Redirect(w, r, redirect+"?"+params.Encode(), http.StatusFound)
	}
	fail := func(code string, aadsts int, text string) {
		back(url.Values{"error": {code}, "error_description": {fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, text, newID(), newID(), s.now().UTC().Format("2006-01-02 15:04:05Z"))},
			"error_uri": {fmt.Sprintf("https://%s/error?code=%d", r.Host, aadsts)}})
	}
	s.mu.Lock()
	g := &s.state.graph
	blocked, consent := g.blocked[SignInBrowser], g.needConsent
	user := s.adminOf(t)
	scopes := s.graphScopes(q.Get("scope"))
	s.mu.Unlock()
	switch {
	case q.Get("response_type") != "code":
		fail("unsupported_response_type", 700054, "response_type 'id_token' is not enabled for the application.")
	case q.Get("code_challenge") == "" || q.Get("code_challenge_method") != "S256":
		// entrasso always sends PKCE with S256; the look-alike insists.
		fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
	case blocked || user.Blocked:
		fail("access_denied", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
	case consent:
		fail("consent_required", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named 'Microsoft Graph Command Line Tools'. Send an interactive authorization request for this user and resource.", clientID))
	default:
		code := randomFrom(secretAlphabet[:62], 48)
		s.mu.Lock()
		s.state.graph.codes[code] = &publicCode{clientID: clientID, redirectURI: redirect, challenge: q.Get("code_challenge"),
			scopes: scopes, tenant: t, user: user, expires: s.state.now().Add(10 * time.Minute)}
		s.mu.Unlock()
		back(url.Values{"code": {code}, "session_state": {newID()}})
	}
}

// deviceCode answers POST /{tenant}/oauth2/v2.0/devicecode (entra-facts.md
// 9): a device code, a user code and where to enter it.
func (s *Server) deviceCode(w http.ResponseWriter, r *http.Request, seg string) {
	host := r.Host
	if err := r.ParseForm(); err != nil {
		s.entraError(w, host, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	t, ok := s.resolve(w, host, seg, "invalid_request")
	if !ok {
		return
	}
	clientID := strings.ToLower(r.PostForm.Get("client_id"))
	if !s.isPublicClient(clientID) {
		s.entraError(w, host, http.StatusBadRequest, "invalid_client", 7000218,
			"The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	}
	s.mu.Lock()
	d := &device{code: randomFrom(secretAlphabet[:62], 64), userCode: randomFrom("ABCDEFGHJKLMNPQRSTUVWXYZ23456789", 9),
		clientID: clientID, scopes: s.graphScopes(r.PostForm.Get("scope")), tenant: t, expires: s.state.now().Add(15 * time.Minute)}
	s.state.graph.devices[d.code] = d
	interval := s.state.graph.interval
	s.mu.Unlock()
	verify := "https://" + host + "/devicelogin"
	writeJSON(w, map[string]any{"user_code": d.userCode, "device_code": d.code, "verification_uri": verify,
		"expires_in": 900, "interval": interval,
		"message": fmt.Sprintf("To sign in, use a web browser to open the page %s and enter the code %s to authenticate.", verify, d.userCode)})
}

// publicToken is the token endpoint for a public client: no secret, and the
// authorization code (with PKCE), device code and refresh token grants.
func (s *Server) publicToken(w http.ResponseWriter, r *http.Request, t *Tenant, clientID string) {
	host := r.Host
	if r.PostForm.Get("client_secret") != "" {
		s.entraError(w, host, http.StatusUnauthorized, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		s.mu.Lock()
		c, ok := s.state.graph.codes[r.PostForm.Get("code")]
		var used bool
		if ok {
			used, c.used = c.used, true
		}
		now := s.state.now()
		s.mu.Unlock()
		switch {
		case !ok || c.tenant != t:
			s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
		case used:
			s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
		case now.After(c.expires):
			s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity.")
		case c.clientID != clientID || c.redirectURI != r.PostForm.Get("redirect_uri"):
			s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client or redirect URI.")
		case !pkceOK(c.challenge, r.PostForm.Get("code_verifier")):
			s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
		default:
			s.issueGraphTokens(w, &grant{tenant: t, user: c.user, clientID: clientID, scopes: c.scopes})
		}
	case "urn:ietf:params:oauth:grant-type:device_code":
		s.pollDevice(w, r, t, clientID)
	case "refresh_token":
		s.mu.Lock()
		g, ok := s.state.graph.refresh[r.PostForm.Get("refresh_token")]
		s.mu.Unlock()
		if !ok || g.tenant != t || g.clientID != clientID {
			s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
			return
		}
		s.issueGraphTokens(w, &grant{tenant: g.tenant, user: g.user, clientID: clientID, scopes: g.scopes})
	default:
		s.entraError(w, host, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
	}
}

// pollDevice answers one poll of a device sign-in: authorization_pending
// (AADSTS70016) until the admin is done, slow_down, authorization_declined,
// expired_token (AADSTS70019, "CodeExpired"), or the tokens.
func (s *Server) pollDevice(w http.ResponseWriter, r *http.Request, t *Tenant, clientID string) {
	host := r.Host
	s.mu.Lock()
	g := &s.state.graph
	d, ok := g.devices[r.PostForm.Get("device_code")]
	now := s.state.now()
	var outcome string
	switch {
	case !ok || d.tenant != t || d.clientID != clientID || d.redeemed:
		outcome = "bad"
	case g.slowDown > 0:
		g.slowDown--
		outcome = "slow"
	case !now.Before(d.expires):
		outcome = "expired"
	case d.declined:
		outcome = "declined"
	case d.approved || (g.autoApprove >= 0 && d.polls >= g.autoApprove):
		d.approved = true
		switch {
		case g.blocked[SignInDeviceCode] || s.adminOf(t).Blocked:
			outcome = "blocked"
		case g.needConsent:
			outcome = "consent"
		default:
			d.redeemed = true
			outcome = "ok"
		}
	default:
		d.polls++
		outcome = "pending"
	}
	var user *User
	if outcome == "ok" {
		user = s.adminOf(t)
	}
	s.mu.Unlock()
	switch outcome {
	case "bad":
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 70000, "The provided value for the input parameter 'device_code' is not valid.")
	case "slow":
		s.entraError(w, host, http.StatusBadRequest, "slow_down", 70016, "The client is polling too often; slow down.")
	case "pending":
		s.entraError(w, host, http.StatusBadRequest, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.")
	case "expired":
		s.entraError(w, host, http.StatusBadRequest, "expired_token", 70019, "Verification code expired.")
	case "declined":
		// Entra's documentation names the error authorization_declined
		// without an AADSTS code; 65004 is its "user declined" code.
		s.entraError(w, host, http.StatusBadRequest, "authorization_declined", 65004, "User declined to consent to access the app.")
	case "blocked":
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
	case "consent":
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s'. Send an interactive authorization request for this user and resource.", clientID))
	default:
		s.issueGraphTokens(w, &grant{tenant: t, user: user, clientID: clientID, scopes: d.scopes})
	}
}

// issueGraphTokens writes a token response for g: a Graph access token
// (a v1 token, as Graph's are: entra-facts.md 7) checked on every Graph
// call, and a refresh token when offline_access was asked for.
func (s *Server) issueGraphTokens(w http.ResponseWriter, g *grant) {
	now := s.now()
	g.expires = now.Add(time.Hour)
	var graphScopes []string
	offline := false
	for _, sc := range g.scopes {
		switch strings.ToLower(sc) {
		case "offline_access":
			offline = true
		case "openid", "profile", "email":
		default:
			graphScopes = append(graphScopes, sc)
		}
	}
	at := s.Sign(map[string]any{
		"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + g.tenant.ID + "/",
		"iat": now.Unix(), "nbf": now.Unix(), "exp": g.expires.Unix(), "appid": g.clientID, "idtyp": "user",
		"name": g.user.Name, "upn": g.user.UPN, "oid": g.user.ObjectID, "scp": strings.Join(graphScopes, " "),
		"tid": g.tenant.ID, "ver": "1.0", "jti": newID(),
	})
	body := map[string]any{"token_type": "Bearer", "scope": strings.Join(g.scopes, " "), "expires_in": 3599,
		"ext_expires_in": 3599, "access_token": at}
	s.mu.Lock()
	s.state.graph.tokens[at] = g
	if offline {
		rt := randomFrom(secretAlphabet[:62], 80)
		s.state.graph.refresh[rt] = g
		body["refresh_token"] = rt
	}
	s.mu.Unlock()
	writeJSON(w, body)
}
