package oidccheck

import (
	"encoding/json"
	"fmt"
	"strings"
)

// EntraError is the JSON error body Entra sends from its discovery, token
// and authorize endpoints (entra-facts.md section 6). Decisions are made on
// Codes, never on the description's wording.
type EntraError struct {
	Error         string `json:"error"`
	Description   string `json:"error_description"`
	Codes         []int  `json:"error_codes"`
	Timestamp     string `json:"timestamp"`
	TraceID       string `json:"trace_id"`
	CorrelationID string `json:"correlation_id"`
	ErrorURI      string `json:"error_uri"`
}

// ParseEntraError reads an Entra error body; ok is false when body is not one.
func ParseEntraError(body []byte) (EntraError, bool) {
	var e EntraError
	if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
		return EntraError{}, false
	}
	return e, true
}

// Code returns the first AADSTS code, or 0.
func (e EntraError) Code() int {
	if len(e.Codes) == 0 {
		return 0
	}
	return e.Codes[0]
}

// Summary is the description without the trace lines Entra appends to it.
func (e EntraError) Summary() string {
	d := e.Description
	for _, cut := range []string{"\r\n", "\n", " Trace ID:"} {
		if i := strings.Index(d, cut); i >= 0 {
			d = d[:i]
		}
	}
	return strings.TrimSpace(d)
}

// aadsts describes the AADSTS codes that have a problem code of their own.
type aadsts struct {
	field   Field
	code    Code
	message string
	fix     string
}

var knownAADSTS = map[int]aadsts{
	7000215: {FieldClientSecret, CodeInvalidSecret,
		"Entra rejected the client secret",
		"paste the Value column of a client secret of this app, not its Secret ID; a secret made a minute ago may still be on its way through Entra"},
	7000222: {FieldClientSecret, CodeExpiredSecret,
		"this client secret has expired",
		"add a new client secret under the app's Certificates & secrets and paste its Value"},
	700016: {FieldClientID, CodeAppNotFound,
		"Entra has no application with this client ID in this tenant",
		"copy \"Application (client) ID\" from the app's Overview (not the Object ID), and check that the metadata URL is of the same tenant"},
	90002: {FieldDiscoveryURL, CodeTenantNotFound,
		"Entra does not know this tenant",
		"copy the metadata URL again from the app's Overview > Endpoints; check the cloud (global, US Government, China) too"},
	900023: {FieldDiscoveryURL, CodeMalformedTenant,
		"the tenant part of the URL is neither a tenant ID nor a domain Entra knows",
		"copy \"OpenID Connect metadata document\" from the app's Overview > Endpoints"},
	// AADSTS7000229 has no code of its own: the app exists but has no
	// service principal (enterprise application) in the tenant.
	7000229: {FieldClientID, CodeEntraError, "", "open the app once in the Entra portal or create its enterprise application (service principal)"},
	7000218: {FieldClientSecret, CodeEntraError, "", "paste the client secret's Value"},
}

// entraCheck turns an Entra error body into the failed check of the field
// it concerns. running is the field whose check was running, used for codes
// without an entry; host builds the error-page link.
func entraCheck(e EntraError, running Field, host string) Check {
	n := e.Code()
	c := Check{Field: running, Status: StatusFail, Code: CodeEntraError, TraceID: e.TraceID, CorrelationID: e.CorrelationID}
	if k, ok := knownAADSTS[n]; ok {
		c.Field, c.Code, c.Message, c.Fix = k.field, k.code, k.message, k.fix
	}
	if c.Message == "" {
		c.Message = e.Summary()
		if c.Message == "" {
			c.Message = "Entra answered " + e.Error
		}
	}
	if n != 0 && !strings.Contains(c.Message, fmt.Sprintf("AADSTS%d", n)) {
		c.Message += fmt.Sprintf(" (AADSTS%d)", n)
	}
	if c.Code == CodeEntraError && n != 0 {
		link := fmt.Sprintf("https://%s/error?code=%d", host, n)
		if c.Fix == "" {
			c.Fix = "see " + link
		} else {
			c.Fix += "; see " + link
		}
	}
	return c
}
