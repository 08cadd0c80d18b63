package entratest

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"entrasso/internal/lazyre"
	"fmt"
	"html"
	"io"
	"log"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func quietLog() *log.Logger { return log.New(io.Discard, "", 0) }

var (
	guidRe   = lazyre.New(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	domainRe = lazyre.New(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$`)
)

// ConsumersTenantID is the tenant the "consumers" endpoint names.
const ConsumersTenantID = "9188040d-6c67-4c5b-b112-36a304b66dad"

func endpointOf(path string) Endpoint {
	switch {
	case strings.HasPrefix(path, "/v1.0/"):
		return EndpointGraph
	case strings.HasSuffix(path, "/oauth2/v2.0/devicecode"):
		return EndpointDeviceCode
	case strings.HasSuffix(path, "/.well-known/openid-configuration"):
		return EndpointDiscovery
	case strings.Contains(path, "/discovery/"):
		return EndpointKeys
	case strings.HasSuffix(path, "/token"):
		return EndpointToken
	case strings.HasSuffix(path, "/authorize"):
		return EndpointAuthorize
	}
	return ""
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	ep := endpointOf(r.URL.Path)
	s.mu.Lock()
	s.state.counts[ep]++
	latency := s.state.latency
	fault := s.state.faults[ep]
	if fault == FaultNone {
		fault = s.state.faults[EndpointAll]
	}
	s.mu.Unlock()
	if !wait(r.Context(), latency) {
		return
	}
	if fault != FaultNone && s.misbehave(w, r, fault) {
		return
	}
	if ep == EndpointGraph {
		s.graphAPI(w, r)
		return
	}
	segs := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	tenantSeg := strings.ToLower(segs[0])
	rest := strings.Join(segs[1:], "/")
	switch {
	case r.URL.Path == "/error":
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, "<html><body><h1>Error code %s</h1></body></html>", html.EscapeString(r.URL.Query().Get("code")))
	case rest == "v2.0/.well-known/openid-configuration":
		s.discovery(w, r, tenantSeg, true, fault)
	case rest == ".well-known/openid-configuration":
		s.discovery(w, r, tenantSeg, false, fault)
	case rest == "discovery/v2.0/keys" || rest == "discovery/keys":
		s.keys(w, fault)
	case rest == "oauth2/v2.0/token" && r.Method == http.MethodPost:
		s.token(w, r, tenantSeg)
	case rest == "oauth2/v2.0/authorize":
		s.authorize(w, r, tenantSeg)
	case rest == "oauth2/v2.0/devicecode" && r.Method == http.MethodPost:
		s.deviceCode(w, r, tenantSeg)
	default:
		http.NotFound(w, r)
	}
}

// misbehave answers with a fault; false means the fault changes the
// document itself and the normal handler goes on.
func (s *Server) misbehave(w http.ResponseWriter, r *http.Request, f Fault) bool {
	switch f {
	case FaultSlowHeaders:
		wait(r.Context(), time.Minute)
	case FaultSlowBody:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		io.WriteString(w, `{"issuer":"https://`+r.Host+`/`)
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		wait(r.Context(), time.Minute)
	case FaultHugeBody:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"issuer":"`)
		chunk := strings.Repeat("x", 64<<10)
		for i := 0; i < 32 && r.Context().Err() == nil; i++ {
			io.WriteString(w, chunk)
		}
		io.WriteString(w, `"}`)
	case FaultHTML:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!DOCTYPE html><html><head><title>Sign in to the network</title></head><body>Wi-Fi login</body></html>")
	case FaultTruncatedJSON:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"token_endpoint":"https://`+r.Host+`/x/oauth2/v2.0/token","issuer":"https://`+r.Host)
	case FaultReset:
		panic(http.ErrAbortHandler)
	case FaultRedirectHTTP:
		http.Redirect(w, r, "http://"+r.Host+r.URL.Path, http.StatusFound)
	case FaultRedirectLoop:
		http.Redirect(w, r, "https://"+r.Host+r.URL.Path, http.StatusFound)
	case FaultRedirectHost:
		_, port, _ := strings.Cut(r.Host, ":")
		http.Redirect(w, r, "https://localhost:"+port+r.URL.Path, http.StatusFound)
	case FaultServerError:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusServiceUnavailable)
		io.WriteString(w, "<html><body><h1>503 Service Unavailable</h1></body></html>")
	case FaultGatewayTimeout:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusGatewayTimeout)
		io.WriteString(w, `{"message":"upstream timed out"}`)
	case FaultEmptyJSON:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	case FaultUnknownAADSTS:
		s.entraError(w, r.Host, http.StatusUnauthorized, "invalid_client", 7000229,
			"The client application is missing service principal in the tenant.")
	default:
		return false
	}
	return true
}

// entraError writes Entra's JSON error body (entra-facts.md section 6).
func (s *Server) entraError(w http.ResponseWriter, host string, status int, errCode string, aadsts int, text string) {
	now := s.now().UTC()
	trace, corr := newID(), newID()
	stamp := now.Format("2006-01-02 15:04:05Z")
	body := map[string]any{
		"error": errCode,
		"error_description": fmt.Sprintf("AADSTS%d: %s Trace ID: %s Correlation ID: %s Timestamp: %s",
			aadsts, text, trace, corr, stamp),
		"error_codes":    []int{aadsts},
		"timestamp":      stamp,
		"trace_id":       trace,
		"correlation_id": corr,
		"error_uri":      fmt.Sprintf("https://%s/error?code=%d", host, aadsts),
	}
	s.mu.Lock()
	tamper := s.state.tamperErr
	s.mu.Unlock()
	if tamper != nil {
		tamper(body)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

// resolve finds the tenant of a path segment, or writes Entra's error.
func (s *Server) resolve(w http.ResponseWriter, host, seg, errCode string) (*Tenant, bool) {
	if t, ok := s.tenantBy(seg); ok {
		return t, true
	}
	if guidRe().MatchString(seg) || domainRe().MatchString(seg) {
		s.entraError(w, host, http.StatusBadRequest, errCode, 90002,
			fmt.Sprintf("Tenant '%s' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.", seg))
		return nil, false
	}
	s.entraError(w, host, http.StatusBadRequest, "invalid_request", 900023,
		fmt.Sprintf("Specified tenant identifier '%s' is neither a valid DNS name, nor a valid external domain.", seg))
	return nil, false
}

func (s *Server) discovery(w http.ResponseWriter, r *http.Request, seg string, v2 bool, fault Fault) {
	host := r.Host
	var tid, pathTenant string
	switch seg {
	case "common", "organizations":
		tid, pathTenant = "{tenantid}", seg
	case "consumers", ConsumersTenantID:
		tid, pathTenant = ConsumersTenantID, seg
	default:
		t, ok := s.resolve(w, host, seg, "invalid_tenant")
		if !ok {
			return
		}
		tid, pathTenant = t.ID, t.ID
	}
	base := "https://" + host + "/" + pathTenant
	doc := map[string]any{
		"token_endpoint":                        base + "/oauth2/v2.0/token",
		"token_endpoint_auth_methods_supported": []string{"client_secret_post", "private_key_jwt", "client_secret_basic"},
		"jwks_uri":                              base + "/discovery/v2.0/keys",
		"response_modes_supported":              []string{"query", "fragment", "form_post"},
		"subject_types_supported":               []string{"pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"response_types_supported":              []string{"code", "id_token", "code id_token", "id_token token"},
		"scopes_supported":                      []string{"openid", "profile", "email", "offline_access"},
		"issuer":                                "https://" + host + "/" + tid + "/v2.0",
		"request_uri_parameter_supported":       false,
		"userinfo_endpoint":                     "https://graph.microsoft.com/oidc/userinfo",
		"authorization_endpoint":                base + "/oauth2/v2.0/authorize",
		"device_authorization_endpoint":         base + "/oauth2/v2.0/devicecode",
		"http_logout_supported":                 true,
		"frontchannel_logout_supported":         true,
		"end_session_endpoint":                  base + "/oauth2/v2.0/logout",
		"claims_supported":                      []string{"sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email"},
		"kerberos_endpoint":                     base + "/kerberos",
		"tenant_region_scope":                   "EU",
		"cloud_instance_name":                   "microsoftonline.com",
		"cloud_graph_host_name":                 "graph.windows.net",
		"msgraph_host":                          "graph.microsoft.com",
		"rbac_url":                              "https://pas.windows.net",
	}
	if !v2 {
		// The v1 document names the sts.windows.net issuer and v1 URLs.
		doc["issuer"] = "https://sts.windows.net/" + tid + "/"
		doc["token_endpoint"] = base + "/oauth2/token"
		doc["authorization_endpoint"] = base + "/oauth2/authorize"
		doc["jwks_uri"] = "https://" + host + "/common/discovery/keys"
	}
	switch fault {
	case FaultWrongIssuer:
		doc["issuer"] = "https://evil.example/" + tid + "/v2.0"
	case FaultMissingFields:
		delete(doc, "jwks_uri")
	}
	s.mu.Lock()
	tamper := s.state.tamperDoc
	s.mu.Unlock()
	if tamper != nil {
		tamper(doc)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_ = json.NewEncoder(w).Encode(doc)
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func (s *Server) keys(w http.ResponseWriter, fault Fault) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if fault == FaultEmptyKeys {
		io.WriteString(w, `{"keys":[]}`)
		return
	}
	pub := s.signingKey().PublicKey
	_ = json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "use": "sig", "kid": s.kid,
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
}

// Sign makes an RS256 JWT with the look-alike's key; tests use it to craft
// ID tokens that must be rejected.
func (s *Server) Sign(claims map[string]any) string {
	return SignWith(s.signingKey(), s.kid, claims)
}

// SignWith makes an RS256 JWT with any key.
func SignWith(key *rsa.PrivateKey, kid string, claims map[string]any) string {
	h, _ := json.Marshal(map[string]string{"typ": "JWT", "alg": "RS256", "kid": kid})
	p, _ := json.Marshal(claims)
	signing := b64(h) + "." + b64(p)
	sum := sha256.Sum256([]byte(signing))
	sig, _ := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	return signing + "." + b64(sig)
}

// token answers the client-credentials and authorization-code grants with
// Entra's statuses and AADSTS codes (entra-facts.md section 6).
func (s *Server) token(w http.ResponseWriter, r *http.Request, seg string) {
	host := r.Host
	if err := r.ParseForm(); err != nil {
		s.entraError(w, host, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
		return
	}
	if seg == "common" || seg == "organizations" || seg == "consumers" {
		s.entraError(w, host, http.StatusBadRequest, "invalid_request", 50059, "No tenant-identifying information found in either the request or implied by any provided credentials.")
		return
	}
	t, ok := s.resolve(w, host, seg, "invalid_request")
	if !ok {
		return
	}
	clientID := strings.ToLower(r.PostForm.Get("client_id"))
	if clientID == "" {
		s.entraError(w, host, http.StatusBadRequest, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
		return
	}
	if s.isPublicClient(clientID) {
		s.publicToken(w, r, t, clientID)
		return
	}
	s.mu.Lock()
	app, found := t.Apps[clientID]
	var noSP bool
	if found {
		noSP = app.NoServicePrincipal
	}
	s.mu.Unlock()
	if !found {
		s.entraError(w, host, http.StatusBadRequest, "unauthorized_client", 700016,
			fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.", clientID, t.ID))
		return
	}
	if noSP {
		s.entraError(w, host, http.StatusUnauthorized, "invalid_client", 7000229,
			fmt.Sprintf("The client application %s is missing service principal in the tenant %s.", clientID, t.ID))
		return
	}
	secret := r.PostForm.Get("client_secret")
	if secret == "" {
		s.entraError(w, host, http.StatusUnauthorized, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.")
		return
	}
	if status, code, text := s.secretState(app, secret); code != 0 {
		s.entraError(w, host, status, "invalid_client", code, text)
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		scope := r.PostForm.Get("scope")
		if !strings.HasSuffix(scope, "/.default") {
			s.entraError(w, host, http.StatusBadRequest, "invalid_scope", 70011, fmt.Sprintf("The provided request must include a 'scope' input parameter. The provided value for the input parameter 'scope' is not valid. The scope %s is not valid.", scope))
			return
		}
		now := s.now()
		at := s.Sign(map[string]any{
			"aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/" + t.ID + "/",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"appid": app.ClientID, "appidacr": "1", "idp": "https://sts.windows.net/" + t.ID + "/",
			"idtyp": "app", "oid": app.ObjectID, "sub": app.ObjectID, "tid": t.ID, "ver": "1.0",
		})
		writeJSON(w, map[string]any{"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": at})
	case "authorization_code":
		s.redeemCode(w, r, t, app)
	default:
		s.entraError(w, host, http.StatusBadRequest, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.")
	}
}

// secretState checks a presented secret: unknown or not yet propagated is
// AADSTS7000215, expired is AADSTS7000222, both 401 invalid_client.
func (s *Server) secretState(app *App, value string) (int, int, string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.state.now()
	for _, sec := range app.Secrets {
		if sec.Value != value {
			continue
		}
		switch {
		case now.Before(sec.ActiveAt):
			break
		case !now.Before(sec.Expires):
			return http.StatusUnauthorized, 7000222, fmt.Sprintf("The provided client secret keys for app '%s' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.", app.ClientID)
		default:
			return 0, 0, ""
		}
	}
	return http.StatusUnauthorized, 7000215, fmt.Sprintf("Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '%s'.", app.ClientID)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store, no-cache")
	_ = json.NewEncoder(w).Encode(v)
}

// authCode is an issued authorization code.
type authCode struct {
	clientID, redirectURI, nonce, challenge, scope string
	public                                         bool
	user                                           *User
	tenant                                         *Tenant
	expires                                        time.Time
	used                                           bool
}

// sameRedirect compares redirect URIs as Entra does: exactly, except that
// the port of a localhost URI is ignored (entra-facts.md section 3).
func sameRedirect(registered, got string) bool {
	if registered == got {
		return true
	}
	ru, err1 := url.Parse(registered)
	gu, err2 := url.Parse(got)
	if err1 != nil || err2 != nil || ru.Hostname() != "localhost" || gu.Hostname() != "localhost" {
		return false
	}
	return ru.Scheme == gu.Scheme && ru.Path == gu.Path && ru.RawQuery == gu.RawQuery
}

func errorPage(w http.ResponseWriter, aadsts int, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(http.StatusBadRequest)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body><div id=\"error\">AADSTS%d: %s</div></body></html>", aadsts, html.EscapeString(text))
}

func (s *Server) authorize(w http.ResponseWriter, r *http.Request, seg string) {
	q := r.URL.Query()
	t, ok := s.tenantBy(seg)
	if !ok {
		errorPage(w, 90002, fmt.Sprintf("Tenant '%s' not found.", seg))
		return
	}
	clientID := strings.ToLower(q.Get("client_id"))
	redirect := q.Get("redirect_uri")
	if s.isPublicClient(clientID) {
		s.publicAuthorize(w, r, t, clientID)
		return
	}
	s.mu.Lock()
	app, found := t.Apps[clientID]
	var web, public bool
	if found {
		for _, u := range app.RedirectURIs {
			web = web || sameRedirect(u, redirect)
		}
		for _, u := range app.PublicRedirectURIs {
			public = public || sameRedirect(u, redirect)
		}
	}
	user := s.state.signInAs
	if user == nil && len(t.Users) > 0 {
		user = t.Users[0]
	}
	s.mu.Unlock()
	if !found {
		errorPage(w, 700016, fmt.Sprintf("Application with identifier '%s' was not found in the directory '%s'.", clientID, t.ID))
		return
	}
	if !web && !public {
		errorPage(w, 50011, fmt.Sprintf("The redirect URI '%s' specified in the request does not match the redirect URIs configured for the application '%s'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.", redirect, clientID))
		return
	}
	back := func(params url.Values) {
		params.Set("state", q.Get("state"))
		sep := "?"
		if strings.Contains(redirect, "?") {
			sep = "&"
		}
		http.Redirect(w, r, redirect+sep+params.Encode(), http.StatusFound)
	}
	fail := func(code string, aadsts int, text string) {
		back(url.Values{"error": {code}, "error_description": {fmt.Sprintf("AADSTS%d: %s", aadsts, text)},
			"error_uri": {fmt.Sprintf("https://%s/error?code=%d", r.Host, aadsts)}})
	}
	if q.Get("response_type") != "code" {
		fail("unsupported_response_type", 700054, "response_type 'id_token' is not enabled for the application.")
		return
	}
	if m := q.Get("code_challenge_method"); q.Get("code_challenge") != "" && m != "S256" {
		fail("invalid_request", 501491, "Invalid size of Code_Challenge parameter.")
		return
	}
	s.mu.Lock()
	assigned := !app.AssignmentRequired || (user != nil && app.Assigned[user.ObjectID])
	consent := app.NeedsConsent
	s.mu.Unlock()
	switch {
	case user == nil:
		errorPage(w, 50034, "The user account does not exist in the directory.")
	case user.Blocked:
		fail("access_denied", 53003, "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance.")
	case !assigned:
		fail("access_denied", 50105, fmt.Sprintf("Your administrator has configured the application %s ('%s') to block users unless they are specifically granted ('assigned') access to the application.", app.Name, app.ClientID))
	case consent:
		fail("consent_required", 65001, fmt.Sprintf("The user or administrator has not consented to use the application with ID '%s' named '%s'.", app.ClientID, app.Name))
	case user.Declines:
		fail("access_denied", 65004, "User declined to consent to access the app.")
	default:
		code := randomFrom("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 48)
		s.mu.Lock()
		s.state.codes[code] = &authCode{clientID: clientID, redirectURI: redirect, nonce: q.Get("nonce"),
			challenge: q.Get("code_challenge"), scope: q.Get("scope"), public: public && !web, user: user, tenant: t,
			expires: s.state.now().Add(10 * time.Minute)}
		s.mu.Unlock()
		back(url.Values{"code": {code}, "session_state": {newID()}})
	}
}

func (s *Server) redeemCode(w http.ResponseWriter, r *http.Request, t *Tenant, app *App) {
	host := r.Host
	s.mu.Lock()
	c, ok := s.state.codes[r.PostForm.Get("code")]
	var used bool
	if ok {
		used = c.used
		c.used = true
	}
	now := s.state.now()
	s.mu.Unlock()
	switch {
	case !ok || c.tenant != t:
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 9002313, "Invalid request. Request is malformed or invalid.")
	case used:
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 54005, "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.")
	case now.After(c.expires):
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 70008, "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.")
	case c.clientID != app.ClientID || !sameRedirect(c.redirectURI, r.PostForm.Get("redirect_uri")):
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 70000, "The provided value for the 'code' parameter is not valid. The code was issued to a different client or redirect URI.")
	case c.public:
		s.entraError(w, host, http.StatusBadRequest, "invalid_client", 700025, "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.")
	case c.challenge != "" && !pkceOK(c.challenge, r.PostForm.Get("code_verifier")):
		s.entraError(w, host, http.StatusBadRequest, "invalid_grant", 501481, "The Code_Verifier does not match the code_challenge supplied in the authorization request.")
	default:
		u := c.user
		claims := map[string]any{
			"aud": app.ClientID, "iss": "https://" + host + "/" + t.ID + "/v2.0",
			"iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(time.Hour).Unix(),
			"name": u.Name, "oid": u.ObjectID, "preferred_username": u.UPN, "sub": b64([]byte(u.ObjectID + app.ClientID))[:43],
			"tid": t.ID, "ver": "2.0",
		}
		if c.nonce != "" {
			claims["nonce"] = c.nonce
		}
		if u.Email != "" && strings.Contains(" "+c.scope+" ", " email ") {
			claims["email"] = u.Email
		}
		if u.Guest {
			claims["acct"] = 1
		}
		s.mu.Lock()
		tamper := s.state.tamper
		s.mu.Unlock()
		idToken := ""
		if tamper != nil && tamper(claims) {
			other, _ := rsa.GenerateKey(rand.Reader, 2048)
			idToken = SignWith(other, s.kid, claims)
		} else {
			idToken = s.Sign(claims)
		}
		writeJSON(w, map[string]any{"token_type": "Bearer", "scope": c.scope, "expires_in": 3599, "ext_expires_in": 3599,
			"access_token": s.Sign(map[string]any{"aud": "00000003-0000-0000-c000-000000000000", "tid": t.ID, "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}),
			"id_token":     idToken})
	}
}

func pkceOK(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	return verifier != "" && b64(sum[:]) == challenge
}
