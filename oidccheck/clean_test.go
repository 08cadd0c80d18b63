package oidccheck

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// checkField runs the offline check of one field, the way the wizard and
// the commands do.
func checkField(f Field, in string) Result {
	switch f {
	case FieldRedirectURI:
		return CheckRedirectURI(in)
	case FieldClientID:
		return CheckClientID(in, "")
	case FieldClientSecret:
		return CheckSecret(in)
	case FieldDiscoveryURL:
		_, r := ParseDiscovery(in, "")
		return r
	}
	panic("no check for " + string(f))
}

// assertPassCleaned asserts that every check of r passed, that r reports
// value, and that each check says exactly cleaned.
func assertPassCleaned(t *testing.T, r Result, value, cleaned string) {
	t.Helper()
	if len(r.Checks) == 0 {
		t.Fatal("no check returned")
	}
	for _, c := range r.Checks {
		if c.Status != StatusPass {
			t.Fatalf("%s/%s: %s (%s); cleaned %q", c.Status, c.Code, c.Message, c.Fix, c.Cleaned)
		}
		if c.Cleaned != cleaned {
			t.Fatalf("cleaned\n  %q\nwant\n  %q", c.Cleaned, cleaned)
		}
	}
	if r.Value != value {
		t.Fatalf("value %q, want %q", r.Value, value)
	}
}

// A secret in the current format (entra-facts.md section 1) whose last
// character can be set.
func secretEndingIn(last string) string {
	s := "Xy_8Q~" + "a.b-c~d_e" + strings.Repeat("Z", 24) + last
	if !secretCurrent().MatchString(s) {
		panic("not a current-format secret: " + s)
	}
	return s
}

const upperGUIDNote = "upper-case letters (GUIDs are reported in lower case)"

// TestCleanNestedWrappers pastes valid values inside wrappers nested and
// ordered in ways a single pass of cleaning cannot undo: punctuation outside
// quotes, brackets inside quotes, labels inside brackets, more layers than
// any fixed number of rounds.
func TestCleanNestedWrappers(t *testing.T) {
	uri := syncroURI
	upperCID := strings.ToUpper(cid)
	sec := secretEndingIn("Z")
	v2 := CanonicalDiscoveryURL(DefaultAuthorityHost, tid)
	contoso := CanonicalDiscoveryURL(DefaultAuthorityHost, "contoso.onmicrosoft.com")
	cases := []struct {
		name    string
		field   Field
		in      string
		value   string
		cleaned string
	}{
		{"uri: angle brackets in quotes, a period outside", FieldRedirectURI, `"<` + uri + `>".`, uri,
			`trailing punctuation ".", quotes, angle brackets`},
		{"uri: angle brackets in parentheses", FieldRedirectURI, "(<" + uri + ">)", uri,
			"parentheses, angle brackets"},
		{"uri: label, then quotes in square brackets, then a semicolon", FieldRedirectURI, "Redirect URI: ['" + uri + "'];", uri,
			`the label "Redirect URI", trailing punctuation ";", square brackets, quotes`},
		{"uri: French quotes with spaces around angle brackets", FieldRedirectURI, "« <" + uri + "> »", uri,
			"quotes, surrounding whitespace, angle brackets"},
		{"uri: five layers of quotes, said once", FieldRedirectURI, "«\"'`“" + uri + "”`'\"»", uri,
			"quotes"},
		{"client id: the issue's example", FieldClientID, "<'{" + upperCID + "}'>;", cid,
			`trailing punctuation ";", angle brackets, quotes, braces around the GUID, ` + upperGUIDNote},
		{"client id: label outside quotes and a period", FieldClientID, `Application (client) ID: "{` + cid + `}".`, cid,
			`the label "Application (client) ID", trailing punctuation ".", quotes, braces around the GUID`},
		{"client id: quotes in parentheses", FieldClientID, `("` + cid + `")`, cid,
			"parentheses, quotes"},
		{"client id: label inside square brackets", FieldClientID, "[ Client ID:\u00a0<" + upperCID + "> ]", cid,
			`non-breaking spaces, square brackets, surrounding whitespace, the label "Client ID", angle brackets, ` + upperGUIDNote},
		{"client id: punctuation at two depths", FieldClientID, `"` + cid + `;".`, cid,
			`trailing punctuation ";" and ".", quotes`},
		{"secret: quotes in parentheses", FieldClientSecret, `("` + sec + `")`, sec,
			"parentheses, quotes"},
		{"secret: label outside square brackets around curly quotes", FieldClientSecret, "Client secret value: [“" + sec + "”]", sec,
			`the label "Client secret value", square brackets, quotes`},
		{"secret: byte-order mark, line break, three parentheses", FieldClientSecret, "\ufeff(((" + sec + ")))\r\n", sec,
			"invisible characters, line breaks, surrounding whitespace, parentheses"},
		{"secret: label inside angle brackets inside quotes", FieldClientSecret, `'<Value: ` + sec + `>'`, sec,
			`quotes, angle brackets, the label "Value"`},
		{"discovery: the issue's example", FieldDiscoveryURL, `"<` + contoso + `>".`, contoso,
			`trailing punctuation ".", quotes, angle brackets`},
		{"discovery: label outside parentheses around quotes", FieldDiscoveryURL, `OpenID Connect metadata document: ("` + v2 + `")`, v2,
			`the label "OpenID Connect metadata document", parentheses, quotes`},
		{"discovery: tenant GUID in braces in quotes in square brackets", FieldDiscoveryURL, "['{" + strings.ToUpper(tid) + "}'];", v2,
			`trailing punctuation ";", square brackets, quotes, braces around the GUID, ` + upperGUIDNote},
		{"discovery: domain in parentheses in quotes", FieldDiscoveryURL, "(“contoso.onmicrosoft.com”)!", contoso,
			`trailing punctuation "!", parentheses, quotes`},
		{"discovery: two labels and two kinds of bracket", FieldDiscoveryURL, "Discovery URL: <OpenID Connect metadata document: (" + v2 + ")>.", v2,
			`the labels "Discovery URL" and "OpenID Connect metadata document", trailing punctuation ".", angle brackets, parentheses`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			assertPassCleaned(t, checkField(c.field, c.in), c.value, c.cleaned)
		})
	}
}

// TestSecretKeepsItsLastCharacter: a secret may end in '.', '-' or '~', and
// whatever encloses it, its last character stays.
func TestSecretKeepsItsLastCharacter(t *testing.T) {
	wrappers := []struct{ name, open, close, cleaned string }{
		{"straight quotes", `"`, `"`, "quotes"},
		{"single quotes", `'`, `'`, "quotes"},
		{"backticks", "`", "`", "quotes"},
		{"curly quotes", "“", "”", "quotes"},
		{"French quotes", "« ", " »", "quotes, surrounding whitespace"},
		{"quotes in parentheses", `("`, `")`, "parentheses, quotes"},
		{"quotes in square brackets", `['`, `']`, "square brackets, quotes"},
		{"curly quotes in parentheses in angle brackets", "<(“", "”)>", "angle brackets, parentheses, quotes"},
		{"five quotes deep", "\"'`«“", "”»`'\"", "quotes"},
		{"quoted label in brackets", `["Value: `, `"]`, `square brackets, quotes, the label "Value"`},
	}
	for _, last := range []string{".", "-", "~"} {
		sec := secretEndingIn(last)
		for _, w := range wrappers {
			t.Run(fmt.Sprintf("%s ending in %s", w.name, last), func(t *testing.T) {
				r := CheckSecret(w.open + sec + w.close)
				assertPassCleaned(t, r, sec, w.cleaned)
				if !strings.HasSuffix(r.Value, last) {
					t.Fatalf("the secret lost its last character %q: %q", last, r.Value)
				}
			})
		}
	}
	// Punctuation after the closing quote is not part of what encloses the
	// secret, and nothing is cut from a secret's end: the paste is kept
	// whole and the check names what is wrong with it.
	t.Run("a period after the closing quote is kept", func(t *testing.T) {
		in := `"` + secretEndingIn("~") + `".`
		r := CheckSecret(in)
		if r.Value != in || r.OK() == false || r.Checks[0].Status != StatusWarn || r.Checks[0].Code != CodeUnusualFormat {
			t.Fatalf("got %q %+v", r.Value, r.Checks)
		}
		if !strings.Contains(r.Checks[0].Message, "quote") {
			t.Fatalf("the warning does not name the quote: %+v", r.Checks[0])
		}
	})
}

// layer is one wrapper the property test may put around a value.
type layer struct {
	name        string
	wrap        func(s string, rng *rand.Rand) string
	notOnSecret bool // trailing punctuation is never taken off a secret
}

var quoteRunes = []string{`"`, `'`, "`", "“", "”", "‘", "’", "«", "»", "‹", "›", "„", "‚"}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

var labelsFor = map[Field][]string{
	FieldRedirectURI:  {"Redirect URI: ", "Redirect (callback) URL:\u00a0", "Callback URL "},
	FieldClientID:     {"Application (client) ID: ", "Client ID:\n", "application id = "},
	FieldClientSecret: {"Value: ", "Client secret value: ", "Secret value:\t"},
	FieldDiscoveryURL: {"OpenID Connect metadata document: ", "Discovery URL:\u00a0", "Metadata document "},
}

func layers(f Field) []layer {
	return []layer{
		{name: "quotes", wrap: func(s string, rng *rand.Rand) string { return pick(rng, quoteRunes) + s + pick(rng, quoteRunes) }},
		{name: "angle brackets", wrap: func(s string, _ *rand.Rand) string { return "<" + s + ">" }},
		{name: "parentheses", wrap: func(s string, _ *rand.Rand) string { return "(" + s + ")" }},
		{name: "square brackets", wrap: func(s string, _ *rand.Rand) string { return "[" + s + "]" }},
		{name: "whitespace", wrap: func(s string, rng *rand.Rand) string {
			return pick(rng, []string{" ", "\n", "\r\n", "\t", "\u00a0", "\u3000"}) + s + pick(rng, []string{" ", "\n", "\r\n", "\t", "\u00a0", "\u2028"})
		}},
		{name: "invisible", wrap: func(s string, rng *rand.Rand) string {
			inv := []string{"\u200b", "\ufeff", "\u200e", "\u2066", "\u00ad", ""}
			return pick(rng, inv) + s + pick(rng, inv)
		}},
		{name: "label", wrap: func(s string, rng *rand.Rand) string { return pick(rng, labelsFor[f]) + s }},
		{name: "punctuation", notOnSecret: true, wrap: func(s string, rng *rand.Rand) string {
			return s + pick(rng, []string{".", ",", ";", ":", "!", "?", "!?", ".,"})
		}},
	}
}

// TestCleanIsIdempotent: for random stacks of wrappers around valid values,
// Clean gets the value back and cleaning its output changes nothing and
// says nothing; the field's check passes with the value it would give for
// the bare value, and every kind of change is said once.
func TestCleanIsIdempotent(t *testing.T) {
	cores := map[Field][]string{
		FieldRedirectURI:  {syncroURI, "http://localhost/entrasso/callback", "https://acme.example.com/"},
		FieldClientID:     {cid, strings.ToUpper(cid), "{" + cid + "}", "{" + strings.ToUpper(cid) + "}"},
		FieldClientSecret: {secretEndingIn("."), secretEndingIn("-"), secretEndingIn("~"), "abc7Q~" + strings.Repeat("k", 31)},
		FieldDiscoveryURL: {
			CanonicalDiscoveryURL(DefaultAuthorityHost, tid), tid, "{" + strings.ToUpper(tid) + "}", "contoso.onmicrosoft.com",
			"https://login.microsoftonline.com/" + tid + "/oauth2/v2.0/token",
		},
	}
	fields := []Field{FieldRedirectURI, FieldClientID, FieldClientSecret, FieldDiscoveryURL}
	rng := rand.New(rand.NewPCG(20260526, 1))
	const rounds = 20000
	for i := 0; i < rounds; i++ {
		f := fields[i%len(fields)]
		core := pick(rng, cores[f])
		ls := layers(f)
		in, used := core, []string{}
		for n := rng.IntN(9); n > 0; n-- {
			l := pick(rng, ls)
			if l.notOnSecret && f == FieldClientSecret {
				continue
			}
			in = l.wrap(in, rng)
			used = append(used, l.name)
		}
		c := Clean(in, f)
		if c.Value != core {
			t.Fatalf("%s %q (layers %v): cleaned to %q, want %q (said %q)", f, in, used, c.Value, core, c.Said())
		}
		again := Clean(c.Value, f)
		if again.Value != c.Value || again.Said() != "" {
			t.Fatalf("%s %q: cleaning %q again gave %q and said %q", f, in, c.Value, again.Value, again.Said())
		}
		seen := map[string]bool{}
		for _, r := range c.Removed {
			kind := strings.Fields(r)[0]
			if r == "" || seen[kind] {
				t.Fatalf("%s %q: %q says a kind twice", f, in, c.Said())
			}
			seen[kind] = true
		}
		bare, wrapped := checkField(f, core), checkField(f, in)
		if !bare.OK() || !wrapped.OK() || wrapped.Value != bare.Value {
			t.Fatalf("%s %q: value %q (%+v), want %q as for the bare value", f, in, wrapped.Value, wrapped.Checks, bare.Value)
		}
	}
}

// TestCleanDeepNesting: cleaning goes on as deep as the paste goes, up to
// MaxInput, and says each kind once however many layers it took off.
func TestCleanDeepNesting(t *testing.T) {
	half := MaxInput / 2
	cases := []struct {
		name, in, value, said string
	}{
		{"parentheses", strings.Repeat("(", half) + strings.Repeat(")", half), "", "parentheses"},
		{"quotes", strings.Repeat(`"`, MaxInput), "", "quotes"},
		{"quotes and periods", strings.Repeat(`"`, half/2) + cid + strings.Repeat(`".`, half/2), cid, `trailing punctuation ".", quotes`},
		{"a hundred mixed layers", strings.Repeat(`<("`, 100) + cid + strings.Repeat(`")>`, 100), cid, "angle brackets, parentheses, quotes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Clean(c.in, FieldClientID)
			if got.Value != c.value {
				t.Fatalf("value %.40q, want %q", got.Value, c.value)
			}
			if got.Said() != c.said {
				t.Fatalf("said %q, want %q", got.Said(), c.said)
			}
		})
	}
}

// TestNormalisationIsSaid: whatever a check changes in a value besides
// taking junk off (letter case, braces, the scheme, the host, the parts of
// a URL it does not use), it says.
func TestNormalisationIsSaid(t *testing.T) {
	v2 := CanonicalDiscoveryURL(DefaultAuthorityHost, tid)
	path := "/" + tid + "/v2.0/.well-known/openid-configuration"
	cases := []struct {
		name  string
		field Field
		in    string
		value string
		said  []string
	}{
		{"client id in braces", FieldClientID, "{" + cid + "}", cid, []string{"braces around the GUID"}},
		{"client id in upper case", FieldClientID, strings.ToUpper(cid), cid, []string{upperGUIDNote}},
		{"tenant GUID in braces and upper case", FieldDiscoveryURL, "{" + strings.ToUpper(tid) + "}", v2, []string{"braces around the GUID", upperGUIDNote}},
		{"tenant segment in upper case", FieldDiscoveryURL, "https://login.microsoftonline.com/" + strings.ToUpper(tid) + "/v2.0/.well-known/openid-configuration", v2, []string{upperGUIDNote}},
		{"tenant segment in braces", FieldDiscoveryURL, "https://login.microsoftonline.com/{" + tid + "}/v2.0", v2, []string{"braces around the GUID"}},
		{"http read as https", FieldDiscoveryURL, "http://login.microsoftonline.com" + path, v2, []string{"http:// read as https:// (the document is only fetched over verified TLS)"}},
		{"upper-case scheme and host", FieldDiscoveryURL, "HTTPS://LOGIN.MicrosoftOnline.com" + path, v2, []string{"upper-case letters (the scheme and domain names are reported in lower case)"}},
		{"upper-case domain", FieldDiscoveryURL, "Contoso.OnMicrosoft.com", CanonicalDiscoveryURL(DefaultAuthorityHost, "contoso.onmicrosoft.com"), []string{"upper-case letters (domain names are reported in lower case)"}},
		{"alias host", FieldDiscoveryURL, "https://login.windows.net" + path, v2, []string{"the alias login.windows.net (Entra's documents name login.microsoftonline.com instead)"}},
		{"default port", FieldDiscoveryURL, "https://login.microsoftonline.com:443" + path, v2, []string{"the port :443 (https implies it)"}},
		{"query string", FieldDiscoveryURL, "https://login.microsoftonline.com" + path + "?appid=" + cid, v2, []string{"the query string after ? (the metadata URL is used without it)"}},
		{"fragment", FieldDiscoveryURL, "https://login.microsoftonline.com" + path + "#top", v2, []string{"the fragment after # (never sent to a server)"}},
		{"token endpoint", FieldDiscoveryURL, "https://login.microsoftonline.com/" + tid + "/oauth2/v2.0/token", v2, []string{noteRestOfURL}},
		{"redirect URI without a path", FieldRedirectURI, "https://acme.example.com", "https://acme.example.com/", []string{"a / added after the host (Entra stores a URI without a path with one)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := checkField(c.field, c.in)
			assertPassCleaned(t, r, c.value, strings.Join(c.said, ", "))
		})
	}
	t.Run("the canonical values need no note", func(t *testing.T) {
		for f, in := range map[Field]string{FieldRedirectURI: syncroURI, FieldClientID: cid, FieldClientSecret: secretEndingIn("~"), FieldDiscoveryURL: v2} {
			assertPassCleaned(t, checkField(f, in), in, "")
		}
	})
}

// TestV1EndpointFixNamesTheV2URL: the v1 warning's fix is the v2 URL of the
// same host and tenant, ready to copy.
func TestV1EndpointFixNamesTheV2URL(t *testing.T) {
	cases := []struct{ name, in, host, tenant string }{
		{"global by GUID", "https://login.microsoftonline.com/" + tid + "/.well-known/openid-configuration", DefaultAuthorityHost, tid},
		{"global by domain", "https://login.microsoftonline.com/contoso.onmicrosoft.com/.well-known/openid-configuration", DefaultAuthorityHost, "contoso.onmicrosoft.com"},
		{"alias", "https://login.windows.net/" + strings.ToUpper(tid) + "/.well-known/openid-configuration", DefaultAuthorityHost, tid},
		{"US government", "https://login.microsoftonline.us/" + tid + "/.well-known/openid-configuration", "login.microsoftonline.us", tid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, r := ParseDiscovery(c.in, "")
			want := CanonicalDiscoveryURL(c.host, c.tenant)
			for _, ch := range r.Checks {
				if ch.Code == CodeV1Endpoint {
					if !strings.HasSuffix(ch.Fix, " "+want) {
						t.Fatalf("fix %q does not name %s", ch.Fix, want)
					}
					return
				}
			}
			t.Fatalf("no v1 warning: %+v", r.Checks)
		})
	}
}

// TestEnclosingLayers: a pair of brackets encloses a value only when the
// first one closes at the very end.
func TestEnclosingLayers(t *testing.T) {
	for in, want := range map[string]int{
		"(a)": 1, "((a))": 2, "((a)(b))": 1, "(a)(b)": 0, "(()": 0, "(a))": 0, "((a)": 0, "()": 1, "(())": 2,
		"(": 0, ")": 0, "": 0, "a": 0, ")(a)(": 0, "((a)b)": 1, "(((" + strings.Repeat("x", 70) + ")))": 3,
		strings.Repeat("(", 100) + strings.Repeat(")", 100): 100,
	} {
		if got := enclosingLayers(in, '(', ')'); got != want {
			t.Errorf("%q: %d layers, want %d", in, got, want)
		}
	}
}
