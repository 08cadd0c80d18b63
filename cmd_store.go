package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/store"

	"golang.org/x/term"
)

// configDir is --config-dir, or os.UserConfigDir()/entrasso.
func configDir(g *globals) (string, error) {
	if g.configDir != "" {
		return g.configDir, nil
	}
	base, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no configuration folder (%v); pass --config-dir", err)
	}
	return filepath.Join(base, "entrasso"), nil
}

// keyringTimeout reads ENTRASSO_KEYRING_TIMEOUT (a Go duration), for a
// keyring whose unlock prompt needs longer than the default 20 s.
func keyringTimeout(e env) time.Duration {
	if d, err := time.ParseDuration(e.getenv("ENTRASSO_KEYRING_TIMEOUT")); err == nil && d > 0 {
		return d
	}
	return store.DefaultKeyringTimeout
}

// openStore opens the configuration folder with the OS keyring, or with the
// plain file when the admin opted in with --insecure-storage or the profile
// was saved that way.
func openStore(g *globals, e env) (*store.Store, error) {
	if err := store.ValidName(g.profile); err != nil {
		return nil, usagef("--profile: %s", strings.TrimPrefix(err.Error(), "store: "))
	}
	dir, err := configDir(g)
	if err != nil {
		return nil, err
	}
	s := store.New(dir, store.SystemKeyring{Timeout: keyringTimeout(e)})
	useFile := g.insecureStorage
	if p, err := s.Load(g.profile); err == nil && p.SecretStorage == store.StorageFile {
		useFile = true
	}
	if useFile {
		s.Keyring = &store.FileKeyring{Dir: dir, Warn: func(m string) { fmt.Fprintln(e.stderr, m) }}
	}
	return s, nil
}

// statusJSON is `status --json`.
type statusJSON struct {
	Profile            string      `json:"profile"`
	Path               string      `json:"path"`
	RedirectURI        string      `json:"redirect_uri,omitempty"`
	ClientID           string      `json:"client_id"`
	TenantID           string      `json:"tenant_id"`
	DiscoveryURL       string      `json:"discovery_url"`
	AuthorityHost      string      `json:"authority_host"`
	SecretStorage      string      `json:"secret_storage"`
	Secret             secretJSON  `json:"secret"`
	Previous           *secretJSON `json:"previous_secret,omitempty"`
	LastVerified       *time.Time  `json:"last_verified"`
	LastSignIn         *time.Time  `json:"last_sign_in"`
	InterruptedChange  bool        `json:"interrupted_change"`
	RotationInProgress bool        `json:"rotation_in_progress"`
}

type secretJSON struct {
	Hint        string `json:"hint"`
	Description string `json:"description,omitempty"`
	Created     string `json:"created"`
	Expires     string `json:"expires,omitempty"`
	DaysLeft    *int   `json:"days_left,omitempty"`
	Expired     bool   `json:"expired"`
}

func describeSecret(s store.SecretInfo, now time.Time) secretJSON {
	j := secretJSON{Hint: s.Hint, Description: s.Description, Created: s.Created.Format("2006-01-02"), Expires: s.Expires}
	if d, ok := s.DaysLeft(now); ok {
		j.DaysLeft = &d
		j.Expired = d < 0
	}
	return j
}

func daysText(s secretJSON) string {
	switch {
	case s.DaysLeft == nil:
		return "expiry not recorded"
	case *s.DaysLeft < 0:
		return fmt.Sprintf("EXPIRED %d days ago", -*s.DaysLeft)
	case *s.DaysLeft == 0:
		return "expires TODAY"
	}
	return fmt.Sprintf("%d days left", *s.DaysLeft)
}

func whenText(t *time.Time) string {
	if t == nil {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func statusCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	warnDays := fs.Int("warn-days", -1, "exit 1 when the secret has `N` or fewer days left, or has expired (for cron)")
	live := fs.Bool("live", false, "sign in as an admin and list every client secret of the app from Microsoft Graph")
	return func(ctx context.Context, g *globals, e env) int {
		// status reads no keyring: it runs where the keyring is locked.
		if err := store.ValidName(g.profile); err != nil {
			return storeExit(e, g, "status", usagef("--profile: %s", strings.TrimPrefix(err.Error(), "store: ")))
		}
		dir, err := configDir(g)
		if err != nil {
			return storeExit(e, g, "status", err)
		}
		s := store.New(dir, nil)
		p, err := s.Load(g.profile)
		if err != nil {
			return storeExit(e, g, "status", err)
		}
		now := e.now()
		st := statusJSON{Profile: p.Name, Path: s.Path(p.Name), RedirectURI: p.RedirectURI, ClientID: p.ClientID, TenantID: p.TenantID,
			DiscoveryURL: p.DiscoveryURL, AuthorityHost: p.AuthorityHost, SecretStorage: p.SecretStorage,
			Secret: describeSecret(p.Secret, now), LastVerified: p.LastVerified, LastSignIn: p.LastSignIn, RotationInProgress: p.Previous != nil}
		if p.Previous != nil {
			prev := describeSecret(*p.Previous, now)
			st.Previous = &prev
		}
		st.InterruptedChange = s.Interrupted(p.Name)
		liveCode := exitOK
		switch {
		case *live:
			liveCode = statusLive(ctx, g, e, st)
		case g.json:
			var b bytes.Buffer
			enc := json.NewEncoder(&b)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			_ = enc.Encode(st)
			_, _ = e.stdout.Write(oidccheck.SafeJSON(b.Bytes()))
		default:
			printStatus(e.stdout, st)
		}
		if *warnDays >= 0 {
			d := st.Secret.DaysLeft
			if d == nil || *d <= *warnDays {
				if !g.json {
					fmt.Fprintf(e.stderr, "entrasso status: the client secret of profile %s needs rotating: %s (threshold %d days); run entrasso rotate\n", p.Name, daysText(st.Secret), *warnDays)
				}
				return exitFailed
			}
		}
		return liveCode
	}
}

// printStatus prints the saved status for people.
func printStatus(w io.Writer, st statusJSON) {
	fmt.Fprintf(w, "Profile %s (%s)\n", st.Profile, st.Path)
	row := func(k, v string) {
		if v != "" {
			fmt.Fprintf(w, "  %-16s %s\n", k, oidccheck.SafeText(v))
		}
	}
	row("Redirect URI", st.RedirectURI)
	row("Client ID", st.ClientID)
	row("Tenant ID", st.TenantID)
	row("Discovery URL", st.DiscoveryURL)
	sec := st.Secret
	row("Secret", fmt.Sprintf("%s, expires %s (%s), kept in the %s", secretName(sec), orNone(sec.Expires), daysText(sec), storageName(st.SecretStorage)))
	if st.Previous != nil {
		row("Previous secret", secretName(*st.Previous)+": kept until Syncro has the new one; then run entrasso rotate --finish")
	}
	row("Last verified", whenText(st.LastVerified))
	row("Last sign-in", whenText(st.LastSignIn))
	if st.InterruptedChange {
		fmt.Fprintln(w, "\nAn earlier change was interrupted; the next entrasso verify, rotate or secret completes or undoes it.")
	}
}

// secretName is how status names a secret: its hint, and its description
// when it has one.
func secretName(s secretJSON) string {
	if s.Description == "" {
		return s.Hint + "…"
	}
	return fmt.Sprintf("%s… %q", s.Hint, s.Description)
}

func orNone(s string) string {
	if s == "" {
		return "(not recorded)"
	}
	return s
}

func storageName(s string) string {
	if s == store.StorageFile {
		return "plain file (--insecure-storage)"
	}
	return "OS keyring"
}

func secretCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	return func(ctx context.Context, g *globals, e env) int {
		s, err := openStore(g, e)
		if err != nil {
			return storeExit(e, g, "secret", err)
		}
		v, res := flow.Secret(&flow.Deps{Store: s}, g.profile)
		if res.Failed() {
			return finish(e, g, "secret", res)
		}
		for _, n := range res.Notes {
			fmt.Fprintln(e.stderr, "entrasso: "+oidccheck.SafeText(n))
		}
		// A newline only for a person: piped into a clipboard tool it
		// would become part of the pasted secret.
		if isTerminal(e.stdout) {
			fmt.Fprintln(e.stdout, v)
		} else {
			fmt.Fprint(e.stdout, v)
		}
		return exitOK
	}
}

func forgetCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	yes := fs.Bool("yes", false, "do not ask for confirmation (scripts)")
	return func(ctx context.Context, g *globals, e env) int {
		s, err := openStore(g, e)
		if err != nil {
			return storeExit(e, g, "forget", err)
		}
		p, err := s.Load(g.profile)
		var ce *store.CorruptError
		orphan := false
		if errors.Is(err, store.ErrNotFound) {
			// No profile here, but maybe a keyring entry under its name
			// (a profile file removed by hand): forget is the way to
			// remove it, and setup says so.
			_, serr := s.Secret(g.profile)
			orphan = serr == nil
		}
		if err != nil && !errors.As(err, &ce) && !orphan {
			return storeExit(e, g, "forget", err)
		}
		if !*yes {
			if !isTerminal(e.stdin) {
				return storeExit(e, g, "forget", usagef("refusing to remove profile %q without confirmation; pass --yes", g.profile))
			}
			what := "profile " + g.profile
			if p != nil {
				what += " (client ID " + p.ClientID + ", secret " + p.Secret.Hint + "…)"
			}
			fmt.Fprintf(e.stderr, "This removes %s and its secrets from this machine (not from Entra or Syncro).\nType the profile name to confirm: ", what)
			line, _ := bufio.NewReader(e.stdin).ReadString('\n')
			if strings.TrimSpace(line) != g.profile {
				fmt.Fprintln(e.stderr, "Not confirmed; nothing was removed.")
				return exitFailed
			}
		}
		res := flow.Forget(&flow.Deps{Store: s}, g.profile)
		if res.Failed() || g.json {
			return finish(e, g, "forget", res)
		}
		if orphan {
			fmt.Fprintf(e.stdout, "Removed the keyring entries of profile %s (there was no profile file here). Entra is untouched.\n", g.profile)
			return exitOK
		}
		fmt.Fprintf(e.stdout, "Removed profile %s and its keyring entries. The app registration and its secrets in Entra are untouched.\n", g.profile)
		return exitOK
	}
}

// isTerminal reports whether v is an *os.File attached to a terminal.
func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	if !ok {
		return false
	}
	return term.IsTerminal(int(f.Fd()))
}
