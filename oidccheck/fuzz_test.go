package oidccheck

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// The fuzz targets check what must hold for any paste: no panic, exactly
// one verdict per check, a failure always explained, a passing value stable
// when checked again, and no secret in any message.

func checkInvariants(t *testing.T, r Result) {
	t.Helper()
	if len(r.Checks) == 0 {
		t.Fatal("no check")
	}
	for _, c := range r.Checks {
		switch c.Status {
		case StatusPass:
		case StatusWarn, StatusFail:
			if c.Code == "" || c.Message == "" || c.Fix == "" {
				t.Fatalf("unexplained %s: %+v", c.Status, c)
			}
		default:
			t.Fatalf("status %q", c.Status)
		}
	}
	if len(r.Value) > MaxInput+1 {
		t.Fatalf("value not bounded: %d", len(r.Value))
	}
}

// checkStable asserts that checking the cleaned value again comes to the
// same verdict and value: cleaning left nothing for a second round to take
// off. The notes may differ; what the first round removed is gone.
func checkStable(t *testing.T, in string, r, again Result) {
	t.Helper()
	verdict := func(r Result) string {
		var b strings.Builder
		for _, c := range r.Checks {
			b.WriteString(string(c.Status) + "/" + string(c.Code) + " ")
		}
		return b.String()
	}
	if again.Value != r.Value || verdict(again) != verdict(r) {
		t.Fatalf("%q: %s%q, but its cleaned value %q gives %s%q", in, verdict(r), r.Value, r.Cleaned.Value, verdict(again), again.Value)
	}
}

func FuzzCheckRedirectURI(f *testing.F) {
	for _, s := range []string{"https://acme.syncromsp.com/users/auth/openid_connect/callback", " \"http://localhost/cb\" ", "https://a/#x", "https://*.a.com", "\u200bhttps://a.com/(x)", "https://[::1]/"} {
		f.Add(s)
	}
	for _, s := range nestedSeeds("https://acme.syncromsp.com/users/auth/openid_connect/callback", "Redirect URI") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := CheckRedirectURI(in)
		checkInvariants(t, r)
		checkStable(t, in, r, CheckRedirectURI(r.Cleaned.Value))
		if r.OK() {
			again := CheckRedirectURI(r.Value)
			if !again.OK() || again.Value != r.Value {
				t.Fatalf("not stable: %q -> %q -> %q (%+v)", in, r.Value, again.Value, again.Checks)
			}
			if len(r.Value) > MaxRedirectURILength+1 || strings.ContainsAny(r.Value, "#*!$'(),; ") {
				t.Fatalf("passed a URI Entra refuses: %q", r.Value)
			}
		}
	})
}

func FuzzCheckClientID(f *testing.F) {
	for _, s := range []string{"0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90", "{0DDBB6A1-9F3C-4C4E-8D5E-2B1F6C3A7E90}", "Client ID: x", "\u00a0"} {
		f.Add(s)
	}
	for _, s := range nestedSeeds("{0DDBB6A1-9F3C-4C4E-8D5E-2B1F6C3A7E90}", "Application (client) ID") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := CheckClientID(in, "")
		checkInvariants(t, r)
		checkStable(t, in, r, CheckClientID(r.Cleaned.Value, ""))
		if r.OK() {
			if _, ok := ParseGUID(r.Value); !ok || r.Value != strings.ToLower(r.Value) {
				t.Fatalf("passed a client ID that is not a lowercase GUID: %q", r.Value)
			}
		}
	})
}

func FuzzCheckSecret(f *testing.F) {
	for _, s := range []string{"Xy_8Q~abcdefghijklmnopqrstuvwxyz01234567", "8f4e3c2a-1b0d-4e5f-a6b7-c8d9e0f1a2b3", "abc***", "Value: abc…", "\"x\"", ""} {
		f.Add(s)
	}
	for _, s := range nestedSeeds("Xy_8Q~abcdefghijklmnopqrstuvwxyz012345-.", "Value") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		r := CheckSecret(in)
		checkInvariants(t, r)
		checkStable(t, in, r, CheckSecret(r.Cleaned.Value))
		for _, c := range r.Checks {
			if len(r.Value) >= 8 && strings.Contains(c.Message+c.Fix, r.Value) {
				t.Fatalf("secret in a message: %+v", c)
			}
		}
		// Nothing is ever cut from a secret's end but junk characters.
		if r.OK() && utf8.ValidString(in) && !strings.Contains(in, r.Value) && !strings.Contains(in, "\n") && !strings.Contains(in, "\r") {
			if strings.TrimSpace(in) == in && !strings.ContainsFunc(in, func(r rune) bool { return invisible(r) || oddSpace(r) || control(r) || r == '\t' }) {
				t.Fatalf("value %q is not part of the paste %q", r.Value, in)
			}
		}
	})
}

func FuzzParseDiscovery(f *testing.F) {
	for _, s := range []string{
		"https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration",
		"contoso.onmicrosoft.com", "{72F988BF-86F1-41AF-91AB-2D7CD011DB47}", "common", "login.windows.net/x/oauth2/token",
		"OpenID Connect metadata document: <https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/>.", "https://graph.microsoft.com",
	} {
		f.Add(s)
	}
	for _, s := range nestedSeeds("https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration", "OpenID Connect metadata document") {
		f.Add(s)
	}
	for _, s := range nestedSeeds("{72F988BF-86F1-41AF-91AB-2D7CD011DB47}", "Directory (tenant) ID") {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, r := ParseDiscovery(in, "")
		checkInvariants(t, r)
		_, again := ParseDiscovery(r.Cleaned.Value, "")
		checkStable(t, in, r, again)
		if !r.OK() {
			return
		}
		if !strings.HasPrefix(d.URL, "https://") || !strings.HasSuffix(d.URL, "/.well-known/openid-configuration") {
			t.Fatalf("fetch URL %q from %q", d.URL, in)
		}
		if d.Entra {
			if multiTenant[d.Tenant] || d.Tenant == "" || strings.ContainsAny(d.Tenant, "/?#") {
				t.Fatalf("tenant %q from %q", d.Tenant, in)
			}
			d2, r2 := ParseDiscovery(d.URL, "")
			if !r2.OK() || d2.URL != d.URL {
				t.Fatalf("canonical URL not stable: %q -> %q (%+v)", d.URL, d2.URL, r2.Checks)
			}
		}
	})
}

// nestedSeeds puts a value inside wrappers nested in the orders a paste
// meets them: punctuation outside quotes, brackets inside quotes, a label
// inside brackets, and deeper than any fixed number of rounds.
func nestedSeeds(v, label string) []string {
	return []string{
		`"<` + v + `>".`,
		`<'` + v + `'>;`,
		"(\"" + v + "\")",
		"['" + v + "'],",
		"« <" + v + "> »",
		label + ": (“" + v + "”)!",
		"[ " + label + ":\u00a0<" + v + "> ]",
		"\ufeff\"'`«“" + v + "”»`'\"\r\n",
		`"` + v + `;".`,
		`"` + v + `".`,
		"<(" + v + ")",
		strings.Repeat(`<("`, 20) + v + strings.Repeat(`")>`, 20),
	}
}

// FuzzClean checks that cleaning reaches a fixed point for any paste and
// any field: cleaning the cleaned value again changes nothing and has
// nothing to say, and no kind of change is said twice.
func FuzzClean(f *testing.F) {
	fields := []Field{FieldRedirectURI, FieldClientID, FieldClientSecret, FieldDiscoveryURL}
	for i, v := range []string{
		"https://acme.syncromsp.com/users/auth/openid_connect/callback", "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90",
		"Xy_8Q~abcdefghijklmnopqrstuvwxyz012345-~", "contoso.onmicrosoft.com",
	} {
		for _, s := range nestedSeeds(v, "Value") {
			f.Add(s, uint8(i))
		}
	}
	f.Add("(Redirect (callback) URL: »https://acme.example.com/.)‚)", uint8(0))
	f.Add("contoso.onmicrosoft.com: ,", uint8(3))
	f.Fuzz(func(t *testing.T, in string, which uint8) {
		field := fields[int(which)%len(fields)]
		c := Clean(in, field)
		again := Clean(c.Value, field)
		if again.Value != c.Value || again.Said() != "" {
			t.Fatalf("%s: %q cleaned to %q, and again to %q (said %q)", field, in, c.Value, again.Value, again.Said())
		}
		// Each kind of change that Clean makes has its own first word.
		seen := map[string]bool{}
		for _, r := range c.Removed {
			w := strings.Fields(r)
			if len(w) == 0 || seen[w[0]] {
				t.Fatalf("%s: %q: %q says a kind twice or says nothing", field, in, c.Said())
			}
			seen[w[0]] = true
		}
		if field == FieldClientSecret && strings.Contains(c.Said(), "punctuation") {
			t.Fatalf("punctuation taken off a secret: %q -> %q (%q)", in, c.Value, c.Said())
		}
	})
}
