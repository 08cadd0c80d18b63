package wizard

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// fixture is a look-alike with the demo tenant, a store on an in-memory
// keyring and the wizard's dependencies pointed at both. The look-alike
// and the flows share a fake clock: a propagation wait advances it and
// takes no real time.
type fixture struct {
	srv   *entratest.Server
	demo  entratest.Demo
	store *store.Store
	deps  *Deps
	clock *fakeClock

	mu     sync.Mutex
	copied []string
	opened []string
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	srv, err := entratest.New(entratest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	f := &fixture{srv: srv, demo: srv.SeedDemo(), clock: &fakeClock{now: time.Now()}}
	srv.SetClock(f.clock.Now)
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: 5 * time.Second, RootCAs: srv.CA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	f.deps = &Deps{Profile: "default", Renderer: r,
		Flow: &flow.Deps{HTTP: client, AuthorityHost: srv.Host, Sleep: f.clock.Sleep},
		Copy: func(s string) (string, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.copied = append(f.copied, s)
			return "test clipboard", nil
		},
		OpenURL: func(u string) error {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.opened = append(f.opened, u)
			return nil
		}}
	f.withStore(t)
	return f
}

// withStore gives the fixture a fresh store, for a test that needs a
// machine where nothing was entered yet.
func (f *fixture) withStore(t testing.TB) *fixture {
	f.store = store.New(t.TempDir(), store.NewMemoryKeyring())
	fd := *f.deps.Flow
	fd.Store = f.store
	d := *f.deps
	d.Flow = &fd
	f.deps = &d
	return f
}

func (f *fixture) lastCopied() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.copied) == 0 {
		return ""
	}
	return f.copied[len(f.copied)-1]
}

// playBrowser makes the fixture's browser sign in at every page it is
// sent to, as an admin would: it follows Entra's redirect back to the
// loopback listener. It runs beside the wizard; the sign-in waits for it by
// the values it brings back, never by time.
func (f *fixture) playBrowser() {
	browser := f.browser()
	f.deps.OpenURL = func(u string) error {
		go visit(browser, u)
		return nil
	}
}

// browser is an admin's browser: it trusts the look-alike and follows its
// redirects.
func (f *fixture) browser() *http.Client {
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: f.srv.CA.Pool()}}, Timeout: 10 * time.Second}
}

func visit(browser *http.Client, u string) {
	if resp, err := browser.Get(u); err == nil {
		resp.Body.Close()
	}
}

// fakeClock is shared by the look-alike and the flows' sleep. stall makes
// every sleep last until its context is cancelled: Entra never accepts the
// new secret while the admin watches.
type fakeClock struct {
	mu        sync.Mutex
	now       time.Time
	waits     []time.Duration
	stall     bool
	cancelled int
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	c.waits = append(c.waits, d)
	stall := c.stall
	if !stall {
		c.now = c.now.Add(d)
	}
	c.mu.Unlock()
	if stall {
		<-ctx.Done()
		c.mu.Lock()
		c.cancelled++
		c.mu.Unlock()
	}
	return ctx.Err()
}

func (c *fakeClock) count() (waits, cancelled int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waits), c.cancelled
}

// harness drives a Model without a program, as charmbracelet/huh's own
// tests do (huh_test.go: batchUpdate, doAllUpdates): a command runs here
// and now, on the test's goroutine, and its message goes straight back to
// Update; a batch's commands are queued, a sequence's run next in order.
// Nothing waits for a quiet moment: the tests are synchronised by what the
// commands return. Commands that only wait for the wall clock (a cursor
// blink, a spinner frame) are never run, and their messages are dropped:
// they animate, and would make a test wait real time.
type harness struct {
	t     testing.TB
	m     Model
	queue []tea.Cmd
	quit  bool
	// dropped are the results that came for a check that had been stopped
	// or replaced, or for a value since changed, which Update ignored.
	dropped []tea.Msg
}

func newHarness(t testing.TB, f *fixture) *harness { return newHarnessAt(t, f, 100, 30) }

// newHarnessAt is the wizard in a terminal of w columns and h rows.
func newHarnessAt(t testing.TB, f *fixture, w, ht int) *harness {
	t.Helper()
	h := &harness{t: t, m: New(f.deps)}
	h.send(tea.WindowSizeMsg{Width: w, Height: ht})
	h.enqueue(h.m.Init())
	h.drain()
	return h
}

// send gives Update one message and queues the command it returns,
// without running it: the test decides when the queue runs.
func (h *harness) send(msg tea.Msg) *harness {
	done, isDone := msg.(liveDoneMsg)
	awaited := isDone && h.running(done.id, done.seq)
	m, cmd := h.m.Update(msg)
	h.m = m.(Model)
	if isDone && (!awaited || h.running(done.id, done.seq)) {
		h.dropped = append(h.dropped, done.result)
	}
	h.enqueue(cmd)
	return h
}

func (h *harness) enqueue(cmd tea.Cmd) {
	if cmd != nil && !waitsForTheClock(cmd) {
		h.queue = append(h.queue, cmd)
	}
}

// waitsForTheClock recognises a command that only waits for a timer: a
// cursor's blink (bubbles cursor.BlinkCmd) or tea.Tick (the spinner's
// frames). It is told by the function the command is, since running it is
// what must not happen. The names are matched without their package, as a
// closure inlined elsewhere is named after the function it was inlined
// into (textinput.(*Model).Focus.(*Model).BlinkCmd.func1).
func waitsForTheClock(cmd tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(cmd).Pointer()).Name()
	return strings.Contains(name, ".BlinkCmd.func") || strings.Contains(name, ".Tick.func")
}

// drain runs queued commands until none is left.
func (h *harness) drain() *harness {
	h.until(func() bool { return false })
	return h
}

// until runs queued commands, giving each message to Update, until done
// holds after one; the rest stay queued. It reports whether done held.
func (h *harness) until(done func() bool) bool {
	for len(h.queue) > 0 {
		cmd := h.queue[0]
		h.queue = h.queue[1:]
		if h.deliver(cmd()) && done() {
			return true
		}
	}
	return false
}

// deliver hands a command's message on, and reports whether Update got it.
func (h *harness) deliver(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case nil, spinner.TickMsg:
		return false
	case tea.BatchMsg:
		for _, c := range msg {
			h.enqueue(c)
		}
		return false
	case tea.QuitMsg:
		h.quit = true
		return false
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		// tea.Sequence, whose type is unexported: its commands run next,
		// in order, each one's message handled before the next runs.
		var seq []tea.Cmd
		for i := range v.Len() {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil && !waitsForTheClock(c) {
				seq = append(seq, c)
			}
		}
		h.queue = append(seq, h.queue...)
		return false
	}
	if reflect.TypeOf(msg).PkgPath() == "github.com/charmbracelet/bubbles/cursor" {
		return false // a blink, which only animates
	}
	h.send(msg)
	return true
}

// key sends a key and runs everything it started.
func (h *harness) key(k string) *harness {
	h.t.Helper()
	return h.send(keyMsg(k)).drain()
}

func keyMsg(k string) tea.KeyMsg {
	for t, name := range map[tea.KeyType]string{tea.KeyEnter: "enter", tea.KeyEsc: "esc", tea.KeyCtrlC: "ctrl+c",
		tea.KeyCtrlB: "ctrl+b", tea.KeyCtrlO: "ctrl+o", tea.KeyCtrlY: "ctrl+y", tea.KeyCtrlU: "ctrl+u", tea.KeyDown: "down",
		tea.KeyUp: "up", tea.KeyShiftTab: "shift+tab", tea.KeyPgDown: "pgdown", tea.KeyPgUp: "pgup", tea.KeyCtrlDown: "ctrl+down",
		tea.KeyCtrlUp: "ctrl+up"} {
		if name == k {
			return tea.KeyMsg{Type: t}
		}
	}
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
}

// pasteMsg is text as a terminal's bracketed paste delivers it: one
// message.
func pasteMsg(text string) tea.KeyMsg {
	return tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true}
}

func (h *harness) paste(text string) *harness { return h.send(pasteMsg(text)).drain() }

// replace clears the focused input and pastes text.
func (h *harness) replace(text string) *harness { return h.key("ctrl+u").paste(text) }

// view is the whole screen, with what scrolls out of sight: what a test
// means by "the wizard shows".
func (h *harness) view() string { return ansi.Strip(h.m.fullView()) }

// screen is what the terminal shows: the header, the part of the body in
// view and the footer.
func (h *harness) screen() string { return ansi.Strip(h.m.View()) }

// where names the screen: the setup's step, the menu's, the rotation's,
// or the state itself.
func (h *harness) where() string {
	switch h.m.state {
	case stateSetup:
		return h.m.setup.step.String()
	case stateMenu:
		return h.m.menu.screen.String()
	case stateRotation:
		return h.m.rotation.screen.String()
	}
	return h.m.state.String()
}

func (h *harness) at(want fmt.Stringer) *harness {
	h.t.Helper()
	if got := h.where(); got != want.String() {
		h.t.Fatalf("at %s, want %s\n%s", got, want, h.view())
	}
	return h
}

func (h *harness) sees(parts ...string) *harness {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			h.t.Fatalf("view lacks %q:\n%s", p, v)
		}
	}
	return h
}

func (h *harness) doesNotSee(parts ...string) *harness {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if strings.Contains(v, p) {
			h.t.Fatalf("view shows %q:\n%s", p, v)
		}
	}
	return h
}

// running reports whether the live component id runs check seq.
func (h *harness) running(id int64, seq int) bool {
	for _, l := range []live{h.m.setup.live, h.m.menu.live, h.m.rotation.live, h.m.signIn.live} {
		if l.id == id {
			return l.running && l.seq == seq
		}
	}
	return false
}

// seesWhole checks that each text is on the screen whole: on one line, or
// wrapped over lines that give it back when joined as they stand, with
// nothing removed or inserted (no indent, no hyphen, no trailing space).
func (h *harness) seesWhole(texts ...string) *harness {
	h.t.Helper()
	seesWhole(h.t, h.view(), texts...)
	return h
}

func seesWhole(t testing.TB, view string, texts ...string) {
	t.Helper()
	lines := strings.Split(view, "\n")
	for _, text := range texts {
		found := false
		for i := range lines {
			// The text starts on line i and goes on at the start of the
			// lines after it.
			at := strings.Index(lines[i], text[:min(len(text), len(lines[i]))])
			if at < 0 || !strings.HasPrefix(text, lines[i][at:]) && !strings.Contains(lines[i], text) {
				continue
			}
			joined := lines[i][at:]
			for j := i + 1; j < len(lines) && len(joined) < len(text); j++ {
				joined += lines[j]
			}
			if strings.HasPrefix(joined, text) {
				found = true
				break
			}
		}
		if !found {
			t.Fatalf("%q is not whole on the screen:\n%s", text, view)
		}
	}
}
