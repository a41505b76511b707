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

	"github.com/redis/go-redis/v9"
)

func main() {
	// go-redis logs every failed dial itself; our errors already say what failed
	// and what to do, so its log is silenced.
	redis.SetLogger(quietRedis{})
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

type quietRedis struct{}

func (quietRedis) Printf(context.Context, string, ...any) {}

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
}

func commands() []command {
	return []command{
		{"demo", "replay a simulated WhatsApp outage (25 Oct 2022) end to end, with dashboard, on embedded Kafka and Redis", runDemo},
		{"replay", "run the whole pipeline over a file of posts and write a report (backtest)", runReplay},
		{"ingest", "read posts from a source, match them, and produce mentions to Kafka (or print them)", runIngest},
		{"detect", "consume mentions, detect bursts, store incidents in Redis and publish alerts", runDetect},
		{"incidents", "list incidents stored in Redis", runIncidents},
		{"serve", "serve the dashboard and JSON API over the incidents in Redis", runServe},
		{"backtest", "run the burst decision on a timestamp,value count series", runBacktest},
		{"simulate", "write a synthetic post stream with ground truth", runSimulate},
		{"evaluate", "replay the scenario suite and report detection quality against ground truth", runEvaluate},
		{"bench", "measure replay and storage speed against their targets, beside raw kafka-go in the same run", runBench},
		{"explain", "say why a text does or does not match a service", runExplain},
		{"dev-kafka", "run an embedded Kafka-protocol broker (kfake) for local setups; NOT for production", runDevKafka},
		{"version", "print the version, the commit it was built from and the Go version", runVersion},
	}
}

func usage(w io.Writer) {
	fmt.Fprintln(w, `downwatch: find service outages in what people post, as they start.

Usage: downwatch <command> [flags]     (downwatch <command> --help for its flags)

Commands:`)
	cmds := commands()
	for _, c := range cmds {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintln(w, `
Start here:  downwatch demo`)
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := cmd.run(ctx, &cliEnv{stdin: stdin, stdout: stdout, stderr: stderr}, args[1:])
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
		fmt.Fprintf(env.stderr, "Usage: downwatch %s %s\n\n%s\n\nFlags:\n", name, synopsis, about)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; a usage error has been printed already.
func parse(fs *flag.FlagSet, args []string) error {
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
