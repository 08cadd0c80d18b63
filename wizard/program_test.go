package wizard

import (
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"
)

// awaitMsg asks the watched program to close found once its screen shows
// text. It travels through the program's own queue, so it is handled in
// order with the keys sent before it.
type awaitMsg struct {
	text  string
	found chan<- struct{}
}

// watched is the wizard inside a real program, telling the test when its
// screen shows what the test waits for: the test is synchronised by what
// the wizard shows, never by polling or sleeping.
type watched struct {
	Model
	await *awaitMsg
}

func (w watched) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	var cmd tea.Cmd
	if a, ok := msg.(awaitMsg); ok {
		w.await = &a
	} else {
		var m tea.Model
		m, cmd = w.Model.Update(msg)
		w.Model = m.(Model)
	}
	if w.await != nil && strings.Contains(ansi.Strip(w.Model.View()), w.await.text) {
		close(w.await.found)
		w.await = nil
	}
	return w, cmd
}

// programRun is the wizard as a real bubbletea program at 100x30
// (teatest), where commands run concurrently as they do for the admin.
type programRun struct {
	t  *testing.T
	tm *teatest.TestModel
}

func (p *programRun) wait(text string) *programRun {
	p.t.Helper()
	found := make(chan struct{})
	p.tm.Send(awaitMsg{text: text, found: found})
	select {
	case <-found:
	case <-time.After(time.Minute):
		// Not a synchroniser: a failsafe, so a wizard that never shows
		// text fails with a message rather than at the test binary's
		// timeout.
		p.t.Fatalf("the wizard never showed %q", text)
	}
	return p
}

func (p *programRun) send(msgs ...tea.Msg) *programRun {
	for _, m := range msgs {
		p.tm.Send(m)
	}
	return p
}

// TestProgramRunsTheWizard runs the setup in a real program, where the
// live checks' goroutines and channels meet bubbletea's own concurrency,
// and asserts on the final model.
func TestProgramRunsTheWizard(t *testing.T) {
	f := newFixture(t)
	enter := keyMsg("enter")
	p := &programRun{t: t, tm: teatest.NewTestModel(t, watched{Model: New(f.deps)}, teatest.WithInitialTermSize(100, 30))}
	p.wait("Step 1 of 7").send(pasteMsg(redirect), enter, enter).wait("Step 2 of 7")
	p.send(enter).wait("Step 3 of 7")
	p.send(pasteMsg(f.demo.App.ClientID), enter).wait("Step 4 of 7")
	p.send(enter, enter).wait("Value (the secret)")
	p.send(pasteMsg(f.demo.Secret.Value), enter).wait("Step 5 of 7")
	p.send(pasteMsg("https://" + f.srv.Host + "/" + f.demo.Tenant.Domains[0] + "/v2.0/.well-known/openid-configuration")).wait("discovery document of tenant")
	p.send(enter).wait("Step 7 of 7").send(enter)
	m := p.tm.FinalModel(t, teatest.WithFinalTimeout(time.Minute)).(watched).Model
	if m.ExitCode() != ExitDone || m.setup.step != stepSyncro || !m.Saved() {
		t.Fatalf("exit %d at %s\n%s", m.ExitCode(), m.setup.step, ansi.Strip(m.View()))
	}
	if p, err := f.store.Load("default"); err != nil || p.TenantID != f.demo.Tenant.ID {
		t.Fatalf("profile %+v %v", p, err)
	}
}
