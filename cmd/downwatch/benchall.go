package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/replay"
	"github.com/downwatch/downwatch/scenario"
)

// benchStageEnv, set to benchStageDetector, makes `downwatch bench` the child
// process of the detector stage of bench --all instead (not in --help: it
// is how the parent measures a detector's peak RSS apart from its own).
const (
	benchStageEnv      = "DOWNWATCH_BENCH_STAGE"
	benchStageDetector = "detector-10k"
)

// benchAll is `bench --all`: every figure of issue 10 in one run.
type benchAll struct {
	bin, redis  string
	days        float64 // of the long-history replay of every service
	shortDays   float64 // of the replay of 14 services
	firehose    int     // posts of the one-hour firehose
	services    int     // of the generated catalog
	ingestPosts int     // pushed to the ingester of the generated catalog
	detDays     float64 // of event time fed to the detectors of every service
	live        time.Duration
	rate        int
	dir         string
	stderr      io.Writer
}

func (a *benchAll) logf(format string, args ...any) {
	fmt.Fprintf(a.stderr, "bench: "+format+"\n", args...)
}

// run measures the stages in turn (never two at once: each would slow the
// other) and returns every figure.
func (a *benchAll) run(ctx context.Context) ([]replay.Figure, error) {
	figs, err := replay.Bench(ctx, replay.BenchConfig{Redis: a.redis, Days: a.days, ShortDays: a.shortDays, Firehose: a.firehose, Logf: a.logf})
	if err != nil {
		return nil, err
	}
	var gen bytes.Buffer
	if err := scenario.WriteScaleCatalog(&gen, a.services); err != nil {
		return nil, err
	}
	genPath := filepath.Join(a.dir, "gen.yaml")
	if err := os.WriteFile(genPath, gen.Bytes(), 0o644); err != nil {
		return nil, err
	}
	mf, cat, err := replay.ScaleMatcher(gen.Bytes(), a.services, a.logf)
	if err != nil {
		return nil, err
	}
	figs = append(figs, mf...)
	a.logf("ingest --source http --catalog %s (%d services): pushing %d posts", genPath, a.services, a.ingestPosts)
	f, err := a.ingestRSS(ctx, genPath, cat)
	if err != nil {
		return nil, fmt.Errorf("ingest of the generated catalog: %w", err)
	}
	figs = append(figs, f)
	a.logf("detectors of %d services fed %g days of complaints, in a child process", a.services, a.detDays)
	df, err := a.detector(ctx)
	if err != nil {
		return nil, fmt.Errorf("detector stage: %w", err)
	}
	figs = append(figs, df...)
	prefix := fmt.Sprintf("downwatch:livebench:%d:", time.Now().Unix())
	a.logf("live for %v at %d posts/s on %s under %q", a.live, a.rate, a.redis, prefix)
	lb := &liveBench{bin: a.bin, redis: a.redis, dur: a.live, rate: a.rate, log: a.stderr, prefix: prefix}
	res, err := lb.run(ctx)
	if err != nil {
		return nil, fmt.Errorf("live: %w", err)
	}
	return append(figs, res.figures(a.rate)...), nil
}

// ingestRSS starts dev-kafka and `ingest --source http --catalog genPath`,
// pushes a.ingestPosts posts (the firehose mix, and every tenth a complaint
// naming one of the generated services), and returns the ingester's RSS at
// start and after them beside its peak.
func (a *benchAll) ingestRSS(ctx context.Context, genPath string, cat *catalog.Catalog) (replay.Figure, error) {
	var fig replay.Figure
	ctx, cancel := context.WithCancel(ctx)
	lb := &liveBench{bin: a.bin, log: a.stderr}
	defer lb.stop(cancel)
	kafka, err1 := freeLoopbackAddr()
	push, err2 := freeLoopbackAddr()
	im, err3 := freeLoopbackAddr()
	for _, err := range []error{err1, err2, err3} {
		if err != nil {
			return fig, err
		}
	}
	if _, err := lb.start(ctx, "listening", "dev-kafka", "--listen", kafka); err != nil {
		return fig, err
	}
	ing, err := lb.start(ctx, "listening on", "ingest", "--source", "http", "--catalog", genPath, "--listen", push, "--kafka", kafka, "--metrics", im)
	if err != nil {
		return fig, err
	}
	before, err := scrape(im)
	if err != nil {
		return fig, err
	}
	if err := pushMix(ctx, "http://"+push+"/v1/posts", a.ingestPosts, cat); err != nil {
		return fig, err
	}
	after, err := waitRead(ctx, im, float64(a.ingestPosts))
	if err != nil {
		return fig, err
	}
	peak, err := procStatusBytes(ing.Process.Pid, "VmHWM")
	if err != nil {
		return fig, err
	}
	start, end := before.value("process_resident_memory_bytes"), after.value("process_resident_memory_bytes")
	return replay.Figure{
		What:     fmt.Sprintf("ingest --source http --catalog of %d generated services, RSS at start and after %d pushed posts", a.services, a.ingestPosts),
		Target:   "< 256 MiB",
		Measured: fmt.Sprintf("%.0f MiB at start, %.0f MiB after", start/(1<<20), end/(1<<20)),
		Compared: fmt.Sprintf("peak (VmHWM, the matcher's build included): %.0f MiB; %.0f mentions produced", peak/(1<<20), after.sum("downwatch_ingest_mentions_total")),
		Holds:    start > 0 && end > 0 && max(start, end) < 256<<20,
	}, nil
}

// waitRead scrapes the ingester at addr until it has read n posts (a push is
// answered once its posts are queued) and its count of mentions produced has
// not moved for a second, and returns that scrape.
func waitRead(ctx context.Context, addr string, n float64) (metricsText, error) {
	deadline := time.Now().Add(time.Minute)
	mentions, still := -1.0, 0
	for {
		m, err := scrape(addr)
		if err != nil {
			return nil, err
		}
		read := m.sum("downwatch_ingest_posts_total")
		if got := m.sum("downwatch_ingest_mentions_total"); read >= n && got == mentions {
			still++
		} else {
			mentions, still = got, 0
		}
		if still == 4 {
			return m, nil
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("ingest read %.0f of the %.0f posts pushed and produced %.0f mentions, not settled within a minute", read, n, mentions)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// pushMix posts n posts in requests of 1,000 to url.
func pushMix(ctx context.Context, url string, n int, cat *catalog.Catalog) error {
	mix := catalog.FirehoseMix()
	ids := cat.ServiceIDs()
	var body bytes.Buffer
	now := time.Now().UTC().Format(time.RFC3339Nano)
	for i := 0; i < n; {
		body.Reset()
		for end := min(n, i+1000); i < end; i++ {
			text := mix[i%len(mix)].Text
			if i%10 == 0 {
				s, _ := cat.Service(ids[i/10%len(ids)])
				text = s.Names[0] + " is down for me"
			}
			fmt.Fprintf(&body, `{"id":"ba%d","source":"http","author":"u%d","text":%q,"created_at":%q}`+"\n", i, i%9973, text, now)
		}
		if err := pushBody(ctx, url, body.Bytes()); err != nil {
			return err
		}
	}
	return nil
}

// pushBody posts body to url as a client of the push endpoint should: a 503
// (its queue is full: backpressure) is retried after its Retry-After, for up
// to a minute.
func pushBody(ctx context.Context, url string, body []byte) error {
	for deadline := time.Now().Add(time.Minute); ; {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/x-ndjson")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode != http.StatusServiceUnavailable || time.Now().After(deadline):
			return fmt.Errorf("push answered %d", resp.StatusCode)
		}
		wait := time.Second
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s > 0 {
			wait = time.Duration(s) * time.Second
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// procStatusBytes reads a "kB" line of /proc/PID/status (pid 0: this process).
func procStatusBytes(pid int, key string) (float64, error) {
	path := "/proc/self/status"
	if pid > 0 {
		path = fmt.Sprintf("/proc/%d/status", pid)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, key+":"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("%s: no %s", path, key)
}

// detectorStage is what the detector child reports, as JSON on stdout.
type detectorStage struct {
	Mentions        int     `json:"mentions"`
	PeakRSS         float64 `json:"peak_rss"` // bytes, VmHWM
	Checkpoint      int     `json:"checkpoint_bytes"`
	EncodeMean      float64 `json:"encode_mean_ms"`
	EncodeFastest   float64 `json:"encode_fastest_ms"`
	Encodes         int     `json:"encodes"`
	FeedSeconds     float64 `json:"feed_seconds"`
	HeapAfterGC     float64 `json:"heap_after_gc"` // bytes
	PartitionsFed   int     `json:"partitions"`
	ServicesPerPart int     `json:"services_per_partition"`
}

// detector runs the detector stage in a child process (re-executing this
// binary with benchStageEnv) and returns its figures.
func (a *benchAll) detector(ctx context.Context) ([]replay.Figure, error) {
	cmd := exec.CommandContext(ctx, a.bin, "bench")
	cmd.Env = append(os.Environ(), benchStageEnv+"="+benchStageDetector,
		fmt.Sprintf("DOWNWATCH_BENCH_STAGE_SERVICES=%d", a.services),
		fmt.Sprintf("DOWNWATCH_BENCH_STAGE_DAYS=%g", a.detDays))
	cmd.Stderr = a.stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, err
	}
	var s detectorStage
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, fmt.Errorf("reading the child's report %q: %w", out, err)
	}
	what := fmt.Sprintf("detector, %d services fed %g days of complaints (%d mentions, per-country signals), %d partitions",
		a.services, a.detDays, s.Mentions, s.PartitionsFed)
	return []replay.Figure{{
		What:     what + ": peak RSS of the process",
		Target:   "< 256 MiB",
		Measured: fmt.Sprintf("%.0f MiB (VmHWM)", s.PeakRSS/(1<<20)),
		Compared: fmt.Sprintf("heap after a collection %.0f MiB; fed in %.0f s", s.HeapAfterGC/(1<<20), s.FeedSeconds),
		Holds:    s.PeakRSS > 0 && s.PeakRSS < 256<<20,
	}, {
		What:     "detector: one partition's checkpoint (a quarter of the services) after that",
		Target:   "< 1 MiB",
		Measured: fmt.Sprintf("%d bytes (%.2f MiB)", s.Checkpoint, float64(s.Checkpoint)/(1<<20)),
		Compared: fmt.Sprintf("partition 0 of %d, %d services", s.PartitionsFed, s.ServicesPerPart),
		Holds:    s.Checkpoint > 0 && s.Checkpoint < 1<<20,
	}, {
		What:     fmt.Sprintf("detector: encode that checkpoint, fastest of %d (2 cores)", s.Encodes),
		Target:   "< 5 ms",
		Measured: fmt.Sprintf("%.2f ms", s.EncodeFastest),
		Compared: fmt.Sprintf("mean of the %d: %.2f ms", s.Encodes, s.EncodeMean),
		Holds:    s.EncodeFastest > 0 && s.EncodeFastest < 5,
	}}, nil
}

// runDetectorStage is the detector child: it feeds one detector per partition
// the scale load for all services, then encodes partition 0's checkpoint 20
// times and prints a detectorStage.
func runDetectorStage(env *cliEnv) error {
	services, err1 := strconv.Atoi(os.Getenv("DOWNWATCH_BENCH_STAGE_SERVICES"))
	days, err2 := strconv.ParseFloat(os.Getenv("DOWNWATCH_BENCH_STAGE_DAYS"), 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("bench stage: want DOWNWATCH_BENCH_STAGE_SERVICES and _DAYS: %v, %v", err1, err2)
	}
	load := detect.ScaleLoad{Services: services, Days: days, Partitions: 4}
	ds := make([]*detect.Detector, load.Partitions)
	for i := range ds {
		d, err := detect.New(detect.DefaultConfig())
		if err != nil {
			return err
		}
		ds[i] = d
	}
	t0 := time.Now()
	s := detectorStage{Mentions: load.Feed(ds), PartitionsFed: len(ds), ServicesPerPart: services / len(ds), Encodes: 20}
	s.FeedSeconds = time.Since(t0).Seconds()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s.HeapAfterGC = float64(ms.HeapAlloc)
	total, fastest := time.Duration(0), time.Duration(math.MaxInt64)
	for range s.Encodes {
		t := time.Now()
		snap, err := ds[0].Snapshot()
		if err != nil {
			return err
		}
		el := time.Since(t)
		total, fastest, s.Checkpoint = total+el, min(fastest, el), len(snap)
	}
	s.EncodeMean = total.Seconds() * 1e3 / float64(s.Encodes)
	s.EncodeFastest = fastest.Seconds() * 1e3
	peak, err := procStatusBytes(0, "VmHWM")
	if err != nil {
		return err
	}
	s.PeakRSS = peak
	runtime.KeepAlive(ds)
	return json.NewEncoder(env.stdout).Encode(s)
}

// figures are the live figures of issue 10 for the bench table: the end of the
// run against minute 1 (or the first scrape).
func (r liveResult) figures(rate int) []replay.Figure {
	f, l := r.first, r.last
	at := fmt.Sprintf("at %v (first scrape, at %v: ", l.at.Round(time.Second), f.at.Round(time.Second))
	pub := replay.Figure{What: fmt.Sprintf("live, %d posts/s: p99 alert decided -> stored and published (bucket bound)", rate),
		Target: "< 1 s", Measured: "no alert published", Compared: fmt.Sprintf("%.0f alerts", l.published)}
	if l.published > 0 {
		pub.Measured, pub.Holds = fmt.Sprintf("%s %s%s)", secs(l.pubP99), at, secs(f.pubP99)), l.pubP99 < 1
	}
	within := func(what string, first, last float64, unit string, scale float64, slack float64) replay.Figure {
		return replay.Figure{What: fmt.Sprintf("live: %s", what), Target: "end within 10% of the first scrape",
			Measured: fmt.Sprintf("%.1f%s %s%.1f%s)", last/scale, unit, at, first/scale, unit),
			Compared: fmt.Sprintf("%+.0f%%", 100*(last-first)/math.Max(first, 1)),
			Holds:    first > 0 && last <= 1.1*first || last <= slack}
	}
	lag := within("lag (mentions produced, not yet counted; or under a tenth of a second's mentions)", f.lag, l.lag, "", 1, float64(rate)/100)
	lag.Target += fmt.Sprintf(", or < %d", rate/100)
	return []replay.Figure{{
		What:     fmt.Sprintf("live, %d posts/s: p99 accepted by ingest -> counted by detect (bucket bound)", rate),
		Target:   "< 500 ms",
		Measured: fmt.Sprintf("%s %s%s)", secs(l.countP99), at, secs(f.countP99)),
		Compared: fmt.Sprintf("%.0f mentions counted", l.counted),
		Holds:    l.countP99 < 0.5, // false for NaN: nothing counted
	}, pub,
		within("ingest RSS", f.ingestRSS, l.ingestRSS, " MB", 1e6, 0),
		within("detect RSS", f.detRSS, l.detRSS, " MB", 1e6, 0),
		lag}
}

// secs is a latency in seconds, "–" for none (NaN: nothing observed yet).
func secs(v float64) string {
	if math.IsNaN(v) {
		return "–"
	}
	return fmt.Sprintf("%.3f s", v)
}
