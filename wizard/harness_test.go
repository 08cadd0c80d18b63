package wizard

import (
	"io"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"entrasso/oidccheck"
	"entrasso/oidccheck/entratest"
	"entrasso/store"

	"github.com/charmbracelet/bubbles/cursor"
	"github.com/charmbracelet/bubbles/spinner"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"
)

// fixture is a look-alike with the demo tenant, a store on an in-memory
// keyring and the wizard's dependencies pointed at both.
type fixture struct {
	srv    *entratest.Server
	demo   entratest.Demo
	store  *store.Store
	deps   *Deps
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
	f := &fixture{srv: srv, demo: srv.SeedDemo(), store: store.New(t.TempDir(), store.NewMemoryKeyring())}
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: 5 * time.Second, RootCAs: srv.CA.Pool()})
	if err != nil {
		t.Fatal(err)
	}
	r := lipgloss.NewRenderer(io.Discard)
	r.SetColorProfile(termenv.Ascii)
	f.deps = &Deps{Store: f.store, Profile: "default", AuthorityHost: srv.Host, Renderer: r, Storage: store.StorageKeyring,
		Checker: &oidccheck.Checker{HTTP: client, AuthorityHost: srv.Host},
		Copy:    func(s string) (string, error) { f.copied = append(f.copied, s); return "test clipboard", nil },
		OpenURL: func(u string) error { f.opened = append(f.opened, u); return nil }}
	return f
}

// harness drives a Model without a program: it runs the commands Update
// returns, each in its own goroutine, feeds their messages back, and drops
// the spinner's and the cursor's timer messages. settle returns once no
// message has come for a moment and the model has no I/O outstanding.
type harness struct {
	t     testing.TB
	m     Model
	msgs  chan tea.Msg
	quit  bool
	views []string
}

func newHarness(t testing.TB, f *fixture) *harness {
	h := &harness{t: t, m: New(f.deps), msgs: make(chan tea.Msg, 256)}
	h.apply(tea.WindowSizeMsg{Width: 100, Height: 30})
	h.run(h.m.Init())
	h.settle()
	return h
}

func (h *harness) run(cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	go func() { h.msgs <- cmd() }()
}

func isTimer(msg tea.Msg) bool {
	switch msg.(type) {
	case spinner.TickMsg, cursor.BlinkMsg:
		return true
	}
	return strings.Contains(strings.ToLower(reflect.TypeOf(msg).String()), "blink")
}

func (h *harness) apply(msg tea.Msg) {
	switch msg := msg.(type) {
	case nil:
		return
	case tea.BatchMsg:
		for _, c := range msg {
			h.run(c)
		}
		return
	case tea.QuitMsg:
		h.quit = true
		return
	}
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeOf(tea.Cmd(nil)) {
		// tea.Sequence: run in order, here and now.
		for i := 0; i < v.Len(); i++ {
			if c := v.Index(i).Interface().(tea.Cmd); c != nil {
				h.apply(c())
			}
		}
		return
	}
	if isTimer(msg) {
		return
	}
	m, cmd := h.m.Update(msg)
	h.m = m.(Model)
	h.run(cmd)
}

func (h *harness) busy() bool { return h.m.step == stepProbe || h.m.live.running }

func (h *harness) settle() {
	deadline := time.After(20 * time.Second)
	for {
		quiet := time.After(40 * time.Millisecond)
		select {
		case msg := <-h.msgs:
			h.apply(msg)
		case <-quiet:
			if !h.busy() {
				return
			}
		case <-deadline:
			h.t.Fatalf("the wizard did not settle; step %s\n%s", h.m.step, h.view())
		}
	}
}

// key sends a key and settles.
func (h *harness) key(k string) *harness {
	var msg tea.KeyMsg
	switch k {
	case "enter":
		msg = tea.KeyMsg{Type: tea.KeyEnter}
	case "esc":
		msg = tea.KeyMsg{Type: tea.KeyEsc}
	case "ctrl+c":
		msg = tea.KeyMsg{Type: tea.KeyCtrlC}
	case "ctrl+b":
		msg = tea.KeyMsg{Type: tea.KeyCtrlB}
	case "ctrl+o":
		msg = tea.KeyMsg{Type: tea.KeyCtrlO}
	case "ctrl+y":
		msg = tea.KeyMsg{Type: tea.KeyCtrlY}
	case "ctrl+u":
		msg = tea.KeyMsg{Type: tea.KeyCtrlU}
	case "down":
		msg = tea.KeyMsg{Type: tea.KeyDown}
	case "shift+tab":
		msg = tea.KeyMsg{Type: tea.KeyShiftTab}
	default:
		msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
	}
	h.apply(msg)
	h.settle()
	return h
}

// paste delivers text as a terminal's bracketed paste does: one message.
func (h *harness) paste(text string) *harness {
	h.apply(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(text), Paste: true})
	h.settle()
	return h
}

// replace clears the focused input and pastes text.
func (h *harness) replace(text string) *harness {
	return h.key("ctrl+u").paste(text)
}

func (h *harness) view() string { return ansi.Strip(h.m.View()) }

func (h *harness) at(want step) {
	h.t.Helper()
	if h.m.step != want {
		h.t.Fatalf("at %s, want %s\n%s", h.m.step, want, h.view())
	}
}

func (h *harness) sees(parts ...string) {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if !strings.Contains(v, p) {
			h.t.Fatalf("view lacks %q:\n%s", p, v)
		}
	}
}

func (h *harness) doesNotSee(parts ...string) {
	h.t.Helper()
	v := h.view()
	for _, p := range parts {
		if strings.Contains(v, p) {
			h.t.Fatalf("view shows %q:\n%s", p, v)
		}
	}
}

func mustRead(t testing.TB, path string) string {
	t.Helper()
	data, err := readFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

var readFile = os.ReadFile

func keyUp() tea.KeyMsg { return tea.KeyMsg{Type: tea.KeyUp} }
