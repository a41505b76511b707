// Package replay runs the whole pipeline over a finite input (docs/CONTRACT.md §2): posts
// are matched and produced to Kafka, consumed by the detector in a consumer group,
// stored in Redis, published as alerts, and summarised in a report. With no Kafka
// or Redis given it embeds both (kfake, miniredis). The demo is a paced replay.
// It wires ingest, bus, detect and store together and holds no logic of theirs.
package replay

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
)

// Options configures a replay. Zero values take the defaults named.
type Options struct {
	// Source of posts (a file, or a paced channel for the demo).
	Source ingest.Source
	// Catalog; default the embedded one.
	Catalog *catalog.Catalog
	// Kafka brokers; empty starts an embedded broker.
	Kafka []string
	// KafkaSecurity of the connections to Kafka (with Kafka only: the embedded
	// broker is plaintext); zero = plaintext.
	KafkaSecurity bus.Security
	// Redis URL (redis://host:port/db, or redis+cluster://host:port,... for a
	// Redis Cluster); empty starts an embedded Redis.
	Redis string
	// RedisConn says how to log in to Redis and reach it over TLS or Sentinel
	// (with Redis only).
	RedisConn store.Conn
	// Prefix of Redis keys; default store.ReplayPrefix with a real Redis,
	// store.DefaultPrefix with the embedded one.
	Prefix string
	// Partitions of the mentions topic; default 4.
	Partitions int
	// Detect is the decision config; default detect.DefaultConfig().
	Detect *detect.Config
	// NoPublish leaves out the alert sinks (Redis channel and stream, Kafka
	// alerts topic): incidents are stored and reported, no alert is published;
	// default false: alerts are published.
	NoPublish bool
	// DeadLetter receives rejected records as JSON lines.
	DeadLetter io.Writer
	// OnStart is called once Kafka and Redis are up (the demo prints their addresses).
	OnStart func(env *Env)
	// OnAlert is called for every alert, in order per incident.
	OnAlert func(downwatch.Alert)
	// Progress is called about once a second while the replay runs.
	Progress func(ingest *ingest.Stats, det *runner.Stats)
	// AfterRun, if set, is called with the report while Kafka, Redis and the store
	// are still up (the demo prints its summary and may hold them until Ctrl-C).
	AfterRun func(*Report)
	Logger   *slog.Logger
	// StallAfter bounds how long the run goes on while its store keeps failing,
	// or while nothing moves at all (posts, mentions, store writes), before it
	// ends with the last error; default 1 minute.
	StallAfter time.Duration
}

// Env is the running infrastructure of a replay.
type Env struct {
	Kafka   []string
	Redis   string // address ("127.0.0.1:PORT"; a cluster's: "host:port,host:port")
	Prefix  string
	Store   *store.Redis
	Topic   string // mentions topic
	Alerts  string // alerts topic
	Group   string
	Embeded bool
}

// Stats is the report's stats object (docs/CONTRACT.md §3).
type Stats struct {
	Posts      int64            `json:"posts"`
	Rejected   int64            `json:"rejected"`
	Reasons    map[string]int64 `json:"rejected_reasons,omitempty"`
	Duplicates int64            `json:"duplicates"`
	Matched    int64            `json:"matched_posts"`
	Mentions   int64            `json:"mentions"`
	Incidents  int              `json:"incidents"`
	Alerts     int64            `json:"alerts"`
	Seconds    float64          `json:"seconds"`
}

// Report is what `downwatch replay --report` writes.
type Report struct {
	Incidents []downwatch.Incident `json:"incidents"`
	Stats     Stats                `json:"stats"`
}

// Run replays opt.Source to its end and returns the report.
//
// Every replay is a run of its own: with the embedded Redis everything is new;
// into a real Redis the replay first clears the keys under its prefix (default
// store.ReplayPrefix; the live prefix is refused), so checkpoints and offsets of
// an earlier run, which belong to a broker that no longer exists, are never
// restored, and the same file gives the same report every time. One replay per
// prefix at a time: two at once would clear each other's keys.
func Run(ctx context.Context, opt Options) (*Report, error) {
	began := time.Now()
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.StallAfter <= 0 {
		opt.StallAfter = time.Minute
	}
	matcher, dcfg, err := prepare(opt)
	if err != nil {
		return nil, err
	}
	env := &Env{Topic: downwatch.TopicMentions, Alerts: downwatch.TopicAlerts, Group: "downwatch-detector"}
	closeKafka, err := openKafka(&opt, env)
	if err != nil {
		return nil, err
	}
	defer closeKafka()
	st, closeRedis, err := openRedis(ctx, &opt, env)
	if err != nil {
		return nil, err
	}
	defer closeRedis()

	out, err := ingest.NewKafkaOutput(ctx, opt.KafkaSecurity, env.Kafka, env.Topic, opt.Partitions)
	if err != nil {
		return nil, err
	}
	if err := opt.KafkaSecurity.EnsureTopics(ctx, env.Kafka, opt.Partitions, env.Alerts); err != nil {
		return nil, err
	}
	if opt.OnStart != nil {
		opt.OnStart(env)
	}
	col := &collector{on: opt.OnAlert}
	sinks := alertSinks(&opt, env, st, col)
	defer sinks.Close()

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	g := newGuard(opt.StallAfter, cancel)
	defer g.stop()
	log := slog.New(errorLog{next: opt.Logger.Handler(), g: g})
	dstats := &runner.Stats{}
	detErr := make(chan error, 1)
	go func() {
		detErr <- runner.Run(runCtx, runner.Config{
			Brokers: env.Kafka, Security: opt.KafkaSecurity, Topic: env.Topic, Group: env.Group,
			ExitOnEnd: true, FetchWait: fetchWait, Logger: log, Stats: dstats,
		}, dcfg, guardedStore{Store: st, g: g}, guardedSink{sinks: sinks, g: g})
	}()

	pipe := ingest.New(ingest.Config{EndOnEOF: true, DeadLetter: opt.DeadLetter, Logger: log}, matcher, out)
	stopWatch := make(chan struct{})
	go g.watch(func() int64 {
		return pipe.Stats.Posts.Load() + pipe.Stats.Rejected.Load() + dstats.Records.Load() + dstats.EndsSeen.Load()
	}, stopWatch)
	stopProgress := progress(opt, &pipe.Stats, dstats)
	err = finish(runCtx, cancel, pipe, out, opt.Source, detErr)
	close(stopWatch)
	stopProgress()
	if cause := context.Cause(runCtx); err == nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the guard gave up
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	incs, err := linkRelated(ctx, st, col, dcfg.RelatedWithin)
	if err != nil {
		return nil, err
	}
	rep := newReport(&pipe.Stats, incs, dstats.Alerts.Load(), began)
	if opt.AfterRun != nil {
		opt.AfterRun(rep)
	}
	return rep, nil
}

// fetchWait is the detector's fetch wait in a replay (runner.Config.FetchWait),
// as short as the raw kafka-go ceiling's readers.
const fetchWait = 50 * time.Millisecond

// alertSinks returns where the run's alerts go: the sinks sink.Open chooses
// (none with NoPublish), then col, which keeps the report's incidents.
func alertSinks(opt *Options, env *Env, st *store.Redis, col *collector) sink.List {
	if opt.NoPublish {
		return sink.List{col}
	}
	return append(sink.Open(sink.Config{Redis: st, Brokers: env.Kafka, Topic: env.Alerts, Security: opt.KafkaSecurity}), col)
}

// linkRelated returns the final incidents with their related ids, stored as links.
func linkRelated(ctx context.Context, st *store.Redis, col *collector, within time.Duration) ([]downwatch.Incident, error) {
	incs := col.incidents()
	detect.Relate(incs, within) // the rule the live detector links by
	for _, i := range incs {
		for _, r := range i.Related {
			if err := st.Link(ctx, i.ID, r); err != nil {
				return nil, err
			}
		}
	}
	return incs, nil
}

// prepare builds the matcher and checks the detector config.
func prepare(opt Options) (*catalog.Matcher, detect.Config, error) {
	dcfg := detect.DefaultConfig()
	if opt.Detect != nil {
		dcfg = *opt.Detect
	}
	if err := dcfg.Validate(); err != nil {
		return nil, dcfg, err
	}
	cat := opt.Catalog
	if cat == nil {
		c, err := catalog.Default()
		if err != nil {
			return nil, dcfg, err
		}
		cat = c
	}
	m, err := catalog.NewMatcher(cat)
	return m, dcfg, err
}

// finish runs the ingest pipeline to its end, then waits for the detector. When
// the guard gave up, the error is the guard's.
func finish(runCtx context.Context, cancel context.CancelCauseFunc, pipe *ingest.Pipeline, out *ingest.KafkaOutput, src ingest.Source, detErr <-chan error) error {
	ingErr := pipe.Run(runCtx, src)
	if err := out.Close(); err != nil && ingErr == nil {
		ingErr = err
	}
	if ingErr != nil {
		cancel(nil)
		<-detErr
		if cause := context.Cause(runCtx); cause != nil && !errors.Is(cause, context.Canceled) {
			return cause
		}
		return ingErr
	}
	if pipe.Stats.Newest.Load() == 0 {
		// No post was accepted (empty input, or only bad records): no end record
		// was written, and the detector has nothing to wait for.
		cancel(nil)
	}
	if err := <-detErr; err != nil && !errors.Is(err, context.Canceled) {
		return err
	}
	return nil
}

// openKafka starts the embedded broker, or names this run's topic and group on
// the brokers given.
func openKafka(opt *Options, env *Env) (func(), error) {
	if len(opt.Kafka) == 0 {
		b, err := broker.Start(broker.Config{Partitions: opt.Partitions})
		if err != nil {
			return nil, err
		}
		opt.KafkaSecurity = bus.Security{} // the embedded broker is plaintext
		env.Kafka, env.Embeded = b.Addrs(), true
		return func() { b.Close() }, nil
	}
	// A shared broker: this run gets its own mentions topic and group, so
	// replays never see each other's records or offsets.
	id := runID()
	env.Kafka = opt.Kafka
	env.Topic += ".replay." + id
	env.Group = "downwatch-replay-" + id
	return func() {}, nil
}

// openRedis starts the embedded Redis, or connects to opt.Redis and clears the
// replay's prefix there (see Run).
func openRedis(ctx context.Context, opt *Options, env *Env) (*store.Redis, func(), error) {
	if opt.Redis == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, nil, fmt.Errorf("replay: start embedded Redis: %w", err)
		}
		if opt.Prefix == "" {
			opt.Prefix = store.DefaultPrefix
		}
		st, err := store.Open(ctx, mr.Addr(), store.Config{Prefix: opt.Prefix})
		if err != nil {
			mr.Close()
			return nil, nil, fmt.Errorf("replay: embedded Redis: %w", err)
		}
		env.Redis, env.Prefix, env.Store = mr.Addr(), opt.Prefix, st
		return st, func() { st.Close(); mr.Close() }, nil
	}
	if opt.Prefix == "" {
		opt.Prefix = store.ReplayPrefix
	}
	st, err := store.Open(ctx, opt.Redis, store.Config{Prefix: opt.Prefix, Conn: opt.RedisConn})
	if err != nil {
		return nil, nil, fmt.Errorf("replay: %w", err)
	}
	if _, err := st.Clear(ctx); err != nil {
		st.Close()
		return nil, nil, fmt.Errorf("replay: a run starts clean: %w", err)
	}
	env.Redis, env.Prefix, env.Store = hostsOf(opt.Redis), opt.Prefix, st
	return st, func() { st.Close() }, nil
}

// newReport builds the report of a run from the pipeline's counters and the final
// incidents (never null in the JSON, docs/CONTRACT.md §3).
func newReport(in *ingest.Stats, incs []downwatch.Incident, alerts int64, began time.Time) *Report {
	if incs == nil {
		incs = []downwatch.Incident{}
	}
	return &Report{Incidents: incs, Stats: Stats{
		Posts: in.Posts.Load(), Rejected: in.Rejected.Load(), Reasons: in.Reasons(),
		Duplicates: in.Duplicates.Load(), Matched: in.Matched.Load(), Mentions: in.Mentions.Load(),
		Incidents: len(incs), Alerts: alerts, Seconds: time.Since(began).Seconds(),
	}}
}

// collector is the replay's own alert sink: it keeps the newest revision of
// every incident for the report and hands each alert to on.
type collector struct {
	on   func(downwatch.Alert)
	mu   sync.Mutex
	byID map[string]downwatch.Incident
}

func (c *collector) Publish(_ context.Context, alerts []downwatch.Alert) error {
	c.keep(alerts)
	return nil
}

// keep records the newest revision of each alert's incident.
func (c *collector) keep(alerts []downwatch.Alert) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byID == nil {
		c.byID = map[string]downwatch.Incident{}
	}
	for _, a := range alerts {
		if old, ok := c.byID[a.Incident.ID]; !ok || a.Incident.Revision >= old.Revision {
			c.byID[a.Incident.ID] = a.Incident
		}
		if c.on != nil {
			c.on(a)
		}
	}
}

func (c *collector) incidents() []downwatch.Incident {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]downwatch.Incident, 0, len(c.byID))
	for _, i := range c.byID {
		i.Related = nil
		out = append(out, i)
	}
	slices.SortFunc(out, func(a, b downwatch.Incident) int {
		return cmp.Or(a.StartedAt.Compare(b.StartedAt), cmp.Compare(a.ID, b.ID))
	})
	return out
}

func progress(opt Options, in *ingest.Stats, det *runner.Stats) func() {
	if opt.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				opt.Progress(in, det)
				return
			case <-t.C:
				opt.Progress(in, det)
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}

// hostsOf returns the host:port part of a Redis URL, without credentials.
func hostsOf(url string) string {
	if _, h, ok := strings.Cut(url, "://"); ok {
		url = h
	}
	if i := strings.LastIndexByte(url, '@'); i >= 0 {
		url = url[i+1:]
	}
	url, _, _ = strings.Cut(url, "/")
	url, _, _ = strings.Cut(url, "?")
	return url
}

func runID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
