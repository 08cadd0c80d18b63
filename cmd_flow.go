package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"entrasso/flow"
	"entrasso/oidccheck"
	"entrasso/store"
)

// flowDeps builds what a flow needs from the global flags. withStore opens
// the configuration folder and its keyring too. On failure it has printed
// why and returns the exit code.
func (g *globals) flowDeps(e env, cmd string, withStore bool) (*flow.Deps, int) {
	client, err := oidccheck.NewHTTPClient(oidccheck.HTTPOptions{Timeout: g.timeout})
	if err != nil {
		res := flow.Result{Report: oidccheck.Report{Profile: g.profile}}
		res.Report.Add(oidccheck.Check{Field: oidccheck.FieldDiscoveryURL, Status: oidccheck.StatusFail, Code: oidccheck.CodeTLSError,
			Message: "the trusted certificates cannot be loaded: " + strings.TrimPrefix(err.Error(), "oidccheck: "),
			Fix:     "SSL_CERT_FILE must name a readable PEM file of CA certificates, or be unset"})
		return nil, finish(e, g, cmd, res)
	}
	d := &flow.Deps{HTTP: client, AuthorityHost: g.authorityHost, Now: e.now, Crash: crashHook(e)}
	if withStore {
		s, err := openStore(g, e)
		if err != nil {
			return nil, storeExit(e, g, cmd, err)
		}
		d.Store = s
	}
	return d, exitOK
}

// finish prints a flow's result and returns its exit code: notes about an
// interrupted earlier change on stderr; the report on stdout (JSON with
// --json). A result that is only a problem with the profile or the secret
// store, with no check of the values, is said on stderr in one block.
func finish(e env, g *globals, cmd string, res flow.Result) int {
	for _, n := range res.Notes {
		fmt.Fprintln(e.stderr, "entrasso: "+oidccheck.SafeText(n))
	}
	switch {
	case g.json:
		_ = res.Report.WriteJSON(e.stdout)
	case onlyStoreProblem(res.Report):
		c, _ := res.Report.FirstFailure()
		printProblem(e, cmd, c)
	default:
		_ = res.Report.WriteText(e.stdout)
	}
	return res.ExitCode()
}

// onlyStoreProblem reports whether every check is about the profile or
// the secret store and one failed: nothing about the values was checked.
func onlyStoreProblem(r oidccheck.Report) bool {
	for _, c := range r.Checks {
		if c.Field != flow.FieldProfile && c.Field != oidccheck.FieldSecretStore {
			return false
		}
	}
	return r.Failed()
}

func printProblem(e env, cmd string, c oidccheck.Check) {
	c = c.Safe()
	line := "entrasso " + cmd + ": " + c.Message
	if c.Code != "" {
		line += " [" + string(c.Code) + "]"
	}
	fmt.Fprintln(e.stderr, line)
	if c.Fix != "" {
		fmt.Fprintln(e.stderr, "  fix: "+c.Fix)
	}
}

// storeExit prints an error from opening the store in the admin's words
// (JSON with --json) and returns the exit code it calls for.
func storeExit(e env, g *globals, cmd string, err error) int {
	var (
		ue *usageError
		ne *store.NameError
	)
	if errors.As(err, &ue) || errors.As(err, &ne) {
		return usage(e, g, cmd, usagef("%s", strings.TrimPrefix(err.Error(), "store: ")))
	}
	res := flow.Result{Report: oidccheck.Report{Profile: g.profile}}
	res.Report.Add(flow.StoreProblem(err, g.profile))
	return finish(e, g, cmd, res)
}

// usage reports a mistake in the command line: exit 2, and JSON with
// --json like every other path.
func usage(e env, g *globals, cmd string, err error) int {
	msg := oidccheck.SafeText(strings.TrimPrefix(err.Error(), "oidccheck: "))
	if g != nil && g.json {
		enc := json.NewEncoder(e.stdout)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(map[string]any{"ok": false, "error": "usage", "message": msg})
		return exitUsage
	}
	name := "entrasso"
	if cmd != "" {
		name += " " + cmd
	}
	fmt.Fprintf(e.stderr, "%s: %s\n", name, msg)
	fmt.Fprintf(e.stderr, "Run '%s --help' for usage.\n", name)
	return exitUsage
}
