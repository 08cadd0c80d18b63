package flow

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"
)

// A discovery document written by someone hostile names a token endpoint
// or a key set elsewhere: no flow sends the secret there, or anything at
// all, and each says the document is not one to trust.
func TestHostileDocumentGetsNothing(t *testing.T) {
	type place struct {
		name string
		key  string // the document field the attacker sets
		tls  bool
	}
	places := []place{
		{"token endpoint on another host", "token_endpoint", true},
		{"token endpoint over plain http", "token_endpoint", false},
		{"keys on another host", "jwks_uri", true},
		{"keys over plain http", "jwks_uri", false},
	}
	flows := []struct {
		name  string
		saved bool // the profile is saved before the document turns hostile
		run   func(f *fixture, opened *bool) Result
	}{
		{"check", false, func(f *fixture, _ *bool) Result {
			s := f.demo.Secret.Value
			id, disc := f.demo.App.ClientID, f.metadataURL()
			return Check(context.Background(), f.d, oidccheck.Input{ClientID: &id, ClientSecret: &s, Discovery: &disc}, Wait{})
		}},
		{"setup", false, func(f *fixture, _ *bool) Result {
			return Setup(context.Background(), f.d, f.setupInput(f.demo.Secret.Value))
		}},
		{"verify", true, func(f *fixture, _ *bool) Result { return Verify(context.Background(), f.d, "default") }},
		{"rotate", true, func(f *fixture, _ *bool) Result {
			fresh := f.srv.AddSecret(f.demo.App, "new", time.Now().AddDate(0, 0, 90))
			return Rotate(context.Background(), f.d, RotateInput{Profile: "default", Secret: fresh.Value, Expires: "2027-01-01"})
		}},
		{"test-login", true, func(f *fixture, opened *bool) Result {
			return TestLogin(context.Background(), f.d, LoginInput{Profile: "default", Timeout: time.Second,
				Open: func(string) error { *opened = true; return errors.New("no browser in this test") }})
		}},
	}
	for _, fl := range flows {
		for _, pl := range places {
			t.Run(fl.name+"/"+pl.name, func(t *testing.T) {
				f := newFixture(t)
				if fl.saved {
					f.saved(t)
				}
				var evil *recorder
				if pl.tls {
					evil = hostileTLS(t, f)
				} else {
					evil = hostilePlain(t)
				}
				target := evil.srv.URL + "/" + f.demo.Tenant.ID + "/oauth2/v2.0/token"
				if pl.key == "jwks_uri" {
					target = evil.srv.URL + "/" + f.demo.Tenant.ID + "/discovery/v2.0/keys"
				}
				f.srv.TamperDocuments(func(doc map[string]any) { doc[pl.key] = target })
				before, _ := f.store.Load("default")
				opened := false
				r := fl.run(f, &opened)

				if n := evil.requests(); n != 0 {
					t.Fatalf("the hostile host got %d request(s); secret among them: %v", n, evil.saw(f.demo.Secret.Value))
				}
				if opened {
					t.Fatal("the browser was sent to sign in against a hostile document")
				}
				c, failed := r.Report.FirstFailure()
				if !failed || c.Code != oidccheck.CodeNotDiscoveryDocument {
					t.Fatalf("want a failed not_discovery_document check, got %+v", r.Report.Checks)
				}
				after, _ := f.store.Load("default")
				if fl.saved && (after.Secret.Hint != before.Secret.Hint || after.LastVerified != nil && before.LastVerified != nil && !after.LastVerified.Equal(*before.LastVerified)) {
					t.Fatalf("the profile changed: %+v -> %+v", before, after)
				}
				if !fl.saved && after != nil {
					t.Fatal("a profile was saved from a hostile document")
				}
			})
		}
	}
}

// The guard is the last check before the network: a request carrying the
// secret anywhere but the body of an https POST to a trusted host is never
// handed to the transport.
func TestSecretGuard(t *testing.T) {
	const secret = "abc8Q~0123456789abcdefghijklmnopqrstuvw"
	d := &Deps{AuthorityHost: "login.example.test:8443"}
	form := url.Values{"client_secret": {secret}}.Encode()
	cases := []struct {
		name, method, url, body string
		header                  http.Header
		basic                   bool
		sent                    bool
	}{
		{"token request to Entra", "POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", form, nil, false, true},
		{"token request to the authority host", "POST", "https://login.example.test:8443/t/oauth2/v2.0/token", form, nil, false, true},
		{"alias host is not the primary", "POST", "https://login.windows.net/t/oauth2/v2.0/token", form, nil, false, false},
		{"another host", "POST", "https://evil.example/token", form, nil, false, false},
		{"plain http to Entra", "POST", "http://login.microsoftonline.com/t/oauth2/v2.0/token", form, nil, false, false},
		{"in the query", "GET", "https://login.microsoftonline.com/t/x?s=" + url.QueryEscape(secret), "", nil, false, false},
		{"in a header", "POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", "a=b", http.Header{"X-Echo": {secret}}, false, false},
		{"in basic auth", "POST", "https://login.microsoftonline.com/t/oauth2/v2.0/token", "a=b", nil, true, false},
		{"a GET with the secret in its body", "GET", "https://login.microsoftonline.com/t/oauth2/v2.0/token", form, nil, false, false},
		{"no secret goes anywhere", "POST", "http://evil.example/x", "a=b", nil, false, true},
		{"a redirected token request", "POST", "https://login.microsoftonline.com/t/other", form, http.Header{"X-Redirected": {"1"}}, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			sent := false
			g := &secretGuard{secrets: []string{secret}, trusted: d.trusted,
				next: roundTripFunc(func(r *http.Request) (*http.Response, error) {
					sent = true
					return &http.Response{StatusCode: 200, Body: http.NoBody}, nil
				})}
			req, _ := http.NewRequest(c.method, c.url, strings.NewReader(c.body))
			for k, v := range c.header {
				req.Header[k] = v
			}
			if c.basic {
				req.SetBasicAuth("client", secret)
			}
			if req.Header.Get("X-Redirected") != "" {
				// How net/http marks a request it made to follow a redirect.
				req.Response = &http.Response{StatusCode: http.StatusTemporaryRedirect}
			}
			_, err := g.RoundTrip(req)
			if sent != c.sent {
				t.Fatalf("sent = %v, want %v (err %v)", sent, c.sent, err)
			}
			if !c.sent && !errors.Is(err, ErrSecretBlocked) {
				t.Fatalf("err = %v, want ErrSecretBlocked", err)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A token error that carries escape sequences and echoes the secret back
// reaches no report raw: not in text, not in JSON, not in the IDs.
func TestHostileTokenErrorIsRedactedAndEscaped(t *testing.T) {
	f := newFixture(t)
	f.saved(t)
	stored := f.demo.Secret.Value
	wrong := "zzz8Q~" + strings.Repeat("q", 34)
	f.srv.TamperErrors(func(body map[string]any) {
		for _, k := range []string{"error_description", "trace_id", "correlation_id"} {
			body[k] = "\x1b]52;c;cHduZWQ=\x07\x1b]0;pwned\x07\x1b[2J" + stored + " " + wrong + " " + url.QueryEscape(wrong)
		}
	})
	cases := map[string]func() Result{
		"check": func() Result {
			id, disc := f.demo.App.ClientID, f.metadataURL()
			return Check(context.Background(), f.d, oidccheck.Input{ClientID: &id, ClientSecret: &wrong, Discovery: &disc}, Wait{})
		},
		"verify": func() Result {
			f.srv.DeleteSecret(f.demo.App, f.demo.Secret.KeyID)
			return Verify(context.Background(), f.d, "default")
		},
	}
	for name, run := range cases {
		t.Run(name, func(t *testing.T) {
			r := run()
			if !r.Failed() {
				t.Fatalf("want a failure, got %+v", r.Report.Checks)
			}
			var text, js strings.Builder
			_ = r.Report.WriteText(&text)
			_ = r.Report.WriteJSON(&js)
			if !json.Valid([]byte(js.String())) {
				t.Fatalf("invalid JSON: %s", js.String())
			}
			for _, out := range []string{text.String(), js.String()} {
				if strings.ContainsAny(out, "\x1b\x07") || strings.Contains(out, `\u001b`) {
					t.Fatalf("an escape sequence reached the output:\n%s", out)
				}
				secret := stored
				if name == "check" {
					secret = wrong
				}
				if strings.Contains(out, secret) || strings.Contains(out, url.QueryEscape(secret)) {
					t.Fatalf("the secret reached the output:\n%s", out)
				}
			}
			c, _ := r.Report.FirstFailure()
			if c.CorrelationID == "" || !strings.Contains(c.CorrelationID, "[secret]") {
				t.Fatalf("the correlation ID should be kept, redacted: %q", c.CorrelationID)
			}
		})
	}
}

// A profile saved against a host that was not trusted never has its secret
// sent, not even once that host is trusted on a later command; a profile
// whose host is trusted only by --authority-host needs it again. Neither
// records a verification.
func TestUntrustedProfilesSendNothing(t *testing.T) {
	t.Run("saved untrusted", func(t *testing.T) {
		f := newFixture(t)
		f.d.AuthorityHost = ""
		in := f.setupInput(f.demo.Secret.Value)
		r := Setup(context.Background(), f.d, in)
		if r.Failed() || r.Profile == nil {
			t.Fatalf("setup with a skip should still save: %+v", r.Report.Checks)
		}
		if r.Profile.AuthorityTrusted == nil || *r.Profile.AuthorityTrusted || r.Profile.LastVerified != nil {
			t.Fatalf("profile: trusted %v, last verified %v", r.Profile.AuthorityTrusted, r.Profile.LastVerified)
		}
		tokens := f.srv.Requests(entratest.EndpointToken)
		if tokens != 0 {
			t.Fatalf("setup sent %d token request(s) to an untrusted host", tokens)
		}
		f.d.AuthorityHost = f.srv.Host // trusted now: still not for this profile
		v := Verify(context.Background(), f.d, "default")
		sc := v.Report.For(oidccheck.FieldClientSecret)
		if n := f.srv.Requests(entratest.EndpointToken); n != 0 {
			t.Fatalf("verify sent %d token request(s) for an untrusted profile", n)
		}
		if len(sc) != 1 || sc[0].Status != oidccheck.StatusSkip || sc[0].Code != CodeUntrustedProfile || strings.Contains(sc[0].Fix, "--authority-host") {
			t.Fatalf("secret check: %+v", sc)
		}
		if v.Profile.LastVerified != nil {
			t.Fatal("a skipped secret check recorded a verification")
		}
		rot := Rotate(context.Background(), f.d, RotateInput{Profile: "default", Secret: f.srv.AddSecret(f.demo.App, "n", time.Now()).Value, Expires: "2027-01-01"})
		if c, _ := rot.Report.FirstFailure(); c.Code != CodeUntrustedProfile || f.srv.Requests(entratest.EndpointToken) != 0 {
			t.Fatalf("rotate: %+v", rot.Report.Checks)
		}
	})
	t.Run("trusted only by the flag", func(t *testing.T) {
		f := newFixture(t)
		first := f.saved(t)
		f.d.AuthorityHost = ""
		tokens := f.srv.Requests(entratest.EndpointToken)
		v := Verify(context.Background(), f.d, "default")
		if n := f.srv.Requests(entratest.EndpointToken); n != tokens {
			t.Fatalf("verify sent %d token request(s) without --authority-host", n-tokens)
		}
		sc := v.Report.For(oidccheck.FieldClientSecret)
		if len(sc) != 1 || sc[0].Code != CodeUntrustedProfile || !strings.Contains(sc[0].Fix, "--authority-host "+f.srv.Host) {
			t.Fatalf("secret check: %+v", sc)
		}
		if !v.Profile.LastVerified.Equal(*first.Profile.LastVerified) {
			t.Fatal("a skipped secret check recorded a verification")
		}
	})
}

// Every live proof of the stored secret records the time; the first save
// does too.
func TestLiveProofsRecordVerification(t *testing.T) {
	f := newFixture(t)
	clock := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	f.d.Now = func() time.Time { return clock }
	r := f.saved(t)
	if r.Profile.LastVerified == nil || !r.Profile.LastVerified.Equal(clock) {
		t.Fatalf("setup: last verified %v", r.Profile.LastVerified)
	}
	clock = clock.Add(time.Hour)
	if v := Verify(context.Background(), f.d, "default"); v.Failed() || !v.Profile.LastVerified.Equal(clock) {
		t.Fatalf("verify: %+v %v", v.Report.Checks, v.Profile.LastVerified)
	}
	clock = clock.Add(time.Hour)
	fresh := f.srv.AddSecret(f.demo.App, "next", clock.AddDate(0, 0, 90))
	rot := Rotate(context.Background(), f.d, RotateInput{Profile: "default", Secret: fresh.Value, Expires: "2027-03-01"})
	if rot.Failed() || !rot.Profile.LastVerified.Equal(clock) || rot.Profile.Previous == nil {
		t.Fatalf("rotate: %+v", rot.Report.Checks)
	}
}

// What the admin is told is true: a rotation with no previous secret in
// the keyring does not claim to keep one; a profile whose keyring entry is
// gone is not said to hold "another secret".
func TestMessagesSayWhatHappened(t *testing.T) {
	t.Run("rotation without a previous secret", func(t *testing.T) {
		f := newFixture(t)
		f.saved(t)
		if err := f.store.Keyring.Delete(store.Service, store.CurrentUser("default")); err != nil {
			t.Fatal(err)
		}
		fresh := f.srv.AddSecret(f.demo.App, "next", time.Now().AddDate(0, 0, 90))
		r := Rotate(context.Background(), f.d, RotateInput{Profile: "default", Secret: fresh.Value, Expires: "2027-03-01"})
		sc := r.Report.For(oidccheck.FieldSecretStore)
		if r.Failed() || len(sc) != 1 || strings.Contains(sc[0].Message, "kept as previous") || !strings.Contains(sc[0].Message, "no earlier secret") {
			t.Fatalf("checks: %+v", r.Report.Checks)
		}
	})
	t.Run("setup over a lost keyring entry", func(t *testing.T) {
		f := newFixture(t)
		f.saved(t)
		if err := f.store.Keyring.Delete(store.Service, store.CurrentUser("default")); err != nil {
			t.Fatal(err)
		}
		fresh := f.srv.AddSecret(f.demo.App, "next", time.Now().AddDate(0, 0, 90))
		r := Setup(context.Background(), f.d, f.setupInput(fresh.Value))
		c, _ := r.Report.FirstFailure()
		if c.Code != CodeProfileExists || strings.Contains(c.Message, "another secret") || !strings.Contains(c.Message, "missing from the keyring") {
			t.Fatalf("check: %+v", c)
		}
	})
	t.Run("rotation with a previous secret", func(t *testing.T) {
		f := newFixture(t)
		f.saved(t)
		fresh := f.srv.AddSecret(f.demo.App, "next", time.Now().AddDate(0, 0, 90))
		r := Rotate(context.Background(), f.d, RotateInput{Profile: "default", Secret: fresh.Value, Expires: "2027-03-01"})
		if sc := r.Report.For(oidccheck.FieldSecretStore); r.Failed() || !strings.Contains(sc[0].Message, "kept as previous") {
			t.Fatalf("checks: %+v", r.Report.Checks)
		}
		fin := Finish(context.Background(), f.d, "default")
		if fin.Failed() || fin.Old == nil || fin.Old.Hint != f.demo.Secret.Hint || fin.Profile.Previous != nil {
			t.Fatalf("finish: %+v", fin.Report.Checks)
		}
		again := Finish(context.Background(), f.d, "default")
		if c, _ := again.Report.FirstFailure(); c.Code != CodeNoRotation {
			t.Fatalf("second finish: %+v", again.Report.Checks)
		}
	})
}

// Every store failure becomes a check with its field and code, in one
// place.
func TestStoreCheckMapping(t *testing.T) {
	cases := []struct {
		err   error
		field oidccheck.Field
		code  oidccheck.Code
	}{
		{&store.Error{Code: store.CodeKeyringUnavailable, Message: "m", Fix: "f"}, oidccheck.FieldSecretStore, oidccheck.CodeKeyringUnavailable},
		{&store.Error{Code: store.CodeSecretMissing, Message: "m"}, oidccheck.FieldSecretStore, oidccheck.CodeSecretMissing},
		{&store.UnsafeError{Path: "/p", Reason: "group can write it"}, FieldProfile, CodeProfileUnsafe},
		{store.ErrNotFound, FieldProfile, CodeNoProfile},
		{&store.ExistsError{Name: "x"}, FieldProfile, CodeProfileExists},
		{&store.CorruptError{Path: "/p", Err: errors.New("bad")}, FieldProfile, CodeProfileUnreadable},
		{&store.SchemaError{Path: "/p", Found: 9}, FieldProfile, CodeProfileUnreadable},
		{store.ErrRotationInProgress, FieldProfile, CodeRotationInProgress},
		{store.ErrNoRotation, FieldProfile, CodeNoRotation},
		{store.ErrSameSecret, oidccheck.FieldClientSecret, CodeSameSecret},
		{context.Canceled, oidccheck.FieldSecretStore, CodeCancelled},
	}
	for _, c := range cases {
		got := storeCheck(c.err, "x")
		if got.Field != c.field || got.Code != c.code || got.Status != oidccheck.StatusFail || got.Message == "" {
			t.Errorf("%v: got %+v", c.err, got)
		}
	}
	if r := (Result{Report: oidccheck.Report{Checks: []oidccheck.Check{storeCheck(&store.Error{Code: store.CodeKeyringTimeout}, "x")}}}); r.ExitCode() != 3 {
		t.Errorf("keyring timeout exits %d, want 3", r.ExitCode())
	}
}

// An empty report still has its arrays and objects: scripts never meet
// null.
func TestEmptyReportJSON(t *testing.T) {
	var b strings.Builder
	r := newResult("x")
	_ = r.Report.WriteJSON(&b)
	if !strings.Contains(b.String(), `"checks": []`) || !strings.Contains(b.String(), `"values": {}`) {
		t.Fatalf("got %s", b.String())
	}
}

// A document that spells its token endpoint's scheme in capitals still
// names an https endpoint on its own host: the secret is proven there, and
// no skip tells the admin to pass a flag they already passed.
func TestUpperCaseSchemeIsStillHTTPS(t *testing.T) {
	f := newFixture(t)
	f.srv.TamperDocuments(func(doc map[string]any) {
		doc["token_endpoint"] = strings.Replace(doc["token_endpoint"].(string), "https://", "HTTPS://", 1)
	})
	s := f.demo.Secret.Value
	id, disc := f.demo.App.ClientID, f.metadataURL()
	r := Check(context.Background(), f.d, oidccheck.Input{ClientID: &id, ClientSecret: &s, Discovery: &disc}, Wait{})
	for _, c := range r.Report.For(oidccheck.FieldClientSecret) {
		if c.Status == oidccheck.StatusSkip || strings.Contains(c.Message+c.Fix, "--authority-host") {
			t.Fatalf("secret check: %+v", c)
		}
	}
	if r.Failed() {
		t.Fatalf("checks: %+v", r.Report.Checks)
	}
}
