package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/downwatch/downwatch/replay"
)

func runLiveBench(ctx context.Context, env *cliEnv, redisURL string, dur time.Duration, rate int) error {
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	if redisURL == "" {
		return fmt.Errorf("bench --live needs a real Redis (--redis URL)")
	}
	b := &liveBench{bin: bin, redis: redisURL, dur: dur, rate: rate, log: env.stderr,
		prefix: fmt.Sprintf("downwatch:livebench:%d:", time.Now().Unix())}
	fmt.Fprintf(env.stderr, "bench: live for %v at %d posts/s on %s under %q\n", dur, rate, redisURL, b.prefix)
	res, err := b.run(ctx)
	if err != nil {
		return err
	}
	res.print(env.stdout, rate)
	return nil
}

func runBench(ctx context.Context, env *cliEnv, args []string) error {
	if os.Getenv(benchStageEnv) == benchStageDetector {
		return runDetectorStage(env)
	}
	fs := flags(env, "bench", "[--redis URL] [--days N] [--firehose N] [--live D | --all]",
		`Measures the storage and replay figures in one run and prints each beside its
target and what it is compared with in the same run: a 2.5-day stream of 14
services (--short-days) and a long history of the whole catalog (--days, default 7, about a
million posts), each replayed on the embedded Redis and into the real Redis at
--redis (identical incidents, at most 1.5x its time), and the ceiling: raw
kafka-go producing and consuming every line of the long stream on the same kind
of embedded broker; and a one-hour firehose (--firehose posts, default a million,
mostly chatter, a tenth complaints) replayed on the embedded default beside raw
kafka-go producing and consuming every line of the same file (target: at least
1.8x its rate; twice each, interleaved, the fastest of each counts). Keys go
under "downwatch:bench:" on --redis, cleared first.

--all measures every figure of issue 10 in one run, one stage after another, in
one table: the figures above; a generated catalog of --services services
(simulate --catalog-services): the matcher's build (< 2 s) and its rate on the
firehose mix on one core (>= 1M posts/s), and the RSS of ingest --source http
--catalog of it, beside dev-kafka, before and after --ingest-posts pushed posts
(< 256 MiB); one detector per partition (4) of every one of those services fed
--detector-days of complaints in a child process: its peak RSS (< 256 MiB), a
partition's checkpoint size (< 1 MiB) and encoding time (< 5 ms); and the live
figures of --live for --live-duration. The last line says how many hold; the
exit status is 1 when one misses.`)
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/15", "real Redis to compare with; \"\" skips the comparison (not with --live or --all)")
	days := fs.Float64("days", 7, "days of the long history")
	shortDays := fs.Float64("short-days", 2.5, "days of the stream of 14 services")
	firehose := fs.Int("firehose", 1_000_000, "posts in the one-hour firehose")
	live := fs.Duration("live", 0, "instead: run dev-kafka, ingest (HTTP push) and detect as separate processes on --redis for this long (e.g. 5m) and print latency, RSS and lag")
	rate := fs.Int("live-rate", 10000, "with --live or --all: posts pushed per second")
	all := fs.Bool("all", false, "measure every figure of issue 10 in one run and print one table (see above)")
	services := fs.Int("services", 10000, "with --all: services of the generated catalog")
	ingestPosts := fs.Int("ingest-posts", 200_000, "with --all: posts pushed to the ingester of the generated catalog")
	detDays := fs.Float64("detector-days", 7, "with --all: days of complaints fed to the detectors of the generated services")
	liveDur := fs.Duration("live-duration", 5*time.Minute, "with --all: how long the live stage runs")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *live > 0 {
		return runLiveBench(ctx, env, *redisURL, *live, *rate)
	}
	if *all {
		return runBenchAll(ctx, env, &benchAll{redis: *redisURL, days: *days, shortDays: *shortDays, firehose: *firehose, services: *services,
			ingestPosts: *ingestPosts, detDays: *detDays, live: *liveDur, rate: *rate, stderr: env.stderr})
	}
	figs, err := replay.Bench(ctx, replay.BenchConfig{Redis: *redisURL, Days: *days, ShortDays: *shortDays, Firehose: *firehose, Logf: func(format string, a ...any) {
		fmt.Fprintf(env.stderr, "bench: "+format+"\n", a...)
	}})
	if err != nil {
		return err
	}
	return printFigures(env.stdout, figs, false)
}

func runBenchAll(ctx context.Context, env *cliEnv, a *benchAll) error {
	if a.redis == "" {
		return fmt.Errorf("bench --all needs a real Redis (--redis URL) for its live stage")
	}
	if a.services < 1 || a.ingestPosts < 1 || a.detDays <= 0 || a.live <= 0 || a.rate < 1 {
		return fmt.Errorf("bench --all: --services, --ingest-posts, --detector-days, --live-duration and --live-rate must be positive")
	}
	bin, err := os.Executable()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "downwatch-benchall-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	a.bin, a.dir = bin, dir
	figs, err := a.run(ctx)
	if err != nil {
		return err
	}
	return printFigures(env.stdout, figs, true)
}

// printFigures writes the bench table, with a last line saying how many
// hold if count is set, and returns an error if one misses its target.
func printFigures(w io.Writer, figs []replay.Figure, count bool) error {
	fmt.Fprintln(w, "| figure | target | measured | in the same run | holds |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	failed := 0
	for _, f := range figs {
		mark := "yes"
		if !f.Holds {
			mark, failed = "**no**", failed+1
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", f.What, f.Target, f.Measured, f.Compared, mark)
	}
	if count {
		fmt.Fprintf(w, "\n%d of %d figures hold\n", len(figs)-failed, len(figs))
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d figures miss their target", failed, len(figs))
	}
	return nil
}
