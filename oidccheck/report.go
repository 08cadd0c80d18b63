// Package oidccheck turns what an admin pastes from the Entra portal and from
// Syncro into checked, normalized values, and proves them live against Entra:
// the discovery document, its signing keys and the client secret at the token
// endpoint. It knows nothing about terminals; the wizard and the commands
// render its results.
package oidccheck

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// Status is the outcome of one check.
type Status string

// The four outcomes of a check. Only StatusFail stops a save.
const (
	StatusPass Status = "pass"
	StatusWarn Status = "warn"
	StatusFail Status = "fail"
	StatusSkip Status = "skip"
)

// Field names the value a check concerns, as the report spells it.
type Field string

// The fields of a report.
const (
	FieldRedirectURI  Field = "redirect_uri"
	FieldClientID     Field = "client_id"
	FieldClientSecret Field = "client_secret"
	FieldDiscoveryURL Field = "discovery_url"
	FieldSecretStore  Field = "secret_store"
	FieldLogin        Field = "login"
)

// Label is how the field is named to a person (the Syncro and portal wording).
func (f Field) Label() string {
	switch f {
	case FieldRedirectURI:
		return "Redirect URI"
	case FieldClientID:
		return "Application (client) ID"
	case FieldClientSecret:
		return "Client secret"
	case FieldDiscoveryURL:
		return "OpenID Connect metadata document"
	case FieldSecretStore:
		return "Secret store"
	case FieldLogin:
		return "Test sign-in"
	}
	return string(f)
}

// Code is a stable problem code. Codes are part of the public contract
// (README "Problem codes"): never rename one.
type Code string

// Problem codes, by field.
const (
	// redirect_uri
	CodeInvalidURL   Code = "invalid_url"
	CodeNotHTTPS     Code = "not_https"
	CodeHasFragment  Code = "has_fragment"
	CodeHasWildcard  Code = "has_wildcard"
	CodeBadCharacter Code = "bad_character"
	CodeTooLong      Code = "too_long"

	// client_id
	CodeNotGUID     Code = "not_guid"
	CodeIsTenantID  Code = "is_tenant_id"
	CodeAppNotFound Code = "app_not_found"
	CodeEntraError  Code = "entra_error"

	// client_secret
	CodeEmpty            Code = "empty"
	CodeSecretIDNotValue Code = "secret_id_not_value"
	CodeMaskedValue      Code = "masked_value"
	CodeUnusualFormat    Code = "unusual_format"
	CodeInvalidSecret    Code = "invalid_secret"
	CodeExpiredSecret    Code = "expired_secret"

	// discovery_url (and transport faults on any field)
	CodeUnparseable          Code = "unparseable"
	CodeMultiTenantEndpoint  Code = "multi_tenant_endpoint"
	CodeTenantNotFound       Code = "tenant_not_found"
	CodeMalformedTenant      Code = "malformed_tenant"
	CodeNotDiscoveryDocument Code = "not_discovery_document"
	CodeIssuerMismatch       Code = "issuer_mismatch"
	CodeUnreachable          Code = "unreachable"
	CodeTimeout              Code = "timeout"
	CodeTLSError             Code = "tls_error"
	CodeTooLarge             Code = "too_large"
	CodeNotEntraHost         Code = "not_entra_host"
	CodeV1Endpoint           Code = "v1_endpoint"

	// secret_store
	CodeKeyringUnavailable Code = "keyring_unavailable"
	CodeKeyringTimeout     Code = "keyring_timeout"
	CodeTooBig             Code = "too_big"
	CodeSecretMissing      Code = "secret_missing"

	// login
	CodeRedirectURINotRegistered Code = "redirect_uri_not_registered"
	CodeSignInTimeout            Code = "sign_in_timeout"
	CodeAccessDenied             Code = "access_denied"
	CodeUserNotAssigned          Code = "user_not_assigned"
	CodeConsentRequired          Code = "consent_required"
	CodeBlockedByPolicy          Code = "blocked_by_policy"
	CodeCodeExchangeFailed       Code = "code_exchange_failed"
	CodeIDTokenInvalid           Code = "id_token_invalid"
	CodeTenantMismatch           Code = "tenant_mismatch"
	CodeNoEmailClaim             Code = "no_email_claim"
	CodeGuestUser                Code = "guest_user"
)

// Check is one line of a report: what was checked, how it went, and for a
// warning or failure the problem code, the reason and what to do about it.
type Check struct {
	Field         Field  `json:"field"`
	Status        Status `json:"status"`
	Code          Code   `json:"code,omitempty"`
	Message       string `json:"message"`
	Fix           string `json:"fix,omitempty"`
	Cleaned       string `json:"cleaned,omitempty"`
	TraceID       string `json:"trace_id,omitempty"`
	CorrelationID string `json:"correlation_id,omitempty"`
}

// Err returns the check as a *ProblemError when it failed, and nil otherwise.
func (c Check) Err() error {
	if c.Status != StatusFail {
		return nil
	}
	return &ProblemError{Check: c}
}

// ProblemError is a failed check used as an error, for huh validators and
// for callers that want errors.As.
type ProblemError struct {
	Check Check
}

// Error is the message and fix in one line. A validator's error is shown
// on the terminal, so both pass through SafeText.
func (e *ProblemError) Error() string {
	if e.Check.Fix == "" {
		return SafeText(e.Check.Message)
	}
	return SafeText(e.Check.Message) + ": " + SafeText(e.Check.Fix)
}

// Values holds the normalized form of what was checked. It never holds the
// secret: only its first three characters, as Entra's own hint does.
type Values struct {
	RedirectURI   string `json:"redirect_uri,omitempty"`
	ClientID      string `json:"client_id,omitempty"`
	TenantID      string `json:"tenant_id,omitempty"`
	Issuer        string `json:"issuer,omitempty"`
	DiscoveryURL  string `json:"discovery_url,omitempty"`
	SecretHint    string `json:"secret_hint,omitempty"`
	SecretExpires string `json:"secret_expires,omitempty"`
}

// Report is the one shape that check, setup --non-interactive and verify
// print. Checks and Values are never null in JSON.
type Report struct {
	OK      bool    `json:"ok"`
	Profile string  `json:"profile"`
	Checks  []Check `json:"checks"`
	Values  Values  `json:"values"`
}

// Add appends checks and recomputes OK. Every check is kept as Check.Safe
// returns it: this is where text from outside enters a report, so no
// control character gets past it to a terminal, a log or --json.
func (r *Report) Add(cs ...Check) {
	for _, c := range cs {
		r.Checks = append(r.Checks, c.Safe())
	}
	r.OK = !r.Failed()
}

// Failed reports whether any check failed.
func (r *Report) Failed() bool {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return true
		}
	}
	return false
}

// FirstFailure returns the first failed check, if any.
func (r *Report) FirstFailure() (Check, bool) {
	for _, c := range r.Checks {
		if c.Status == StatusFail {
			return c, true
		}
	}
	return Check{}, false
}

// For returns the checks that concern one field, in order.
func (r *Report) For(f Field) []Check {
	var out []Check
	for _, c := range r.Checks {
		if c.Field == f {
			out = append(out, c)
		}
	}
	return out
}

// ExitCode is the process exit code for the report: 0 when no check failed,
// 1 when one did, 3 when the failure is the secret store being unusable.
func (r *Report) ExitCode() int {
	code := 0
	for _, c := range r.Checks {
		if c.Status != StatusFail {
			continue
		}
		switch c.Code {
		case CodeKeyringUnavailable, CodeKeyringTimeout, CodeTooBig:
			return 3
		}
		code = 1
	}
	return code
}

// MarshalJSON keeps checks as [] rather than null. The document is valid
// JSON whatever the strings hold (invalid UTF-8 included), and the
// characters encoding/json would leave raw but a terminal may act on (DEL,
// C1 and bidi controls) are written as \u escapes.
func (r Report) MarshalJSON() ([]byte, error) {
	type plain Report
	p := plain(r)
	p.OK = !r.Failed()
	if p.Checks == nil {
		p.Checks = []Check{}
	}
	// Fixes quote portal labels such as "Overview > Endpoints": keep them
	// readable instead of HTML-escaped.
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return escapeJSONControls(bytes.TrimRight(b.Bytes(), "\n")), nil
}

// WriteJSON writes the report as one indented JSON document.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

var statusMarks = map[Status]string{StatusPass: "ok  ", StatusWarn: "warn", StatusFail: "FAIL", StatusSkip: "skip"}

// WriteText writes the report for people: one block per check, then the
// values and a one-line verdict. It uses no colour, so it reads the same in a
// terminal, a cron mail and a log file. Every string from outside is shown
// through SafeText, the values included, even for checks put into Checks
// without Add.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, c := range r.Checks {
		c = c.Safe()
		fmt.Fprintf(&b, "%s  %-14s %s", statusMarks[c.Status], c.Field, c.Message)
		if c.Code != "" {
			fmt.Fprintf(&b, " [%s]", c.Code)
		}
		b.WriteByte('\n')
		if c.Cleaned != "" {
			fmt.Fprintf(&b, "      %-14s from the paste: %s\n", "", c.Cleaned)
		}
		if c.Fix != "" {
			fmt.Fprintf(&b, "      %-14s fix: %s\n", "", c.Fix)
		}
		if c.TraceID != "" || c.CorrelationID != "" {
			fmt.Fprintf(&b, "      %-14s Entra trace ID %s, correlation ID %s\n", "", orDash(c.TraceID), orDash(c.CorrelationID))
		}
	}
	v := r.Values
	rows := [][2]string{
		{"Redirect URI", v.RedirectURI}, {"Client ID", v.ClientID}, {"Tenant ID", v.TenantID},
		{"Issuer", v.Issuer}, {"Discovery URL", v.DiscoveryURL}, {"Secret hint", hintText(v.SecretHint)},
		{"Secret expires", v.SecretExpires},
	}
	printed := false
	for _, row := range rows {
		if row[1] == "" {
			continue
		}
		if !printed {
			b.WriteString("\nValues\n")
			printed = true
		}
		fmt.Fprintf(&b, "  %-15s %s\n", row[0], SafeText(row[1]))
	}
	b.WriteByte('\n')
	if r.Failed() {
		n := 0
		for _, c := range r.Checks {
			if c.Status == StatusFail {
				n++
			}
		}
		fmt.Fprintf(&b, "Not ready: %d check(s) failed.\n", n)
	} else {
		b.WriteString("Ready: no check failed.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func hintText(h string) string {
	if h == "" {
		return ""
	}
	return h + "… (first three characters)"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
