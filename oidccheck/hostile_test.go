package oidccheck_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

// witness is a server a hostile document points at. It answers like an
// Entra endpoint would, so that a client that trusts the document goes on
// using it, and remembers every request it got.
type witness struct {
	srv *httptest.Server
	mu  sync.Mutex
	n   int
	got []string // method, URL and body of each request
}

// newWitness starts a witness: over TLS with a certificate from ca (which
// the checker trusts), or over plain http when ca is nil.
func newWitness(t *testing.T, ca *entratest.CA) *witness {
	t.Helper()
	w := &witness{}
	w.srv = httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.n++
		w.got = append(w.got, r.Method+" "+r.URL.String()+" "+string(body))
		w.mu.Unlock()
		rw.Header().Set("Content-Type", "application/json")
		switch {
		case strings.HasSuffix(r.URL.Path, "/keys"):
			io.WriteString(rw, `{"keys":[{"kty":"RSA","use":"sig","kid":"x","n":"AQAB","e":"AQAB"}]}`)
		default:
			io.WriteString(rw, `{"token_type":"Bearer","expires_in":3599,"access_token":"a.b.c"}`)
		}
	}))
	if ca == nil {
		w.srv.Start()
	} else {
		cert, err := ca.ServerCert()
		if err != nil {
			t.Fatal(err)
		}
		w.srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		w.srv.StartTLS()
	}
	t.Cleanup(w.srv.Close)
	return w
}

// untouched fails the test if the witness got any request, or if anything
// it got carries the secret.
func (w *witness) untouched(t *testing.T, name, secret string) {
	t.Helper()
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, g := range w.got {
		if strings.Contains(g, secret) {
			t.Errorf("the %s server received the secret: %q", name, g)
		}
	}
	if w.n != 0 {
		t.Errorf("the %s server got %d request(s): %q", name, w.n, w.got)
	}
}

// TestHostileDocumentEndpoints serves, from the trusted host, a document
// whose token endpoint, keys or sign-in page are somewhere else or over
// plain http. The check must refuse the document itself (discovery_url,
// not_discovery_document) and send nothing to, and fetch nothing from, the
// places it names.
func TestHostileDocumentEndpoints(t *testing.T) {
	cases := []struct {
		name string
		// edit changes the document; other is an https server the checker
		// trusts on another port, plain a plain http server.
		edit func(doc map[string]any, self, other, plain string)
		// names is the endpoint the message must name.
		names string
	}{
		{"token endpoint on another host", func(doc map[string]any, self, other, plain string) {
			doc["token_endpoint"] = other + "/t/oauth2/v2.0/token"
		}, "token_endpoint"},
		{"token endpoint over http on another host", func(doc map[string]any, self, other, plain string) {
			doc["token_endpoint"] = plain + "/t/oauth2/v2.0/token"
		}, "token_endpoint"},
		{"token endpoint over http on the document's host", func(doc map[string]any, self, other, plain string) {
			doc["token_endpoint"] = "http://" + strings.TrimPrefix(self, "https://") + "/t/oauth2/v2.0/token"
		}, "token_endpoint"},
		{"token endpoint with a user name in it", func(doc map[string]any, self, other, plain string) {
			doc["token_endpoint"] = "https://admin@" + strings.TrimPrefix(self, "https://") + "/t/oauth2/v2.0/token"
		}, "token_endpoint"},
		{"token endpoint as a bare path", func(doc map[string]any, self, other, plain string) {
			doc["token_endpoint"] = "/t/oauth2/v2.0/token"
		}, "token_endpoint"},
		{"jwks_uri over http", func(doc map[string]any, self, other, plain string) {
			doc["jwks_uri"] = plain + "/t/discovery/v2.0/keys"
		}, "jwks_uri"},
		{"jwks_uri on another host", func(doc map[string]any, self, other, plain string) {
			doc["jwks_uri"] = other + "/t/discovery/v2.0/keys"
		}, "jwks_uri"},
		{"token endpoint and jwks_uri on another host", func(doc map[string]any, self, other, plain string) {
			doc["token_endpoint"] = other + "/t/oauth2/v2.0/token"
			doc["jwks_uri"] = other + "/t/discovery/v2.0/keys"
		}, "token_endpoint"},
		{"authorization endpoint over http", func(doc map[string]any, self, other, plain string) {
			doc["authorization_endpoint"] = plain + "/t/oauth2/v2.0/authorize"
		}, "authorization_endpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, 2*time.Second)
			other, plain := newWitness(t, f.srv.CA), newWitness(t, nil)
			f.srv.TamperDocuments(func(doc map[string]any) { c.edit(doc, f.srv.URL, other.srv.URL, plain.srv.URL) })

			out := f.run(t, f.input(f.tenant.ID, f.app.ClientID, f.secret.Value))
			// Not fatal: where the document was obeyed, the witnesses
			// below say what it cost.
			got, _ := out.Report.FirstFailure()
			if got.Field != oidccheck.FieldDiscoveryURL || got.Code != oidccheck.CodeNotDiscoveryDocument || !strings.Contains(got.Message, c.names) {
				t.Errorf("got %s/%s (%s), want discovery_url/not_discovery_document naming %s", got.Field, got.Code, got.Message, c.names)
			}
			if out.Provider != nil || out.Proof != nil {
				t.Errorf("a refused document still gave a provider or a proof: %+v %+v", out.Provider, out.Proof)
			}

			// Discover itself refuses it, for the commands that call it
			// without Run (test-login).
			d, _ := oidccheck.ParseDiscovery(f.tenant.ID, f.srv.Host)
			prov, dc := f.checker.Discover(context.Background(), d)
			if prov != nil || dc.Code != oidccheck.CodeNotDiscoveryDocument {
				t.Errorf("Discover returned %+v, %+v", prov, dc)
			}
			other.untouched(t, "other https", f.secret.Value)
			plain.untouched(t, "plain http", f.secret.Value)
		})
	}
}

// TestLoginRefusesHandMadeProvider: a Provider not made by Discover, whose
// token endpoint the secret must not reach, is refused before the browser
// opens, so the code exchange that carries the secret never happens.
func TestLoginRefusesHandMadeProvider(t *testing.T) {
	cases := []struct {
		name string
		edit func(p *oidccheck.Provider, other, plain string)
	}{
		{"token endpoint over http", func(p *oidccheck.Provider, other, plain string) { p.TokenEndpoint = plain + "/token" }},
		{"token endpoint on another host", func(p *oidccheck.Provider, other, plain string) { p.TokenEndpoint = other + "/token" }},
		{"token endpoint over http, document unknown", func(p *oidccheck.Provider, other, plain string) {
			p.DiscoveryURL, p.TokenEndpoint = "", plain+"/token"
		}},
		{"no authorization endpoint", func(p *oidccheck.Provider, other, plain string) { p.AuthorizationEndpoint = "" }},
		{"authorization endpoint over http", func(p *oidccheck.Provider, other, plain string) {
			p.AuthorizationEndpoint = "http://" + strings.TrimPrefix(p.AuthorizationEndpoint, "https://")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			lf := newLoginFixture(t)
			other, plain := newWitness(t, lf.srv.CA), newWitness(t, nil)
			p := *lf.prov
			c.edit(&p, other.srv.URL, plain.srv.URL)
			b := newBrowser(t, lf.srv)
			opened := false
			_, checks := lf.checker.TestLogin(context.Background(), oidccheck.LoginOptions{Provider: &p, ClientID: lf.demo.App.ClientID,
				Secret: lf.demo.Secret.Value, Timeout: 2 * time.Second, Open: func(u string) error { opened = true; return b.open(u) }})
			if got := firstFail(checks); got.Code != oidccheck.CodeNotDiscoveryDocument || got.Field != oidccheck.FieldDiscoveryURL {
				t.Errorf("got %+v", checks)
			}
			if opened {
				t.Error("the browser was sent to the sign-in page")
			}
			other.untouched(t, "other https", lf.demo.Secret.Value)
			plain.untouched(t, "plain http", lf.demo.Secret.Value)
		})
	}
}

// Terminal escape sequences an answer may carry: OSC 52 writes the
// clipboard, OSC 0 sets the window title, CSI moves the cursor, clears the
// screen or asks the terminal to answer (6n); the one-byte C1 CSI and a
// right-to-left override do the same on some terminals.
const (
	osc52  = "\x1b]52;c;ZWNobyBwd25lZA==\x07"
	title  = "\x1b]0;pwned\x07"
	csi    = "\x1b[2J\x1b[1;31m\x1b[6n"
	c1CSI  = "\u009b31m"
	rtl    = "\u202e"
	nextLn = "\u0085"
)

// noControls fails the test if out holds a byte or character a terminal
// acts on.
func noControls(t *testing.T, what string, out []byte) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\t", "\x00", "\x7f", "\u009b", "\u0085", "\u202e"} {
		if bytes.Contains(out, []byte(bad)) {
			t.Errorf("%s holds %q raw:\n%s", what, bad, out)
		}
	}
}

// checkRendered puts checks into a report, redacts nothing more, and
// proves both renderings carry neither a control character nor the secret,
// and that --json stays valid.
func checkRendered(t *testing.T, rep *oidccheck.Report, secret string) {
	t.Helper()
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	noControls(t, "the text report", text.Bytes())
	noControls(t, "the JSON report", js.Bytes())
	if bytes.Contains(text.Bytes(), []byte(secret)) {
		t.Errorf("the text report shows the secret:\n%s", text.String())
	}
	if bytes.Contains(js.Bytes(), []byte(secret)) {
		t.Errorf("the JSON report shows the secret:\n%s", js.String())
	}
	if !json.Valid(js.Bytes()) {
		t.Errorf("the JSON report is not valid JSON:\n%s", js.String())
	}
}

// TestHostileErrorBodies: Entra's error body is shown (description, trace
// and correlation IDs), so a hostile one must reach neither the terminal
// nor --json with its escape sequences, nor with the secret it echoes.
func TestHostileErrorBodies(t *testing.T) {
	hostile := func(secret string, code int) func(body map[string]any) {
		return func(body map[string]any) {
			if code != 0 {
				body["error_codes"] = []int{code}
			}
			body["error_description"] = "AADSTS4242424: " + osc52 + " refused " + title + csi + "\r" + secret + " " + c1CSI + rtl +
				" Trace ID: x Correlation ID: y"
			body["trace_id"] = title + secret + "\x1b]52;c;" + secret + "\x07"
			body["correlation_id"] = csi + secret + nextLn
		}
	}
	t.Run("known code (invalid secret)", func(t *testing.T) {
		f := newFixture(t, 2*time.Second)
		wrong := "Zz_8Q~" + strings.Repeat("w", 34)
		f.srv.TamperErrors(hostile(wrong, 0))
		out := f.run(t, f.input(f.tenant.ID, f.app.ClientID, wrong))
		if got := failure(t, out.Report); got.Code != oidccheck.CodeInvalidSecret || !strings.Contains(got.TraceID, "[secret]") {
			t.Fatalf("got %+v", got)
		}
		checkRendered(t, &out.Report, wrong)
	})
	t.Run("unknown code (description shown)", func(t *testing.T) {
		f := newFixture(t, 2*time.Second)
		f.srv.SetFault(entratest.EndpointToken, entratest.FaultUnknownAADSTS)
		f.srv.TamperErrors(hostile(f.secret.Value, 4242424))
		out := f.run(t, f.input(f.tenant.ID, f.app.ClientID, f.secret.Value))
		got := failure(t, out.Report)
		if got.Code != oidccheck.CodeEntraError || !strings.Contains(got.Message, "refused") || !strings.Contains(got.Message, `\x1b`) {
			t.Fatalf("the description must be shown, escaped: %+v", got)
		}
		checkRendered(t, &out.Report, f.secret.Value)
	})
	t.Run("code exchange of the test sign-in", func(t *testing.T) {
		lf := newLoginFixture(t)
		// The loopback URI registered for a public client: Entra refuses
		// the code exchange with AADSTS700025.
		lf.srv.UpdateApp(lf.demo.App, func(a *entratest.App) {
			a.RedirectURIs = a.RedirectURIs[:1]
			a.PublicRedirectURIs = []string{entratest.LoopbackRedirectURI}
		})
		lf.srv.TamperErrors(hostile(lf.demo.Secret.Value, 0))
		_, checks := lf.login(t, newBrowser(t, lf.srv), 10*time.Second)
		if got := firstFail(checks); got.Code != oidccheck.CodeCodeExchangeFailed {
			t.Fatalf("got %+v", checks)
		}
		// TestLogin's own checks are already redacted and safe, for a
		// front end that shows them without a report.
		for _, c := range checks {
			all := c.Message + c.Fix + c.Cleaned + c.TraceID + c.CorrelationID
			if strings.Contains(all, lf.demo.Secret.Value) || strings.ContainsAny(all, "\x1b\x07\r") {
				t.Errorf("TestLogin returned %+v", c)
			}
		}
		rep := oidccheck.Report{Profile: "default"}
		rep.Add(checks...)
		checkRendered(t, &rep, lf.demo.Secret.Value)
	})
}

// TestReportChokePoint: whatever field of a check or value carries control
// characters, neither rendering shows them raw, --json stays valid, and
// what --json says decodes to what was shown.
func TestReportChokePoint(t *testing.T) {
	bad := "a" + osc52 + title + csi + c1CSI + rtl + nextLn + "\r\n\t\x7f\xff\xfe" + "é"
	cases := []struct {
		name string
		set  func(c *oidccheck.Check, v *oidccheck.Values)
	}{
		{"message", func(c *oidccheck.Check, v *oidccheck.Values) { c.Message = bad }},
		{"fix", func(c *oidccheck.Check, v *oidccheck.Values) { c.Fix = bad }},
		{"cleaned", func(c *oidccheck.Check, v *oidccheck.Values) { c.Cleaned = bad }},
		{"trace id", func(c *oidccheck.Check, v *oidccheck.Values) { c.TraceID = bad }},
		{"correlation id", func(c *oidccheck.Check, v *oidccheck.Values) { c.CorrelationID = bad }},
		{"redirect uri value", func(c *oidccheck.Check, v *oidccheck.Values) { v.RedirectURI = bad }},
		{"issuer value", func(c *oidccheck.Check, v *oidccheck.Values) { v.Issuer = bad }},
		{"discovery url value", func(c *oidccheck.Check, v *oidccheck.Values) { v.DiscoveryURL = bad }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := oidccheck.Check{Field: oidccheck.FieldDiscoveryURL, Status: oidccheck.StatusFail, Code: oidccheck.CodeEntraError, Message: "m"}
			rep := oidccheck.Report{Profile: "default"}
			tc.set(&c, &rep.Values)
			rep.Add(c)
			checkRendered(t, &rep, "no secret here")
			var js bytes.Buffer
			if err := rep.WriteJSON(&js); err != nil {
				t.Fatal(err)
			}
			var back oidccheck.Report
			if err := json.Unmarshal(js.Bytes(), &back); err != nil {
				t.Fatalf("decoding --json: %v", err)
			}
			if len(back.Checks) != 1 || back.Checks[0] != rep.Checks[0] {
				t.Errorf("--json decodes to %+v, the report holds %+v", back.Checks, rep.Checks)
			}
		})
	}
}

// TestRedact: every copy of every secret goes, in every string of the
// report, and nothing else changes.
func TestRedact(t *testing.T) {
	const s1, s2 = "Ab_8Q~secretsecretsecretsecretsecretsecre", "Ab_8Q~secret"
	withCtl := "x\x1by_secret" // a secret that a report only holds escaped
	in := oidccheck.Check{Field: oidccheck.FieldClientSecret, Status: oidccheck.StatusFail, Code: oidccheck.CodeEntraError,
		Message: "refused " + s1, Fix: "not " + s2 + "!", Cleaned: "the label " + s1,
		TraceID: s1 + s1, CorrelationID: "id " + withCtl}
	cases := []struct {
		name    string
		secrets []string
		gone    []string
		kept    string
	}{
		{"one secret everywhere", []string{s1}, []string{s1}, "refused [secret]"},
		{"a secret inside a longer one", []string{s2, s1}, []string{s1, s2}, "not [secret]!"},
		{"a secret with a control character", []string{withCtl}, []string{withCtl, oidccheck.SafeText(withCtl)}, "id [secret]"},
		{"empty and short ones are ignored", []string{"", "ab", s1}, []string{s1}, "refused [secret]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rep := oidccheck.Report{Profile: "default", Values: oidccheck.Values{Issuer: "https://x/" + s1, ClientID: "c", RedirectURI: s1}}
			rep.Add(in)
			rep.Redact(tc.secrets...)
			var text, js bytes.Buffer
			_ = rep.WriteText(&text)
			_ = rep.WriteJSON(&js)
			for _, g := range tc.gone {
				if strings.Contains(text.String(), g) || strings.Contains(js.String(), g) {
					t.Errorf("%q is still shown:\n%s\n%s", g, text.String(), js.String())
				}
			}
			if !strings.Contains(text.String(), tc.kept) || rep.Values.ClientID != "c" || rep.Profile != "default" {
				t.Errorf("want %q kept and the rest unchanged:\n%s", tc.kept, text.String())
			}
		})
	}
}
