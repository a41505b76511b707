// Command downwatch watches social media for people saying a service is down and
// raises incidents. Run `downwatch help` for the subcommands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"github.com/downwatch/downwatch/store"
)

func main() {
	store.QuietLogs()
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// command is one subcommand.
type command struct {
	name    string
	summary string
	run     func(ctx context.Context, env *cliEnv, args []string) error
}

// cliEnv is what a subcommand may use of the process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	config         *fileConfig         // --config FILE, applied by parse
	collect        map[string][]string // collecting flag names (collectFlags): parse records and stops
	printConfig    bool                // config print: parse prints the values and stops
}

func commands() []command {
	return []command{
		{"demo", "replay a simulated WhatsApp outage (25 Oct 2022) end to end, with dashboard, on embedded Kafka and Redis", runDemo},
		{"replay", "run the whole pipeline over a file of posts and write a report (backtest)", runReplay},
		{"ingest", "read posts from a source, match them, and produce mentions to Kafka (or print them)", runIngest},
		{"detect", "consume mentions, detect bursts, store incidents in Redis and publish alerts", runDetect},
		{"incidents", "list incidents stored in Redis", runIncidents},
		{"report", "how often downwatch was right: incidents confirmed, marked false alarms or unconfirmed, and lead over the official acknowledgement", runReport},
		{"silence", "add, list or expire silences: matched incidents notify no webhook or Slack receiver", runSilence},
		{"incident", "acknowledge, resolve, reopen, mark as false alarm, merge or link an incident by hand", runIncident},
		{"forget", "remove an author's posts from every incident and the alert stream in Redis, and publish the changed incidents", runForget},
		{"serve", "serve the dashboard and JSON API over the incidents in Redis", runServe},
		{"notify", "send a test alert to a receiver (notify test NAME) and print what it answered", runNotify},
		{"backtest", "run the burst decision on a timestamp,value count series", runBacktest},
		{"simulate", "write a synthetic post stream with ground truth", runSimulate},
		{"evaluate", "replay the scenario suite and report detection quality against ground truth", runEvaluate},
		{"bench", "measure replay and storage speed against their targets, beside raw kafka-go in the same run", runBench},
		{"explain", "say why a text does or does not match a service", runExplain},
		{"dev-kafka", "run an embedded Kafka-protocol broker (kfake) for local setups; NOT for production", runDevKafka},
		{"version", "print the version, the commit it was built from and the Go version", runVersion},
		{"config", "print the values a command would run with (flags, DOWNWATCH_… environment, --config file), secrets masked", runConfig},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `downwatch: find service outages in what people post, as they start.

Usage: downwatch [--config FILE] <command> [flags]     (downwatch <command> --help for its flags)

Commands:`)
	cmds := commands()
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Start here:  downwatch demo`)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	configPath, args := configArg(args)
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			args = []string{args[1], "--help"}
		} else {
			usage(stdout)
			return 0
		}
	}
	var cmd *command
	for _, c := range commands() {
		if c.name == args[0] {
			cmd = &c
			break
		}
	}
	if cmd == nil {
		fmt.Fprintf(stderr, "downwatch: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	env := &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr}
	if configPath != "" {
		c, err := loadConfig(configPath, collectFlags())
		if err != nil {
			fmt.Fprintf(stderr, "downwatch: %v\n", err)
			return 2
		}
		env.config = c
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, env, args[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	case errors.Is(err, context.Canceled) && ctx.Err() != nil:
		return 130
	}
	fmt.Fprintf(stderr, "downwatch %s: %v\n", cmd.name, err)
	return 1
}

var errUsage = errors.New("usage")

// flags returns a FlagSet for a subcommand that prints its usage to stderr.
func flags(env *cliEnv, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(env.stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.stderr, "Usage: downwatch %s %s\n\n%s\n\nFlags (each also DOWNWATCH_NAME in the environment, or a key of --config FILE):\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	flagEnvs.Store(fs, env)
	return fs
}

// configArg takes a leading --config FILE (or --config=FILE) off args; without
// one, DOWNWATCH_CONFIG names the file.
func configArg(args []string) (string, []string) {
	switch {
	case len(args) >= 2 && (args[0] == "--config" || args[0] == "-config"):
		return args[1], args[2:]
	case len(args) >= 1 && strings.HasPrefix(args[0], "--config="):
		return strings.TrimPrefix(args[0], "--config="), args[1:]
	}
	return os.Getenv("DOWNWATCH_CONFIG"), args
}

// parse parses flags; a usage error has been printed already.
func parse(fs *flag.FlagSet, args []string) error {
	var env *cliEnv
	if e, ok := flagEnvs.LoadAndDelete(fs); ok {
		env = e.(*cliEnv)
	}
	if env != nil && env.collect != nil {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		env.collect[fs.Name()] = names
		return errCollected
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "unexpected arguments: %s\n", strings.Join(fs.Args(), " "))
		fs.Usage()
		return errUsage
	}
	if env != nil {
		return applyConfig(fs, env)
	}
	return nil
}

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func logger(w io.Writer, verbose bool) *slog.Logger {
	lvl := slog.LevelWarn
	if verbose {
		lvl = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: lvl}))
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
