package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// liveBench runs issue 10 item 6: separate dev-kafka, ingest (HTTP push) and
// detect processes on a real Redis, fed at rate posts/s for dur; the metrics of
// both are scraped after the first minute (or a fifth of dur, if shorter) and at
// the end.
type liveBench struct {
	bin    string // the downwatch binary
	redis  string // real Redis URL (use a spare DB)
	dur    time.Duration
	rate   int
	log    io.Writer
	prefix string
	procs  []*exec.Cmd
}

// liveSample is one scrape of both processes.
type liveSample struct {
	at                 time.Duration
	countP99, pubP99   float64 // seconds, from the histograms since start
	counted, published float64
	ingestRSS, detRSS  float64 // bytes
	lag                float64 // mentions produced and not yet counted
}

type liveResult struct{ first, last liveSample }

func freeLoopbackAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// start runs bin args..., returning once its stderr or stdout has said ready.
func (b *liveBench) start(ctx context.Context, ready string, args ...string) (*exec.Cmd, error) {
	cmd := exec.CommandContext(ctx, b.bin, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	seen := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(pr)
		said := false
		for sc.Scan() {
			if !said && strings.Contains(sc.Text(), ready) {
				said = true
				close(seen)
			}
			if strings.Contains(sc.Text(), "level=ERROR") || strings.Contains(sc.Text(), "level=WARN") {
				fmt.Fprintf(b.log, "%s: %s\n", args[0], sc.Text())
			}
		}
	}()
	b.procs = append(b.procs, cmd)
	select {
	case <-seen:
		return cmd, nil
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		return nil, fmt.Errorf("%s did not say %q within 30s", args[0], ready)
	}
}

// stop cancels the context the processes run under (each gets SIGINT) and
// waits for them, the last started first.
func (b *liveBench) stop(cancel context.CancelFunc) {
	cancel()
	for i := len(b.procs) - 1; i >= 0; i-- {
		b.procs[i].Wait()
	}
}

func (b *liveBench) run(ctx context.Context) (liveResult, error) {
	var res liveResult
	ctx, cancel := context.WithCancel(ctx)
	defer b.stop(cancel)
	kafka, err1 := freeLoopbackAddr()
	push, err2 := freeLoopbackAddr()
	im, err3 := freeLoopbackAddr()
	dm, err4 := freeLoopbackAddr()
	for _, err := range []error{err1, err2, err3, err4} {
		if err != nil {
			return res, err
		}
	}
	if _, err := b.start(ctx, "listening", "dev-kafka", "--listen", kafka); err != nil {
		return res, err
	}
	// Decisions come as minutes close: a short warmup and lateness let the
	// outage of push be decided within a run of a few minutes.
	cfgFile, err := os.CreateTemp("", "downwatch-livebench-*.yaml")
	if err != nil {
		return res, err
	}
	defer os.Remove(cfgFile.Name())
	if _, err := io.WriteString(cfgFile, "warmup: 1m\nlateness: 5s\n"); err != nil {
		return res, err
	}
	cfgFile.Close()
	if _, err := b.start(ctx, "consuming", "detect", "--kafka", kafka, "--redis", b.redis, "--prefix", b.prefix, "--metrics", dm, "--detect-config", cfgFile.Name()); err != nil {
		return res, err
	}
	if _, err := b.start(ctx, "listening on", "ingest", "--source", "http", "--listen", push, "--kafka", kafka, "--metrics", im); err != nil {
		return res, err
	}
	firstAt := min(time.Minute, b.dur/5)
	pushed := make(chan error, 1)
	go func() { pushed <- b.push(ctx, "http://"+push+"/v1/posts") }()
	t0 := time.Now()
	select {
	case <-time.After(firstAt):
	case err := <-pushed:
		return res, fmt.Errorf("push: %v", err)
	}
	if res.first, err = scrapeBoth(im, dm, time.Since(t0)); err != nil {
		return res, err
	}
	if err := <-pushed; err != nil {
		return res, fmt.Errorf("push: %v", err)
	}
	res.last, err = scrapeBoth(im, dm, time.Since(t0))
	return res, err
}

// push sends rate posts/s for dur, in 10 requests a second; about one post in
// ten is a complaint, from the same 997 authors all along, and Zoom gets one
// complaint a second. From half of dur on, an outage: 2% more posts complain
// about Zoom, each from a new author, so that the detector decides an alert
// (once its warmup is past) and publishes it.
func (b *liveBench) push(ctx context.Context, url string) error {
	per := max(1, b.rate/10)
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	end := time.Now().Add(b.dur)
	services := []string{"Slack", "WhatsApp", "Netflix", "Discord", "Steam"}
	outage := time.Now().Add(b.dur / 2)
	var body bytes.Buffer
	n := 0
	for time.Now().Before(end) {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		body.Reset()
		now := time.Now().UTC().Format(time.RFC3339Nano)
		for range per {
			text := "watching the game tonight with friends"
			if n%10 == 0 {
				text = services[n/10%len(services)] + " is down for me"
			}
			fmt.Fprintf(&body, `{"id":"lb%d","source":"http","author":"u%d","text":%q,"created_at":%q}`+"\n", n, n%997, text, now)
			n++
		}
		if n/per%10 == 0 {
			fmt.Fprintf(&body, `{"id":"lb%d","source":"http","author":"zb%d","text":"zoom is down again","created_at":%q}`+"\n", n, n%7, now)
			n++
		}
		if time.Now().After(outage) {
			for range max(1, per/50) {
				fmt.Fprintf(&body, `{"id":"lb%d","source":"http","author":"z%d","text":"zoom is down, can't join my meeting","created_at":%q}`+"\n", n, n, now)
				n++
			}
		}
		resp, err := http.Post(url, "application/x-ndjson", bytes.NewReader(body.Bytes()))
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("push answered %d", resp.StatusCode)
		}
	}
	return nil
}

func scrapeBoth(ingestAddr, detectAddr string, at time.Duration) (liveSample, error) {
	s := liveSample{at: at}
	im, err := scrape(ingestAddr)
	if err != nil {
		return s, err
	}
	dm, err := scrape(detectAddr)
	if err != nil {
		return s, err
	}
	s.ingestRSS, s.detRSS = im.value("process_resident_memory_bytes"), dm.value("process_resident_memory_bytes")
	s.countP99 = dm.quantile("downwatch_detect_ingest_to_count_seconds", 0.99)
	s.pubP99 = dm.quantile("downwatch_detect_decision_to_publish_seconds", 0.99)
	s.counted = dm.value("downwatch_detect_ingest_to_count_seconds_count")
	s.published = dm.value("downwatch_detect_decision_to_publish_seconds_count")
	s.lag = im.sum("downwatch_ingest_mentions_total") - dm.value("downwatch_detect_records_total")
	return s, nil
}

// metricsText is a scraped /metrics page: series name with labels -> value.
type metricsText map[string]float64

func scrape(addr string) (metricsText, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", addr, err)
	}
	defer resp.Body.Close()
	m := metricsText{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			m[line[:i]] = v
		}
	}
	return m, sc.Err()
}

func (m metricsText) value(name string) float64 { return m[name] }

// sum adds every series of name, whatever its labels.
func (m metricsText) sum(name string) float64 {
	t := 0.0
	for k, v := range m {
		if k == name || strings.HasPrefix(k, name+"{") {
			t += v
		}
	}
	return t
}

// quantile is the upper bound of the histogram bucket holding quantile q (an
// upper estimate, as precise as the buckets); NaN with no observations.
func (m metricsText) quantile(name string, q float64) float64 {
	total := m[name+"_count"]
	if total == 0 {
		return math.NaN()
	}
	best := math.Inf(1)
	for k, v := range m {
		le, ok := strings.CutPrefix(k, name+`_bucket{le="`)
		if !ok || v < q*total {
			continue
		}
		if b, err := strconv.ParseFloat(strings.TrimSuffix(le, `"}`), 64); err == nil && b < best {
			best = b
		}
	}
	return best
}

// print writes the figures beside their targets.
func (r liveResult) print(w io.Writer, rate int) {
	f, l := r.first, r.last
	fmt.Fprintf(w, "live, %d posts/s pushed, scraped at %v and %v:\n", rate, f.at.Round(time.Second), l.at.Round(time.Second))
	fmt.Fprintf(w, "  %-44s %10s %10s   %s\n", "figure", "first", "end", "target")
	fmt.Fprintf(w, "  %-44s %9.3fs %9.3fs   < 0.5s\n", "p99 accepted -> counted (bucket bound)", f.countP99, l.countP99)
	fmt.Fprintf(w, "  %-44s %9.3fs %9.3fs   < 1s\n", "p99 decision -> published (bucket bound)", f.pubP99, l.pubP99)
	fmt.Fprintf(w, "  %-44s %10.0f %10.0f\n", "mentions counted / alerts published", l.counted, l.published)
	fmt.Fprintf(w, "  %-44s %9.1fM %9.1fM   end within 10%% of first\n", "ingest RSS", f.ingestRSS/1e6, l.ingestRSS/1e6)
	fmt.Fprintf(w, "  %-44s %9.1fM %9.1fM   end within 10%% of first\n", "detect RSS", f.detRSS/1e6, l.detRSS/1e6)
	fmt.Fprintf(w, "  %-44s %10.0f %10.0f   end within 10%% of first\n", "lag (mentions produced, not yet counted)", f.lag, l.lag)
}
