package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/ingest"
)

// ingestAbout is ingest's --help text.
const ingestAbout = `Reads posts from a source, normalises and matches them against the service catalog,
and produces mentions to Kafka (topic downwatch.mentions, key = service id), with
watermarks so the detector's clock moves on even when nobody complains. --out -
prints the mentions as JSON lines instead, keeping no state anywhere.`

func runIngest(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "ingest", "--source x|bluesky|mastodon|rss|statuspage|file|http [source flags] [--out -]", ingestAbout)
	var c commonFlags
	c.register(fs, false)
	c.registerCatalog(fs)
	source := fs.String("source", "file", "x, bluesky, mastodon, rss, statuspage, file or http")
	input := fs.String("input", "-", "file source: JSONL posts, - for stdin")
	out := fs.String("out", "kafka", "kafka, or - to print mentions as JSON lines")
	topic := fs.String("topic", "downwatch.mentions", "mentions topic")
	deadletter := fs.String("dead-letter", "", "write rejected records with their reason to this file (JSONL); default stderr")
	metrics := fs.String("metrics", "", "serve Prometheus metrics (posts, matched, errors, reconnects, lag per source) at http://ADDR/metrics")
	profiles := fs.Bool("pprof", false, "also serve Go's profiles (heap, CPU, goroutines) at http://ADDR/debug/pprof/ on the --metrics address; keep that address private")
	reloadEvery := fs.Duration("catalog-poll", 2*time.Second, "reload --catalog when the file changes, checking this often (0: only on SIGHUP)")
	lf := registerLiveFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cat, m, err := c.loadMatcher()
	if err != nil {
		return err
	}
	h := health.New(nil)
	var src ingest.Source
	live := true
	switch *source {
	case "file":
		f := ingest.NewFile(*input)
		f.Stdin = env.stdin
		src, live = f, false
	default:
		s, err := liveSource(ctx, env, *source, lf, cat, &c, *out == "-", h)
		if err != nil {
			return quietOnSignal(ctx, err)
		}
		src = s
	}
	log := logger(env.stderr, c.verbose)
	if ps, ok := src.(*ingest.Push); ok {
		ps.SetProbes(h.Handler())
	}
	reg, _, stopMetrics, err := serveMetrics(env, *metrics, h, *profiles)
	if err != nil {
		return err
	}
	defer stopMetrics()
	o, err := ingestOutput(ctx, env, &c, *out, *topic, h, log)
	if err != nil {
		return quietOnSignal(ctx, err)
	}
	defer o.Close()
	dl, closeDL, err := deadLetterTo(*deadletter, env.stderr)
	if err != nil {
		return err
	}
	defer closeDL()
	cfg := ingest.Config{Live: live, DeadLetter: dl, Logger: log}
	if reg != nil {
		cfg.Registerer = reg
	}
	p := ingest.New(cfg, m, o)
	fitGC()
	if c.catalog != "" {
		wctx, stopWatch := context.WithCancel(ctx)
		defer stopWatch()
		(&catalogWatcher{path: c.catalog, every: *reloadEvery, log: log, out: env.stderr,
			apply: func(m *catalog.Matcher) { p.SetMatcher(m) }}).start(wctx)
	}
	err = p.Run(ctx, src)
	fmt.Fprintf(env.stderr, "ingest: %d posts, %d rejected, %d duplicates, %d mentions\n",
		p.Stats.Posts.Load(), p.Stats.Rejected.Load(), p.Stats.Duplicates.Load(), p.Stats.Mentions.Load())
	if ctx.Err() != nil {
		return nil
	}
	return err
}

// deadLetterTo opens the --dead-letter file, or returns def when path is empty.
func deadLetterTo(path string, def io.Writer) (io.Writer, func(), error) {
	if path == "" {
		return def, func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, err
	}
	return f, func() { f.Close() }, nil
}
