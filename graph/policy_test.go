package graph_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"entrasso/graph"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
)

func TestParseDuration(t *testing.T) {
	start := time.Date(2025, 1, 31, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		in   string
		want time.Time
		bad  bool
	}{
		{"P90D", start.AddDate(0, 0, 90), false},
		{"P1Y", start.AddDate(1, 0, 0), false},
		{"P2Y6M", start.AddDate(2, 6, 0), false},
		{"P2W", start.AddDate(0, 0, 14), false},
		{"PT12H", start.Add(12 * time.Hour), false},
		{"PT1H30M15S", start.Add(time.Hour + 30*time.Minute + 15*time.Second), false},
		{"PT0.5S", start.Add(500 * time.Millisecond), false},
		{"P1DT2H", start.AddDate(0, 0, 1).Add(2 * time.Hour), false},
		{"p30d", start.AddDate(0, 0, 30), false},
		{"", time.Time{}, true},
		{"P", time.Time{}, true},
		{"PT", time.Time{}, true},
		{"90D", time.Time{}, true},
		{"P1DT", time.Time{}, true},
		{"P-1D", time.Time{}, true},
		{"P1H", time.Time{}, true},
	}
	for _, c := range cases {
		d, err := graph.ParseDuration(c.in)
		if c.bad != (err != nil) {
			t.Errorf("%q: err %v", c.in, err)
			continue
		}
		if !c.bad && !d.AddTo(start).Equal(c.want) {
			t.Errorf("%q: %v, want %v", c.in, d.AddTo(start), c.want)
		}
	}
	if d, _ := graph.ParseDuration("P1Y"); d.Approx() != 365*24*time.Hour || d.String() != "P1Y" {
		t.Errorf("approx %v %s", d.Approx(), d)
	}
}

func TestPasswordPolicy(t *testing.T) {
	cases := []struct {
		name      string
		setup     func(*entratest.Server)
		enabled   bool
		max       string
		blocked   bool
		okDays    int
		refusDays int
	}{
		{"no restriction", func(*entratest.Server) {}, false, "", false, 730, 0},
		{"90 days", func(s *entratest.Server) { s.SetPasswordLifetimePolicy(90) }, true, "P90D", false, 90, 91},
		{"no secrets", func(s *entratest.Server) { s.BlockPasswordAddition(true) }, true, "", true, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			c.setup(f.srv)
			p, err := f.client().PasswordPolicy(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			max := ""
			if p.MaxLifetime != nil {
				max = p.MaxLifetime.String()
			}
			if p.Enabled != c.enabled || max != c.max || p.AdditionBlocked != c.blocked {
				t.Fatalf("policy %+v", p)
			}
			now := time.Now()
			if c.okDays > 0 {
				if err := p.Check(time.Time{}, now, now.AddDate(0, 0, c.okDays)); err != nil {
					t.Fatalf("%d days refused: %v", c.okDays, err)
				}
			}
			if c.refusDays > 0 {
				err := p.Check(time.Time{}, now, now.AddDate(0, 0, c.refusDays))
				if graph.ProblemOf(err) != oidccheck.CodeLifetimePolicy {
					t.Fatalf("%d days allowed: %v", c.refusDays, err)
				}
			}
		})
	}
}

// The policy applies to apps created after its date only.
func TestPolicyAppliesAfter(t *testing.T) {
	d, _ := graph.ParseDuration("P30D")
	cut := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	p := &graph.PasswordPolicy{Enabled: true, MaxLifetime: &d, MaxLifetimeAppliesAfter: cut}
	now := time.Now()
	if err := p.Check(cut.AddDate(-1, 0, 0), now, now.AddDate(1, 0, 0)); err != nil {
		t.Fatalf("an older app is exempt: %v", err)
	}
	if err := p.Check(cut.AddDate(0, 1, 0), now, now.AddDate(1, 0, 0)); !errors.As(err, new(*graph.Error)) {
		t.Fatalf("a newer app is bound: %v", err)
	}
}

func BenchmarkParseDuration(b *testing.B) {
	for b.Loop() {
		if _, err := graph.ParseDuration("P2Y6M10DT12H30M"); err != nil {
			b.Fatal(err)
		}
	}
}
