package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"entrasso/oidccheck"
	"entrasso/store"
)

// version is stamped at release time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes (DESIGN.md "Exit codes").
const (
	exitOK          = 0
	exitFailed      = 1
	exitUsage       = 2
	exitStore       = 3
	exitInterrupted = 130
)

// env is what a command may touch of the outside world, injected so that
// tests can run commands in-process.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
	now    func() time.Time
}

func defaultEnv() env {
	return env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv, now: time.Now}
}

// globals are the flags every command takes, before or after its name.
type globals struct {
	profile         string
	json            bool
	accessible      bool
	configDir       string
	authorityHost   string
	timeout         time.Duration
	insecureStorage bool
	noBrowser       bool
	version         bool
	help            bool
	// Microsoft Graph (DESIGN.md "Letting entrasso do Entra's side").
	graphHost     string
	graphClientID string
	deviceCode    bool
	tenant        string
	// pick lists the profiles for bare `entrasso` to ask between, when
	// there are several and no --profile was given.
	pick []string
}

func (g *globals) register(fs *flag.FlagSet, e env) {
	fs.StringVar(&g.profile, "profile", "default", "profile `NAME`")
	fs.BoolVar(&g.json, "json", false, "print the report as JSON")
	fs.BoolVar(&g.accessible, "accessible", false, "plain line prompts for screen readers (also TERM=dumb or ACCESSIBLE)")
	fs.StringVar(&g.configDir, "config-dir", e.getenv("ENTRASSO_CONFIG_DIR"), "configuration `folder` (env ENTRASSO_CONFIG_DIR)")
	ah := e.getenv("ENTRASSO_AUTHORITY_HOST")
	if ah == "" {
		ah = oidccheck.DefaultAuthorityHost
	}
	fs.StringVar(&g.authorityHost, "authority-host", ah, "Entra login `HOST[:PORT]` (env ENTRASSO_AUTHORITY_HOST)")
	fs.DurationVar(&g.timeout, "timeout", oidccheck.DefaultTimeout, "limit for each network call (a Go `duration`)")
	fs.BoolVar(&g.insecureStorage, "insecure-storage", false, "keep the secret in a 0600 file when no keyring exists")
	fs.BoolVar(&g.noBrowser, "no-browser", false, "print links instead of opening a browser")
	fs.StringVar(&g.graphHost, "graph-host", e.getenv("ENTRASSO_GRAPH_HOST"), "Microsoft Graph `HOST[:PORT]` (env ENTRASSO_GRAPH_HOST; default: the Graph host of the profile's cloud)")
	fs.StringVar(&g.graphClientID, "graph-client-id", e.getenv("ENTRASSO_GRAPH_CLIENT_ID"), "the public client `ID` the admin signs in to Graph with (env ENTRASSO_GRAPH_CLIENT_ID; default Microsoft Graph Command Line Tools)")
	fs.BoolVar(&g.deviceCode, "device-code", false, "sign in to Graph with a device code instead of the browser")
	fs.StringVar(&g.tenant, "tenant", "", "the tenant's `ID or domain` for the Graph sign-in (default: the profile's, or the discovery value)")
	fs.BoolVar(&g.version, "version", false, "print the version")
	fs.BoolVar(&g.help, "help", false, "show help")
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	flags   func(fs *flag.FlagSet) func(ctx context.Context, g *globals, e env) int
}

func commands() []command {
	return []command{
		{"check", "check values without saving anything, as a report", checkCommand},
		{"setup", "the first-time setup (--non-interactive: from flags, for scripts)", setupCommand},
		{"rotate", "rotate the client secret without losing the working one (--non-interactive, --finish)", rotateCommand},
		{"test-login", "a real sign-in through the browser before SSO is enforced for everyone", testLoginCommand},
		{"verify", "live check of the saved profile with the stored secret (for cron)", verifyCommand},
		{"status", "what is saved and how long until the secret expires", statusCommand},
		{"secret", "print the stored secret, for piping (entrasso secret | pbcopy)", secretCommand},
		{"forget", "remove a profile and its keyring entries", forgetCommand},
		{"demo", "the whole wizard against a built-in Entra look-alike (--serve: only the look-alike)", demoCommand},
	}
}

// usageError is a mistake in the command line: exit 2.
type usageError struct{ msg string }

func (u *usageError) Error() string { return u.msg }

func usagef(format string, a ...any) error { return &usageError{fmt.Sprintf(format, a...)} }

// splitCommand finds the command word among args, skipping the values of
// flags that take one, so that global flags may stand on either side.
func splitCommand(args []string, lookup func(string) *flag.Flag) (name string, rest []string) {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			return a, append(slices.Clone(args[:i]), args[i+1:]...)
		}
		n := strings.TrimLeft(a, "-")
		if strings.Contains(n, "=") {
			continue
		}
		if f := lookup(n); f != nil {
			if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
				continue
			}
			i++
		}
	}
	return "", args
}

// lookupAnyFlag finds a flag among the global flags and those of every
// command, only to tell whether it takes a value.
func lookupAnyFlag(name string, e env) *flag.Flag {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	var g globals
	g.register(fs, e)
	if f := fs.Lookup(name); f != nil {
		return f
	}
	for _, c := range commands() {
		cfs := flag.NewFlagSet("", flag.ContinueOnError)
		c.flags(cfs)
		if f := cfs.Lookup(name); f != nil {
			return f
		}
	}
	return nil
}

func run(args []string, e env) int {
	name, rest := splitCommand(args, func(n string) *flag.Flag { return lookupAnyFlag(n, e) })

	var cmd *command
	for _, c := range commands() {
		if c.name == name {
			cmd = &c
		}
	}
	if name != "" && cmd == nil {
		var g globals
		g.json = wantsJSON(args)
		return usage(e, &g, "", usagef("unknown command %q (commands: %s)", name, strings.Join(commandNames(), ", ")))
	}
	fs := flag.NewFlagSet("entrasso "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	var g globals
	g.register(fs, e)
	var runFn func(context.Context, *globals, env) int
	if cmd != nil {
		runFn = cmd.flags(fs)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(e, cmd)
			return exitOK
		}
		g.json = g.json || wantsJSON(rest)
		return usage(e, &g, name, explainFlagError(err))
	}
	if fs.NArg() > 0 {
		g.json = g.json || wantsJSON(rest)
		return usage(e, &g, name, unexpectedArgument(fs.Arg(0)))
	}
	switch {
	case g.version:
		fmt.Fprintln(e.stdout, "entrasso", version)
		return exitOK
	case g.help:
		printHelp(e, cmd)
		return exitOK
	}
	if g.timeout <= 0 {
		return usage(e, &g, name, usagef("--timeout must be a positive duration such as 15s"))
	}
	if code, ok := g.resolveProfile(e, fs, name); !ok {
		return code
	}
	// SIGHUP is a closed terminal: stop as for Ctrl+C, keeping progress.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	defer stop()
	if cmd == nil {
		runFn = defaultCommand
	}
	code := runFn(ctx, &g, e)
	if ctx.Err() != nil {
		return exitInterrupted
	}
	return code
}

// wantsJSON finds --json among arguments the flag parser did not reach, so
// that a usage error is JSON too when --json comes after the mistake.
func wantsJSON(args []string) bool {
	for _, a := range args {
		switch strings.TrimLeft(a, "-") {
		case "json", "json=true", "json=1", "json=t", "json=TRUE", "json=True":
			if strings.HasPrefix(a, "-") {
				return true
			}
		}
	}
	return false
}

// unexpectedArgument names a stray word, unless it may be a secret pasted
// in the wrong place: then only its length is said.
func unexpectedArgument(a string) error {
	if len(a) <= 20 && !strings.ContainsAny(a, "~=+/") {
		return usagef("unexpected argument %q; values are given with flags such as --client-id", a)
	}
	return usagef("unexpected argument of %d characters (not shown: it may be a secret); values are given with flags, the secret with --client-secret-stdin", len(a))
}

// resolveProfile applies DESIGN.md's rule for a missing --profile: with
// exactly one saved profile every command uses it; with several, a command
// that needs one lists them and stops (exit 2), except bare `entrasso`,
// whose menu asks which one. check and demo need none.
func (g *globals) resolveProfile(e env, fs *flag.FlagSet, cmd string) (int, bool) {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == "profile" })
	if given || cmd == "check" || cmd == "demo" {
		return exitOK, true
	}
	dir, err := configDir(g)
	if err != nil {
		return exitOK, true
	}
	names, err := store.New(dir, nil).List()
	switch {
	case err != nil || len(names) == 0:
	case len(names) == 1:
		g.profile = names[0]
	case cmd == "":
		// Bare `entrasso` opens the wizard, which asks which one.
		g.pick = names
	default:
		return usage(e, g, cmd, usagef("there are %d profiles (%s); choose one with --profile NAME", len(names), strings.Join(names, ", "))), false
	}
	return exitOK, true
}

// explainFlagError rewrites the flag package's errors in entrasso's own
// spelling (--flag, not Go's single-dash -flag), and says why a secret is
// never taken as a flag value (every user of the machine can read argv).
func explainFlagError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "-client-secret") && !strings.Contains(msg, "-client-secret-stdin") {
		return usagef("the secret is never taken as a flag value, since every user of this machine can read a command line; pipe it with --client-secret-stdin or set ENTRASSO_CLIENT_SECRET")
	}
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return usagef("unknown flag --%s", strings.TrimLeft(name, "-"))
	}
	if strings.HasPrefix(msg, "invalid boolean value ") {
		// Never echo the value: --client-secret-stdin=VALUE is a secret
		// typed where it must not be.
		_, name, _ := strings.Cut(msg, " for -")
		name, _, _ = strings.Cut(name, ":")
		return usagef("--%s is a switch and takes no value", strings.TrimLeft(name, "-"))
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return usagef("--%s needs a value", strings.TrimLeft(name, "-"))
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		// invalid value "x" for flag -timeout: parse error
		if i := strings.Index(rest, " for flag -"); i >= 0 {
			value, tail := rest[:i], rest[i+len(" for flag -"):]
			name, reason, _ := strings.Cut(tail, ": ")
			return usagef("--%s: %s is not valid (%s)", name, value, reason)
		}
	}
	if name, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return usagef("bad flag syntax: %s", name)
	}
	return usagef("%s", msg)
}

func printUsage(w io.Writer, e env) {
	fmt.Fprintln(w, "entrasso connects Syncro's single sign-on to Microsoft Entra ID.")
	fmt.Fprintln(w, "\nUsage: entrasso [flags] [COMMAND] [flags]\n\nWithout a command: the setup wizard, or the menu once a profile exists.\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	printGlobalFlags(w, e)
	fmt.Fprintln(w, "\n'entrasso COMMAND --help' lists a command's own flags.")
}

// printGlobalFlags lists the flags every command takes.
func printGlobalFlags(w io.Writer, e env) {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	var g globals
	g.register(fs, e)
	fmt.Fprintln(w, "\nGlobal flags (before or after the command):")
	printFlags(w, fs)
}

// printCommandUsage lists a command's own flags, then the global ones.
func printCommandUsage(w io.Writer, name string, e env) {
	for _, c := range commands() {
		if c.name != name {
			continue
		}
		fmt.Fprintf(w, "entrasso %s: %s\n\nUsage: entrasso %s [flags]\n", name, c.summary, name)
		fs := flag.NewFlagSet("", flag.ContinueOnError)
		c.flags(fs)
		if n := countFlags(fs); n > 0 {
			fmt.Fprintf(w, "\nFlags of %s:\n", name)
			printFlags(w, fs)
		}
	}
	printGlobalFlags(w, e)
}

func countFlags(fs *flag.FlagSet) int {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n
}

// printFlags prints a flag set as --name, the way entrasso spells flags
// (the flag package's own listing uses a single dash).
func printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		kind, usage := flag.UnquoteUsage(f)
		head := "  --" + f.Name
		if kind != "" {
			head += " " + kind
		}
		def := ""
		if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0s" && f.DefValue != "0" {
			def = " (default " + f.DefValue + ")"
		}
		fmt.Fprintf(w, "%s\n        %s%s\n", head, usage, def)
	})
}

func printHelp(e env, cmd *command) {
	if cmd == nil {
		printUsage(e.stdout, e)
		return
	}
	printCommandUsage(e.stdout, cmd.name, e)
}

func commandNames() []string {
	var names []string
	for _, c := range commands() {
		names = append(names, c.name)
	}
	return names
}

// flagSetFor returns an empty flag set, for calling a command's runner
// with its defaults.
func flagSetFor() *flag.FlagSet { return flag.NewFlagSet("", flag.ContinueOnError) }
