package flow

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"entrasso/oidccheck"
	"entrasso/store"
)

// Where the client secret may go (DESIGN.md "Where the secret may go"):
// only over verified TLS, only in the body of a token request, and only to
// a trusted host: an Entra login host, or the --authority-host of this very
// command. The decision is made here for every flow; oidccheck then sends
// the secret only to a token endpoint that the checked document names on
// its own host (or to the predictable one on that host), and the guard
// below refuses, at the last moment before the network, any request that
// carries a secret anywhere else.

// trusted says whether host may receive the secret on this command.
func (d *Deps) trusted(host string) bool {
	h := normalizeHost(host)
	if h == "" {
		return false
	}
	if p, entra := oidccheck.PrimaryHost(h); entra && p == h {
		return true
	}
	if d.AuthorityHost == "" {
		return false
	}
	a, _ := oidccheck.PrimaryHost(normalizeHost(d.AuthorityHost))
	return h == a
}

func normalizeHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(h)), ":443")
}

// profileTrust says whether a saved profile's secret may be sent anywhere
// on this command, and why not. A profile saved against a host that was
// not trusted then never has its secret sent; one whose host is trusted
// only by an --authority-host needs that flag (or its variable) again.
func (d *Deps) profileTrust(p *store.Profile) (ok bool, why string) {
	if p.AuthorityTrusted != nil && !*p.AuthorityTrusted {
		return false, "profile " + p.Name + " was saved against " + p.AuthorityHost + ", a host entrasso did not trust then, so its secret is never sent anywhere"
	}
	if !d.trusted(p.AuthorityHost) {
		return false, p.AuthorityHost + " is not a Microsoft Entra sign-in host, so the secret is not sent there"
	}
	return true, ""
}

// untrustedFix is what makes a host trusted, for a skip's message.
func (d *Deps) untrustedFix(host string) string {
	return "to trust " + host + " for this command, pass --authority-host " + host + " (or set ENTRASSO_AUTHORITY_HOST)"
}

// checker builds the live checker of one flow: its HTTP client refuses to
// send any of the secrets to an untrusted place.
func (d *Deps) checker(w Wait, secrets ...string) *oidccheck.Checker {
	return &oidccheck.Checker{HTTP: d.guarded(secrets...), AuthorityHost: d.AuthorityHost,
		PropagationWait: w.Limit, OnWait: w.OnWait, Sleep: d.Sleep}
}

// guarded returns a copy of the HTTP client whose every request is checked
// by a secretGuard.
func (d *Deps) guarded(secrets ...string) *http.Client {
	base := d.HTTP
	if base == nil {
		base = http.DefaultClient
	}
	c := *base
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	var keep []string
	for _, s := range secrets {
		if len(s) >= 3 {
			keep = append(keep, s)
		}
	}
	c.Transport = &secretGuard{next: next, secrets: keep, trusted: d.trusted}
	return &c
}

// ErrSecretBlocked is returned, instead of sending, for a request that
// would carry the client secret somewhere it must not go.
var ErrSecretBlocked = errors.New("flow: refused to send the client secret there")

// secretGuard is the last check before the network: a request that
// carries a secret (in its URL, a header or its body) goes out only when it
// is a POST over https to a trusted host with the secret in the body.
type secretGuard struct {
	next    http.RoundTripper
	secrets []string
	trusted func(host string) bool
}

// maxGuardedBody bounds what the guard reads of a request body; token
// requests are a few hundred bytes.
const maxGuardedBody = 1 << 20

func (g *secretGuard) RoundTrip(req *http.Request) (*http.Response, error) {
	if len(g.secrets) == 0 {
		return g.next.RoundTrip(req)
	}
	inBody := false
	if req.Body != nil && req.Body != http.NoBody {
		data, err := io.ReadAll(io.LimitReader(req.Body, maxGuardedBody+1))
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		if len(data) > maxGuardedBody {
			return nil, ErrSecretBlocked
		}
		inBody = g.holds(string(data))
		r2 := req.Clone(req.Context())
		r2.Body = io.NopCloser(bytes.NewReader(data))
		r2.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
		r2.ContentLength = int64(len(data))
		req = r2
	}
	elsewhere := g.holds(req.URL.String())
	if _, pass, ok := req.BasicAuth(); ok {
		elsewhere = elsewhere || g.holds(pass)
	}
	for k, vs := range req.Header {
		for _, v := range vs {
			elsewhere = elsewhere || g.holds(k+": "+v)
		}
	}
	switch {
	case elsewhere:
		return nil, ErrSecretBlocked
	case inBody && req.Response != nil:
		// A redirected token request: Entra never redirects one, and
		// following it would send the secret to a path the document did
		// not name.
		return nil, ErrSecretBlocked
	case inBody && (req.URL.Scheme != "https" || req.Method != http.MethodPost || !g.trusted(req.URL.Host)):
		return nil, ErrSecretBlocked
	}
	return g.next.RoundTrip(req)
}

// holds reports whether s contains a secret, as is or form-encoded.
func (g *secretGuard) holds(s string) bool {
	for _, sec := range g.secrets {
		if strings.Contains(s, sec) || strings.Contains(s, url.QueryEscape(sec)) || strings.Contains(s, url.PathEscape(sec)) {
			return true
		}
	}
	return false
}
