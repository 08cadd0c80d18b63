package oidccheck

import (
	"strconv"
	"strings"
	"testing"
)

// TestEntraCodesMapToTheirField covers the AADSTS mapping table, including
// codes no look-alike flow produces (a token request without a secret, an
// unknown code).
func TestEntraCodesMapToTheirField(t *testing.T) {
	cases := []struct {
		code    int
		running Field
		field   Field
		want    Code
	}{
		{7000215, FieldClientSecret, FieldClientSecret, CodeInvalidSecret},
		{7000222, FieldClientSecret, FieldClientSecret, CodeExpiredSecret},
		{700016, FieldClientSecret, FieldClientID, CodeAppNotFound},
		{90002, FieldClientSecret, FieldDiscoveryURL, CodeTenantNotFound},
		{900023, FieldDiscoveryURL, FieldDiscoveryURL, CodeMalformedTenant},
		{7000229, FieldClientSecret, FieldClientID, CodeEntraError},
		{7000218, FieldClientSecret, FieldClientSecret, CodeEntraError},
		{999999, FieldClientSecret, FieldClientSecret, CodeEntraError},
	}
	for _, c := range cases {
		e := EntraError{Error: "invalid_client", Description: "AADSTS" + strconv.Itoa(c.code) + ": something. Trace ID: x Correlation ID: y",
			Codes: []int{c.code}, TraceID: "t", CorrelationID: "c"}
		got := entraCheck(e, c.running, "login.microsoftonline.com")
		if got.Field != c.field || got.Code != c.want || got.TraceID != "t" || got.CorrelationID != "c" {
			t.Errorf("AADSTS%d: %+v", c.code, got)
		}
		if got.Code == CodeEntraError && !strings.Contains(got.Fix, "https://login.microsoftonline.com/error?code="+strconv.Itoa(c.code)) {
			t.Errorf("AADSTS%d: no error-page link: %q", c.code, got.Fix)
		}
		if strings.Contains(got.Message, "Trace ID") {
			t.Errorf("AADSTS%d: trace lines left in the message: %q", c.code, got.Message)
		}
	}
}

// TestSignInErrorsMapToLoginCodes covers the errors Entra sends back to the
// callback.
func TestSignInErrorsMapToLoginCodes(t *testing.T) {
	p := &Provider{TokenEndpoint: "https://login.microsoftonline.com/t/oauth2/v2.0/token"}
	for desc, want := range map[string]Code{
		"AADSTS50011: The redirect URI does not match":        CodeRedirectURINotRegistered,
		"AADSTS50105: not assigned":                           CodeUserNotAssigned,
		"AADSTS65001: consent":                                CodeConsentRequired,
		"AADSTS90094: admin consent":                          CodeConsentRequired,
		"AADSTS53003: Access has been blocked by Conditional": CodeBlockedByPolicy,
		"AADSTS65004: User declined":                          CodeAccessDenied,
	} {
		c := signInError("access_denied", desc, p)
		if c.Code != want || c.Field != FieldLogin || c.Fix == "" {
			t.Errorf("%s: %+v", desc, c)
		}
	}
	if c := signInError("consent_required", "", p); c.Code != CodeConsentRequired {
		t.Errorf("error=consent_required: %+v", c)
	}
}
