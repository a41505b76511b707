package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// embeddedRedis is the store on miniredis, as replays and the demo run it.
func embeddedRedis(t testing.TB, cfg Config) *Redis {
	t.Helper()
	mr := miniredis.RunT(t)
	c := redis.NewClient(&redis.Options{Addr: mr.Addr()})
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	r := New(c, cfg)
	t.Cleanup(func() { r.Close() })
	return r
}

// bothRedis runs f on the real Redis and on the embedded one: the layout is the same.
func bothRedis(t *testing.T, f func(t *testing.T, r *Redis)) {
	t.Run("real", func(t *testing.T) { f(t, testRedis(t)) })
	t.Run("embedded", func(t *testing.T) { f(t, embeddedRedis(t, Config{})) })
}

func minutes(svc string, from time.Time, n int, authors func(i int) int) []downwatch.SeriesPoint {
	pts := make([]downwatch.SeriesPoint, n)
	for i := range pts {
		pts[i] = downwatch.SeriesPoint{Service: svc, Minute: from.Add(time.Duration(i) * time.Minute), Authors: authors(i), Baseline: 1.25}
	}
	return pts
}

func TestSeriesLayout(t *testing.T) {
	bothRedis(t, func(t *testing.T, r *Redis) {
		ctx := context.Background()
		t0 := time.Date(2022, 10, 24, 23, 58, 0, 0, time.UTC) // two minutes before midnight
		pts := minutes("whatsapp", t0, 5, func(i int) int { return i + 1 })
		pts = append(pts, downwatch.SeriesPoint{Service: "whatsapp", Minute: t0.Add(3 * time.Minute), Authors: 40, Baseline: 2}) // minute 3 again
		if err := r.AppendSeries(ctx, pts); err != nil {
			t.Fatal(err)
		}
		// One hash per service per day, fields HHMM, values authors:baseline.
		day1 := r.cfg.Prefix + "{whatsapp}:series:20221024"
		day2 := r.cfg.Prefix + "{whatsapp}:series:20221025"
		if got := r.c.HGetAll(ctx, day1).Val(); fmt.Sprint(got) != "map[2358:1:1.250 2359:2:1.250]" {
			t.Errorf("%s: got %v, want fields 2358 and 2359", day1, got)
		}
		if got := r.c.HGetAll(ctx, day2).Val(); fmt.Sprint(got) != "map[0000:3:1.250 0001:40:2.000 0002:5:1.250]" {
			t.Errorf("%s: got %v, want fields 0000-0002 with 0001 rewritten", day2, got)
		}
		// Expiry is relative wall-clock time (about SeriesKeep + 2 days), never event time.
		for _, k := range []string{day1, day2, r.cfg.Prefix + "{whatsapp}:series:latest"} {
			if ttl := r.c.TTL(ctx, k).Val(); ttl < 8*24*time.Hour || ttl > 9*24*time.Hour {
				t.Errorf("%s: TTL %v, want about 9 days from now", k, ttl)
			}
		}
		got, err := r.Series(ctx, "whatsapp", t0.Add(time.Minute), t0.Add(3*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if s := pointsString(got); s != "2359=2 0000=3 0001=40" {
			t.Errorf("series across midnight: got %s, want 2359=2 0000=3 0001=40", s)
		}
		latest, err := r.LatestSeriesMinute(ctx, "whatsapp")
		if want := t0.Add(4 * time.Minute); err != nil || !latest.Equal(want) {
			t.Errorf("latest minute: got %v, %v; want %v", latest, err, want)
		}
		if latest, _ := r.LatestSeriesMinute(ctx, "nothing"); !latest.IsZero() {
			t.Errorf("latest minute of a service without series: got %v, want zero", latest)
		}
	})
}

// TestSeriesTrimByEventTime: writing day D deletes day D-8 (SeriesKeep 7 days).
func TestSeriesTrimByEventTime(t *testing.T) {
	bothRedis(t, func(t *testing.T, r *Redis) {
		ctx := context.Background()
		d0 := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
		for d := 0; d <= 8; d++ {
			if err := r.AppendSeries(ctx, minutes("gmail", d0.AddDate(0, 0, d), 2, func(int) int { return 1 })); err != nil {
				t.Fatal(err)
			}
		}
		n, _ := r.c.Exists(ctx, r.dayKey("gmail", d0)).Result()
		m, _ := r.c.Exists(ctx, r.dayKey("gmail", d0.AddDate(0, 0, 1))).Result()
		if n != 0 || m != 1 {
			t.Errorf("after writing day 8: day 0 exists=%d (want 0), day 1 exists=%d (want 1)", n, m)
		}
	})
}

// TestSeriesReadsLegacyLayout: what the first release wrote (one sorted set per
// service) is still read, and a minute in both layouts is the new one.
func TestSeriesReadsLegacyLayout(t *testing.T) {
	bothRedis(t, func(t *testing.T, r *Redis) {
		ctx := context.Background()
		t0 := time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC)
		m := t0.Unix() / 60
		for i := int64(0); i < 3; i++ {
			r.c.ZAdd(ctx, r.cfg.Prefix+"{discord}:series", redis.Z{Score: float64(m + i), Member: fmt.Sprintf("%d:%d:1.500", m+i, 10+i)})
		}
		if err := r.AppendSeries(ctx, minutes("discord", t0.Add(2*time.Minute), 1, func(int) int { return 99 })); err != nil {
			t.Fatal(err)
		}
		got, err := r.Series(ctx, "discord", t0, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if s := pointsString(got); s != "1200=10 1201=11 1202=99" {
			t.Errorf("got %s, want 1200=10 1201=11 1202=99", s)
		}
		r.c.ZAdd(ctx, r.cfg.Prefix+"{discord}:series", redis.Z{Score: float64(m + 30), Member: fmt.Sprintf("%d:1:1.000", m+30)})
		if latest, _ := r.LatestSeriesMinute(ctx, "discord"); !latest.Equal(t0.Add(30 * time.Minute)) {
			t.Errorf("latest minute with a newer legacy point: got %v, want %v", latest, t0.Add(30*time.Minute))
		}
	})
}

func pointsString(pts []downwatch.SeriesPoint) string {
	var b strings.Builder
	for i, p := range pts {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%d", p.Minute.Format("1504"), p.Authors)
	}
	return b.String()
}

// pipeHook watches pipelines: the fields each HSET carried, and fails those that
// carry more than failAbove fields with a network timeout.
type pipeHook struct {
	mu        sync.Mutex
	failAbove int // 0: never fail
	sizes     []int
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "read tcp 127.0.0.1:1: i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

var _ net.Error = timeoutErr{}

func (h *pipeHook) DialHook(next redis.DialHook) redis.DialHook { return next }
func (h *pipeHook) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return next
}
func (h *pipeHook) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		n := 0
		for _, c := range cmds {
			if c.Name() == "hset" {
				n += (len(c.Args()) - 2) / 2
			}
		}
		if n == 0 {
			return next(ctx, cmds) // the client's own (connection set-up)
		}
		h.mu.Lock()
		h.sizes = append(h.sizes, n)
		fail := h.failAbove > 0 && n > h.failAbove
		h.mu.Unlock()
		if fail {
			return timeoutErr{}
		}
		return next(ctx, cmds)
	}
}

func TestSeriesBatchesBounded(t *testing.T) {
	r := embeddedRedis(t, Config{SeriesBatch: 500})
	h := &pipeHook{}
	r.c.AddHook(h)
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	var pts []downwatch.SeriesPoint
	for _, svc := range []string{"a", "b", "c", "d"} {
		pts = append(pts, minutes(svc, t0, 2500, func(i int) int { return i })...)
	}
	if err := r.AppendSeries(context.Background(), pts); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, n := range h.sizes {
		if n > 500 {
			t.Errorf("a pipeline carried %d points, want at most 500", n)
		}
		total += n
	}
	if total != len(pts) || len(h.sizes) != 20 {
		t.Errorf("got %d points in %d pipelines, want %d in 20", total, len(h.sizes), len(pts))
	}
	// The byte bound holds too: 200 bytes is about four points.
	r2 := embeddedRedis(t, Config{SeriesBatchBytes: 200})
	h2 := &pipeHook{}
	r2.c.AddHook(h2)
	if err := r2.AppendSeries(context.Background(), pts[:40]); err != nil {
		t.Fatal(err)
	}
	for _, n := range h2.sizes {
		if n > 4 {
			t.Errorf("a pipeline of a 200-byte bound carried %d points, want at most 4", n)
		}
	}
}

// TestSeriesSplitOnTimeout: a batch that times out is split, never retried
// unchanged, and every point is written in the end; when even one point times
// out, the error comes back after a bounded number of tries.
func TestSeriesSplitOnTimeout(t *testing.T) {
	r := embeddedRedis(t, Config{})
	h := &pipeHook{failAbove: 100}
	r.c.AddHook(h)
	ctx := context.Background()
	t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	pts := minutes("slack", t0, 1000, func(i int) int { return i })
	if err := r.AppendSeries(ctx, pts); err != nil {
		t.Fatalf("a batch too large for the timeout: got %v, want it split and written", err)
	}
	for i := 1; i < len(h.sizes); i++ {
		if h.sizes[i] == h.sizes[i-1] && h.sizes[i] > 100 {
			t.Errorf("pipeline %d retried %d points unchanged", i, h.sizes[i])
		}
	}
	got, err := r.Series(ctx, "slack", t0, t0.Add(999*time.Minute))
	if err != nil || len(got) != 1000 || got[999].Authors != 999 {
		t.Errorf("after splitting: got %d points (%v), want all 1000", len(got), err)
	}

	always := &alwaysTimeout{}
	r.c.AddHook(always)
	err = r.AppendSeries(ctx, pts[:64])
	if err == nil || !errors.As(err, new(net.Error)) {
		t.Fatalf("a Redis that always times out: got %v, want the timeout", err)
	}
	if always.n > 2*64 {
		t.Errorf("gave up after %d tries, want at most %d (halving down to one point)", always.n, 2*64)
	}
}

type alwaysTimeout struct{ n int }

func (a *alwaysTimeout) DialHook(next redis.DialHook) redis.DialHook          { return next }
func (a *alwaysTimeout) ProcessHook(next redis.ProcessHook) redis.ProcessHook { return next }
func (a *alwaysTimeout) ProcessPipelineHook(redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(context.Context, []redis.Cmder) error { a.n++; return timeoutErr{} }
}

// BenchmarkAppendSeries: the cost of writing a minute for 56 services must not
// grow with how much history is already stored.
func BenchmarkAppendSeries(b *testing.B) {
	for _, days := range []int{0, 3, 7} {
		b.Run(fmt.Sprintf("history=%dd", days), func(b *testing.B) {
			r := embeddedRedis(b, Config{})
			ctx := context.Background()
			t0 := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
			svcs := make([]string, 56)
			for i := range svcs {
				svcs[i] = fmt.Sprintf("svc%d", i)
			}
			minute := func(m int) []downwatch.SeriesPoint {
				pts := make([]downwatch.SeriesPoint, len(svcs))
				for i, s := range svcs {
					pts[i] = downwatch.SeriesPoint{Service: s, Minute: t0.Add(time.Duration(m) * time.Minute), Authors: m % 7, Baseline: 1}
				}
				return pts
			}
			m := 0
			for ; m < days*1440; m += 60 {
				var hour []downwatch.SeriesPoint
				for k := 0; k < 60; k++ {
					hour = append(hour, minute(m+k)...)
				}
				if err := r.AppendSeries(ctx, hour); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if err := r.AppendSeries(ctx, minute(m+i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
