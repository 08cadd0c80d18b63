package wizard

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
	"github.com/muesli/termenv"
)

func TestMain(m *testing.M) {
	// One colour profile for every test run, whatever the terminal
	// (lipgloss #33).
	lipgloss.SetColorProfile(termenv.Ascii)
	os.Exit(m.Run())
}

// flow runs the wizard as a real program at 100x30 and drives it as an
// admin would: pastes arrive as one message, keys one by one.
type flow struct {
	t  *testing.T
	tm *teatest.TestModel
}

func newFlow(t *testing.T, f *fixture) *flow {
	tm := teatest.NewTestModel(t, New(f.deps), teatest.WithInitialTermSize(100, 30))
	fl := &flow{t: t, tm: tm}
	fl.wait("Step 1 of 7")
	return fl
}

// wait reads the program's output until text appears in it.
func (fl *flow) wait(text string) *flow {
	fl.t.Helper()
	teatest.WaitFor(fl.t, fl.tm.Output(), func(b []byte) bool {
		return bytes.Contains([]byte(ansi.Strip(string(b))), []byte(text))
	}, teatest.WithDuration(15*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
	return fl
}

func (fl *flow) paste(s string) *flow {
	fl.tm.Send(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(s), Paste: true})
	return fl
}

func (fl *flow) enter() *flow {
	fl.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	return fl
}

// finish quits and returns the final model's stripped view.
func (fl *flow) finish() (Model, string) {
	fl.tm.Send(tea.KeyMsg{Type: tea.KeyCtrlC})
	m := fl.tm.FinalModel(fl.t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	return m, ansi.Strip(m.View())
}

// through walks steps 1 to 3 with the given client ID.
func (fl *flow) through(clientID string) *flow {
	fl.paste(redirect).enter().enter().wait("Step 2 of 7")
	fl.enter().wait("Step 3 of 7")
	fl.paste(clientID).enter().wait("Step 4 of 7")
	fl.enter().enter().wait("Value (the secret)")
	return fl
}

func TestFlowHappyPath(t *testing.T) {
	f := newFixture(t)
	fl := newFlow(t, f).through(f.demo.App.ClientID)
	fl.paste(f.demo.Secret.Value).enter().wait("Step 5 of 7")
	fl.paste("https://" + f.srv.Host + "/" + f.demo.Tenant.Domains[0] + "/v2.0/.well-known/openid-configuration").wait("discovery document of tenant")
	fl.enter().wait("Step 7 of 7")
	fl.tm.Send(tea.KeyMsg{Type: tea.KeyEnter})
	m := fl.tm.FinalModel(t, teatest.WithFinalTimeout(10*time.Second)).(Model)
	if m.ExitCode() != ExitDone || m.step != stepSyncro {
		t.Fatalf("exit %d at %s", m.ExitCode(), m.step)
	}
	if p, err := f.store.Load("default"); err != nil || p.TenantID != f.demo.Tenant.ID {
		t.Fatalf("profile %+v %v", p, err)
	}
}

// TestFlowMistakes makes each documented mistake and checks that the
// wizard ends at the field to fix with the right problem code.
func TestFlowMistakes(t *testing.T) {
	cases := []struct {
		name    string
		mistake func(f *fixture) (clientID, secret, discovery string)
		waitFor string
		at      step
		code    string
	}{
		{"secret id pasted", func(f *fixture) (string, string, string) { return f.demo.App.ClientID, f.demo.Secret.KeyID, "" },
			"secret_id_not_value", stepSecret, "secret_id_not_value"},
		{"masked value", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Secret.Hint + "*******************************", ""
		}, "masked_value", stepSecret, "masked_value"},
		{"common endpoint", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Secret.Value, "https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration"
		}, "multi_tenant_endpoint", stepDiscovery, "multi_tenant_endpoint"},
		{"unknown tenant", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Secret.Value, "11111111-2222-4333-8444-555555555555"
		}, "tenant_not_found", stepDiscovery, "tenant_not_found"},
		{"expired secret", func(f *fixture) (string, string, string) {
			return f.demo.App.ClientID, f.demo.Expired.Value, f.demo.Tenant.ID
		},
			"Entra said:", stepSecret, "expired_secret"},
		{"wrong client id", func(f *fixture) (string, string, string) {
			return f.demo.App.ObjectID, f.demo.Secret.Value, f.demo.Tenant.ID
		},
			"Entra said:", stepClientID, "app_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			clientID, secret, discovery := c.mistake(f)
			fl := newFlow(t, f).through(clientID)
			fl.paste(secret)
			if discovery != "" {
				fl.enter().wait("Step 5 of 7")
				fl.paste(discovery)
				if c.at != stepDiscovery {
					fl.wait("discovery document of tenant").enter()
				}
			}
			fl.wait(c.waitFor)
			m, view := fl.finish()
			if m.step != c.at || !strings.Contains(view, c.code) {
				t.Fatalf("ended at %s, want %s with %s:\n%s", m.step, c.at, c.code, view)
			}
			if strings.Contains(view, f.demo.Secret.Value) {
				t.Fatal("the secret is on the screen")
			}
			if _, err := f.store.Load("default"); err == nil {
				t.Fatal("a profile was saved despite the mistake")
			}
		})
	}
}
