// Command omnicast serves the omnicast web app and offers operator
// subcommands. Run "omnicast help" for the list.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	_ "time/tzdata" // workspace time zones work on hosts without zoneinfo
)

// version is stamped at build time: -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand, or a group of them ("user add", "user passwd").
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *runEnv, args []string) error
	// subs are the subcommands of a group; run is nil for a group.
	subs []command
}

// runEnv is what a subcommand may use from the process.
type runEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// commands is the one table of subcommands: dispatch and --help both read it.
func commands() []command {
	return []command{
		{name: "serve", summary: "serve the web app (the default)", run: runServe},
		{name: "migrate", summary: "apply pending database migrations and exit", run: runMigrate},
		{name: "user", summary: "manage users", subs: userCommands()},
		{name: "token", summary: "manage JSON API tokens", subs: tokenCommands()},
		{name: "channel", summary: "manage connected accounts", subs: channelCommands()},
		{name: "contacts", summary: "read, import and export contacts", subs: contactsCommands()},
		{name: "demo", summary: "serve a demo workspace wired to a simulator of all four platforms", run: runDemo},
		{name: "sim", summary: "run the platform simulator for the channels in the database", run: runSim},
		{name: "version", summary: "print the version", run: runVersion},
		{name: "help", summary: "list the commands (also -h, --help)", run: runHelp},
	}
}

func userCommands() []command {
	return []command{
		{name: "add", summary: "add a user; the password is read from standard input", run: runUserAdd},
		{name: "passwd", summary: "change a user's password and end all their sessions", run: runUserPasswd},
	}
}

func channelCommands() []command {
	return []command{
		{name: "add", summary: "connect an account and print its id", run: runChannelAdd},
		{name: "list", summary: "list the connected accounts", run: runChannelList},
	}
}

func contactsCommands() []command {
	return []command{
		{name: "list", summary: "list an account's contacts (--json: one object per line)", run: runContactsList},
		{name: "import", summary: "import contacts into an account from a CSV file", run: runContactsImport},
		{name: "export", summary: "export an account's contacts, or those matching a filter, as CSV", run: runContactsExport},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	env := &runEnv{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}
	err := dispatch(ctx, env, os.Args[1:])
	stop()
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "omnicast:", err)
		os.Exit(1)
	}
}

// dispatch runs the subcommand named by args[0]; serve when none is given.
func dispatch(ctx context.Context, env *runEnv, args []string) error {
	name := "serve"
	if len(args) > 0 && (!isFlag(args[0]) || isHelp(args[0])) {
		name, args = args[0], args[1:]
	}
	if isHelp(name) {
		name = "help"
	}
	for _, c := range commands() {
		if c.name == name {
			return runCommand(ctx, env, c, args)
		}
	}
	usage(env.stderr)
	return fmt.Errorf("unknown command %q", name)
}

// runCommand runs a command, or the subcommand of a group named by args[0].
func runCommand(ctx context.Context, env *runEnv, c command, args []string) error {
	if c.subs == nil {
		return c.run(ctx, env, args)
	}
	want := make([]string, len(c.subs))
	for i, sub := range c.subs {
		want[i] = sub.name
	}
	if len(args) > 0 && isHelp(args[0]) {
		usage(env.stdout)
		return nil
	}
	if len(args) == 0 {
		usage(env.stderr)
		return fmt.Errorf("%s: expected a subcommand: %s (see 'omnicast %s %s --help')", c.name, strings.Join(want, ", "), c.name, want[0])
	}
	for _, sub := range c.subs {
		if sub.name == args[0] {
			return sub.run(ctx, env, args[1:])
		}
	}
	return fmt.Errorf("%s: unknown subcommand %q (want %s)", c.name, args[0], strings.Join(want, ", "))
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

func isHelp(s string) bool { return s == "help" || s == "-h" || s == "--help" || s == "-help" }

// usage lists every command and subcommand, one line each.
func usage(w io.Writer) {
	fmt.Fprintln(w, "omnicast — segmented broadcasts on Messenger, LINE and WhatsApp")
	fmt.Fprintln(w, "\nUsage: omnicast [command] [subcommand] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		if c.subs == nil {
			fmt.Fprintf(w, "  %-17s %s\n", c.name, c.summary)
			continue
		}
		for _, sub := range c.subs {
			fmt.Fprintf(w, "  %-17s %s\n", c.name+" "+sub.name, sub.summary)
		}
	}
	fmt.Fprintln(w, "\nRun 'omnicast <command> --help' for the flags of a command, e.g. 'omnicast user add --help'.")
}

func runHelp(_ context.Context, env *runEnv, _ []string) error {
	usage(env.stdout)
	return nil
}

func runVersion(_ context.Context, env *runEnv, _ []string) error {
	fmt.Fprintln(env.stdout, "omnicast", version)
	return nil
}
