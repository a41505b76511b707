package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/web"
)

// serveAbout is serve's --help text.
const serveAbout = `Serves the dashboard (/ and /incidents/{id}) and the JSON API (/api/incidents,
/api/incidents/{id}, /api/services/{id}/series, /api/events as server-sent events,
and POST /api/incidents/{id}/acknowledge|resolve|reopen|false-alarm|merge|link for
people's actions), /healthz and /metrics over the incidents in Redis; with --webhook or
--receiver, also delivers every alert to receivers (signed JSON, Slack, Microsoft Teams,
Discord, PagerDuty, email; each with its own filter and rate limit; retried,
deduplicated per incident revision, caught up after a restart). Try a receiver
with downwatch notify test NAME.

Secrets are better passed in the environment than as flags (which other users
can see in the process list): DOWNWATCH_AUTH_TOKEN, DOWNWATCH_WEBHOOK_SECRET.`

func runServe(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "serve", "[--redis URL] [--http ADDR] [--auth-token T] [--webhook URL ...] [flags]", serveAbout)
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	httpAddr := fs.String("http", "127.0.0.1:8080", "address to serve HTTP on")
	prefix := fs.String("prefix", store.DefaultPrefix, "Redis key prefix (replays into a real Redis use downwatch:replay:)")
	var access accessFlags
	access.register(fs)
	catalogFile := fs.String("catalog", "", "YAML file that extends the built-in service catalog (for service names)")
	var route routeFlags
	route.register(fs)
	verbose := fs.Bool("v", false, "log details to stderr")
	postRetention := fs.String("post-retention", "7d", "how long after its last write a resolved incident keeps its sample posts and acknowledgement, and alerts stay on the alert stream: days (7d) or a duration (36h); swept every hour")
	var actions actionSinkFlags
	actions.register(fs)
	var rsec redisSecurityFlags
	rsec.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	keepPosts, err := downwatch.ParseSince(*postRetention)
	if err != nil {
		return fmt.Errorf("--post-retention: %w", err)
	}
	conn, err := rsec.conn()
	if err != nil {
		return err
	}
	wcfg := web.Config{}
	if err := access.apply(*httpAddr, &wcfg); err != nil {
		return err
	}
	log := logger(env.stderr, *verbose)
	cat, err := loadCatalog(*catalogFile)
	if err != nil {
		return err
	}
	names := namesOf(cat)
	wcfg.Catalog = serviceInfo(cat)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := health.New(reg)
	st, err := openStore(ctx, env, *redisURL, store.Config{Prefix: *prefix, Conn: conn, PostRetention: keepPosts}, h)
	if err != nil {
		return quietOnSignal(ctx, err)
	}
	defer st.Close()
	var disp *notify.Dispatcher
	if route.any() {
		route.defaultLinkToHTTP = *httpAddr
		if disp, err = route.dispatcher(env, st, names, log, reg); err != nil {
			return err
		}
	}
	wcfg.Store, wcfg.ServiceName, wcfg.Registry, wcfg.Logger = st, names, reg, log
	sinks, err := actions.open(st)
	if err != nil {
		return err
	}
	wcfg.Sink = sinks
	defer actions.close()
	srv, err := web.New(wcfg)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return fmt.Errorf("--http %s: %w (choose another address with --http HOST:PORT)", *httpAddr, err)
	}
	fmt.Fprintf(env.stdout, "downwatch serve: dashboard on http://%s/ (%s), Redis %s, prefix %q\n", ln.Addr(), access.describe(), maskSecret("redis", *redisURL), *prefix)
	printReceivers(env, disp)
	return serveAll(ctx, srv, h, ln, disp, func(ctx context.Context) { st.Sweep(ctx, time.Hour, time.Now, sinks.Publish, log) })
}

// printReceivers says where the dispatcher sends alerts, one line a receiver.
func printReceivers(env *cliEnv, disp *notify.Dispatcher) {
	if disp == nil {
		return
	}
	for _, si := range disp.Sinks() {
		if si.Receiver == "webhook" {
			fmt.Fprintf(env.stdout, "webhook sink %s: %s (%s)\n", si.Hash, si.Where, si.Format)
		} else {
			fmt.Fprintf(env.stdout, "receiver %s: %s %s (sink %s)\n", si.Receiver, si.Format, si.Where, si.Hash)
		}
	}
}

// serveAll serves srv on ln (serveWithProbes) with the post-retention sweep and
// the dispatcher (when there is one) beside it, until ctx is done; it returns
// once all three have stopped.
func serveAll(ctx context.Context, srv *web.Server, h *health.Health, ln net.Listener, disp *notify.Dispatcher, sweep func(context.Context)) error {
	var wg sync.WaitGroup
	sweepCtx, stopSweep := context.WithCancel(ctx)
	wg.Go(func() { sweep(sweepCtx) })
	if disp != nil {
		wg.Go(func() { disp.Run(ctx) })
	}
	err := serveWithProbes(ctx, srv, h, ln)
	stopSweep()
	wg.Wait()
	return err
}

// serveWithProbes serves srv on ln with h's /livez and /readyz in front of it
// (open, like srv's own /healthz, which stays the readiness alias), until ctx is
// done; then it closes the event streams and shuts down gracefully.
func serveWithProbes(ctx context.Context, srv *web.Server, h *health.Health, ln net.Listener) error {
	mux := http.NewServeMux()
	mux.Handle("GET /livez", h.Handler())
	mux.Handle("GET /readyz", h.Handler())
	mux.Handle("/", srv.Handler())
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	stop := context.AfterFunc(ctx, func() {
		srv.Close()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(sctx)
	})
	defer stop()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve HTTP on %s: %w", ln.Addr(), err)
	}
	<-ctx.Done()
	return nil
}

// startDashboard serves the dashboard and API over st on addr until ctx is done
// or stop is called (the demo). The token, if any, comes from
// DOWNWATCH_AUTH_TOKEN; a non-loopback addr needs one.
func startDashboard(ctx context.Context, st *store.Redis, addr string) (boundAddr string, stop func(), err error) {
	token := os.Getenv("DOWNWATCH_AUTH_TOKEN")
	if err := web.CheckExposure(addr, token, false); err != nil {
		return "", nil, err
	}
	cat, err := loadCatalog("")
	if err != nil {
		return "", nil, err
	}
	// A connection of its own: the caller (the demo's replay) may close its
	// store while the dashboard still serves (demo --hold).
	own := st.Copy()
	srv, err := web.New(web.Config{Store: own, AuthToken: token, ServiceName: namesOf(cat), Catalog: serviceInfo(cat)})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		own.Close()
		return "", nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer own.Close()
		if err := srv.Serve(ctx, ln); err != nil {
			slog.Default().Error("dashboard stopped", "err", err)
		}
	}()
	var once sync.Once
	return ln.Addr().String(), func() { once.Do(func() { cancel(); <-done }) }, nil
}

// serviceNames returns a function giving a catalog id's display name.
func serviceNames(file string) (func(string) string, error) {
	cat, err := loadCatalog(file)
	if err != nil {
		return nil, err
	}
	return namesOf(cat), nil
}

// loadCatalog is the built-in catalog, extended by file when there is one.
func loadCatalog(file string) (*catalog.Catalog, error) {
	if file == "" {
		return catalog.Default()
	}
	return catalog.Load(file)
}

func namesOf(cat *catalog.Catalog) func(string) string {
	return func(id string) string {
		if s, ok := cat.Service(id); ok && s.Name != "" {
			return s.Name
		}
		return id
	}
}

// serviceInfo is what the dashboard's service pages show from the catalog.
func serviceInfo(cat *catalog.Catalog) func(string) (web.ServiceInfo, bool) {
	return func(id string) (web.ServiceInfo, bool) {
		s, ok := cat.Service(id)
		if !ok {
			return web.ServiceInfo{}, false
		}
		return web.ServiceInfo{Name: s.Name, Official: s.Official, StatusPage: s.StatusPage}, true
	}
}

// accessFlags are serve's flags for who may read and who may act.
type accessFlags struct {
	token        string
	insecure     bool
	read, write  listFlag
	nRead, nWrit int // tokens of each kind, once applied
}

func (a *accessFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.token, "auth-token", "", "a token that may read and act, named auth-token (Authorization: Bearer, ?token=, or the cookie ?token= sets) on everything but /healthz (default $DOWNWATCH_AUTH_TOKEN; none: open)")
	fs.BoolVar(&a.insecure, "insecure-no-auth", false, "allow serving without a token on a non-loopback address (reads open; writes still need a --write-token)")
	fs.Var(&a.read, "read-token", "NAME=SECRET of a token that may read the dashboard and API (repeatable, or comma-separated in $DOWNWATCH_READ_TOKEN)")
	fs.Var(&a.write, "write-token", "NAME=SECRET of a token that may also act on incidents; actions record NAME (repeatable, or comma-separated in $DOWNWATCH_WRITE_TOKEN)")
}

// apply checks the tokens against the address served and puts them in cfg: on
// loopback with no tokens everything is open; elsewhere a token is needed (or
// --insecure-no-auth, which opens reads only).
func (a *accessFlags) apply(addr string, cfg *web.Config) error {
	if a.token == "" {
		a.token = os.Getenv("DOWNWATCH_AUTH_TOKEN")
	}
	tokens, err := webTokens(a.read, a.write)
	if err != nil {
		return err
	}
	anyToken := a.token
	if len(tokens) > 0 {
		anyToken = tokens[0].Secret
	}
	if err := web.CheckExposure(addr, anyToken, a.insecure); err != nil {
		return err
	}
	cfg.AuthToken, cfg.Tokens, cfg.Exposed = a.token, tokens, !web.IsLoopback(addr)
	a.nRead, a.nWrit = len(a.read), len(a.write)
	return nil
}

// describe is the startup line's word on authentication.
func (a *accessFlags) describe() string {
	w := a.nWrit
	if a.token != "" {
		w++ // --auth-token reads and writes
	}
	switch {
	case a.nRead+a.nWrit > 0:
		return fmt.Sprintf("%d read and %d write tokens", a.nRead, w)
	case a.token != "":
		return "token required"
	}
	return "no authentication"
}

// webTokens turns --read-token and --write-token values (NAME=SECRET) into tokens.
func webTokens(read, write []string) ([]web.Token, error) {
	var out []web.Token
	for _, set := range []struct {
		flag  string
		vals  []string
		write bool
	}{{"--read-token", read, false}, {"--write-token", write, true}} {
		for _, v := range set.vals {
			name, secret, ok := strings.Cut(v, "=")
			if !ok || name == "" || secret == "" {
				return nil, fmt.Errorf("%s: want NAME=SECRET (the name is recorded with each action), got a value without both", set.flag)
			}
			out = append(out, web.Token{Name: name, Secret: secret, Write: set.write})
		}
	}
	return out, nil
}

// actionSinkFlags say where the alerts of people's actions go: the Redis
// channel and stream, and with --kafka the Kafka alerts topic (sink.Open, the
// list the detector publishes to).
type actionSinkFlags struct {
	kafka, topic string
	sec          kafkaSecurityFlags
	list         sink.List
}

func (k *actionSinkFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.kafka, "kafka", "", "also publish the alerts of people's actions on the Kafka alerts topic at these brokers (comma-separated; default: Redis only)")
	fs.StringVar(&k.topic, "alerts-topic", "downwatch.alerts", "Kafka topic for alerts (with --kafka)")
	k.sec.register(fs)
}

// open returns the list of sinks for st.
func (k *actionSinkFlags) open(st *store.Redis) (sink.List, error) {
	cfg := sink.Config{Redis: st, Topic: k.topic}
	if k.kafka != "" {
		sec, err := k.sec.security()
		if err != nil {
			return nil, err
		}
		cfg.Brokers, cfg.Security = strings.Split(k.kafka, ","), sec
	}
	k.list = sink.Open(cfg)
	return k.list, nil
}

func (k *actionSinkFlags) close() {
	if k.list != nil {
		k.list.Close()
	}
}
