package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"entrasso/oidccheck"
)

// Sentinel errors a *Error wraps, for errors.Is.
var (
	// ErrNotFound: the application, service principal or secret is not
	// in the tenant.
	ErrNotFound = errors.New("graph: not found")
	// ErrForbidden: Graph answered 403 (a missing role or scope).
	ErrForbidden = errors.New("graph: forbidden")
	// ErrPolicyNotReadable: the tenant's app management policy could not
	// be read (no Policy.Read.All, or no reader role). The policy check is
	// then "skip", not a failure.
	ErrPolicyNotReadable = errors.New("graph: the tenant's app management policy cannot be read")
	// ErrThrottled: still 429 or 503 after the retries.
	ErrThrottled = errors.New("graph: throttled")
	// ErrAmbiguous: several applications match.
	ErrAmbiguous = errors.New("graph: several applications match")
	// ErrHostRefused: the bearer token would have gone to a host that is
	// not the Graph host over https; nothing was sent.
	ErrHostRefused = errors.New("graph: refused to send the token to another host")
	// ErrTokenInvalid: Graph refused the access token, or it could not be
	// renewed.
	ErrTokenInvalid = errors.New("graph: the access token is not accepted")
)

// Error is a failed Graph call (or a refused or failed request): Graph's
// status, code, message and request IDs, and entrasso's problem code with
// what to do. Its text never holds a token or a secret: only Graph's own
// message, escaped and cut, and words of entrasso's.
type Error struct {
	// Op says what entrasso was doing ("add a client secret").
	Op string
	// Status is the HTTP status; 0 when no answer came (transport).
	Status int
	// Code is Graph's error code (Authorization_RequestDenied, ...).
	Code string
	// Message is Graph's message, or the transport fault in words.
	Message string
	// RequestID, ClientRequestID and Date are from Graph's innerError
	// (or the request-id header): what Microsoft support asks for.
	RequestID       string
	ClientRequestID string
	Date            string
	// Problem is the stable problem code (field graph).
	Problem oidccheck.Code
	// Fix says what to do, in words.
	Fix string
	// RetryAfter is the wait Graph last asked for (throttled answers).
	RetryAfter time.Duration

	wrapped error
}

// Error is one line: what failed, why, Graph's code and request ID.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("graph: ")
	if e.Op != "" {
		b.WriteString(e.Op + ": ")
	}
	b.WriteString(oidccheck.SafeText(e.Message))
	if e.Code != "" {
		b.WriteString(" (" + oidccheck.SafeText(e.Code))
		if e.Status != 0 {
			fmt.Fprintf(&b, ", HTTP %d", e.Status)
		}
		b.WriteString(")")
	}
	if e.RequestID != "" {
		b.WriteString("; request ID " + oidccheck.SafeText(e.RequestID))
	}
	return b.String()
}

// Unwrap gives the sentinel (ErrNotFound, ...) or the transport error.
func (e *Error) Unwrap() error { return e.wrapped }

// Check is the error as a failed check of the graph field, for a report.
// TraceID carries Graph's request-id and CorrelationID its
// client-request-id.
func (e *Error) Check() oidccheck.Check {
	msg := e.Message
	if e.Op != "" {
		msg = "could not " + e.Op + ": " + msg
	}
	if e.Code != "" {
		msg += " (" + e.Code + ")"
	}
	return oidccheck.Check{Field: oidccheck.FieldGraph, Status: oidccheck.StatusFail, Code: e.Problem, Message: msg,
		Fix: e.Fix, TraceID: e.RequestID, CorrelationID: e.ClientRequestID}.Safe()
}

// ProblemOf returns the problem code of any error a graph function
// returned: the *Error's or *SignInError's, else graph_error.
func ProblemOf(err error) oidccheck.Code {
	var ge *Error
	var se *SignInError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ge):
		return ge.Problem
	case errors.As(err, &se):
		return se.Problem
	}
	return oidccheck.CodeGraphError
}

// graphErrorBody is Graph's error JSON.
type graphErrorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
			Date            string `json:"date"`
		} `json:"innerError"`
		Details []struct {
			Code string `json:"code"`
		} `json:"details"`
	} `json:"error"`
}

// maxMessage bounds Graph's message in an error: it is text from outside.
const maxMessage = 500

// roleFix is the role a write needs (entra-facts.md 9).
const roleFix = "sign in as an admin with the Application Developer role (enough for apps you own) or Cloud Application Administrator (any app), and make sure Application.ReadWrite.All was consented"

// apiError turns a non-2xx answer into an *Error with its problem code.
func apiError(op string, resp *http.Response, body []byte) *Error {
	e := &Error{Op: op, Status: resp.StatusCode, RequestID: resp.Header.Get("request-id"), ClientRequestID: resp.Header.Get("client-request-id")}
	var ge graphErrorBody
	if json.Unmarshal(body, &ge) == nil && ge.Error.Code != "" {
		e.Code, e.Message = ge.Error.Code, ge.Error.Message
		if ge.Error.InnerError.RequestID != "" {
			e.RequestID = ge.Error.InnerError.RequestID
		}
		if ge.Error.InnerError.ClientRequestID != "" {
			e.ClientRequestID = ge.Error.InnerError.ClientRequestID
		}
		e.Date = ge.Error.InnerError.Date
	} else {
		e.Message = fmt.Sprintf("Graph answered HTTP %d without its error JSON", resp.StatusCode)
	}
	if len(e.Message) > maxMessage {
		e.Message = e.Message[:maxMessage] + "…"
	}
	switch {
	case e.Code == "CredentialInvalidLifetimeAsPerAppPolicy":
		e.Problem, e.Fix = oidccheck.CodeLifetimePolicy, "choose an earlier expiry: the tenant's app management policy caps a client secret's lifetime"
	case e.Code == "CredentialTypeNotAllowedAsPerAppPolicy":
		e.Problem, e.Fix = oidccheck.CodeLifetimePolicy, "the tenant's app management policy allows no client secrets for this app; ask an administrator to exempt it"
	case resp.StatusCode == http.StatusUnauthorized || e.Code == "InvalidAuthenticationToken":
		e.Problem, e.Fix, e.wrapped = oidccheck.CodeTokenInvalid, "sign in again", ErrTokenInvalid
	case resp.StatusCode == http.StatusForbidden:
		e.Problem, e.Fix, e.wrapped = oidccheck.CodeInsufficientPrivileges, roleFix, ErrForbidden
	case resp.StatusCode == http.StatusNotFound || e.Code == "Request_ResourceNotFound":
		e.Problem, e.wrapped = oidccheck.CodeNotFound, ErrNotFound
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		e.Problem, e.Fix, e.wrapped = oidccheck.CodeThrottled, "Graph is busy: wait a few minutes and run the command again", ErrThrottled
	default:
		e.Problem = oidccheck.CodeGraphError
		e.Fix = "look up Graph's error code; give Microsoft support the request ID"
	}
	return e
}

// transportError turns a failed request into an *Error.
func transportError(op string, err error) *Error {
	if errors.Is(err, ErrHostRefused) {
		return &Error{Op: op, Message: "the access token would have gone to a host that is not the Graph host over https; nothing was sent",
			Problem: oidccheck.CodeHostRefused, Fix: "check --graph-host", wrapped: err}
	}
	if errors.Is(err, context.Canceled) {
		// The caller stopped: errors.Is(err, context.Canceled) tells it so.
		return &Error{Op: op, Message: "the call was stopped", Problem: oidccheck.CodeGraphError, wrapped: err}
	}
	var ge *Error
	if errors.As(err, &ge) { // the token source's own failure
		if ge.Op == "" {
			ge.Op = op
		}
		return ge
	}
	if code, reason, ok := oidccheck.ClassifyTransport(err); ok {
		return &Error{Op: op, Message: reason, Problem: code, Fix: oidccheck.TransportFix(code), wrapped: err}
	}
	return &Error{Op: op, Message: "the request failed", Problem: oidccheck.CodeGraphError, wrapped: err}
}
