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
	"syscall"
	_ "time/tzdata" // workspace time zones work on hosts without zoneinfo
)

// version is stamped at build time: -ldflags "-X main.version=…".
var version = "dev"

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *runEnv, args []string) error
}

// runEnv is what a subcommand may use from the process.
type runEnv struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

func commands() []command {
	return []command{
		{"serve", "serve the web app (the default)", runServe},
		{"migrate", "apply pending database migrations and exit", runMigrate},
		{"user", "manage users: user add | user passwd", runUser},
		{"channel", "manage connected accounts: channel add | channel list", runChannel},
		{"contacts", "read contacts: contacts list --channel ID --json", runContacts},
		{"demo", "serve a demo workspace wired to a simulator of all four platforms", runDemo},
		{"sim", "run the platform simulator for the channels in the database", runSim},
		{"version", "print the version", runVersion},
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
	if len(args) > 0 && !isFlag(args[0]) {
		name, args = args[0], args[1:]
	}
	if name == "help" || name == "-h" || name == "--help" {
		usage(env.stdout)
		return nil
	}
	for _, c := range commands() {
		if c.name == name {
			return c.run(ctx, env, args)
		}
	}
	usage(env.stderr)
	return fmt.Errorf("unknown command %q", name)
}

func isFlag(s string) bool { return len(s) > 0 && s[0] == '-' }

func usage(w io.Writer) {
	fmt.Fprintln(w, "omnicast — segmented broadcasts on Messenger, LINE and WhatsApp")
	fmt.Fprintln(w, "\nUsage: omnicast [command] [flags]")
	fmt.Fprintln(w, "\nCommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, "\nRun 'omnicast <command> --help' for the flags of a command.")
}

func runVersion(_ context.Context, env *runEnv, _ []string) error {
	fmt.Fprintln(env.stdout, "omnicast", version)
	return nil
}
