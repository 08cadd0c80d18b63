package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"entrasso/flow"
	"entrasso/oidccheck"
)

// valueFlags are the flags that carry the values to check (check and
// setup --non-interactive share them).
type valueFlags struct {
	redirectURI, clientID, discoveryURL, secretExpires, secretDescription optionalString
	secretStdin                                                           bool
	propagationWait                                                       time.Duration
}

// optionalString remembers whether a flag was given at all.
type optionalString struct {
	value string
	set   bool
}

func (o *optionalString) String() string { return o.value }
func (o *optionalString) Set(v string) error {
	o.value, o.set = v, true
	return nil
}
func (o *optionalString) ptr() *string {
	if !o.set {
		return nil
	}
	return &o.value
}

func (v *valueFlags) register(fs *flag.FlagSet, defaultWait time.Duration) {
	fs.Var(&v.redirectURI, "redirect-uri", "Syncro's redirect `URI`")
	fs.Var(&v.clientID, "client-id", "the app's Application (client) `ID`")
	fs.Var(&v.discoveryURL, "discovery-url", "the OpenID Connect metadata document `URL`, tenant ID or domain")
	fs.Var(&v.secretExpires, "secret-expires", "the secret's expiry: 90d, 180d, 365d, 545d, 730d or `YYYY-MM-DD`")
	fs.Var(&v.secretDescription, "secret-description", "the secret's `description` in Entra")
	fs.BoolVar(&v.secretStdin, "client-secret-stdin", false, "read the client secret from the first line of stdin (or set ENTRASSO_CLIENT_SECRET)")
	v.propagationWait = defaultWait
	fs.Var((*waitFlag)(&v.propagationWait), "propagation-wait", "how long to retry a just-created secret that Entra rejects (a `duration`, 0 for no retry)")
}

// readSecret takes the secret from the first line of stdin or from
// ENTRASSO_CLIENT_SECRET, never from argv. nil means none was given.
func (v *valueFlags) readSecret(e env) (*string, error) {
	if v.secretStdin {
		r := bufio.NewReaderSize(io.LimitReader(e.stdin, oidccheck.MaxInput+1), oidccheck.MaxInput+1)
		line, err := r.ReadString('\n')
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("reading the secret from stdin: %w", err)
		}
		line = strings.TrimRight(line, "\r\n")
		if len(line) > oidccheck.MaxInput {
			// Cut silently, it would be checked and sent as something it
			// is not: no Entra secret is anywhere near this long.
			return nil, usagef("the first line of stdin is longer than %d bytes: that is not a client secret", oidccheck.MaxInput)
		}
		return &line, nil
	}
	if s := e.getenv("ENTRASSO_CLIENT_SECRET"); s != "" {
		if len(s) > oidccheck.MaxInput {
			return nil, usagef("ENTRASSO_CLIENT_SECRET is longer than %d bytes: that is not a client secret", oidccheck.MaxInput)
		}
		return &s, nil
	}
	return nil, nil
}

// expiry normalizes --secret-expires; an invalid value is a usage error.
func (v *valueFlags) expiry(now time.Time) (string, error) {
	if !v.secretExpires.set {
		return "", nil
	}
	t, err := oidccheck.ParseExpiry(v.secretExpires.value, now)
	if err != nil {
		return "", usagef("--secret-expires: %s", strings.TrimPrefix(err.Error(), "oidccheck: "))
	}
	return t.Format("2006-01-02"), nil
}

func checkCommand(fs *flag.FlagSet) func(context.Context, *globals, env) int {
	var v valueFlags
	// check retries nothing by default: its values are usually not minutes
	// old (DESIGN.md "--propagation-wait").
	v.register(fs, 0)
	return func(ctx context.Context, g *globals, e env) int {
		expires, err := v.expiry(e.now())
		if err != nil {
			return usage(e, g, "check", err)
		}
		secret, err := v.readSecret(e)
		if err != nil {
			return usage(e, g, "check", err)
		}
		if !v.redirectURI.set && !v.clientID.set && !v.discoveryURL.set && secret == nil {
			return usage(e, g, "check", usagef("nothing to check: give --redirect-uri, --client-id, --discovery-url or the secret (--client-secret-stdin)"))
		}
		d, code := g.flowDeps(e, "check", false)
		if d == nil {
			return code
		}
		res := flow.Check(ctx, d, oidccheck.Input{
			RedirectURI: v.redirectURI.ptr(), ClientID: v.clientID.ptr(), ClientSecret: secret,
			Discovery: v.discoveryURL.ptr(), SecretExpires: expires, Profile: g.profile,
		}, g.waitPrinter(e, v.propagationWait))
		return finish(e, g, "check", res)
	}
}

// waitFlag is a duration that may be zero but never negative.
type waitFlag time.Duration

func (w *waitFlag) String() string { return time.Duration(*w).String() }
func (w *waitFlag) Set(v string) error {
	d, err := time.ParseDuration(v)
	switch {
	case err != nil:
		return errors.New("not a duration such as 60s")
	case d < 0:
		return errors.New("it must not be negative")
	}
	*w = waitFlag(d)
	return nil
}
