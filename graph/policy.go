package graph

import (
	"context"
	"entrasso/internal/lazyre"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"entrasso/oidccheck"
)

// Duration is an ISO 8601 duration such as P90D, P1Y, P2Y6M or PT12H, as
// Graph writes a policy's maxLifetime. Years and months stay calendar
// units: AddTo adds them to a date as the calendar does.
type Duration struct {
	Years, Months, Weeks, Days int
	// Time is the part after T (hours, minutes, seconds).
	Time time.Duration
	raw  string
}

var isoRe = lazyre.New(`^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$`)

// ParseDuration reads an ISO 8601 duration (P[nY][nM][nW][nD][T[nH][nM][nS]]).
func ParseDuration(s string) (Duration, error) {
	m := isoRe().FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil || strings.HasSuffix(strings.ToUpper(s), "T") || len(strings.TrimSpace(s)) < 3 {
		return Duration{}, fmt.Errorf("graph: %q is not an ISO 8601 duration", s)
	}
	num := func(i int) int {
		n, _ := strconv.Atoi(m[i])
		return n
	}
	d := Duration{Years: num(1), Months: num(2), Weeks: num(3), Days: num(4), raw: strings.TrimSpace(s)}
	d.Time = time.Duration(num(5))*time.Hour + time.Duration(num(6))*time.Minute
	if m[7] != "" {
		secs, _ := strconv.ParseFloat(strings.ReplaceAll(m[7], ",", "."), 64)
		d.Time += time.Duration(secs * float64(time.Second))
	}
	return d, nil
}

// AddTo returns t plus the duration, calendar units first.
func (d Duration) AddTo(t time.Time) time.Time {
	return t.AddDate(d.Years, d.Months, 7*d.Weeks+d.Days).Add(d.Time)
}

// String is the duration as Graph wrote it.
func (d Duration) String() string { return d.raw }

// Approx is the duration in time, with a year of 365 days and a month of
// 30: for showing "about N days", never for comparing dates.
func (d Duration) Approx() time.Duration {
	days := 365*d.Years + 30*d.Months + 7*d.Weeks + d.Days
	return time.Duration(days)*24*time.Hour + d.Time
}

// PasswordPolicy is what the tenant's default app management policy says
// about client secrets (GET /policies/defaultAppManagementPolicy,
// applicationRestrictions.passwordCredentials). A policy that is not
// enabled restricts nothing.
type PasswordPolicy struct {
	// Enabled is the policy's isEnabled.
	Enabled bool
	// MaxLifetime caps a secret's lifetime (restrictionType
	// passwordLifetime); nil when there is no cap.
	MaxLifetime *Duration
	// MaxLifetimeAppliesAfter: the cap applies to apps created after it.
	MaxLifetimeAppliesAfter time.Time
	// AdditionBlocked forbids new secrets (restrictionType
	// passwordAddition).
	AdditionBlocked bool
	// AdditionAppliesAfter: the ban applies to apps created after it.
	AdditionAppliesAfter time.Time
}

// PasswordPolicy reads the tenant's rules for client secrets. It needs
// Policy.Read.All: when Graph answers 403 the error wraps
// ErrPolicyNotReadable (and ErrForbidden), and the caller reports the
// policy check as skip rather than failing.
func (c *Client) PasswordPolicy(ctx context.Context) (*PasswordPolicy, error) {
	var p struct {
		IsEnabled               bool `json:"isEnabled"`
		ApplicationRestrictions struct {
			PasswordCredentials []struct {
				RestrictionType string    `json:"restrictionType"`
				State           string    `json:"state"`
				MaxLifetime     *string   `json:"maxLifetime"`
				After           time.Time `json:"restrictForAppsCreatedAfterDateTime"`
			} `json:"passwordCredentials"`
		} `json:"applicationRestrictions"`
	}
	if err := c.do(ctx, "read the tenant's app management policy", "GET", "/policies/defaultAppManagementPolicy", nil, &p); err != nil {
		var ge *Error
		if errors.As(err, &ge) && ge.Status == 403 {
			ge.wrapped = errors.Join(ErrPolicyNotReadable, ErrForbidden)
			ge.Fix = "the policy check is skipped: consent to Policy.Read.All (or sign in with a role that reads policies) to have it"
		}
		return nil, err
	}
	out := &PasswordPolicy{Enabled: p.IsEnabled}
	for _, r := range p.ApplicationRestrictions.PasswordCredentials {
		if r.State != "" && !strings.EqualFold(r.State, "enabled") {
			continue
		}
		switch r.RestrictionType {
		case "passwordLifetime":
			if r.MaxLifetime == nil {
				continue
			}
			d, err := ParseDuration(*r.MaxLifetime)
			if err != nil {
				return nil, &Error{Op: "read the tenant's app management policy", Message: "the policy's maxLifetime " + oidccheck.SafeText(*r.MaxLifetime) + " is not an ISO 8601 duration",
					Problem: oidccheck.CodeGraphError, wrapped: err}
			}
			if out.MaxLifetime == nil || d.AddTo(time.Unix(0, 0)).Before(out.MaxLifetime.AddTo(time.Unix(0, 0))) {
				out.MaxLifetime, out.MaxLifetimeAppliesAfter = &d, r.After
			}
		case "passwordAddition":
			out.AdditionBlocked, out.AdditionAppliesAfter = true, r.After
		}
	}
	return out, nil
}

// Check says, before any write, whether the policy would refuse a secret
// from start to end on an app created at appCreated (zero: a new app). It
// returns a lifetime_policy *Error, or nil.
func (p *PasswordPolicy) Check(appCreated, start, end time.Time) error {
	if p == nil || !p.Enabled {
		return nil
	}
	applies := func(after time.Time) bool { return appCreated.IsZero() || after.IsZero() || appCreated.After(after) }
	if p.AdditionBlocked && applies(p.AdditionAppliesAfter) {
		return &Error{Op: "add a client secret", Message: "the tenant's app management policy allows no client secrets",
			Problem: oidccheck.CodeLifetimePolicy, Fix: "ask an administrator to exempt the app from the policy, or do the Entra side in the portal"}
	}
	if p.MaxLifetime != nil && applies(p.MaxLifetimeAppliesAfter) && end.After(p.MaxLifetime.AddTo(start)) {
		days := int(p.MaxLifetime.Approx().Hours() / 24)
		return &Error{Op: "add a client secret", Message: fmt.Sprintf("the tenant's policy caps a client secret's lifetime at %s (about %d days)", p.MaxLifetime, days),
			Problem: oidccheck.CodeLifetimePolicy, Fix: fmt.Sprintf("choose an expiry at most %d days away", days)}
	}
	return nil
}
