// Package entratest is a look-alike of Microsoft Entra ID's sign-in service,
// served over real TLS on 127.0.0.1 with its own CA. It answers as
// entra-facts.md documents: v2 and v1 discovery documents with Entra's
// fields, the multi-tenant endpoints with their real issuers, AADSTS error
// bodies with Entra's HTTP statuses, signing keys, a token endpoint with
// registered apps and their secrets, and an authorize endpoint for the test
// sign-in. Knobs add latency and faults. Tests and `entrasso demo` use it.
package entratest

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Endpoint names a group of the look-alike's URLs, for faults and counts.
type Endpoint string

// The endpoints faults can target.
const (
	EndpointAll       Endpoint = "*"
	EndpointDiscovery Endpoint = "discovery"
	EndpointKeys      Endpoint = "keys"
	EndpointToken     Endpoint = "token"
	EndpointAuthorize Endpoint = "authorize"
	// EndpointDeviceCode is /{tenant}/oauth2/v2.0/devicecode.
	EndpointDeviceCode Endpoint = "devicecode"
	// EndpointGraph is every Microsoft Graph call (/v1.0/...).
	EndpointGraph Endpoint = "graph"
)

// Fault is a misbehaviour the look-alike can be told to show.
type Fault string

// The faults. Each one is something a proxy, a captive portal or a broken
// server really does to a client.
const (
	FaultNone           Fault = ""
	FaultSlowHeaders    Fault = "slow-headers"    // never sends the headers
	FaultSlowBody       Fault = "slow-body"       // sends half a body, then stalls
	FaultHugeBody       Fault = "huge-body"       // a 2 MiB JSON body
	FaultHTML           Fault = "html"            // 200 with a login page
	FaultTruncatedJSON  Fault = "truncated-json"  // JSON cut in the middle
	FaultReset          Fault = "reset"           // the connection is torn down
	FaultRedirectHTTP   Fault = "redirect-http"   // 302 to plain http
	FaultRedirectLoop   Fault = "redirect-loop"   // 302 to itself
	FaultRedirectHost   Fault = "redirect-host"   // 302 to another host
	FaultWrongIssuer    Fault = "wrong-issuer"    // a document naming another issuer
	FaultServerError    Fault = "server-error"    // 503 with an HTML page
	FaultMissingFields  Fault = "missing-fields"  // a document without jwks_uri
	FaultEmptyKeys      Fault = "empty-keys"      // a key set with no key
	FaultEmptyJSON      Fault = "empty-json"      // 200 with {}
	FaultUnknownAADSTS  Fault = "unknown-aadsts"  // 401 with AADSTS7000229
	FaultGatewayTimeout Fault = "gateway-timeout" // 504 with a JSON body that is not Entra's
)

// Secret is a client secret as Graph's passwordCredential describes it.
type Secret struct {
	KeyID       string
	Value       string
	Hint        string
	Description string
	Expires     time.Time
	// ActiveAt is when Entra starts accepting the secret: a new secret
	// takes seconds to reach every server (entra-facts.md section 1).
	ActiveAt time.Time
	// Start is when the secret was added (Graph's startDateTime).
	Start time.Time
}

// App is an app registration.
type App struct {
	Name     string
	ClientID string
	ObjectID string
	// RedirectURIs are the Web platform's redirect URIs.
	RedirectURIs []string
	// PublicRedirectURIs are "Mobile and desktop applications" URIs.
	PublicRedirectURIs []string
	// NoServicePrincipal makes every token request fail with AADSTS7000229.
	NoServicePrincipal bool
	// AssignmentRequired makes unassigned users fail with AADSTS50105.
	AssignmentRequired bool
	Assigned           map[string]bool
	// NeedsConsent makes sign-in fail with AADSTS65001.
	NeedsConsent bool
	Secrets      []*Secret
	// Tags, LogoutURL (front-channel logout), IDTokenClaims (optional
	// claims of the ID token), SignInAudience and Created are what Graph
	// shows of the app (graph.go).
	Tags           []string
	LogoutURL      string
	IDTokenClaims  []string
	SignInAudience string
	Created        time.Time
}

// User is a user who can sign in.
type User struct {
	ObjectID string
	Name     string
	UPN      string
	Email    string
	Guest    bool
	// Blocked makes sign-in fail with AADSTS53003 (Conditional Access).
	Blocked bool
	// Declines makes the user refuse consent (access_denied).
	Declines bool
}

// Tenant is a directory.
type Tenant struct {
	ID      string
	Domains []string
	Apps    map[string]*App
	Users   []*User
}

// Server is a running look-alike.
type Server struct {
	// URL is https://127.0.0.1:PORT.
	URL string
	// Host is 127.0.0.1:PORT, the value for --authority-host.
	Host string
	// CA signs the server certificate.
	CA *CA

	ln  net.Listener
	srv *http.Server
	// key is written once, before keyReady is closed: read it through
	// signingKey.
	key      *rsa.PrivateKey
	keyReady chan struct{}
	kid      string
	mu       sync.Mutex
	state    state
}

type state struct {
	tenants   map[string]*Tenant
	latency   time.Duration
	faults    map[Endpoint]Fault
	now       func() time.Time
	codes     map[string]*authCode
	counts    map[Endpoint]int
	signInAs  *User
	propag    time.Duration
	tamper    func(claims map[string]any) (otherKey bool)
	tamperDoc func(doc map[string]any)
	tamperErr func(body map[string]any)
	graph     graphState
}

// Options configures New.
type Options struct {
	// Addr is where to listen; default 127.0.0.1:0.
	Addr string
}

// New starts a look-alike on 127.0.0.1 with a fresh CA and signing key.
func New(o Options) (*Server, error) {
	ca, err := NewCA()
	if err != nil {
		return nil, err
	}
	cert, err := ca.ServerCert()
	if err != nil {
		return nil, err
	}
	if o.Addr == "" {
		o.Addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return nil, fmt.Errorf("entratest: listen: %w", err)
	}
	s := &Server{CA: ca, ln: ln, keyReady: make(chan struct{}), kid: newID()[:8],
		state: state{tenants: map[string]*Tenant{}, faults: map[Endpoint]Fault{}, now: time.Now,
			codes: map[string]*authCode{}, counts: map[Endpoint]int{}, graph: newGraphState()}}
	s.Host = ln.Addr().String()
	s.URL = "https://" + s.Host
	s.srv = &http.Server{
		Handler:           http.HandlerFunc(s.serveHTTP),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          quietLog(),
	}
	// The signing key comes in the background: an RSA-2048 key costs tens
	// of milliseconds (about 90 on a small machine), and `entrasso demo`
	// starts its look-alike before the wizard's first frame, which needs
	// no key. What publishes or signs with it waits (signingKey); the
	// demo's first such request is its first live check, screens later.
	go func() {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			// Unreachable: crypto/rand does not fail (Go 1.24) and the
			// size is valid.
			panic(fmt.Sprintf("entratest: signing key: %v", err))
		}
		s.key = key
		close(s.keyReady)
	}()
	go func() { _ = s.srv.ServeTLS(ln, "", "") }()
	return s, nil
}

// signingKey is the look-alike's signing key, once it has been generated.
func (s *Server) signingKey() *rsa.PrivateKey {
	<-s.keyReady
	return s.key
}

// Close stops the server and drops its connections.
func (s *Server) Close() error {
	err := s.srv.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// SetLatency adds d before every answer.
func (s *Server) SetLatency(d time.Duration) {
	s.mu.Lock()
	s.state.latency = d
	s.mu.Unlock()
}

// SetFault makes the endpoint misbehave; FaultNone restores it.
func (s *Server) SetFault(ep Endpoint, f Fault) {
	s.mu.Lock()
	if f == FaultNone {
		delete(s.state.faults, ep)
	} else {
		s.state.faults[ep] = f
	}
	s.mu.Unlock()
}

// SetClock replaces the server's clock (expiry, propagation, tokens).
func (s *Server) SetClock(now func() time.Time) {
	s.mu.Lock()
	s.state.now = now
	s.mu.Unlock()
}

// SetPropagationDelay makes secrets created from now on rejected with
// AADSTS7000215 for d, as Entra does right after a secret is added.
func (s *Server) SetPropagationDelay(d time.Duration) {
	s.mu.Lock()
	s.state.propag = d
	s.mu.Unlock()
}

// Requests counts the requests an endpoint has answered.
func (s *Server) Requests(ep Endpoint) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.counts[ep]
}

func (s *Server) now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state.now()
}

// AddTenant adds a directory with a new GUID and the given domains.
func (s *Server) AddTenant(domains ...string) *Tenant {
	t := &Tenant{ID: newID(), Domains: domains, Apps: map[string]*App{}}
	s.mu.Lock()
	s.state.tenants[t.ID] = t
	s.mu.Unlock()
	return t
}

// AddApp registers an app in t with Web redirect URIs and a service
// principal, as the portal does.
func (s *Server) AddApp(t *Tenant, name string, redirectURIs ...string) *App {
	a := &App{Name: name, ClientID: newID(), ObjectID: newID(), RedirectURIs: redirectURIs, Assigned: map[string]bool{},
		SignInAudience: "AzureADMyOrg"}
	s.mu.Lock()
	a.Created = s.state.now()
	t.Apps[a.ClientID] = a
	s.mu.Unlock()
	return a
}

// UpdateApp changes an app under the server's lock.
func (s *Server) UpdateApp(a *App, change func(*App)) {
	s.mu.Lock()
	change(a)
	s.mu.Unlock()
}

// AddUser adds a user who can sign in to t.
func (s *Server) AddUser(t *Tenant, u User) *User {
	if u.ObjectID == "" {
		u.ObjectID = newID()
	}
	p := &u
	s.mu.Lock()
	t.Users = append(t.Users, p)
	s.mu.Unlock()
	return p
}

// TamperIDTokens changes every ID token the code exchange issues; when it
// returns true the token is signed with a key the JWKS does not hold.
// Tests use it for the tokens a client must reject.
func (s *Server) TamperIDTokens(f func(claims map[string]any) (otherKey bool)) {
	s.mu.Lock()
	s.state.tamper = f
	s.mu.Unlock()
}

// TamperDocuments changes every discovery document before it is served
// (after the faults that change documents). Tests use it for documents a
// client must refuse, such as one that names a token endpoint on another
// host; nil serves documents unchanged again.
func (s *Server) TamperDocuments(f func(doc map[string]any)) {
	s.mu.Lock()
	s.state.tamperDoc = f
	s.mu.Unlock()
}

// TamperErrors changes every Entra error body (error, error_description,
// error_codes, trace_id, correlation_id and the rest) before it is sent.
// Tests use it for error bodies carrying terminal escape sequences or an
// echoed secret; nil sends them unchanged again.
func (s *Server) TamperErrors(f func(body map[string]any)) {
	s.mu.Lock()
	s.state.tamperErr = f
	s.mu.Unlock()
}

// SignInAs makes the authorize endpoint sign in u (default: the tenant's
// first user).
func (s *Server) SignInAs(u *User) {
	s.mu.Lock()
	s.state.signInAs = u
	s.mu.Unlock()
}

// AddSecret adds a client secret as the portal's "New client secret" does:
// a new Value in the current format (entra-facts.md section 1), a Secret ID
// and a hint. The Value can be read only from the return value.
func (s *Server) AddSecret(a *App, description string, expires time.Time) *Secret {
	v := randomFrom(secretAlphabet, 3) + "8Q~" + randomFrom(secretAlphabet, 34)
	s.mu.Lock()
	defer s.mu.Unlock()
	sec := &Secret{KeyID: newID(), Value: v, Hint: v[:3], Description: description, Expires: expires,
		ActiveAt: s.state.now().Add(s.state.propag), Start: s.state.now()}
	a.Secrets = append(a.Secrets, sec)
	return sec
}

// DeleteSecret removes the secret with that Secret ID; ok is false when the
// app has none such.
func (s *Server) DeleteSecret(a *App, keyID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sec := range a.Secrets {
		if sec.KeyID == keyID {
			a.Secrets = append(a.Secrets[:i], a.Secrets[i+1:]...)
			return true
		}
	}
	return false
}

// DeleteSecretByHint removes the first secret whose Value starts with
// hint, as an admin picks a secret in the portal by its hint.
func (s *Server) DeleteSecretByHint(a *App, hint string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sec := range a.Secrets {
		if sec.Hint == hint {
			a.Secrets = append(a.Secrets[:i], a.Secrets[i+1:]...)
			return true
		}
	}
	return false
}

// FindApp returns the app with that client ID in any tenant.
func (s *Server) FindApp(clientID string) (*Tenant, *App, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.state.tenants {
		if a, ok := t.Apps[clientID]; ok {
			return t, a, true
		}
	}
	return nil, nil, false
}

const secretAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-"

func randomFrom(alphabet string, n int) string {
	b := make([]byte, n)
	r := make([]byte, n)
	_, _ = rand.Read(r)
	for i := range b {
		b[i] = alphabet[int(r[i])%len(alphabet)]
	}
	return string(b)
}

func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// wait sleeps d unless the request goes away first.
func wait(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

func (s *Server) tenantBy(seg string) (*Tenant, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seg = strings.ToLower(seg)
	if t, ok := s.state.tenants[seg]; ok {
		return t, true
	}
	for _, t := range s.state.tenants {
		for _, d := range t.Domains {
			if strings.EqualFold(d, seg) {
				return t, true
			}
		}
	}
	return nil, false
}
