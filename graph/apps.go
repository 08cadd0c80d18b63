package graph

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"

	"entrasso/oidccheck"
)

// Tag marks the applications entrasso registered, so that a re-run finds
// its own app by name and tag.
const Tag = "entrasso"

// Application is the part of Graph's application resource entrasso uses.
type Application struct {
	// ID is the object ID (the portal's "Object ID").
	ID string `json:"id"`
	// AppID is the Application (client) ID.
	AppID               string               `json:"appId"`
	DisplayName         string               `json:"displayName"`
	SignInAudience      string               `json:"signInAudience"`
	CreatedDateTime     time.Time            `json:"createdDateTime"`
	Tags                []string             `json:"tags"`
	Web                 Web                  `json:"web"`
	PasswordCredentials []PasswordCredential `json:"passwordCredentials"`
}

// Web is the Web platform of an application.
type Web struct {
	RedirectURIs []string `json:"redirectUris"`
	// LogoutURL is the front-channel logout URL.
	LogoutURL string `json:"logoutUrl,omitempty"`
}

// PasswordCredential is a client secret as Graph lists it: never its value
// (entra-facts.md 1: keyId is the portal's Secret ID, hint the value's first
// three characters).
type PasswordCredential struct {
	KeyID         string    `json:"keyId"`
	DisplayName   string    `json:"displayName"`
	Hint          string    `json:"hint"`
	StartDateTime time.Time `json:"startDateTime"`
	EndDateTime   time.Time `json:"endDateTime"`
}

// SecretText is a client secret's value. It prints, formats and marshals as
// [secret]; only Reveal gives the value, for the live proof and the keyring.
type SecretText struct{ v string }

// Reveal returns the secret's value.
func (s SecretText) Reveal() string { return s.v }

// String hides the value.
func (s SecretText) String() string { return "[secret]" }

// GoString hides the value from %#v.
func (s SecretText) GoString() string { return "[secret]" }

// MarshalJSON hides the value.
func (s SecretText) MarshalJSON() ([]byte, error) { return []byte(`"[secret]"`), nil }

// NewPassword is what addPassword returns: the credential, and its value,
// which Graph shows this once.
type NewPassword struct {
	PasswordCredential
	Secret SecretText
}

// ServicePrincipal is an application's instance in the tenant (the
// portal's Enterprise application).
type ServicePrincipal struct {
	ID    string `json:"id"`
	AppID string `json:"appId"`
}

type list[T any] struct {
	Value []T `json:"value"`
}

const appSelect = "id,appId,displayName,signInAudience,createdDateTime,tags,web,passwordCredentials"

// FindApplicationsByAppID returns the applications with that client ID
// (none or one).
func (c *Client) FindApplicationsByAppID(ctx context.Context, appID string) ([]Application, error) {
	var l list[Application]
	q := url.Values{"$filter": {"appId eq " + odataString(appID)}, "$select": {appSelect}}
	if err := c.do(ctx, "find the application", "GET", "/applications?"+q.Encode(), nil, &l); err != nil {
		return nil, err
	}
	return l.Value, nil
}

// FindApplicationsByName returns the applications with that display name
// and the tag "entrasso".
func (c *Client) FindApplicationsByName(ctx context.Context, displayName string) ([]Application, error) {
	var l list[Application]
	q := url.Values{"$filter": {"displayName eq " + odataString(displayName) + " and tags/any(t:t eq " + odataString(Tag) + ")"}, "$select": {appSelect}}
	if err := c.do(ctx, "find the application", "GET", "/applications?"+q.Encode(), nil, &l); err != nil {
		return nil, err
	}
	return l.Value, nil
}

// FindApplication finds the app to adopt: by client ID when one is given,
// else by display name and tag. It returns nil and no error when none
// matches, and an app_ambiguous *Error when several do.
func (c *Client) FindApplication(ctx context.Context, appID, displayName string) (*Application, error) {
	var (
		apps []Application
		err  error
	)
	if appID != "" {
		apps, err = c.FindApplicationsByAppID(ctx, appID)
	} else {
		apps, err = c.FindApplicationsByName(ctx, displayName)
	}
	switch {
	case err != nil:
		return nil, err
	case len(apps) == 0:
		return nil, nil
	case len(apps) > 1:
		return nil, &Error{Op: "find the application", Message: fmt.Sprintf("%d applications are named %q and tagged %s", len(apps), displayName, Tag),
			Problem: oidccheck.CodeAppAmbiguous, Fix: "give the Application (client) ID of the one to use (--client-id)", wrapped: ErrAmbiguous}
	}
	return &apps[0], nil
}

// NewApplication is what CreateApplication registers.
type NewApplication struct {
	DisplayName string
	// RedirectURIs are the Web redirect URIs (Syncro's).
	RedirectURIs []string
	// LogoutURL is the front-channel logout URL (Syncro's Logout URL);
	// optional.
	LogoutURL string
}

// CreateApplication registers a single-tenant app (AzureADMyOrg) with Web
// redirect URIs, the front-channel logout URL, the optional email claim in
// the ID token (Syncro matches users by email, entra-facts.md 10) and the
// tag "entrasso". Graph creates no service principal:
// EnsureServicePrincipal does.
func (c *Client) CreateApplication(ctx context.Context, n NewApplication) (*Application, error) {
	web := map[string]any{"redirectUris": orEmpty(n.RedirectURIs)}
	if n.LogoutURL != "" {
		web["logoutUrl"] = n.LogoutURL
	}
	body := map[string]any{
		"displayName":    n.DisplayName,
		"signInAudience": "AzureADMyOrg",
		"web":            web,
		"optionalClaims": map[string]any{"idToken": []map[string]any{{"name": "email", "essential": false}}},
		"tags":           []string{Tag},
	}
	var a Application
	if err := c.do(ctx, "register the application", "POST", "/applications", body, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// GetApplication reads an application by object ID, its secrets included.
func (c *Client) GetApplication(ctx context.Context, objectID string) (*Application, error) {
	var a Application
	if err := c.do(ctx, "read the application", "GET", "/applications/"+url.PathEscape(objectID)+"?$select="+appSelect, nil, &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// FindServicePrincipal returns the app's service principal, or nil.
func (c *Client) FindServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	var l list[ServicePrincipal]
	q := url.Values{"$filter": {"appId eq " + odataString(appID)}, "$select": {"id,appId"}}
	if err := c.do(ctx, "find the service principal", "GET", "/servicePrincipals?"+q.Encode(), nil, &l); err != nil {
		return nil, err
	}
	if len(l.Value) == 0 {
		return nil, nil
	}
	return &l.Value[0], nil
}

// CreateServicePrincipal creates the app's service principal once, with no
// retry.
func (c *Client) CreateServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	var sp ServicePrincipal
	if err := c.do(ctx, "create the service principal", "POST", "/servicePrincipals", map[string]string{"appId": appID}, &sp); err != nil {
		return nil, err
	}
	return &sp, nil
}

// EnsureServicePrincipal returns the app's service principal, creating it
// when there is none. Right after CreateApplication the new app may not
// have replicated yet: Graph then answers 404 Request_ResourceNotFound or
// 400 "does not reference a valid application object"; those are retried
// with backoff (2s, 4s, 8s, ...) within the client's ReplicationWait
// (entra-facts.md 9). A 409 (created meanwhile) reads the existing one.
func (c *Client) EnsureServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	if sp, err := c.FindServicePrincipal(ctx, appID); err != nil || sp != nil {
		return sp, err
	}
	return c.NewServicePrincipal(ctx, appID)
}

// NewServicePrincipal creates the service principal of an application that
// has none (one registered a moment ago), retrying as EnsureServicePrincipal
// does while the application replicates, without looking first: for an
// application this run created, the look is a round trip that can only
// find nothing.
func (c *Client) NewServicePrincipal(ctx context.Context, appID string) (*ServicePrincipal, error) {
	var waited time.Duration
	for attempt := 1; ; attempt++ {
		sp, err := c.CreateServicePrincipal(ctx, appID)
		if err == nil {
			return sp, nil
		}
		var ge *Error
		if !errors.As(err, &ge) {
			return nil, err
		}
		if ge.Status == 409 {
			if sp, ferr := c.FindServicePrincipal(ctx, appID); ferr == nil && sp != nil {
				return sp, nil
			}
			return nil, err
		}
		if !replicating(ge) {
			return nil, err
		}
		wait := time.Second << min(attempt, 4) // 2s, 4s, 8s, 16s, 16s...
		if waited+wait > c.replWait {
			ge.Message = "the new application has not reached every Graph server yet (" + ge.Message + ")"
			ge.Fix = "run the command again in a minute: it adopts the application it registered"
			return nil, ge
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, transportError("create the service principal", err)
		}
		waited += wait
	}
}

// replicating says whether a failed service principal creation is the
// new application not having replicated yet.
func replicating(e *Error) bool {
	if e.Status == 404 || e.Code == "Request_ResourceNotFound" {
		return true
	}
	return e.Status == 400 && (containsFold(e.Message, "does not reference a valid application object") ||
		containsFold(e.Message, "backing application of the service principal"))
}

// AddPassword adds a client secret with a description and an expiry. The
// secret's value is in the result's Secret and nowhere else: not in an
// error, not in a log.
func (c *Client) AddPassword(ctx context.Context, objectID, displayName string, end time.Time) (*NewPassword, error) {
	body := map[string]any{"passwordCredential": map[string]any{"displayName": displayName, "endDateTime": end.UTC().Format(time.RFC3339)}}
	var out struct {
		PasswordCredential
		SecretText string `json:"secretText"`
	}
	if err := c.do(ctx, "add a client secret", "POST", "/applications/"+url.PathEscape(objectID)+"/addPassword", body, &out); err != nil {
		return nil, err
	}
	if out.SecretText == "" || out.KeyID == "" {
		return nil, &Error{Op: "add a client secret", Message: "Graph's answer has no secret", Problem: oidccheck.CodeGraphError}
	}
	return &NewPassword{PasswordCredential: out.PasswordCredential, Secret: SecretText{out.SecretText}}, nil
}

// RemovePassword removes the client secret keyID. Graph's documentation
// names no answer for a keyId the app does not have, so when the call
// fails with 400 or 404 the app is read again: a secret that is gone is a
// not_found *Error (errors.Is ErrNotFound), which a re-run may treat as
// done.
func (c *Client) RemovePassword(ctx context.Context, objectID, keyID string) error {
	err := c.do(ctx, "remove the client secret", "POST", "/applications/"+url.PathEscape(objectID)+"/removePassword", map[string]string{"keyId": keyID}, nil)
	var ge *Error
	if err == nil || !errors.As(err, &ge) || (ge.Status != 400 && ge.Status != 404) {
		return err
	}
	app, gerr := c.GetApplication(ctx, objectID)
	if gerr != nil {
		return gerr
	}
	for _, p := range app.PasswordCredentials {
		if equalFold(p.KeyID, keyID) {
			return err
		}
	}
	return &Error{Op: "remove the client secret", Status: ge.Status, Code: ge.Code, Message: "the app has no client secret with Secret ID " + keyID,
		RequestID: ge.RequestID, ClientRequestID: ge.ClientRequestID, Problem: oidccheck.CodeNotFound, wrapped: ErrNotFound}
}

// AddRedirectURI adds uri to the app's Web redirect URIs, keeping the
// others; changed is false when it was there already.
func (c *Client) AddRedirectURI(ctx context.Context, objectID, uri string) (changed bool, err error) {
	return c.editRedirects(ctx, "add the redirect URI", objectID, func(uris []string) []string {
		if slices.Contains(uris, uri) {
			return nil
		}
		return append(uris, uri)
	})
}

// RemoveRedirectURI removes uri from the app's Web redirect URIs, keeping
// the others; changed is false when it was not there.
func (c *Client) RemoveRedirectURI(ctx context.Context, objectID, uri string) (changed bool, err error) {
	return c.editRedirects(ctx, "remove the redirect URI", objectID, func(uris []string) []string {
		i := slices.Index(uris, uri)
		if i < 0 {
			return nil
		}
		return slices.Delete(slices.Clone(uris), i, i+1)
	})
}

// editRedirects reads the Web redirect URIs and PATCHes the whole list
// back (Graph replaces a collection whole); edit returns nil for no change.
// A change made between the read and the PATCH by someone else is lost:
// the window is one round trip.
func (c *Client) editRedirects(ctx context.Context, op, objectID string, edit func([]string) []string) (bool, error) {
	var a struct {
		Web Web `json:"web"`
	}
	if err := c.do(ctx, op, "GET", "/applications/"+url.PathEscape(objectID)+"?$select=web", nil, &a); err != nil {
		return false, err
	}
	next := edit(a.Web.RedirectURIs)
	if next == nil {
		return false, nil
	}
	body := map[string]any{"web": map[string]any{"redirectUris": orEmpty(next)}}
	if err := c.do(ctx, op, "PATCH", "/applications/"+url.PathEscape(objectID), body, nil); err != nil {
		return false, err
	}
	return true, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
