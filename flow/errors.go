package flow

import (
	"context"
	"errors"
	"strings"

	"entrasso/oidccheck"
	"entrasso/store"
)

// FieldProfile is the report's field for the profile on disk itself.
const FieldProfile oidccheck.Field = "profile"

// Problem codes of the profile field. profile_unsafe is DESIGN.md's; the
// others name states of the profile that scripts want to tell apart.
const (
	CodeProfileUnsafe      oidccheck.Code = "profile_unsafe"
	CodeNoProfile          oidccheck.Code = "no_profile"
	CodeProfileExists      oidccheck.Code = "profile_exists"
	CodeProfileUnreadable  oidccheck.Code = "profile_unreadable"
	CodeRotationInProgress oidccheck.Code = "rotation_in_progress"
	CodeNoRotation         oidccheck.Code = "no_rotation"
	CodeSameSecret         oidccheck.Code = "same_secret"
	CodeUntrustedProfile   oidccheck.Code = "untrusted_profile"
	CodeCancelled          oidccheck.Code = "cancelled"
)

// storeCheck turns any failure of the store into the failed check the
// report shows: the one place where store errors become words and codes.
func storeCheck(err error, profile string) oidccheck.Check {
	fail := func(f oidccheck.Field, code oidccheck.Code, msg, fix string) oidccheck.Check {
		return oidccheck.Check{Field: f, Status: oidccheck.StatusFail, Code: code, Message: msg, Fix: fix}
	}
	var (
		se      *store.Error
		unsafe  *store.UnsafeError
		exists  *store.ExistsError
		taken   *store.KeyringTakenError
		corrupt *store.CorruptError
		schema  *store.SchemaError
		name    *store.NameError
	)
	switch {
	case errors.As(err, &se):
		return fail(oidccheck.FieldSecretStore, oidccheck.Code(se.Code), se.Message, se.Fix)
	case errors.As(err, &unsafe):
		return fail(FieldProfile, CodeProfileUnsafe, "entrasso does not trust "+unsafe.Path+": "+unsafe.Reason,
			"nothing was read from it or written; if you wrote it yourself, make it a regular file of yours that only you can write (chmod 600), or remove it")
	case errors.Is(err, store.ErrNotFound):
		return fail(FieldProfile, CodeNoProfile, "there is no profile named "+profile+" yet",
			"create it with: entrasso setup --profile "+profile)
	case errors.As(err, &exists):
		return fail(FieldProfile, CodeProfileExists, "profile "+exists.Name+" already exists with another secret; nothing was changed",
			"replace its secret with entrasso rotate, or remove it with entrasso forget and set it up again")
	case errors.As(err, &taken):
		return fail(FieldProfile, CodeProfileExists, "the keyring already holds another secret for profile "+taken.Name+" (saved from another configuration folder, or left when a profile file was removed); nothing was changed",
			"choose another name with --profile, or, if that secret is no longer used anywhere, remove it with: entrasso forget --profile "+taken.Name)
	case errors.As(err, &corrupt):
		return fail(FieldProfile, CodeProfileUnreadable, "the profile "+corrupt.Path+" cannot be read ("+trim(corrupt.Err)+")",
			"repair it, or remove it with entrasso forget and set it up again")
	case errors.As(err, &schema):
		return fail(FieldProfile, CodeProfileUnreadable, trim(err), "upgrade entrasso")
	case errors.As(err, &name):
		return fail(FieldProfile, CodeProfileUnreadable, trim(err), "choose another name with --profile")
	case errors.Is(err, store.ErrRotationInProgress):
		return fail(FieldProfile, CodeRotationInProgress, "a rotation is already in progress: the previous secret is still kept",
			"put the current secret into Syncro, then finish it with entrasso rotate --finish")
	case errors.Is(err, store.ErrNoRotation):
		return fail(FieldProfile, CodeNoRotation, "no rotation is in progress; there is nothing to finish", "start one with entrasso rotate")
	case errors.Is(err, store.ErrSameSecret):
		return fail(oidccheck.FieldClientSecret, CodeSameSecret, "this is the secret already stored",
			"add a new client secret in Entra (Certificates & secrets) and paste its Value")
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fail(oidccheck.FieldSecretStore, CodeCancelled, "stopped before anything was saved", "run it again")
	}
	return fail(oidccheck.FieldSecretStore, "", trim(err), "nothing was changed; see the message")
}

func trim(err error) string {
	return strings.TrimPrefix(strings.TrimPrefix(err.Error(), "store: "), "flow: ")
}

// StoreProblem is storeCheck for a front end that met a store error
// outside a flow (status, which reads no keyring, and opening the store).
func StoreProblem(err error, profile string) oidccheck.Check { return storeCheck(err, profile) }
