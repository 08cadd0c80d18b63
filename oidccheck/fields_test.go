package oidccheck

import (
	"strings"
	"testing"
)

// want is the expected outcome of one offline check.
type want struct {
	status Status
	code   Code
	value  string // expected normalized value; "" = not asserted
}

func assertResult(t *testing.T, r Result, w want) {
	t.Helper()
	if len(r.Checks) == 0 {
		t.Fatalf("no check returned")
	}
	worst := r.Checks[0]
	for _, c := range r.Checks {
		if c.Status == StatusFail || (c.Status == StatusWarn && worst.Status == StatusPass) {
			worst = c
		}
	}
	if worst.Status != w.status || worst.Code != w.code {
		t.Fatalf("got %s/%s (%q), want %s/%s", worst.Status, worst.Code, worst.Message, w.status, w.code)
	}
	if w.value != "" && r.Value != w.value {
		t.Fatalf("value %q, want %q", r.Value, w.value)
	}
	for _, c := range r.Checks {
		if c.Field != r.Field {
			t.Fatalf("check field %s, want %s", c.Field, r.Field)
		}
		if c.Status != StatusPass && (c.Message == "" || c.Fix == "") {
			t.Fatalf("a %s check must say what is wrong and what to do: %+v", c.Status, c)
		}
	}
}

const syncroURI = "https://acme.syncromsp.com/users/auth/openid_connect/callback"

func TestCheckRedirectURI(t *testing.T) {
	cases := []struct {
		name, in string
		want
	}{
		{"plain", syncroURI, want{StatusPass, "", syncroURI}},
		{"quoted with spaces", "  \"" + syncroURI + "\"\n", want{StatusPass, "", syncroURI}},
		{"label and nbsp", "Redirect URI:\u00a0" + syncroURI, want{StatusPass, "", syncroURI}},
		{"no path gets slash", "https://acme.example.com", want{StatusPass, "", "https://acme.example.com/"}},
		{"localhost http", "http://localhost/entrasso/callback", want{StatusPass, "", ""}},
		{"query allowed", "https://a.example.com/cb?x=1", want{StatusPass, "", ""}},
		{"trailing period", syncroURI + ".", want{StatusPass, "", syncroURI}},
		{"empty", "   ", want{StatusFail, CodeInvalidURL, ""}},
		{"not a url", "acme syncro callback", want{StatusFail, CodeInvalidURL, ""}},
		{"no scheme", "acme.syncromsp.com/users/auth/openid_connect/callback", want{StatusFail, CodeInvalidURL, ""}},
		{"ipv6 loopback", "http://[::1]/cb", want{StatusFail, CodeInvalidURL, ""}},
		{"http", "http://acme.syncromsp.com/cb", want{StatusFail, CodeNotHTTPS, ""}},
		{"http 127.0.0.1", "http://127.0.0.1/cb", want{StatusFail, CodeNotHTTPS, ""}},
		{"ftp", "ftp://acme.syncromsp.com/cb", want{StatusFail, CodeNotHTTPS, ""}},
		{"fragment", syncroURI + "#x", want{StatusFail, CodeHasFragment, ""}},
		{"wildcard", "https://*.syncromsp.com/cb", want{StatusFail, CodeHasWildcard, ""}},
		{"comma", "https://acme.syncromsp.com/a,b/cb", want{StatusFail, CodeBadCharacter, ""}},
		{"dollar", "https://acme.syncromsp.com/$cb", want{StatusFail, CodeBadCharacter, ""}},
		{"paren", "https://acme.syncromsp.com/(cb)", want{StatusFail, CodeBadCharacter, ""}},
		{"too long", "https://acme.syncromsp.com/" + strings.Repeat("a", 240), want{StatusFail, CodeTooLong, ""}},
		{"exactly 256", "https://acme.syncromsp.com/" + strings.Repeat("a", 256-len("https://acme.syncromsp.com/")), want{StatusPass, "", ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assertResult(t, CheckRedirectURI(c.in), c.want) })
	}
}

const (
	tid = "72f988bf-86f1-41af-91ab-2d7cd011db47"
	cid = "0ddbb6a1-9f3c-4c4e-8d5e-2b1f6c3a7e90"
)

func TestCheckClientID(t *testing.T) {
	cases := []struct {
		name, in, tenant string
		want
	}{
		{"plain", cid, "", want{StatusPass, "", cid}},
		{"upper in braces", "{" + strings.ToUpper(cid) + "}", "", want{StatusPass, "", cid}},
		{"label and zero width", "Application (client) ID\u200b: " + cid + " ", "", want{StatusPass, "", cid}},
		{"line broken", cid[:18] + "\n" + cid[18:], "", want{StatusPass, "", cid}},
		{"empty", "", "", want{StatusFail, CodeNotGUID, ""}},
		{"url", "https://login.microsoftonline.com/" + tid, "", want{StatusFail, CodeNotGUID, ""}},
		{"secret", "abc8Q~" + strings.Repeat("x", 34), "", want{StatusFail, CodeNotGUID, ""}},
		{"short", cid[:30], "", want{StatusFail, CodeNotGUID, ""}},
		{"one brace", "{" + cid, "", want{StatusFail, CodeNotGUID, ""}},
		{"tenant id", strings.ToUpper(tid), tid, want{StatusFail, CodeIsTenantID, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { assertResult(t, CheckClientID(c.in, c.tenant), c.want) })
	}
}

func TestCheckSecret(t *testing.T) {
	current := "Xy_8Q~" + "a.b-c~d_e" + strings.Repeat("Z", 25)
	cases := []struct {
		name, in string
		want
	}{
		{"current", current, want{StatusPass, "", current}},
		{"ends in dot", current[:len(current)-1] + ".", want{StatusPass, "", current[:len(current)-1] + "."}},
		{"ends in tilde", current[:len(current)-1] + "~", want{StatusPass, "", current[:len(current)-1] + "~"}},
		{"ends in hyphen", current[:len(current)-1] + "-", want{StatusPass, "", current[:len(current)-1] + "-"}},
		{"quoted with newline", "\"" + current + "\"\r\n", want{StatusPass, "", current}},
		{"labelled", "Value: " + current, want{StatusPass, "", current}},
		{"previous format", "abc7Q~" + strings.Repeat("k", 31), want{StatusPass, "", ""}},
		{"legacy 32", "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5:=", want{StatusPass, "", ""}},
		{"legacy base64", strings.Repeat("QUJD", 10) + "QQ==", want{StatusPass, "", ""}},
		{"legacy single star", "a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p*", want{StatusPass, "", ""}},
		{"empty", " \n", want{StatusFail, CodeEmpty, ""}},
		{"secret id", "8f4e3c2a-1b0d-4e5f-a6b7-c8d9e0f1a2b3", want{StatusFail, CodeSecretIDNotValue, ""}},
		{"secret id in braces upper", "{8F4E3C2A-1B0D-4E5F-A6B7-C8D9E0F1A2B3}", want{StatusFail, CodeSecretIDNotValue, ""}},
		{"masked stars", "Xy_**********************************", want{StatusFail, CodeMaskedValue, ""}},
		{"masked ellipsis", "Xy_8Q~abc…", want{StatusFail, CodeMaskedValue, ""}},
		{"masked dots", "Xy_8Q~abc...", want{StatusFail, CodeMaskedValue, ""}},
		{"too short", "abc123", want{StatusWarn, CodeUnusualFormat, ""}},
		{"space inside", "abc8Q~aaaaaaaaa aaaaaaaaaaaaaaaaaaaaaaaaaa", want{StatusWarn, CodeUnusualFormat, ""}},
		{"odd chars", "abcdefghijklmnopqrstuvwxyz!!#%^&", want{StatusWarn, CodeUnusualFormat, ""}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := CheckSecret(c.in)
			assertResult(t, r, c.want)
			for _, ch := range r.Checks {
				if len(r.Value) >= 6 && (strings.Contains(ch.Message, r.Value) || strings.Contains(ch.Fix, r.Value)) {
					t.Fatalf("the secret leaked into a message: %+v", ch)
				}
			}
		})
	}
}

func TestSecretHint(t *testing.T) {
	if got := SecretHint("Xy_8Q~rest"); got != "Xy_" {
		t.Fatalf("hint %q", got)
	}
	if got := SecretHint("ab"); got != "" {
		t.Fatalf("hint of a 2-character value %q, want none", got)
	}
}

func TestParseDiscovery(t *testing.T) {
	v2 := "https://login.microsoftonline.com/" + tid + "/v2.0/.well-known/openid-configuration"
	cases := []struct {
		name, in, authority string
		want
		tenant string
		host   string
	}{
		{"v2 url", v2, "", want{StatusPass, "", v2}, tid, "login.microsoftonline.com"},
		{"labelled, quoted, nbsp, trailing period", "OpenID Connect metadata document\u00a0\"" + v2 + "\".", "", want{StatusPass, "", v2}, tid, ""},
		{"angle brackets and zero width", "<\u200b" + v2 + ">", "", want{StatusPass, "", v2}, tid, ""},
		{"no scheme", strings.TrimPrefix(v2, "https://"), "", want{StatusPass, "", v2}, tid, ""},
		{"http scheme", "http://" + strings.TrimPrefix(v2, "https://"), "", want{StatusPass, "", v2}, tid, ""},
		{"upper-case guid", strings.Replace(v2, tid, strings.ToUpper(tid), 1), "", want{StatusPass, "", v2}, tid, ""},
		{"v1 url", "https://login.microsoftonline.com/" + tid + "/.well-known/openid-configuration", "", want{StatusWarn, CodeV1Endpoint, v2}, tid, ""},
		{"token endpoint", "https://login.microsoftonline.com/" + tid + "/oauth2/v2.0/token", "", want{StatusPass, "", v2}, tid, ""},
		{"v1 authorize", "https://login.microsoftonline.com/" + tid + "/oauth2/authorize", "", want{StatusPass, "", v2}, tid, ""},
		{"logout", "https://login.microsoftonline.com/" + tid + "/oauth2/v2.0/logout", "", want{StatusPass, "", v2}, tid, ""},
		{"federation metadata", "https://login.microsoftonline.com/" + tid + "/federationmetadata/2007-06/federationmetadata.xml", "", want{StatusPass, "", v2}, tid, ""},
		{"wsfed", "https://login.microsoftonline.com/" + tid + "/wsfed", "", want{StatusPass, "", v2}, tid, ""},
		{"bare guid", tid, "", want{StatusPass, "", v2}, tid, ""},
		{"guid in braces", "{" + tid + "}", "", want{StatusPass, "", v2}, tid, ""},
		{"bare domain", "Contoso.onmicrosoft.com", "", want{StatusPass, "", "https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration"}, "contoso.onmicrosoft.com", ""},
		{"alias login.windows.net", "https://login.windows.net/" + tid + "/v2.0/.well-known/openid-configuration", "", want{StatusPass, "", v2}, tid, "login.microsoftonline.com"},
		{"alias sts.windows.net issuer", "https://sts.windows.net/" + tid + "/", "", want{StatusPass, "", v2}, tid, "login.microsoftonline.com"},
		{"us gov alias", "https://login.usgovcloudapi.net/" + tid + "/v2.0", "", want{StatusPass, "", ""}, tid, "login.microsoftonline.us"},
		{"authority host for bare guid", tid, "127.0.0.1:8443", want{StatusPass, "", "https://127.0.0.1:8443/" + tid + "/v2.0/.well-known/openid-configuration"}, tid, "127.0.0.1:8443"},
		{"url host wins over authority", v2, "127.0.0.1:8443", want{StatusPass, "", v2}, tid, "login.microsoftonline.com"},
		{"authority host in url", "https://127.0.0.1:8443/" + tid + "/v2.0", "127.0.0.1:8443", want{StatusPass, "", ""}, tid, "127.0.0.1:8443"},
		{"single label tenant goes live", "contoso", "", want{StatusPass, "", ""}, "contoso", ""},
		{"common", "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration", "", want{StatusFail, CodeMultiTenantEndpoint, ""}, "", ""},
		{"organizations", "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize", "", want{StatusFail, CodeMultiTenantEndpoint, ""}, "", ""},
		{"consumers word", "consumers", "", want{StatusFail, CodeMultiTenantEndpoint, ""}, "", ""},
		{"consumers guid", ConsumersTenantID, "", want{StatusFail, CodeMultiTenantEndpoint, ""}, "", ""},
		{"tenant cut off", "https://login.microsoftonline.com/oauth2/v2.0/authorize", "", want{StatusFail, CodeMalformedTenant, ""}, "", ""},
		{"tenant with odd characters", "https://login.microsoftonline.com/con_toso!/v2.0", "", want{StatusFail, CodeMalformedTenant, ""}, "", ""},
		{"graph endpoint", "https://graph.microsoft.com", "", want{StatusFail, CodeUnparseable, ""}, "", ""},
		{"host only", "login.microsoftonline.com", "", want{StatusFail, CodeUnparseable, ""}, "", ""},
		{"host without tenant", "https://login.microsoftonline.com/", "", want{StatusFail, CodeUnparseable, ""}, "", ""},
		{"empty", "\u200b \n", "", want{StatusFail, CodeUnparseable, ""}, "", ""},
		{"prose", "see the endpoints panel", "", want{StatusFail, CodeUnparseable, ""}, "", ""},
		{"other scheme", "ftp://login.microsoftonline.com/" + tid, "", want{StatusFail, CodeUnparseable, ""}, "", ""},
		{"generic provider", "https://accounts.example.org/.well-known/openid-configuration", "", want{StatusWarn, CodeNotEntraHost, "https://accounts.example.org/.well-known/openid-configuration"}, "", "accounts.example.org"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, r := ParseDiscovery(c.in, c.authority)
			assertResult(t, r, c.want)
			if c.tenant != "" && d.Tenant != c.tenant {
				t.Fatalf("tenant %q, want %q", d.Tenant, c.tenant)
			}
			if c.host != "" && d.Host != c.host {
				t.Fatalf("host %q, want %q", d.Host, c.host)
			}
			if r.OK() && d.Entra && d.Issuer != V2Issuer(d.Host, d.Tenant) {
				t.Fatalf("issuer %q", d.Issuer)
			}
		})
	}
}

func TestCleanSaysWhatItRemoved(t *testing.T) {
	c := Clean("  \u201c\u200bValue:\u00a0abc8Q~xyz.\u201d\n", FieldClientSecret)
	if c.Value != "abc8Q~xyz." {
		t.Fatalf("value %q", c.Value)
	}
	for _, w := range []string{"invisible characters", "non-breaking spaces", "line breaks", "surrounding whitespace", "quotes", `the label "Value"`} {
		if !strings.Contains(c.Said(), w) {
			t.Errorf("cleaned %q does not mention %q", c.Said(), w)
		}
	}
	if strings.Contains(c.Said(), "punctuation") {
		t.Errorf("a secret's trailing punctuation must never be removed: %q", c.Said())
	}
	d := Clean("https://x.example.com/a).", FieldDiscoveryURL)
	if d.Value != "https://x.example.com/a" || !strings.Contains(d.Said(), `trailing punctuation ").`) {
		t.Fatalf("got %q / %q", d.Value, d.Said())
	}
	if e := Clean(strings.Repeat("a", MaxInput+10), FieldClientID); len(e.Value) != MaxInput {
		t.Fatalf("input not bounded: %d", len(e.Value))
	}
}

func TestParseExpiry(t *testing.T) {
	now := mustDate("2026-11-26")
	for in, want := range map[string]string{"90d": "2027-02-24", "180d": "2027-05-25", "365d": "2027-11-26", "545d": "2028-05-24", "730d": "2028-11-25", "2027-01-31": "2027-01-31"} {
		got, err := ParseExpiry(in, now)
		if err != nil || got.Format("2006-01-02") != want {
			t.Errorf("%s: got %v %v, want %s", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "100d", "1y", "2026-11-26", "2025-01-01", "2029-01-01", "26/11/2027"} {
		if _, err := ParseExpiry(bad, now); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
