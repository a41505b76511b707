package main

import (
	"context"
	"fmt"
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
	fs := flags(env, "bench", "[--redis URL] [--days N] [--firehose N]",
		`Measures the storage and replay figures in one run and prints each beside its
target and what it is compared with in the same run: a 2.5-day stream of 14
services and a long history of the whole catalog (--days, default 7, about a
million posts), each replayed on the embedded Redis and into the real Redis at
--redis (identical incidents, at most 1.5x its time), and the ceiling: raw
kafka-go producing and consuming every line of the long stream on the same kind
of embedded broker; and a one-hour firehose (--firehose posts, default a million,
mostly chatter, a tenth complaints) replayed on the embedded default beside raw
kafka-go producing and consuming every line of the same file (target: at least
1.8x its rate; twice each, interleaved, the fastest of each counts). Keys go
under "downwatch:bench:" on --redis, cleared first.`)
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/15", "real Redis to compare with; \"\" skips the comparison")
	days := fs.Float64("days", 7, "days of the long history")
	firehose := fs.Int("firehose", 1_000_000, "posts in the one-hour firehose")
	live := fs.Duration("live", 0, "instead: run dev-kafka, ingest (HTTP push) and detect as separate processes on --redis for this long (e.g. 5m) and print latency, RSS and lag")
	rate := fs.Int("live-rate", 10000, "with --live: posts pushed per second")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *live > 0 {
		return runLiveBench(ctx, env, *redisURL, *live, *rate)
	}
	figs, err := replay.Bench(ctx, replay.BenchConfig{Redis: *redisURL, Days: *days, Firehose: *firehose, Logf: func(format string, a ...any) {
		fmt.Fprintf(env.stderr, "bench: "+format+"\n", a...)
	}})
	if err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "| figure | target | measured | in the same run | holds |")
	fmt.Fprintln(env.stdout, "|---|---|---|---|---|")
	failed := 0
	for _, f := range figs {
		mark := "yes"
		if !f.Holds {
			mark, failed = "**no**", failed+1
		}
		fmt.Fprintf(env.stdout, "| %s | %s | %s | %s | %s |\n", f.What, f.Target, f.Measured, f.Compared, mark)
	}
	if failed > 0 {
		return fmt.Errorf("bench: %d of %d figures miss their target", failed, len(figs))
	}
	return nil
}
