package oidccheck

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"
)

// MaxBody is the most of any response entrasso reads. go-oidc reads a
// discovery body without a limit and x/oauth2 cuts token bodies at 1 MiB
// silently (entra-facts.md 4); capping in the transport makes both fail the
// same, visible way.
const MaxBody = 1 << 20

// DefaultTimeout bounds each network call unless --timeout says otherwise.
const DefaultTimeout = 15 * time.Second

// ErrTooLarge is returned for a response body over MaxBody.
var ErrTooLarge = errors.New("oidccheck: response body larger than 1 MiB")

// RedirectError is a redirect that entrasso refused to follow: one that
// leaves https or the host, or that goes round in a loop.
type RedirectError struct {
	To     string
	Reason string
}

func (e *RedirectError) Error() string { return "oidccheck: " + e.Reason + " (" + e.To + ")" }

// HTTPOptions configures NewHTTPClient.
type HTTPOptions struct {
	// Timeout bounds one request, headers and body together.
	Timeout time.Duration
	// RootCAs replaces the trust roots; nil means the system roots plus the
	// PEM file named by SSL_CERT_FILE.
	RootCAs *x509.CertPool
}

// RootPool returns the system roots plus the certificates in SSL_CERT_FILE.
// On Linux Go already reads SSL_CERT_FILE in place of the system bundle but
// keeps the system directories; adding the file explicitly makes the same
// true on macOS and Windows, where the platform verifier is used.
func RootPool() (*x509.CertPool, error) {
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		pem, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("oidccheck: reading SSL_CERT_FILE: %w", err)
		}
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("oidccheck: SSL_CERT_FILE %s holds no PEM certificate", f)
		}
	}
	return pool, nil
}

// RootsError is a trust store that cannot be built: SSL_CERT_FILE names a
// file that cannot be read or that holds no PEM certificate. It is returned
// by the first request, when the pool is built (see NewHTTPClient).
type RootsError struct{ Err error }

func (e *RootsError) Error() string { return e.Err.Error() }
func (e *RootsError) Unwrap() error { return e.Err }

// NewHTTPClient returns the client every live check uses: verified TLS
// (never switched off), HTTP/2 as Entra serves it, the proxy from
// HTTPS_PROXY/NO_PROXY, a timeout per request, bodies capped at MaxBody and
// redirects followed only over https on the same host.
//
// No trust store is built here: the wizard makes its client before its
// first frame, and building the pool costs tens of milliseconds (on Linux
// the system pool reads SSL_CERT_DIR file by file, then SSL_CERT_FILE is
// parsed once more). Without SSL_CERT_FILE, Go loads the system roots on
// the first handshake; with it, RootPool runs on the first request, and a
// file that cannot be used fails that request with a *RootsError.
func NewHTTPClient(o HTTPOptions) (*http.Client, error) {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	var base http.RoundTripper
	if o.RootCAs == nil && os.Getenv("SSL_CERT_FILE") != "" {
		base = &lazyRoots{timeout: o.Timeout}
	} else {
		base = newTransport(o.Timeout, o.RootCAs)
	}
	return &http.Client{
		Timeout:       o.Timeout,
		Transport:     &cappedTransport{base: base},
		CheckRedirect: checkRedirect,
	}, nil
}

// newTransport is the transport under every client; nil roots are the
// system's, loaded by Go on the first handshake.
func newTransport(timeout time.Duration, roots *x509.CertPool) *http.Transport {
	return &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:       &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       90 * time.Second,
	}
}

// lazyRoots builds the trust store (RootPool) and its transport on the
// first request, once; every later request reuses both, or fails with the
// same *RootsError.
type lazyRoots struct {
	timeout time.Duration
	once    sync.Once
	t       *http.Transport
	err     error
}

func (l *lazyRoots) RoundTrip(req *http.Request) (*http.Response, error) {
	l.once.Do(func() {
		roots, err := RootPool()
		if err != nil {
			l.err = &RootsError{Err: err}
			return
		}
		l.t = newTransport(l.timeout, roots)
	})
	if l.err != nil {
		// A RoundTripper closes the body it does not send.
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, l.err
	}
	return l.t.RoundTrip(req)
}

func checkRedirect(req *http.Request, via []*http.Request) error {
	to := req.URL.Redacted()
	if req.URL.Scheme != "https" {
		return &RedirectError{To: to, Reason: "redirected to a URL that is not https"}
	}
	if !strings.EqualFold(req.URL.Host, via[0].URL.Host) {
		return &RedirectError{To: to, Reason: "redirected to another host"}
	}
	for _, v := range via {
		if v.URL.String() == req.URL.String() {
			return &RedirectError{To: to, Reason: "redirect loop"}
		}
	}
	if len(via) >= 5 {
		return &RedirectError{To: to, Reason: "too many redirects"}
	}
	return nil
}

// cappedTransport reads each body whole (at most MaxBody) inside RoundTrip,
// so that a slow or endless body fails inside the client's timeout and
// arrives as a transport error that errors.As can classify, instead of
// being wrapped into a string by a library reading it later.
type cappedTransport struct {
	base http.RoundTripper
	// seen, when set, receives every response read (the recorder of one
	// check), so that a library's flattened error can be explained.
	seen func(*Exchange)
}

// Exchange is one response as a check saw it.
type Exchange struct {
	URL         string
	Status      int
	ContentType string
	Body        []byte
}

func (t *cappedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody+1))
	if err != nil {
		return nil, err
	}
	if len(body) > MaxBody {
		return nil, ErrTooLarge
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	if t.seen != nil {
		t.seen(&Exchange{URL: req.URL.Redacted(), Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Body: body})
	}
	return resp, nil
}

// recorder keeps the last response of one check.
type recorder struct {
	mu   sync.Mutex
	last *Exchange
}

func (r *recorder) record(e *Exchange) {
	r.mu.Lock()
	r.last = e
	r.mu.Unlock()
}

func (r *recorder) lastExchange() *Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last
}

// recording returns a copy of client whose responses go to a new recorder.
func recording(client *http.Client) (*http.Client, *recorder) {
	rec := &recorder{}
	c := *client
	base := client.Transport
	if ct, ok := base.(*cappedTransport); ok {
		base = ct.base
	}
	c.Transport = &cappedTransport{base: base, seen: rec.record}
	return &c, rec
}

// classifyTransport maps a transport fault to its problem code and a reason
// in words; ok is false when err is not a transport fault.
func classifyTransport(err error) (code Code, reason string, ok bool) {
	var (
		roots     *RootsError
		redirect  *RedirectError
		certErr   *tls.CertificateVerificationError
		unknownCA x509.UnknownAuthorityError
		hostErr   x509.HostnameError
		invalid   x509.CertificateInvalidError
		recHeader tls.RecordHeaderError
		alert     tls.AlertError
		dnsErr    *net.DNSError
		netErr    net.Error
	)
	switch {
	case err == nil:
		return "", "", false
	case errors.As(err, &roots):
		return CodeTLSError, "the trusted certificates cannot be loaded: " + strings.TrimPrefix(roots.Error(), "oidccheck: ") +
			" (SSL_CERT_FILE must name a readable PEM file of CA certificates, or be unset)", true
	case errors.Is(err, ErrTooLarge):
		return CodeTooLarge, "the answer was larger than 1 MiB", true
	case errors.As(err, &redirect):
		return CodeUnreachable, redirect.Reason + " (" + redirect.To + ")", true
	case errors.As(err, &certErr), errors.As(err, &unknownCA), errors.As(err, &hostErr), errors.As(err, &invalid):
		return CodeTLSError, "the server's certificate is not trusted: " + tlsReason(err), true
	case errors.As(err, &recHeader), errors.As(err, &alert), strings.Contains(err.Error(), "tls: "):
		return CodeTLSError, "the TLS handshake failed", true
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &netErr) && netErr.Timeout():
		return CodeTimeout, "no complete answer within the timeout", true
	case errors.As(err, &dnsErr):
		return CodeUnreachable, "the host name does not resolve (" + dnsErr.Name + ")", true
	case errors.Is(err, syscall.ECONNREFUSED):
		return CodeUnreachable, "the connection was refused", true
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return CodeUnreachable, "the connection was reset", true
	case errors.As(err, &netErr), isURLError(err):
		return CodeUnreachable, "the connection failed", true
	}
	return "", "", false
}

func tlsReason(err error) string {
	var unknownCA x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	switch {
	case errors.As(err, &unknownCA):
		return "it is signed by an unknown authority (add your proxy's CA to SSL_CERT_FILE)"
	case errors.As(err, &hostErr):
		return "it is not valid for this host"
	}
	return "it does not verify"
}

func isURLError(err error) bool {
	var ue *url.Error
	return errors.As(err, &ue)
}
