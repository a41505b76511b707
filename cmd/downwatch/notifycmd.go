package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/web"
)

// routeFlags are where alerts go: serve's --webhook flags (the implicit
// receiver "webhook") and its named --receiver list. `notify test` has the
// same flags, and reads serve's section of the configuration file.
type routeFlags struct {
	hooks, events     listFlag
	format, secret    string
	publicURL         string
	receivers         receiverFlag
	defaultLinkToHTTP string        // serve's --http, for links when it is loopback
	timeout           time.Duration // of one attempt; 0: notify's default
}

func (r *routeFlags) register(fs *flag.FlagSet) {
	fs.Var(&r.hooks, "webhook", "deliver every alert to this URL (repeatable); together they are the receiver named \"webhook\"")
	fs.StringVar(&r.secret, "webhook-secret", "", "sign webhook bodies with HMAC-SHA256 in X-Downwatch-Signature (default $DOWNWATCH_WEBHOOK_SECRET)")
	fs.StringVar(&r.format, "webhook-format", notify.FormatJSON, `webhook body: "json" (the alert JSON) or "slack" (a Slack incoming-webhook message)`)
	fs.Var(&r.events, "webhook-events", "only these alert types, comma-separated (default all: incident.opened,incident.updated,incident.acknowledged,incident.resolved)")
	fs.Var(&r.receivers, "receiver", "a named receiver: 'name=NAME,kind=webhook|slack|teams|discord|pagerduty|email,url=…[,services=…][,regions=…][,min-authors=N][,min-peak=N][,events=…][,rate-limit=N/PERIOD]…' (repeatable; the config file's receiver: list; README \"Routing\")")
	fs.StringVar(&r.publicURL, "public-url", "", "the dashboard's address as receivers reach it, for links in messages (default http://ADDR of --http on loopback, else none)")
}

// any reports whether any receiver is configured.
func (r *routeFlags) any() bool { return len(r.hooks) > 0 || len(r.receivers.sinks) > 0 }

// dispatcher delivers every alert in st's stream (nil for `notify test`) to the receivers.
func (r *routeFlags) dispatcher(env *cliEnv, st notify.Store, names func(string) string, log *slog.Logger, reg prometheus.Registerer) (*notify.Dispatcher, error) {
	if r.secret == "" {
		r.secret = os.Getenv("DOWNWATCH_WEBHOOK_SECRET")
	}
	var sinks []notify.Sink
	for _, u := range r.hooks {
		sinks = append(sinks, notify.Sink{URL: u, Format: r.format, Secret: r.secret, Events: r.events})
	}
	sinks = append(sinks, r.receivers.sinks...)
	link := r.publicURL
	if link == "" && r.defaultLinkToHTTP != "" && web.IsLoopback(r.defaultLinkToHTTP) {
		link = "http://" + r.defaultLinkToHTTP
	}
	disp, err := notify.New(st, notify.Config{Sinks: sinks, DashboardURL: link, ServiceName: names, Logger: log, Registerer: reg, Timeout: r.timeout})
	if err != nil {
		return nil, err
	}
	if len(r.hooks) > 0 && r.format == notify.FormatJSON && r.secret == "" {
		fmt.Fprintln(env.stderr, "warning: webhook bodies are not signed; set --webhook-secret or DOWNWATCH_WEBHOOK_SECRET")
	}
	return disp, nil
}

// receiverFlag is the repeatable --receiver: one receiver a value, or one a
// line (DOWNWATCH_RECEIVER, the configuration file's receiver: list). Each is
// parsed when set, so a mistake is reported with the flag or file line.
type receiverFlag struct{ sinks []notify.Sink }

// String names the receivers and their kinds, never their URLs or keys (it is
// what `config print` shows).
func (r *receiverFlag) String() string {
	var names []string
	for _, s := range r.sinks {
		kind := s.Format
		if kind == notify.FormatJSON {
			kind = "webhook"
		}
		names = append(names, s.Name+" ("+kind+")")
	}
	return strings.Join(names, ", ")
}

func (r *receiverFlag) Set(v string) error {
	for line := range strings.SplitSeq(v, "\n") {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		s, err := notify.ParseReceiver(line, os.Getenv)
		if err != nil {
			return err
		}
		r.sinks = append(r.sinks, s)
	}
	return nil
}

const notifyAbout = `Sends a test alert to the receiver named RECEIVER (a --receiver's name, or
"webhook" for the --webhook URLs) and prints what it answered: the HTTP status
and body, or the SMTP server's reply. The alert is marked "test": true, says
[TEST] in every title and names a made-up incident "downwatch-test.<time>";
a PagerDuty receiver is sent the trigger and then its resolve. Filters, rate
limits, silences and the notification log do not apply.

The receivers come from the same flags as serve's, and from serve's section
of the configuration file (downwatch --config FILE notify test NAME).`

// runNotify is `downwatch notify test RECEIVER [--config FILE] [flags]`.
func runNotify(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "notify", "test RECEIVER [--config FILE] [flags]", notifyAbout)
	var route routeFlags
	route.register(fs)
	catalogFile := fs.String("catalog", "", "YAML file that extends the built-in service catalog (for service names)")
	timeout := fs.Duration("timeout", 10*time.Second, "how long to wait for each answer")
	if env.collect != nil || env.printConfig {
		return parse(fs, args)
	}
	name, rest, config, err := notifyArgs(args)
	if err != nil {
		fmt.Fprintln(env.stderr, err)
		fs.Usage()
		return errUsage
	}
	if config != "" {
		c, err := loadConfig(config, collectFlags())
		if err != nil {
			return err
		}
		env.config = c
	}
	if err := parse(fs, rest); err != nil {
		return err
	}
	if name == "" {
		fs.Usage()
		return errUsage
	}
	if !route.any() {
		return errors.New("no receivers: give --receiver or --webhook, or a configuration file whose serve section has them")
	}
	names, err := serviceNames(*catalogFile)
	if err != nil {
		return err
	}
	route.timeout = *timeout
	disp, err := route.dispatcher(env, nil, names, logger(env.stderr, false), nil)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *timeout*4)
	defer cancel()
	results, err := disp.Test(ctx, name)
	if err != nil {
		return err
	}
	failed := 0
	for _, r := range results {
		answer := r.Answer
		if r.Err != nil {
			failed++
			answer = "FAILED: " + r.Err.Error()
		}
		fmt.Fprintf(env.stdout, "%s: test %s sent to %s; it answered: %s\n", r.Receiver, r.Event, r.Sink, or(answer, "(nothing)"))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d test sends failed", failed, len(results))
	}
	return nil
}

// notifyArgs takes "test RECEIVER [flags]" or "test [flags] RECEIVER" apart,
// taking out a --config FILE among the flags.
func notifyArgs(args []string) (name string, rest []string, config string, err error) {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "-help") {
		return "", args, "", nil
	}
	if len(args) == 0 || args[0] != "test" {
		return "", nil, "", errors.New("want: downwatch notify test RECEIVER")
	}
	args = args[1:]
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case (a == "--config" || a == "-config") && i+1 < len(args):
			config = args[i+1]
			i++
		case strings.HasPrefix(a, "--config="):
			config = strings.TrimPrefix(a, "--config=")
		case name == "" && !strings.HasPrefix(a, "-") && (i == 0 || i == len(args)-1):
			name = a
		default:
			rest = append(rest, a)
		}
	}
	return name, rest, config, nil
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
