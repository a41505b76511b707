package replay

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/scenario"
)

// BenchConfig configures Bench. Zero values take the defaults named.
type BenchConfig struct {
	// Redis is the real Redis the embedded runs are compared with; "" skips the
	// comparison. Keys go under "downwatch:bench:", cleared first.
	Redis string
	// Days of the long history; default 7.
	Days float64
	// ShortDays is how long the stream of 14 services is; default 2.5.
	ShortDays float64
	// Firehose is how many posts the one-hour firehose has; default 1,000,000.
	Firehose int
	// Rounds the firehose replay and its ceiling are each measured (interleaved;
	// the fastest of each counts); default 2.
	Rounds int
	// Dir holds the generated streams; default a temporary directory, removed.
	Dir string
	// Logf reports each step as it starts; default none.
	Logf func(format string, args ...any)
}

// Figure is one line of the bench table: what was measured, its target, the
// measurement, what it is compared with in the same run, and whether it holds.
type Figure struct {
	What, Target, Measured, Compared string
	Holds                            bool
}

// Bench measures the storage and replay figures of issue 10 in one run: a
// ShortDays-long stream of 14 services and a Days-long stream of the whole catalog, each
// replayed on the embedded Redis and into the real one (same incidents, about the
// same time), beside the ceiling of the same run: raw kafka-go producing and
// consuming every line of the long stream on the same kind of embedded broker.
func Bench(ctx context.Context, cfg BenchConfig) ([]Figure, error) {
	if cfg.Days <= 0 {
		cfg.Days = 7
	}
	if cfg.ShortDays <= 0 {
		cfg.ShortDays = 2.5
	}
	if cfg.Firehose <= 0 {
		cfg.Firehose = 1_000_000
	}
	if cfg.Rounds <= 0 {
		cfg.Rounds = 2
	}
	if cfg.Logf == nil {
		cfg.Logf = func(string, ...any) {}
	}
	if cfg.Dir == "" {
		dir, err := os.MkdirTemp("", "downwatch-bench-")
		if err != nil {
			return nil, err
		}
		defer os.RemoveAll(dir)
		cfg.Dir = dir
	}
	cat, err := catalog.Default()
	if err != nil {
		return nil, err
	}
	ids := cat.ServiceIDs()
	short, err := benchPair(ctx, cfg, fmt.Sprintf("%g days, 14 services", cfg.ShortDays), cfg.ShortDays, ids[:14], 0)
	if err != nil {
		return nil, err
	}
	long, err := benchPair(ctx, cfg, fmt.Sprintf("%g days, %d services", cfg.Days, len(ids)), cfg.Days, ids, 30*time.Second)
	if err != nil {
		return nil, err
	}
	figs := append(short, long...)
	cfg.Logf("ceiling: raw kafka-go produce + consume of every line of the %g-day stream", cfg.Days)
	lines, err := readLines(filepath.Join(cfg.Dir, fmt.Sprintf("long-%g.jsonl", cfg.Days)))
	if err != nil {
		return nil, err
	}
	raw, err := RawKafka(ctx, lines)
	if err != nil {
		return nil, err
	}
	emb := long[0].seconds
	figs = append(figs, timedFigure{Figure: Figure{
		What:     fmt.Sprintf("ceiling: raw kafka-go produce + consume of the %g-day stream's %d lines, embedded broker", cfg.Days, len(lines)),
		Target:   "(the ceiling)",
		Measured: fmt.Sprintf("%.1f s, %.0f lines/s", raw.Seconds(), float64(len(lines))/raw.Seconds()),
		Compared: fmt.Sprintf("the replay on the embedded Redis runs at %.2fx this rate", raw.Seconds()/emb),
		Holds:    true,
	}})
	lines = nil
	fire, err := benchFirehose(ctx, cfg, ids)
	if err != nil {
		return nil, err
	}
	figs = append(figs, fire...)
	out := make([]Figure, len(figs))
	for i, f := range figs {
		out[i] = f.Figure
	}
	return out, nil
}

// timedFigure is a Figure with the seconds it measured.
type timedFigure struct {
	Figure
	seconds float64
}

// benchPair generates a long history, replays it on the embedded Redis and into
// cfg.Redis, and returns the figures: the embedded time (under limit, if set),
// and the embedded time beside the real one (at most 1.5x, identical incidents).
func benchPair(ctx context.Context, cfg BenchConfig, name string, days float64, ids []string, limit time.Duration) ([]timedFigure, error) {
	path := filepath.Join(cfg.Dir, fmt.Sprintf("long-%g.jsonl", days))
	cfg.Logf("generating %s", name)
	posts, err := writeLong(path, days, ids)
	if err != nil {
		return nil, err
	}
	cfg.Logf("replaying %s (%d posts) on the embedded Redis", name, posts)
	emb, err := Run(ctx, Options{Source: ingest.NewFile(path)})
	if err != nil {
		return nil, err
	}
	target := "finishes, never stalls"
	holds := true
	if limit > 0 {
		target = fmt.Sprintf("< %v", limit)
		holds = emb.Stats.Seconds < limit.Seconds()
	}
	figs := []timedFigure{{Figure: Figure{
		What:     fmt.Sprintf("replay, %s (%d posts), embedded Kafka + Redis", name, posts),
		Target:   target,
		Measured: fmt.Sprintf("%.1f s, %.0f posts/s, %d incidents", emb.Stats.Seconds, float64(posts)/emb.Stats.Seconds, len(emb.Incidents)),
		Holds:    holds,
	}, seconds: emb.Stats.Seconds}}
	if cfg.Redis == "" {
		figs[0].Compared = "no real Redis given"
		return figs, nil
	}
	cfg.Logf("replaying %s into %s", name, cfg.Redis)
	real, err := Run(ctx, Options{Source: ingest.NewFile(path), Redis: cfg.Redis, Prefix: "downwatch:bench:"})
	if err != nil {
		return nil, err
	}
	a, _ := json.Marshal(emb.Incidents)
	b, _ := json.Marshal(real.Incidents)
	same := bytes.Equal(a, b)
	ratio := emb.Stats.Seconds / real.Stats.Seconds
	figs[0].Compared = fmt.Sprintf("real redis-server: %.1f s", real.Stats.Seconds)
	figs = append(figs, timedFigure{Figure: Figure{
		What:     fmt.Sprintf("replay, %s: embedded Redis against real redis-server", name),
		Target:   "<= 1.5x, identical incidents",
		Measured: fmt.Sprintf("%.2fx", ratio),
		Compared: fmt.Sprintf("incidents identical: %v (%d)", same, len(real.Incidents)),
		Holds:    ratio <= 1.5 && same,
	}})
	return figs, nil
}

// benchFirehose generates a one-hour firehose of cfg.Firehose posts and measures,
// cfg.Rounds times each and interleaved, its replay on the embedded default and
// the ceiling: raw kafka-go producing and consuming every line of the same file.
// The fastest of each counts (the machine is shared; a slow round is other work),
// and the processor time of each is printed beside it: on a machine shared
// with other work, wall time moves with that work, processor time far less.
func benchFirehose(ctx context.Context, cfg BenchConfig, ids []string) ([]timedFigure, error) {
	path := filepath.Join(cfg.Dir, "firehose.jsonl")
	cfg.Logf("generating a one-hour firehose of about %d posts", cfg.Firehose)
	s, err := scenario.Firehose(time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC), cfg.Firehose, ids)
	if err != nil {
		return nil, err
	}
	posts, err := writePosts(path, s)
	if err != nil {
		return nil, err
	}
	lines, err := readLines(path)
	if err != nil {
		return nil, err
	}
	best, ceil := 0.0, 0.0
	var bestCPU, ceilCPU time.Duration // the processor time of each, fewest of the rounds
	var rep *Report
	for i := range cfg.Rounds {
		cfg.Logf("firehose round %d of %d: replay on the embedded default, then raw kafka-go", i+1, cfg.Rounds)
		runtime.GC() // neither pays for the other's garbage
		cpu0 := cpuTime()
		r, err := Run(ctx, Options{Source: ingest.NewFile(path)})
		if err != nil {
			return nil, err
		}
		bestCPU = fewest(bestCPU, cpuTime()-cpu0)
		if best == 0 || r.Stats.Seconds < best {
			best, rep = r.Stats.Seconds, r
		}
		runtime.GC()
		cpu0 = cpuTime()
		raw, err := RawKafka(ctx, lines)
		if err != nil {
			return nil, err
		}
		ceilCPU = fewest(ceilCPU, cpuTime()-cpu0)
		if ceil == 0 || raw.Seconds() < ceil {
			ceil = raw.Seconds()
		}
	}
	ratio := ceil / best
	return []timedFigure{{Figure: Figure{
		What: fmt.Sprintf("replay, one-hour firehose (%d posts, %d mentions), embedded Kafka + Redis, fastest of %d",
			posts, rep.Stats.Mentions, cfg.Rounds),
		Target:   ">= 1.8x the ceiling's rate",
		Measured: fmt.Sprintf("%.2f s, %.0f posts/s: %.2fx (processor time %.2f s)", best, float64(posts)/best, ratio, bestCPU.Seconds()),
		Compared: fmt.Sprintf("ceiling, raw kafka-go produce + consume of its %d lines: %.2f s, %.0f lines/s (processor time %.2f s)",
			len(lines), ceil, float64(len(lines))/ceil, ceilCPU.Seconds()),
		Holds: ratio >= 1.8,
	}, seconds: best}}, nil
}

// fewest is the smaller of a and b, a 0 standing for none yet.
func fewest(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

// writeLong writes a long history over ids to path and returns its post count.
func writeLong(path string, days float64, ids []string) (int, error) {
	s, err := scenario.LongHistory(time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), days, ids)
	if err != nil {
		return 0, err
	}
	return writePosts(path, s)
}

// writePosts writes s's posts to path and returns how many there are.
func writePosts(path string, s scenario.Scenario) (int, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	cw := countWriter{w: f, n: &n}
	bw := bufio.NewWriterSize(cw, 1<<20)
	if _, err := scenario.WriteJSONL(bw, s); err != nil {
		return 0, err
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return n, f.Close()
}

// countWriter counts the lines written through it.
type countWriter struct {
	w interface{ Write([]byte) (int, error) }
	n *int
}

func (c countWriter) Write(p []byte) (int, error) {
	*c.n += bytes.Count(p, []byte("\n"))
	return c.w.Write(p)
}

// readLines returns the lines of the file at path, all slices of one buffer (a
// million separate ones would slow down the garbage collector of whatever runs
// beside them).
func readLines(path string) ([][]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := make([][]byte, 0, bytes.Count(b, []byte("\n"))+1)
	for len(b) > 0 {
		line, rest, _ := bytes.Cut(b, []byte("\n"))
		if len(line) > 0 {
			lines = append(lines, line)
		}
		b = rest
	}
	return lines, nil
}

// RawKafka produces every line as a record with kafka-go, in batches of 1000, to a
// four-partition topic of a fresh embedded broker and consumes them back with one
// reader per partition: the least the pipeline's Kafka legs cost. It returns the
// time from the first write to the last record read.
func RawKafka(ctx context.Context, lines [][]byte) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	br, err := broker.Start(broker.Config{})
	if err != nil {
		return 0, err
	}
	defer br.Close()
	if err := bus.EnsureTopics(ctx, br.Addrs(), 4, "ceiling"); err != nil {
		return 0, err
	}
	return bus.RawRoundTrip(ctx, br.Addrs(), "ceiling", lines)
}
