package main

import (
	"cmp"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/replay"
	"github.com/downwatch/downwatch/store"
)

// commonFlags are shared by replay, demo, ingest and detect.
type commonFlags struct {
	kafka   listFlag
	redis   string
	prefix  string
	catalog string
	detect  string
	parts   int
	verbose bool
	// kafkaSec and redisSec: how to reach a secured Kafka and Redis.
	kafkaSec kafkaSecurityFlags
	redisSec redisSecurityFlags
}

func (c *commonFlags) register(fs *flag.FlagSet, embedded bool) {
	if embedded {
		fs.Var(&c.kafka, "kafka", "Kafka brokers host:port, comma-separated or repeated (default: start an embedded broker)")
		fs.StringVar(&c.redis, "redis", "", "Redis URL, e.g. redis://127.0.0.1:6379/0 (default: start an embedded Redis)")
	} else {
		fs.Var(&c.kafka, "kafka", "Kafka brokers host:port, comma-separated or repeated (default 127.0.0.1:9092)")
		fs.StringVar(&c.redis, "redis", "redis://127.0.0.1:6379/0", "Redis URL")
	}
	fs.StringVar(&c.prefix, "prefix", "", "Redis key prefix (default \"downwatch:\"; replays into a real Redis use \"downwatch:replay:\")")
	fs.IntVar(&c.parts, "partitions", 4, "partitions of the mentions topic when it is created")
	fs.BoolVar(&c.verbose, "v", false, "log details to stderr")
	c.kafkaSec.register(fs)
	c.redisSec.register(fs)
}

// storeConfig is the store configuration of prefix and the Redis flags.
func (c *commonFlags) storeConfig(prefix string) (store.Config, error) {
	conn, err := c.redisSec.conn()
	return store.Config{Prefix: prefix, Conn: conn}, err
}

// connections builds the Kafka and Redis security flags.
func (c *commonFlags) connections(prefix string) (bus.Security, store.Config, error) {
	ksec, err := c.kafkaSec.security()
	if err != nil {
		return ksec, store.Config{}, err
	}
	scfg, err := c.storeConfig(prefix)
	return ksec, scfg, err
}

// registerCatalog adds --catalog, for the commands that match posts.
func (c *commonFlags) registerCatalog(fs *flag.FlagSet) {
	fs.StringVar(&c.catalog, "catalog", "", "YAML file that extends the built-in service catalog (or replaces it, with mode: replace)")
}

// registerDetect adds --detect-config, for the commands that decide bursts.
func (c *commonFlags) registerDetect(fs *flag.FlagSet) {
	fs.StringVar(&c.detect, "detect-config", "", "YAML or JSON file of detector settings (see README: Tuning)")
}

func (c *commonFlags) loadCatalog() (*catalog.Catalog, error) {
	if c.catalog == "" {
		return catalog.Default()
	}
	return catalog.Load(c.catalog)
}

func (c *commonFlags) loadDetect() (*detect.Config, error) {
	cfg := detect.DefaultConfig()
	if c.detect == "" {
		return &cfg, nil
	}
	if err := detect.LoadConfig(c.detect, &cfg); err != nil {
		return nil, err
	}
	return &cfg, nil
}

func runReplay(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "replay", "--input FILE|- --report FILE [flags]",
		`Runs the whole pipeline over the posts in FILE (JSONL, one post per line; - for stdin):
match, produce to Kafka, detect in a consumer group, store in Redis, publish alerts.
Time is the posts' event time, so the same file always gives the same incidents.
With no --kafka/--redis it embeds both and needs nothing installed. Every replay
is a run of its own: into a real Redis it first deletes the keys under its prefix
(default "downwatch:replay:"; the live prefix "downwatch:" is refused), so one
replay per prefix at a time. A store or broker that keeps failing ends it with
the error after --give-up-after.`)
	var c commonFlags
	c.register(fs, true)
	c.registerCatalog(fs)
	c.registerDetect(fs)
	input := fs.String("input", "", "JSONL file of posts, or - for stdin (required)")
	report := fs.String("report", "", "where to write the JSON report, - for stdout (required)")
	deadletter := fs.String("dead-letter", "", "write rejected records with their reason to this file (JSONL)")
	quiet := fs.Bool("no-alerts", false, "store incidents without publishing alerts")
	stall := fs.Duration("give-up-after", time.Minute, "end with an error when the store keeps failing, or nothing moves, for this long")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *input == "" || *report == "" {
		fmt.Fprintln(env.stderr, "replay needs --input and --report")
		fs.Usage()
		return errUsage
	}
	cat, err := c.loadCatalog()
	if err != nil {
		return err
	}
	dcfg, err := c.loadDetect()
	if err != nil {
		return err
	}
	src := ingest.NewFile(*input)
	src.Stdin = env.stdin
	var dl io.Writer
	if *deadletter != "" {
		f, err := os.Create(*deadletter)
		if err != nil {
			return fmt.Errorf("create dead-letter file: %w", err)
		}
		defer f.Close()
		dl = f
	}
	ksec, scfg, err := c.connections(c.prefix)
	if err != nil {
		return err
	}
	opt := replay.Options{
		Source: src, Catalog: cat, Kafka: c.kafka, KafkaSecurity: ksec, Redis: c.redis, RedisConn: scfg.Conn, Prefix: c.prefix,
		Partitions: c.parts, Detect: dcfg, NoPublish: *quiet, DeadLetter: dl, Logger: logger(env.stderr, c.verbose),
		StallAfter: *stall,
	}
	if isTerminal(env.stderr) {
		opt.Progress = progressLine(env.stderr, src)
	}
	rep, err := replay.Run(ctx, opt)
	if opt.Progress != nil {
		fmt.Fprintln(env.stderr)
	}
	if err != nil {
		return err
	}
	if err := writeJSON(*report, env.stdout, rep); err != nil {
		return err
	}
	fmt.Fprintf(env.stderr, "replay: %d posts, %d rejected%s, %d mentions, %d incidents in %.1fs\n",
		rep.Stats.Posts, rep.Stats.Rejected, reasonsByKind(rep.Stats.Reasons), rep.Stats.Mentions, rep.Stats.Incidents, rep.Stats.Seconds)
	if rep.Stats.Rejected > 0 && *deadletter == "" {
		fmt.Fprintln(env.stderr, "replay: --dead-letter FILE keeps each rejected record with its reason")
	}
	return nil
}

// progressLine rewrites one line on w with how far a replay of src has got.
func progressLine(w io.Writer, src *ingest.File) func(*ingest.Stats, *runner.Stats) {
	return func(in *ingest.Stats, det *runner.Stats) {
		read, size := src.Progress()
		pct := ""
		if size > 0 {
			pct = fmt.Sprintf(" (%.0f%%)", 100*float64(read)/float64(size))
		}
		fmt.Fprintf(w, "\rread %s%s  posts %d  rejected %d  mentions %d  detected %d  alerts %d   ",
			mib(read), pct, in.Posts.Load(), in.Rejected.Load(), in.Mentions.Load(), det.Records.Load(), det.Alerts.Load())
	}
}

// reasonsByKind is " (5 bad-json, 2 bad-time)", the most frequent first, or ""
// when nothing was rejected.
func reasonsByKind(reasons map[string]int64) string {
	if len(reasons) == 0 {
		return ""
	}
	kinds := slices.Collect(maps.Keys(reasons))
	slices.SortFunc(kinds, func(a, b string) int {
		if c := cmp.Compare(reasons[b], reasons[a]); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", reasons[k], k)
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func writeJSON(path string, stdout io.Writer, v any) error {
	var w io.Writer = stdout
	if path != "-" {
		f, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("create %s: %w", path, err)
		}
		defer f.Close()
		w = f
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func mib(n int64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }
