// Package wizard is entrasso's one bubbletea program: the guided setup over
// the documented steps of package steps, the menu over a saved profile, the
// rotation and the test sign-in; and the same flows as plain line prompts
// (RunAccessible). It gathers values and renders what package flow reports:
// every sequence and live check is flow's, run in a tea.Cmd.
package wizard

import (
	"errors"
	"io"
	"os"
	"runtime"
	"time"

	"entrasso/flow"
	"entrasso/steps"
	"entrasso/store"

	"github.com/atotto/clipboard"
	"github.com/aymanbagabas/go-osc52/v2"
	"github.com/charmbracelet/lipgloss"
	"github.com/cli/browser"
)

// DemoPortal is what the look-alike's portal would show the admin, for
// `entrasso demo`.
type DemoPortal struct {
	TenantID, TenantDomain, ClientID, ObjectID, Secret, SecretID, MetadataURL, RedirectURI string
}

// Deps is everything the wizard touches outside itself, injected so tests
// replace any of it (cli/cli's login command injects the same kinds). The
// wizard only reads it: what changes while it runs lives in its models.
type Deps struct {
	// Flow runs every sequence and live check, and holds the store.
	Flow    *flow.Deps
	Profile string
	// Now is the clock of the steps (expiry dates); nil means time.Now.
	Now func() time.Time
	// OpenURL opens a browser; nil or NoBrowser shows the URL instead.
	OpenURL   func(string) error
	NoBrowser bool
	// Copy puts text on the clipboard and says how, in words.
	Copy func(text string) (how string, err error)
	// Renderer is the one lipgloss renderer of the program's output;
	// New needs it, RunAccessible does not.
	Renderer *lipgloss.Renderer
	// Demo, when set, shows the look-alike portal's values. The demo
	// keeps nothing: no progress is written for a resume.
	Demo *DemoPortal
	// Current is the saved profile as the command found it, when there is
	// one: the wizard then opens the menu (or the rotation, with Start).
	Current *store.Profile
	// Start is StartRotate for `entrasso rotate`.
	Start string
	// Profiles lists every saved profile, for the menu's header. With
	// several, an empty Profile and no Current, the wizard first asks
	// which one to open.
	Profiles []string
	// DeleteOld, in the demo, deletes a secret in the look-alike portal,
	// as the admin would in Entra. It takes the secret's hint.
	DeleteOld func(hint string) error
	// DemoNewSecret, in the demo, adds a secret in the look-alike portal
	// and returns its Value and Secret ID.
	DemoNewSecret func() (value, keyID string)
	// Graph is how the admin signs in to Microsoft Graph when entrasso
	// does Entra's side (step 2's choice, a rotation by Graph).
	Graph GraphSignIn
}

// PropagationWait is how long the wizard retries a new secret that Entra
// refuses, since a brand-new secret takes seconds to reach every Entra
// server (DESIGN.md "--propagation-wait": 60 s for the wizard).
const PropagationWait = 60 * time.Second

// StartRotate opens the guided rotation directly.
const StartRotate = "rotate"

// opening is where the wizard starts once the keyring proved usable; the
// full-screen wizard and the plain prompts decide it the same way.
type opening int

const (
	openSetup opening = iota
	openMenu
	openRotation
	// openPick asks which of several profiles to open: `entrasso` alone
	// found several and was given no --profile.
	openPick
)

func (d *Deps) opening() opening {
	switch {
	case d.Current != nil && d.Start == StartRotate:
		return openRotation
	case d.Current != nil:
		return openMenu
	case d.Profile == "" && len(d.Profiles) > 1:
		return openPick
	}
	return openSetup
}

func (d *Deps) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// CanOpenBrowser says whether opening a browser here can work: not with
// --no-browser, not over SSH, and on Linux only with a display.
func CanOpenBrowser(noBrowser bool, getenv func(string) string) bool {
	if noBrowser || getenv("SSH_CONNECTION") != "" || getenv("SSH_TTY") != "" {
		return false
	}
	if runtime.GOOS == "linux" || runtime.GOOS == "freebsd" {
		return getenv("DISPLAY") != "" || getenv("WAYLAND_DISPLAY") != ""
	}
	return true
}

// OpenBrowser opens url with the system's browser (cli/browser, as gh).
func OpenBrowser(url string) error {
	browser.Stdout, browser.Stderr = io.Discard, io.Discard
	return browser.OpenURL(url)
}

// SystemCopy puts text on the clipboard both ways a terminal user may
// have: the native clipboard (pbcopy, clip.exe, xclip, wl-copy through
// atotto/clipboard) and OSC 52 to the terminal, which also reaches the
// local clipboard over SSH. It says which one worked.
func SystemCopy(out io.Writer, getenv func(string) string) func(string) (string, error) {
	return func(text string) (string, error) {
		nativeErr := clipboard.WriteAll(text)
		seq := osc52.New(text)
		if getenv("TMUX") != "" {
			seq = seq.Tmux()
		}
		_, oscErr := seq.WriteTo(out)
		switch {
		case nativeErr == nil && oscErr == nil:
			return "system clipboard and OSC 52", nil
		case nativeErr == nil:
			return "system clipboard", nil
		case oscErr == nil:
			// No clipboard tool (xclip, wl-copy…) here: the terminal must
			// take the copy.
			return "OSC 52 only: your terminal must allow clipboard writes", nil
		}
		return "", errors.Join(nativeErr, oscErr)
	}
}

// Stdout is the program's output, for OSC 52.
var Stdout io.Writer = os.Stdout

// AuthenticationURL is the app's Authentication page, where the test
// sign-in's redirect URI is added (and removed again).
func AuthenticationURL(p *store.Profile) string {
	return steps.AppURL(steps.PortalFor(p.AuthorityHost), steps.BladeAuthentication, p.ClientID)
}

// withProfile is the dependencies for the profile the admin picked.
func (d *Deps) withProfile(name string) *Deps {
	nd := *d
	nd.Profile = name
	return &nd
}
