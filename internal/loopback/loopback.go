// Package loopback is the one-time listener on 127.0.0.1 that a browser
// sign-in comes back to: the test sign-in (oidccheck.TestLogin) and the
// admin's Graph sign-in (graph.SignInBrowser) both use it, so the rules live
// once. The admin is shown a short address, http://localhost:PORT/, that
// redirects to the long authorize URL; the answer must carry this sign-in's
// state; it counts once; and the browser tab is held open until the caller
// knows the real outcome, which it then shows.
package loopback

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"html"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// ErrTimeout is returned by Wait when no answer came back in time.
var ErrTimeout = errors.New("loopback: no sign-in answer came back in time")

// MaxOutcomeWait bounds how long the browser's request is held open while
// the caller judges the answer (a code exchange and a token check, each
// bounded by its HTTP client's own timeout).
const MaxOutcomeWait = 2 * time.Minute

// Options configures Listen.
type Options struct {
	// CallbackPath is the path of the redirect URI: "/entrasso/callback"
	// for the test sign-in, "/" for the Graph sign-in (a public client
	// registers http://localhost, and Entra ignores a localhost port,
	// entra-facts.md 3 and 9). When it is "/", a request for "/" without
	// code, state or error is the short address and goes on to the
	// authorize URL.
	CallbackPath string
	// Again says how to start over, on the page shown for an answer that
	// is not this sign-in's (an old tab, a forged link).
	Again string
}

// Page is what the browser tab shows.
type Page struct {
	Status int
	Title  string
	Body   string
}

// Callback is the browser's answer: the code, or Entra's error. The caller
// must Reply exactly once with the real outcome.
type Callback struct {
	Code             string
	Error            string
	ErrorDescription string
	reply            chan Page
}

// Reply sends the page the browser tab shows. Only the first reply counts.
func (c *Callback) Reply(p Page) {
	select {
	case c.reply <- p:
	default:
	}
}

// Listener is one sign-in's listener. Create it with Listen, build the
// authorize URL with State and RedirectURI, Serve it, show ShortURL, Wait,
// Reply, Close.
type Listener struct {
	ln     net.Listener
	srv    *http.Server
	port   int
	state  string
	opts   Options
	target string
	got    chan *Callback
	once   sync.Once
	start  sync.Once
}

// Listen opens a listener on 127.0.0.1 on a free port. Nothing is served
// until Serve.
func Listen(o Options) (*Listener, error) {
	if o.CallbackPath == "" {
		o.CallbackPath = "/"
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("loopback: cannot listen on 127.0.0.1: %w", err)
	}
	l := &Listener{ln: ln, port: ln.Addr().(*net.TCPAddr).Port, state: RandomToken(), opts: o, got: make(chan *Callback, 1)}
	l.srv = &http.Server{ReadHeaderTimeout: 10 * time.Second, Handler: http.HandlerFunc(l.serveHTTP)}
	return l, nil
}

// RandomToken is 32 random bytes, base64url: a state or a nonce.
func RandomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// Port is the port the listener took.
func (l *Listener) Port() int { return l.port }

// State is the value the authorize URL must carry and the answer return.
func (l *Listener) State() string { return l.state }

// ShortURL is the address shown to the admin: http://localhost:PORT/.
func (l *Listener) ShortURL() string { return ShortURL(l.port) }

// ShortURL is the short address for a port.
func ShortURL(port int) string { return "http://localhost:" + strconv.Itoa(port) + "/" }

// RedirectURI is http://localhost:PORT followed by the callback path.
func (l *Listener) RedirectURI() string {
	return "http://localhost:" + strconv.Itoa(l.port) + l.opts.CallbackPath
}

// Serve starts answering: the short address redirects to target (the
// authorize URL), the callback path takes the answer. Only the first call
// counts.
func (l *Listener) Serve(target string) {
	l.start.Do(func() {
		l.target = target
		go func() { _ = l.srv.Serve(l.ln) }()
	})
}

// Wait returns the answer with this sign-in's state, ErrTimeout after
// timeout, or the context's error.
func (l *Listener) Wait(ctx context.Context, timeout time.Duration) (*Callback, error) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case cb := <-l.got:
		return cb, nil
	case <-timer.C:
		return nil, ErrTimeout
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Close stops the listener, giving a held browser request a second to get
// its page.
func (l *Listener) Close() error {
	sctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.start.Do(func() {}) // a listener never served is closed below
	err := l.srv.Shutdown(sctx)
	_ = l.ln.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

func (l *Listener) serveHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	isAnswer := q.Has("code") || q.Has("state") || q.Has("error")
	if r.URL.Path == "/" && r.Method == http.MethodGet && !isAnswer {
		// The short address the admin is shown: on to Entra.
		http.Redirect(w, r, l.target, http.StatusFound)
		return
	}
	if r.URL.Path != l.opts.CallbackPath {
		http.NotFound(w, r)
		return
	}
	if q.Get("state") != l.state {
		// Not this sign-in's answer (an old tab, a forged link): refuse it
		// and keep waiting for the right one.
		body := "This tab may be old."
		if l.opts.Again != "" {
			body = "Start the sign-in from " + l.opts.Again + " again if this tab is old."
		}
		WritePage(w, Page{http.StatusBadRequest, "This is not the answer entrasso is waiting for", body})
		return
	}
	used := true
	cb := &Callback{Code: q.Get("code"), Error: q.Get("error"), ErrorDescription: q.Get("error_description"), reply: make(chan Page, 1)}
	l.once.Do(func() {
		used = false
		l.got <- cb
	})
	if used {
		WritePage(w, Page{http.StatusBadRequest, "This sign-in answer was already used", "Each sign-in answer counts once."})
		return
	}
	// The tab says what really happened: it waits for the caller's
	// verdict, not only for Entra's redirect.
	t := time.NewTimer(MaxOutcomeWait)
	defer t.Stop()
	select {
	case p := <-cb.reply:
		WritePage(w, p)
	case <-t.C:
		WritePage(w, Page{http.StatusOK, "entrasso is still checking the sign-in", "Go back to the terminal for the outcome."})
	case <-r.Context().Done():
	}
}

// WritePage writes a small HTML page; title and body are escaped.
func WritePage(w http.ResponseWriter, p Page) {
	if p.Status == 0 {
		p.Status = http.StatusOK
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(p.Status)
	fmt.Fprintf(w, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>entrasso: %s</title></head><body style=\"font-family:sans-serif;margin:3em\"><h1>%s</h1><p>%s</p></body></html>",
		html.EscapeString(p.Title), html.EscapeString(p.Title), html.EscapeString(p.Body))
}
