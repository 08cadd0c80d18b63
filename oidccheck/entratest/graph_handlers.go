package entratest

// Microsoft Graph's calls that entrasso makes (entra-facts.md 9), backed by
// the look-alike's tenants, apps and secrets: an app created here works at
// the token endpoint (once its service principal exists) and for the test
// sign-in, and a secret added here is one AddSecret would make.
//
// Bodies and statuses follow Graph's documentation: errors are
// {"error":{"code","message","innerError":{"date","request-id",
// "client-request-id"}}} with request-id and client-request-id headers on
// every answer; a collection is {"@odata.context", "value": [...]}; POST
// /applications and /servicePrincipals answer 201 with the object,
// addPassword 200 with the passwordCredential (secretText once),
// removePassword and PATCH 204 with no body.

import (
	"encoding/json"
	"entrasso/internal/lazyre"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// graphError writes Graph's error JSON.
func (s *Server) graphError(w http.ResponseWriter, status int, code, message string, details ...map[string]any) {
	inner := map[string]any{"date": s.now().UTC().Format("2006-01-02T15:04:05"),
		"request-id": w.Header().Get("request-id"), "client-request-id": w.Header().Get("client-request-id")}
	e := map[string]any{"code": code, "message": message, "innerError": inner}
	if len(details) > 0 {
		e["details"] = details
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": e})
}

func graphJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

const (
	msgDenied   = "Insufficient privileges to complete the operation."
	msgNotFound = "Resource '%s' does not exist or one of its queried reference-property objects are not present."
)

var (
	appByIDRe    = lazyre.New(`^/v1\.0/applications/([0-9a-fA-F-]{36})(/addPassword|/removePassword)?$`)
	appByAppIDRe = lazyre.New(`^/v1\.0/applications\(appId='([^']*)'\)$`)
)

// graphAPI answers /v1.0/...: throttling first, then the bearer token,
// then the call.
func (s *Server) graphAPI(w http.ResponseWriter, r *http.Request) {
	reqID := newID()
	clientReqID := r.Header.Get("client-request-id")
	if clientReqID == "" {
		clientReqID = reqID
	}
	w.Header().Set("request-id", reqID)
	w.Header().Set("client-request-id", clientReqID)
	w.Header().Set("x-ms-ags-diagnostic", `{"ServerInfo":{"DataCenter":"Loopback","Slice":"E","Ring":"1","ScaleUnit":"000","RoleInstance":"LOOKALIKE"}}`)

	s.mu.Lock()
	g := &s.state.graph
	throttled, status, after := false, 0, ""
	if g.throttleN > 0 {
		g.throttleN--
		throttled, status, after = true, g.throttleStatus, g.throttleAfter
	}
	s.mu.Unlock()
	if throttled {
		// Graph's throttling: 429 with a suggested wait in Retry-After;
		// 503 when the service is busy, also with Retry-After.
		if after != "" {
			w.Header().Set("Retry-After", after)
		}
		if status == http.StatusServiceUnavailable {
			s.graphError(w, status, "serviceNotAvailable", "The service is temporarily unavailable. Please retry after a delay.")
		} else {
			s.graphError(w, http.StatusTooManyRequests, "Request_ThrottledTemporarily", "Your request is throttled temporarily. Please try after "+after+" seconds.")
		}
		return
	}

	gr, ok := s.graphGrant(w, r)
	if !ok {
		return
	}
	write := r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodDelete
	p := r.URL.Path
	s.mu.Lock()
	denied := g.writesDenied
	s.mu.Unlock()
	if write && p != "/v1.0/policies/defaultAppManagementPolicy" && (denied || !gr.has(ScopeApplicationReadWrite)) {
		s.graphError(w, http.StatusForbidden, "Authorization_RequestDenied", msgDenied)
		return
	}
	switch m := appByIDRe().FindStringSubmatch(p); {
	case p == "/v1.0/applications" && r.Method == http.MethodGet:
		s.graphListApps(w, r, gr)
	case p == "/v1.0/applications" && r.Method == http.MethodPost:
		s.graphCreateApp(w, r, gr)
	case m != nil && m[2] == "" && r.Method == http.MethodGet:
		s.graphGetApp(w, gr, s.appByObjectID(gr.tenant, m[1]), m[1])
	case m != nil && m[2] == "" && r.Method == http.MethodPatch:
		s.graphPatchApp(w, r, gr, m[1])
	case m != nil && m[2] == "/addPassword" && r.Method == http.MethodPost:
		s.graphAddPassword(w, r, gr, m[1])
	case m != nil && m[2] == "/removePassword" && r.Method == http.MethodPost:
		s.graphRemovePassword(w, r, gr, m[1])
	case appByAppIDRe().MatchString(p) && r.Method == http.MethodGet:
		id := appByAppIDRe().FindStringSubmatch(p)[1]
		s.graphGetApp(w, gr, s.appByClientID(gr.tenant, id), id)
	case p == "/v1.0/servicePrincipals" && r.Method == http.MethodGet:
		s.graphListSPs(w, r, gr)
	case p == "/v1.0/servicePrincipals" && r.Method == http.MethodPost:
		s.graphCreateSP(w, r, gr)
	case p == "/v1.0/policies/defaultAppManagementPolicy" && r.Method == http.MethodGet:
		s.graphPolicy(w, gr)
	default:
		seg := p[strings.LastIndex(p, "/")+1:]
		s.graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", seg))
	}
}

// graphGrant checks the bearer token: only tokens the look-alike issued and
// that have not expired pass; anything else is 401
// InvalidAuthenticationToken.
func (s *Server) graphGrant(w http.ResponseWriter, r *http.Request) (*grant, bool) {
	auth := r.Header.Get("Authorization")
	tok, found := strings.CutPrefix(auth, "Bearer ")
	deny := func(msg string) (*grant, bool) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		s.graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", msg)
		return nil, false
	}
	if !found || tok == "" {
		return deny("Access token is empty.")
	}
	s.mu.Lock()
	g, ok := s.state.graph.tokens[tok]
	expired := ok && !s.state.now().Before(g.expires)
	s.mu.Unlock()
	switch {
	case !ok:
		return deny("IDX14100: JWT is not well formed, there are no dots (.).")
	case expired:
		return deny("Lifetime validation failed, the token is expired.")
	}
	return g, true
}

func (s *Server) appByObjectID(t *Tenant, id string) *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range t.Apps {
		if strings.EqualFold(a.ObjectID, id) {
			return a
		}
	}
	return nil
}

func (s *Server) appByClientID(t *Tenant, id string) *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return t.Apps[strings.ToLower(id)]
}

// appJSON is Graph's application resource, with the properties entrasso
// reads. Call with s.mu held.
func appJSON(a *App) map[string]any {
	creds := []map[string]any{}
	for _, sec := range a.Secrets {
		creds = append(creds, map[string]any{"customKeyIdentifier": nil, "displayName": sec.Description,
			"endDateTime": sec.Expires.UTC().Format(time.RFC3339), "hint": sec.Hint, "keyId": sec.KeyID,
			"secretText": nil, "startDateTime": sec.Start.UTC().Format(time.RFC3339)})
	}
	claims := []map[string]any{}
	for _, c := range a.IDTokenClaims {
		claims = append(claims, map[string]any{"name": c, "source": nil, "essential": false, "additionalProperties": []string{}})
	}
	var logout any
	if a.LogoutURL != "" {
		logout = a.LogoutURL
	}
	public := a.PublicRedirectURIs
	if public == nil {
		public = []string{}
	}
	return map[string]any{
		"id": a.ObjectID, "appId": a.ClientID, "displayName": a.Name, "signInAudience": a.SignInAudience,
		"createdDateTime": a.Created.UTC().Format(time.RFC3339), "tags": orEmpty(a.Tags),
		"web": map[string]any{"redirectUris": orEmpty(a.RedirectURIs), "logoutUrl": logout, "homePageUrl": nil,
			"implicitGrantSettings": map[string]any{"enableAccessTokenIssuance": false, "enableIdTokenIssuance": false}},
		"publicClient":        map[string]any{"redirectUris": public},
		"optionalClaims":      map[string]any{"idToken": claims, "accessToken": []any{}, "saml2Token": []any{}},
		"passwordCredentials": creds, "keyCredentials": []any{},
	}
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// The $filter forms entrasso sends. OData doubles a quote inside a string.
var (
	filterAppID = lazyre.New(`^appId eq '((?:[^']|'')*)'$`)
	filterName  = lazyre.New(`^displayName eq '((?:[^']|'')*)'(?: and tags/any\(t:t eq '((?:[^']|'')*)'\))?$`)
)

func unquote(s string) string { return strings.ReplaceAll(s, "''", "'") }

func hasTag(a *App, tag string) bool {
	for _, t := range a.Tags {
		if strings.EqualFold(t, tag) {
			return true
		}
	}
	return false
}

func (s *Server) graphListApps(w http.ResponseWriter, r *http.Request, gr *grant) {
	f := r.URL.Query().Get("$filter")
	var match func(*App) bool
	switch {
	case f == "":
		match = func(*App) bool { return true }
	case filterAppID().MatchString(f):
		id := unquote(filterAppID().FindStringSubmatch(f)[1])
		match = func(a *App) bool { return strings.EqualFold(a.ClientID, id) }
	case filterName().MatchString(f):
		m := filterName().FindStringSubmatch(f)
		name, tag := unquote(m[1]), unquote(m[2])
		match = func(a *App) bool { return a.Name == name && (tag == "" || hasTag(a, tag)) }
	default:
		s.graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property of resource 'Application'.")
		return
	}
	s.mu.Lock()
	list := []map[string]any{}
	for _, a := range gr.tenant.Apps {
		if match(a) {
			list = append(list, appJSON(a))
		}
	}
	s.mu.Unlock()
	graphJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://" + r.Host + "/v1.0/$metadata#applications", "value": list})
}

func (s *Server) graphGetApp(w http.ResponseWriter, gr *grant, a *App, id string) {
	if a == nil {
		s.graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf(msgNotFound, id))
		return
	}
	s.mu.Lock()
	body := appJSON(a)
	s.mu.Unlock()
	graphJSON(w, http.StatusOK, body)
}

type appBody struct {
	DisplayName    *string  `json:"displayName"`
	SignInAudience *string  `json:"signInAudience"`
	Tags           []string `json:"tags"`
	Web            *struct {
		RedirectURIs []string `json:"redirectUris"`
		LogoutURL    *string  `json:"logoutUrl"`
	} `json:"web"`
	OptionalClaims *struct {
		IDToken []struct {
			Name string `json:"name"`
		} `json:"idToken"`
	} `json:"optionalClaims"`
}

// validRedirect is the portal's rule (entra-facts.md 3): https, or http
// only for localhost; at most 256 characters; no fragment.
func validRedirect(u string) bool {
	return len(u) <= 256 && !strings.Contains(u, "#") &&
		(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://localhost"))
}

func (s *Server) readAppBody(w http.ResponseWriter, r *http.Request) (*appBody, bool) {
	var b appBody
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		s.graphError(w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return nil, false
	}
	if b.Web != nil {
		for _, u := range b.Web.RedirectURIs {
			if !validRedirect(u) {
				s.graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'web.redirectUris' of resource 'Application'.")
				return nil, false
			}
		}
	}
	return &b, true
}

func (s *Server) graphCreateApp(w http.ResponseWriter, r *http.Request, gr *grant) {
	b, ok := s.readAppBody(w, r)
	if !ok {
		return
	}
	if b.DisplayName == nil || *b.DisplayName == "" {
		s.graphError(w, http.StatusBadRequest, "Request_BadRequest", "A value is required for property 'displayName' of resource 'Application'.")
		return
	}
	// Graph makes no service principal: the portal does, Graph does not
	// (entra-facts.md 9), so the token endpoint answers AADSTS7000229
	// until POST /servicePrincipals.
	a := &App{Name: *b.DisplayName, ClientID: newID(), ObjectID: newID(), Assigned: map[string]bool{},
		NoServicePrincipal: true, SignInAudience: "AzureADandPersonalMicrosoftAccount", Tags: b.Tags}
	applyAppBody(a, b)
	s.mu.Lock()
	a.Created = s.state.now()
	gr.tenant.Apps[a.ClientID] = a
	body := appJSON(a)
	s.mu.Unlock()
	body["@odata.context"] = "https://" + r.Host + "/v1.0/$metadata#applications/$entity"
	graphJSON(w, http.StatusCreated, body)
}

func applyAppBody(a *App, b *appBody) {
	if b.DisplayName != nil {
		a.Name = *b.DisplayName
	}
	if b.SignInAudience != nil {
		a.SignInAudience = *b.SignInAudience
	}
	if b.Tags != nil {
		a.Tags = b.Tags
	}
	if b.Web != nil {
		if b.Web.RedirectURIs != nil {
			a.RedirectURIs = b.Web.RedirectURIs
		}
		if b.Web.LogoutURL != nil {
			a.LogoutURL = *b.Web.LogoutURL
		}
	}
	if b.OptionalClaims != nil {
		a.IDTokenClaims = nil
		for _, c := range b.OptionalClaims.IDToken {
			a.IDTokenClaims = append(a.IDTokenClaims, c.Name)
		}
	}
}

func (s *Server) graphPatchApp(w http.ResponseWriter, r *http.Request, gr *grant, id string) {
	a := s.appByObjectID(gr.tenant, id)
	if a == nil {
		s.graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf(msgNotFound, id))
		return
	}
	b, ok := s.readAppBody(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	applyAppBody(a, b)
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// graphAddPassword is addPassword: the tenant's policy first (a blocked
// credential type, then the maximum lifetime), then a new secret with the
// propagation delay of AddSecret. Without endDateTime a secret lasts two
// years (entra-facts.md 9).
func (s *Server) graphAddPassword(w http.ResponseWriter, r *http.Request, gr *grant, id string) {
	a := s.appByObjectID(gr.tenant, id)
	if a == nil {
		s.graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf(msgNotFound, id))
		return
	}
	var b struct {
		PasswordCredential struct {
			DisplayName   string     `json:"displayName"`
			StartDateTime *time.Time `json:"startDateTime"`
			EndDateTime   *time.Time `json:"endDateTime"`
		} `json:"passwordCredential"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		s.graphError(w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	now := s.now()
	start := now
	if b.PasswordCredential.StartDateTime != nil {
		start = *b.PasswordCredential.StartDateTime
	}
	end := start.AddDate(2, 0, 0)
	if b.PasswordCredential.EndDateTime != nil {
		end = *b.PasswordCredential.EndDateTime
	}
	s.mu.Lock()
	blocked, maxDays := s.state.graph.blockPasswords, s.state.graph.maxDays
	s.mu.Unlock()
	switch {
	case blocked:
		s.graphError(w, http.StatusBadRequest, "CredentialTypeNotAllowedAsPerAppPolicy", "Credential type not allowed as per assigned policy.")
		return
	case maxDays > 0 && end.After(start.AddDate(0, 0, maxDays)):
		s.graphError(w, http.StatusBadRequest, "CredentialInvalidLifetimeAsPerAppPolicy", "Credential lifetime exceeds the max value allowed as per assigned policy.")
		return
	case !end.After(start):
		s.graphError(w, http.StatusBadRequest, "Request_BadRequest", "Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.")
		return
	}
	sec := s.AddSecret(a, b.PasswordCredential.DisplayName, end.UTC())
	s.mu.Lock()
	sec.Start = start.UTC()
	s.mu.Unlock()
	graphJSON(w, http.StatusOK, map[string]any{
		"@odata.context":      "https://" + r.Host + "/v1.0/$metadata#microsoft.graph.passwordCredential",
		"customKeyIdentifier": nil, "displayName": sec.Description, "endDateTime": sec.Expires.Format(time.RFC3339),
		"hint": sec.Hint, "keyId": sec.KeyID, "secretText": sec.Value, "startDateTime": sec.Start.Format(time.RFC3339)})
}

// graphRemovePassword is removePassword: 204, or 404 for a keyId the app
// does not have (Graph's documentation names no status for that case;
// see the graph package for how the client makes sure).
func (s *Server) graphRemovePassword(w http.ResponseWriter, r *http.Request, gr *grant, id string) {
	a := s.appByObjectID(gr.tenant, id)
	if a == nil {
		s.graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf(msgNotFound, id))
		return
	}
	var b struct {
		KeyID string `json:"keyId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil || b.KeyID == "" {
		s.graphError(w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	if !s.DeleteSecret(a, b.KeyID) {
		s.graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("No password credential found with keyId '%s'.", b.KeyID))
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// spJSON is Graph's servicePrincipal resource. Call with s.mu held.
func (s *Server) spJSON(t *Tenant, a *App) map[string]any {
	id, ok := s.state.graph.spIDs[a.ClientID]
	if !ok {
		id = newID()
		s.state.graph.spIDs[a.ClientID] = id
	}
	return map[string]any{"id": id, "appId": a.ClientID, "displayName": a.Name, "servicePrincipalType": "Application",
		"appOwnerOrganizationId": t.ID, "accountEnabled": true, "tags": orEmpty(a.Tags)}
}

func (s *Server) graphListSPs(w http.ResponseWriter, r *http.Request, gr *grant) {
	f := r.URL.Query().Get("$filter")
	m := filterAppID().FindStringSubmatch(f)
	if m == nil {
		s.graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "Unsupported or invalid query filter clause specified for property of resource 'ServicePrincipal'.")
		return
	}
	s.mu.Lock()
	list := []map[string]any{}
	if a, ok := gr.tenant.Apps[strings.ToLower(unquote(m[1]))]; ok && !a.NoServicePrincipal {
		list = append(list, s.spJSON(gr.tenant, a))
	}
	s.mu.Unlock()
	graphJSON(w, http.StatusOK, map[string]any{"@odata.context": "https://" + r.Host + "/v1.0/$metadata#servicePrincipals", "value": list})
}

// graphCreateSP is POST /servicePrincipals. While a new app replicates
// (SetServicePrincipalDelay) Graph answers 400 Request_BadRequest "does not
// reference a valid application object", as it does for an appId that does
// not exist; a second service principal is 409.
func (s *Server) graphCreateSP(w http.ResponseWriter, r *http.Request, gr *grant) {
	var b struct {
		AppID string `json:"appId"`
	}
	if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
		s.graphError(w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return
	}
	s.mu.Lock()
	a, ok := gr.tenant.Apps[strings.ToLower(b.AppID)]
	replicating := ok && s.state.now().Before(a.Created.Add(s.state.graph.spDelay))
	exists := ok && !a.NoServicePrincipal
	var body map[string]any
	if ok && !replicating && !exists {
		a.NoServicePrincipal = false
		body = s.spJSON(gr.tenant, a)
	}
	s.mu.Unlock()
	switch {
	case !ok || replicating:
		msg := fmt.Sprintf("The appId '%s' of the service principal does not reference a valid application object.", b.AppID)
		s.graphError(w, http.StatusBadRequest, "Request_BadRequest", msg,
			map[string]any{"code": "NoBackingApplicationObject", "message": msg, "target": "appId"})
	case exists:
		s.graphError(w, http.StatusConflict, "Request_MultipleObjectsWithSameKeyValue", "Another object with the same value for property appId already exists.")
	default:
		body["@odata.context"] = "https://" + r.Host + "/v1.0/$metadata#servicePrincipals/$entity"
		graphJSON(w, http.StatusCreated, body)
	}
}

// graphPolicy is GET /policies/defaultAppManagementPolicy, which needs
// Policy.Read.All: without it, 403 Authorization_RequestDenied.
func (s *Server) graphPolicy(w http.ResponseWriter, gr *grant) {
	s.mu.Lock()
	maxDays, blocked := s.state.graph.maxDays, s.state.graph.blockPasswords
	s.mu.Unlock()
	if !gr.has(ScopePolicyRead) {
		s.graphError(w, http.StatusForbidden, "Authorization_RequestDenied", msgDenied)
		return
	}
	creds := []map[string]any{}
	if maxDays > 0 {
		creds = append(creds, map[string]any{"restrictionType": "passwordLifetime", "state": "enabled",
			"maxLifetime": fmt.Sprintf("P%dD", maxDays), "restrictForAppsCreatedAfterDateTime": "2019-01-01T00:00:00Z"})
	}
	if blocked {
		creds = append(creds, map[string]any{"restrictionType": "passwordAddition", "state": "enabled",
			"maxLifetime": nil, "restrictForAppsCreatedAfterDateTime": "2019-01-01T00:00:00Z"})
	}
	graphJSON(w, http.StatusOK, map[string]any{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#policies/defaultAppManagementPolicy/$entity",
		"id":             "00000000-0000-0000-0000-000000000000", "displayName": "Default app management tenant policy",
		"description":                  "Default tenant policy that enforces app management restrictions on applications and service principals.",
		"isEnabled":                    len(creds) > 0,
		"applicationRestrictions":      map[string]any{"passwordCredentials": creds, "keyCredentials": []any{}},
		"servicePrincipalRestrictions": map[string]any{"passwordCredentials": []any{}, "keyCredentials": []any{}},
	})
}
