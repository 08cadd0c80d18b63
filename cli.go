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
		fmt.Fprintf(e.stderr, "entrasso: unknown command %q\n\n", name)
		printUsage(e.stderr)
		return exitUsage
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
			printCommandUsage(e.stdout, name, fs)
			return exitOK
		}
		return usage(e, &g, name, explainFlagError(err))
	}
	if fs.NArg() > 0 {
		return usage(e, &g, name, usagef("unexpected argument %q", fs.Arg(0)))
	}
	switch {
	case g.version:
		fmt.Fprintln(e.stdout, "entrasso", version)
		return exitOK
	case g.help:
		if cmd == nil {
			printUsage(e.stdout)
		} else {
			printCommandUsage(e.stdout, name, fs)
		}
		return exitOK
	}
	if g.timeout <= 0 {
		return usage(e, &g, name, usagef("--timeout must be a positive duration such as 15s"))
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

// explainFlagError keeps a flag error readable and says why a secret is
// never taken as a flag value (every user of the machine can read argv).
func explainFlagError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "-client-secret") && !strings.Contains(msg, "-client-secret-stdin") {
		return usagef("the secret is never taken as a flag value, since every user of this machine can read a command line; pipe it with --client-secret-stdin or set ENTRASSO_CLIENT_SECRET")
	}
	return usagef("%s", msg)
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "entrasso connects Syncro's single sign-on to Microsoft Entra ID.")
	fmt.Fprintln(w, "\nUsage: entrasso [global flags] COMMAND [flags]\n\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-12s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nGlobal flags go before or after the command; 'entrasso COMMAND --help' lists them.")
}

func printCommandUsage(w io.Writer, name string, fs *flag.FlagSet) {
	for _, c := range commands() {
		if c.name == name {
			fmt.Fprintf(w, "entrasso %s: %s\n\nFlags:\n", name, c.summary)
		}
	}
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// flagSetFor returns an empty flag set, for calling a command's runner
// with its defaults.
func flagSetFor() *flag.FlagSet { return flag.NewFlagSet("", flag.ContinueOnError) }
