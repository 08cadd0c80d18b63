package oidccheck

// FieldGraph is the field of every check about Microsoft Graph: the admin's
// sign-in and the calls that register the app and manage its secrets
// (DESIGN.md "Letting entrasso do Entra's side").
const FieldGraph Field = "graph"

// Problem codes of the graph field. Like every code they are part of the
// public contract: never rename one. The graph field also uses
// CodeConsentRequired ("consent_required": an admin must consent to the
// scopes), CodeSignInTimeout ("sign_in_timeout": the browser never came
// back) and the transport codes CodeUnreachable, CodeTimeout, CodeTLSError
// and CodeTooLarge.
const (
	// CodeSignInBlocked: Conditional Access (AADSTS53003 and its kin)
	// blocks this sign-in method; the other method may be allowed.
	CodeSignInBlocked Code = "signin_blocked"
	// CodeSignInFailed: Entra refused the admin's sign-in for another
	// reason (its AADSTS code and description say which).
	CodeSignInFailed Code = "signin_failed"
	// CodeDeviceCodeExpired: the device code ran out before the admin
	// finished signing in.
	CodeDeviceCodeExpired Code = "device_code_expired"
	// CodeDeviceCodeDeclined: the admin declined the device sign-in.
	CodeDeviceCodeDeclined Code = "device_code_declined"
	// CodeInsufficientPrivileges: Graph answered 403: the signed-in admin
	// lacks the role (Application Developer for apps they own, Cloud
	// Application Administrator otherwise) or the scope.
	CodeInsufficientPrivileges Code = "insufficient_privileges"
	// CodeLifetimePolicy: the tenant's app management policy caps a
	// secret's lifetime, or forbids secrets altogether.
	CodeLifetimePolicy Code = "lifetime_policy"
	// CodeAppAmbiguous: several apps match the name; give the client ID.
	CodeAppAmbiguous Code = "app_ambiguous"
	// CodeThrottled: Graph still answered 429 or 503 after the retries.
	CodeThrottled Code = "throttled"
	// CodeTokenInvalid: Graph refused the access token (401
	// InvalidAuthenticationToken), or it could not be renewed: sign in
	// again.
	CodeTokenInvalid Code = "token_invalid"
	// CodeNotFound: the object (application, secret) is not in the tenant.
	CodeNotFound Code = "not_found"
	// CodeGraphError: any other Graph error; Graph's code and message say
	// which.
	CodeGraphError Code = "graph_error"
	// CodeHostRefused: entrasso refused to send the Graph token to a host
	// that is not the configured Graph host over https.
	CodeHostRefused Code = "host_refused"
)

// ClassifyTransport maps a transport fault (as the client of NewHTTPClient
// returns it) to its problem code and a reason in words; ok is false when
// err is not a transport fault. Other packages (graph) use it so that a
// fault reads the same wherever it happens.
func ClassifyTransport(err error) (code Code, reason string, ok bool) {
	return classifyTransport(err)
}

// TransportFix is what to do about a transport problem code.
func TransportFix(code Code) string { return transportFix(code) }
