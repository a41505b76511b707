// Package replay runs the whole pipeline over a finite input (CONTRACT §2): posts
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
	"sync"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/ingest"
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
	// Redis URL; empty starts an embedded Redis.
	Redis string
	// Prefix of Redis keys; default store.ReplayPrefix with a real Redis,
	// store.DefaultPrefix with the embedded one.
	Prefix string
	// Partitions of the mentions topic; default 4.
	Partitions int
	// Detect is the decision config; default detect.DefaultConfig().
	Detect *detect.Config
	// Publish alerts (Redis channel and stream, Kafka alerts topic); default true.
	NoPublish bool
	// DeadLetter receives rejected records as JSON lines.
	DeadLetter io.Writer
	// OnStart is called once Kafka and Redis are up (the demo prints their addresses).
	OnStart func(env *Env)
	// OnAlert is called for every alert, in order per incident.
	OnAlert func(downwatch.Alert)
	// Progress is called about once a second while the replay runs.
	Progress func(ingest *ingest.Stats, det *detect.RunStats)
	// AfterRun, if set, is called with the report while Kafka, Redis and the store
	// are still up (the demo prints its summary and may hold them until Ctrl-C).
	AfterRun func(*Report)
	Logger   *slog.Logger
}

// Env is the running infrastructure of a replay.
type Env struct {
	Kafka   []string
	Redis   string // address ("127.0.0.1:PORT")
	Prefix  string
	Store   *store.Redis
	Topic   string // mentions topic
	Alerts  string // alerts topic
	Group   string
	Embeded bool
}

// Stats is the report's stats object (CONTRACT §3).
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
func Run(ctx context.Context, opt Options) (*Report, error) {
	began := time.Now()
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	cat := opt.Catalog
	if cat == nil {
		c, err := catalog.Default()
		if err != nil {
			return nil, err
		}
		cat = c
	}
	matcher, err := catalog.NewMatcher(cat)
	if err != nil {
		return nil, err
	}
	dcfg := detect.DefaultConfig()
	if opt.Detect != nil {
		dcfg = *opt.Detect
	}
	if err := dcfg.Validate(); err != nil {
		return nil, err
	}
	env := &Env{Topic: downwatch.TopicMentions, Alerts: downwatch.TopicAlerts, Group: "downwatch-detector"}

	// Kafka.
	if len(opt.Kafka) == 0 {
		b, err := bus.StartEmbedded(bus.EmbeddedConfig{Partitions: opt.Partitions})
		if err != nil {
			return nil, err
		}
		defer b.Close()
		env.Kafka, env.Embeded = b.Addrs(), true
	} else {
		// A shared broker: this run gets its own mentions topic and group, so
		// replays never see each other's records or offsets.
		id := runID()
		env.Kafka = opt.Kafka
		env.Topic += ".replay." + id
		env.Group = "downwatch-replay-" + id
	}

	// Redis.
	var client redis.UniversalClient
	if opt.Redis == "" {
		mr := miniredis.NewMiniRedis()
		if err := mr.StartAddr("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("replay: start embedded Redis: %w", err)
		}
		defer mr.Close()
		env.Redis = mr.Addr()
		client = redis.NewClient(&redis.Options{Addr: mr.Addr()})
		if opt.Prefix == "" {
			opt.Prefix = store.DefaultPrefix
		}
	} else {
		o, err := store.ParseURL(opt.Redis)
		if err != nil {
			return nil, err
		}
		env.Redis = o.Addr
		client = redis.NewClient(o)
		if err := client.Ping(ctx).Err(); err != nil {
			return nil, fmt.Errorf("replay: Redis at %s does not answer: %w", o.Addr, err)
		}
		if opt.Prefix == "" {
			opt.Prefix = store.ReplayPrefix
		}
	}
	st := store.New(client, store.Config{Prefix: opt.Prefix})
	defer st.Close()
	env.Prefix, env.Store = opt.Prefix, st

	out, err := ingest.NewKafkaOutput(ctx, env.Kafka, env.Topic, opt.Partitions)
	if err != nil {
		return nil, err
	}
	if err := bus.EnsureTopics(ctx, env.Kafka, opt.Partitions, env.Alerts); err != nil {
		return nil, err
	}
	if opt.OnStart != nil {
		opt.OnStart(env)
	}
	alerts := bus.NewAlertWriter(env.Kafka, env.Alerts)
	defer alerts.Close()
	col := &collector{kafka: alerts, on: opt.OnAlert}

	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	dstats := &detect.RunStats{}
	detErr := make(chan error, 1)
	go func() {
		detErr <- detect.Run(runCtx, detect.RunConfig{
			Brokers: env.Kafka, Topic: env.Topic, Group: env.Group, Publish: !opt.NoPublish,
			ExitOnEnd: true, Logger: opt.Logger, Stats: dstats,
		}, dcfg, st, col)
	}()

	pipe := ingest.New(ingest.Config{EndOnEOF: true, DeadLetter: opt.DeadLetter, Logger: opt.Logger}, matcher, out)
	stopProgress := progress(opt, &pipe.Stats, dstats)
	ingErr := pipe.Run(runCtx, opt.Source)
	if err := out.Close(); err != nil && ingErr == nil {
		ingErr = err
	}
	if ingErr != nil {
		cancel()
		<-detErr
		stopProgress()
		return nil, ingErr
	}
	if pipe.Stats.Newest.Load() == 0 {
		// No post was accepted (empty input, or only bad records): no end record
		// was written, and the detector has nothing to wait for.
		cancel()
	}
	err = <-detErr
	stopProgress()
	if err != nil && !errors.Is(err, context.Canceled) {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	incs := col.incidents()
	detect.Relate(incs, dcfg.RelatedWithin) // the rule the live detector links by
	for _, i := range incs {
		for _, r := range i.Related {
			if err := st.Link(ctx, i.ID, r); err != nil {
				return nil, err
			}
		}
	}
	rep := newReport(&pipe.Stats, incs, dstats.Alerts.Load(), began)
	if opt.AfterRun != nil {
		opt.AfterRun(rep)
	}
	return rep, nil
}

// newReport builds the report of a run from the pipeline's counters and the final
// incidents (never null in the JSON, CONTRACT §3).
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

// collector keeps the newest revision of every incident and forwards alerts to Kafka.
type collector struct {
	kafka *bus.AlertWriter
	on    func(downwatch.Alert)
	mu    sync.Mutex
	byID  map[string]downwatch.Incident
}

func (c *collector) Publish(ctx context.Context, alerts []downwatch.Alert) error {
	if err := c.kafka.Publish(ctx, alerts); err != nil {
		return err
	}
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

func progress(opt Options, in *ingest.Stats, det *detect.RunStats) func() {
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

func runID() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}
