package wizard

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"entrasso/oidccheck"
	"entrasso/steps"
	"entrasso/store"

	"github.com/charmbracelet/huh"
	"golang.org/x/term"
)

// lineReader hands out one line per Read. huh's accessible prompts make a
// new bufio.Scanner for every prompt; a reader that returned more than a
// line would lose the rest to the first scanner.
type lineReader struct{ r *bufio.Reader }

func (l lineReader) Read(p []byte) (int, error) {
	line, err := l.r.ReadSlice('\n')
	if len(line) > len(p) {
		line = line[:len(p)]
	}
	n := copy(p, line)
	if n > 0 {
		return n, nil
	}
	return 0, err
}

// RunAccessible runs the same steps and checks as the wizard as plain line
// prompts, for screen readers (--accessible, TERM=dumb, ACCESSIBLE).
func RunAccessible(ctx context.Context, d *Deps, in io.Reader, out io.Writer) int {
	br := bufio.NewReader(in)
	lr := lineReader{br}
	say := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	say("entrasso: Syncro single sign-on with Microsoft Entra ID (plain prompts)")
	if err := d.probe(ctx); err != nil {
		var se *store.Error
		if errors.As(err, &se) {
			say("The client secret cannot be kept on this machine: %s [%s]. Fix: %s", se.Message, se.Code, se.Fix)
		} else {
			say("The client secret cannot be kept on this machine: %v", err)
		}
		say("Nothing was saved. Run again with --insecure-storage to keep it in a plain 0600 file instead (not advised).")
		return ExitStore
	}
	v := &steps.Values{}
	v.Defaults()
	env := steps.Env{AuthorityHost: d.AuthorityHost, Now: d.now()}
	n := 1
	if p, ok := d.Store.LoadProgress(d.Profile); ok && p.Step >= 1 {
		resume := true
		prompt := huh.NewConfirm().Title(fmt.Sprintf("An unfinished setup stopped at step %d. %s?", p.Step, resumeLabel(p.Step))).Value(&resume)
		if err := huh.NewForm(huh.NewGroup(prompt)).WithAccessible(true).WithInput(lr).WithOutput(out).Run(); err != nil {
			return ExitInterrupted
		}
		if resume {
			*v = steps.Values{RedirectURI: p.RedirectURI, LogoutURL: p.LogoutURL, AppChoice: p.AppChoice, ClientID: p.ClientID,
				SecretDescription: p.SecretDescription, SecretExpiry: p.SecretExpiry, SecretCustomDate: p.SecretCustomDate, Discovery: p.Discovery}
			v.Defaults()
			n = min(p.Step, 4)
		}
	}
	defs := steps.All()
	tty := isTTY(in)
	for n <= 7 {
		if ctx.Err() != nil {
			return ExitInterrupted
		}
		def := defs[n-1]
		say("\nStep %d of 7: %s\n%s", n, def.Title, def.Instructions(v, env))
		if def.Link != nil {
			if l, ok := def.Link(v, env); ok {
				say("Portal page (%s): %s", l.Label, l.URL)
			}
		}
		if def.Copies != nil && n < 7 {
			for _, c := range def.Copies(v, env) {
				say("%s: %s", c.Label, c.Value)
			}
		}
		if n <= 5 {
			_ = d.Store.SaveProgress(d.Profile, progressOf(n, v))
			if !askFields(def, v, env, lr, out, tty) {
				return ExitInterrupted
			}
			failed := false
			for _, c := range def.Check(v, env) {
				say("%s", plainCheck(c))
				failed = failed || c.Status == oidccheck.StatusFail
			}
			if n == 5 && !failed {
				if dd, r := oidccheck.ParseDiscovery(v.Discovery, env.AuthorityHost); r.OK() {
					_, c := d.Checker.Discover(ctx, dd)
					say("%s", plainCheck(c))
				}
			}
			if !failed {
				n++
			}
			continue
		}
		if n == 6 {
			checker := *d.Checker
			checker.OnWait = func(w oidccheck.WaitInfo) {
				say("Entra does not accept the new secret yet; trying again in %s (%s of %s waited).", w.Next, w.Waited, w.Limit)
			}
			say("Checking with Entra…")
			rep, note, err := Save(ctx, d, &checker, *v, env)
			if note != "" {
				say("%s", note)
			}
			if err != nil {
				say("Could not save: %v", err)
				return 1
			}
			for _, c := range rep.Checks {
				say("%s", plainCheck(c))
			}
			if c, failed := rep.FirstFailure(); failed {
				if s := fieldStep(c.Field); s != stepSave {
					say("Back to step %d to fix %s.", s.number(), c.Field.Label())
					n = s.number()
					continue
				}
				if c.Code == oidccheck.CodeKeyringUnavailable || c.Code == oidccheck.CodeKeyringTimeout || c.Code == oidccheck.CodeTooBig {
					return ExitStore
				}
				return 1
			}
			v.DiscoveryURL, v.TenantID, v.Secret = rep.Values.DiscoveryURL, rep.Values.TenantID, ""
			say("Saved as profile %s: the secret in the keyring, the rest in %s.", d.Profile, d.Store.Path(d.Profile))
			n++
			continue
		}
		for _, c := range def.Copies(v, env) {
			if c.Secret {
				say("%s: the Value you pasted (entrasso secret prints it again)", c.Label)
				continue
			}
			say("%s: %s", c.Label, c.Value)
		}
		exp, _ := steps.ExpiryDate(v, env.Now)
		say("Before you enforce SSO for the whole account:")
		for _, item := range steps.Checklist(exp) {
			say("- %s", item)
		}
		n++
	}
	return ExitDone
}

// askFields prompts for each field of a step. The secret is asked without
// echo on a terminal; from a pipe it is read as a line (nothing echoes it).
func askFields(def steps.Step, v *steps.Values, env steps.Env, lr lineReader, out io.Writer, tty bool) bool {
	if def.Fields == nil {
		return true
	}
	for _, f := range def.Fields(v, env) {
		if f.GetKey() == "custom_date" && v.SecretExpiry != "custom" {
			continue
		}
		if f.GetKey() == "secret" && !tty {
			for {
				fmt.Fprint(out, "Value (the secret): ")
				line, err := lr.r.ReadString('\n')
				if err != nil && line == "" {
					return false
				}
				v.Secret = strings.TrimRight(line, "\r\n")
				if e := oidccheck.CheckSecret(v.Secret).Err(); e != nil {
					fmt.Fprintln(out, e)
					continue
				}
				break
			}
			continue
		}
		if _, err := lr.r.Peek(1); err != nil {
			return false // end of input: cancelled
		}
		if err := huh.NewForm(huh.NewGroup(f)).WithAccessible(true).WithInput(lr).WithOutput(out).Run(); err != nil {
			return false
		}
	}
	return true
}

func progressOf(n int, v *steps.Values) store.Progress {
	return store.Progress{Step: n, RedirectURI: v.RedirectURI, LogoutURL: v.LogoutURL, AppChoice: v.AppChoice, ClientID: v.ClientID,
		SecretDescription: v.SecretDescription, SecretExpiry: v.SecretExpiry, SecretCustomDate: v.SecretCustomDate, Discovery: v.Discovery}
}

func plainCheck(c oidccheck.Check) string {
	s := strings.ToUpper(string(c.Status)) + ": " + c.Message
	if c.Code != "" {
		s += " [" + string(c.Code) + "]"
	}
	if c.Fix != "" && c.Status != oidccheck.StatusPass {
		s += ". Fix: " + c.Fix
	}
	if c.Cleaned != "" {
		s += ". Removed from the paste: " + c.Cleaned
	}
	if c.TraceID != "" {
		s += ". Entra trace ID " + c.TraceID + ", correlation ID " + c.CorrelationID
	}
	return s
}

func isTTY(r io.Reader) bool {
	f, ok := r.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
