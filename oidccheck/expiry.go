package oidccheck

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ExpiryChoices are the portal's choices for a new secret's lifetime, in
// days (entra-facts.md section 2). 180 days is the portal's recommendation.
var ExpiryChoices = []int{90, 180, 365, 545, 730}

// MaxSecretLifetime is Entra's longest lifetime for a secret: 24 months.
const MaxSecretLifetime = 730 * 24 * time.Hour

// ParseExpiry reads --secret-expires: one of the portal's choices written
// as 90d, 180d, 365d, 545d or 730d, or a custom end date YYYY-MM-DD that
// lies after today and at most 24 months ahead. It returns the date the
// secret expires, at midnight UTC.
func ParseExpiry(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil {
			for _, c := range ExpiryChoices {
				if n == c {
					return today.AddDate(0, 0, n), nil
				}
			}
		}
		return time.Time{}, fmt.Errorf("oidccheck: %q is not one of the portal's choices (90d, 180d, 365d, 545d, 730d) or a date YYYY-MM-DD", s)
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, fmt.Errorf("oidccheck: %q is not one of the portal's choices (90d, 180d, 365d, 545d, 730d) or a date YYYY-MM-DD", s)
	}
	switch {
	case !t.After(today):
		return time.Time{}, fmt.Errorf("oidccheck: the expiry date %s is not in the future", s)
	case t.After(today.AddDate(0, 0, 730)):
		return time.Time{}, fmt.Errorf("oidccheck: the expiry date %s is more than 24 months ahead, longer than Entra allows", s)
	}
	return t, nil
}
