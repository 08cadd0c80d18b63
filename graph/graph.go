// Package graph is entrasso's small Microsoft Graph client: the admin's
// sign-in as a public client (authorization code + PKCE on a loopback
// listener, or the device code flow), and the few calls that register the
// app and manage its client secrets and redirect URIs, and read the
// tenant's secret lifetime policy (entra-facts.md section 9).
//
// It is plain REST over golang.org/x/oauth2's token source and the hardened
// transport of oidccheck.NewHTTPClient. The bearer token goes only to the
// configured Graph host over https; Graph's 429 and 503 are retried after
// Retry-After, within bounds; every failure is a *Error (or a *SignInError)
// with a stable problem code of the graph field. A secret Graph returns is a
// SecretText, which prints as [secret]: it never reaches a log or an error.
//
// The package knows nothing of terminals, profiles or the keyring: flow
// builds the sequences (register, rotate, status --live) on top of it.
package graph

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"entrasso/oidccheck"
)

// The Graph hosts of the clouds (entra-facts.md section 5).
const (
	HostGlobal = "graph.microsoft.com"
	HostUSGov  = "graph.microsoft.us"
	HostChina  = "microsoftgraph.chinacloudapi.cn"
)

// HostForLogin returns the Graph host of the cloud a login host belongs to
// (login.microsoftonline.us -> graph.microsoft.us); ok is false for a host
// of no known cloud (a test look-alike: give the Graph host yourself).
func HostForLogin(loginHost string) (host string, ok bool) {
	switch strings.ToLower(strings.TrimSuffix(loginHost, ":443")) {
	case "login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net":
		return HostGlobal, true
	case "login.microsoftonline.us", "login.usgovcloudapi.net":
		return HostUSGov, true
	case "login.partner.microsoftonline.cn", "login.chinacloudapi.cn":
		return HostChina, true
	}
	return "", false
}

// Retry bounds the retries of a throttled call (429, 503).
type Retry struct {
	// Attempts is the most requests per call, the first included
	// (default 5).
	Attempts int
	// MaxWait is the most time spent waiting per call (default 2m): a
	// Retry-After beyond what is left fails at once.
	MaxWait time.Duration
}

// Options configures New.
type Options struct {
	// Host is the Graph host, HOST[:PORT]: graph.microsoft.com (the
	// default), graph.microsoft.us, microsoftgraph.chinacloudapi.cn, or a
	// test host (--graph-host).
	Host string
	// Tokens gives the access tokens (Session.TokenSource).
	Tokens oauth2.TokenSource
	// HTTP is the base client; its transport (oidccheck.NewHTTPClient's:
	// verified TLS, capped bodies, a timeout) carries every request. Nil
	// means a new oidccheck.NewHTTPClient.
	HTTP *http.Client
	// Retry bounds the retries of throttled calls.
	Retry Retry
	// ReplicationWait bounds how long creating a service principal is
	// retried while a new application replicates (default 90s).
	ReplicationWait time.Duration
	// Sleep waits between retries; nil is a real sleep that a cancelled
	// context ends. Tests inject one that records the waits.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Client calls Microsoft Graph v1.0 for one signed-in admin.
type Client struct {
	host     string
	base     string
	http     *http.Client
	retry    Retry
	replWait time.Duration
	sleep    func(ctx context.Context, d time.Duration) error
}

// New returns a client for o.Host. The host must be a bare HOST[:PORT];
// anything else (a scheme, a path, user info) is refused.
func New(o Options) (*Client, error) {
	if o.Host == "" {
		o.Host = HostGlobal
	}
	host, err := normalizeHost(o.Host)
	if err != nil {
		return nil, err
	}
	if o.Tokens == nil {
		return nil, errors.New("graph: no token source (sign in first)")
	}
	base := o.HTTP
	if base == nil {
		if base, err = oidccheck.NewHTTPClient(oidccheck.HTTPOptions{}); err != nil {
			return nil, err
		}
	}
	rt := base.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	c := &http.Client{
		Timeout:   base.Timeout,
		Transport: &bearerTransport{host: host, tokens: o.Tokens, base: rt},
		// Graph does not redirect these calls; a redirect is refused so the
		// token cannot follow one anywhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	if o.Retry.Attempts <= 0 {
		o.Retry.Attempts = 5
	}
	if o.Retry.MaxWait <= 0 {
		o.Retry.MaxWait = 2 * time.Minute
	}
	if o.ReplicationWait <= 0 {
		o.ReplicationWait = 90 * time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	return &Client{host: host, base: "https://" + host + "/v1.0", http: c, retry: o.Retry, replWait: o.ReplicationWait, sleep: o.Sleep}, nil
}

// Host is the Graph host the client sends its token to.
func (c *Client) Host() string { return c.host }

// normalizeHost checks a HOST[:PORT] and drops a default :443.
func normalizeHost(h string) (string, error) {
	u, err := url.Parse("https://" + h)
	if err != nil || u.Host != h || u.Path != "" || u.User != nil || u.RawQuery != "" || u.Hostname() == "" {
		return "", fmt.Errorf("graph: %q is not a host name with an optional port", h)
	}
	return strings.ToLower(strings.TrimSuffix(u.Host, ":443")), nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// bearerTransport adds the access token to requests for the Graph host
// over https, and refuses every other request before it is sent
// (DESIGN.md: "Graph access tokens go only to the Graph host").
type bearerTransport struct {
	host   string
	tokens oauth2.TokenSource
	base   http.RoundTripper
}

func (t *bearerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" || strings.ToLower(strings.TrimSuffix(req.URL.Host, ":443")) != t.host {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, ErrHostRefused
	}
	tok, err := t.tokens.Token()
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, &Error{Message: "the sign-in could not be renewed", Problem: oidccheck.CodeTokenInvalid, Fix: "sign in again", wrapped: ErrTokenInvalid}
	}
	r2 := req.Clone(req.Context())
	r2.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	return t.base.RoundTrip(r2)
}

// do sends one call, retrying 429 and 503 after Retry-After within the
// client's bounds, and decodes a 2xx JSON answer into out (when not nil).
// body is marshalled once and re-sent on each attempt.
func (c *Client) do(ctx context.Context, op, method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return &Error{Op: op, Message: "the request could not be encoded", Problem: oidccheck.CodeGraphError, wrapped: err}
		}
	}
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, method, c.base+path, bytes.NewReader(payload))
		if err != nil {
			return &Error{Op: op, Message: "the request could not be built", Problem: oidccheck.CodeGraphError, wrapped: err}
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("client-request-id", newRequestID())
		resp, err := c.http.Do(req)
		if err != nil {
			return transportError(op, err)
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return transportError(op, err)
		}
		if resp.StatusCode >= 200 && resp.StatusCode < 300 {
			if out == nil || len(data) == 0 {
				return nil
			}
			if err := json.Unmarshal(data, out); err != nil {
				// Never the body: an addPassword answer holds the secret.
				return &Error{Op: op, Status: resp.StatusCode, Message: "Graph's answer is not the JSON expected",
					RequestID: resp.Header.Get("request-id"), Problem: oidccheck.CodeGraphError}
			}
			return nil
		}
		e := apiError(op, resp, data)
		if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
			return e
		}
		// Graph's throttling guidance: wait the Retry-After seconds, then
		// retry; without the header, back off exponentially.
		wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now())
		if !ok {
			wait = backoff(attempt)
		}
		e.RetryAfter = wait
		if attempt >= c.retry.Attempts || waited+wait > c.retry.MaxWait {
			e.Message = fmt.Sprintf("Graph still answered HTTP %d after %d tries", resp.StatusCode, attempt)
			return e
		}
		if err := c.sleep(ctx, wait); err != nil {
			return transportError(op, err)
		}
		waited += wait
	}
}

// retryAfter reads a Retry-After header: seconds, or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// backoff is 1s, 2s, 4s, ... with a little jitter, at most 30s.
func backoff(attempt int) time.Duration {
	d := time.Second << min(attempt-1, 5)
	if d > 30*time.Second {
		d = 30 * time.Second
	}
	return d + time.Duration(rand.Int64N(int64(250*time.Millisecond)))
}

func newRequestID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// odataString quotes s for a $filter: OData doubles a single quote.
func odataString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
