package health

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

func TestBackoffCapsJittersAndResets(t *testing.T) {
	b := Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	steps := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, step := range steps {
		step *= time.Millisecond
		got := b.Next()
		if got > step || got < step/2 {
			t.Errorf("wait %d: got %v, want within [%v, %v]", i, got, step/2, step)
		}
	}
	b.Reset()
	if got := b.Next(); got > 100*time.Millisecond {
		t.Errorf("after Reset: got %v, want at most the 100ms minimum", got)
	}
}

func TestReadyzDegradedWithReasonAndMetric(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := New(reg)
	redisErr := errors.New("dial tcp 127.0.0.1:6379: connection refused")
	var redisDown atomic.Bool
	redisDown.Store(true)
	h.Check("redis", func(context.Context) error {
		if redisDown.Load() {
			return redisErr
		}
		return nil
	})
	h.Set("kafka", nil)
	srv := httptest.NewServer(h.Handler())
	defer srv.Close()
	get := func(path string) (int, string) {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/livez"); code != 200 {
		t.Errorf("/livez with Redis down: got %d %q, want 200", code, body)
	}
	for _, path := range []string{"/readyz", "/healthz"} {
		code, body := get(path)
		if code != 503 || !strings.HasPrefix(body, "degraded\n") || !strings.Contains(body, "redis: waiting: "+redisErr.Error()) || !strings.Contains(body, "kafka: ok") {
			t.Errorf("%s with Redis down: got %d %q, want 503 degraded naming redis and why", path, code, body)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "downwatch_dependency_up" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	if got["redis"] != 0 || got["kafka"] != 1 || len(got) != 2 {
		t.Errorf("downwatch_dependency_up: got %v, want kafka 1, redis 0", got)
	}
	redisDown.Store(false)
	if code, body := get("/readyz"); code != 200 || !strings.HasPrefix(body, "ok\n") {
		t.Errorf("/readyz with everything up: got %d %q, want 200 ok", code, body)
	}
}

func TestWaiterLogsOncePerOutage(t *testing.T) {
	var buf bytes.Buffer
	h := New(nil)
	w := &Waiter{What: "Kafka at k:9092", Dep: "kafka", Log: slog.New(slog.NewTextHandler(&buf, nil)), Health: h}
	for range 30 {
		w.Fail(errors.New("connection refused"))
	}
	if st := h.Status(context.Background()); st["kafka"] == nil {
		t.Errorf("health during the outage: got kafka ok, want its error")
	}
	w.OK()
	w.OK()
	out := buf.String()
	if n := strings.Count(out, "waiting for Kafka at k:9092"); n != 1 {
		t.Errorf("got %d 'waiting' lines for 30 failures, want 1:\n%s", n, out)
	}
	if n := strings.Count(out, "answers again"); n != 1 || !strings.Contains(out, "attempts=30") {
		t.Errorf("got %d 'answers again' lines, want 1 saying attempts=30:\n%s", n, out)
	}
	if st := h.Status(context.Background()); st["kafka"] != nil {
		t.Errorf("health after recovery: got %v, want ok", st["kafka"])
	}
}

func TestRetryStopsOnPermanentAndContext(t *testing.T) {
	w := &Waiter{What: "x", Log: slog.New(slog.DiscardHandler)}
	calls := 0
	bad := errors.New("bad URL")
	err := Retry(context.Background(), w, func(context.Context) error {
		calls++
		if calls < 3 {
			return errors.New("refused")
		}
		return Permanent(bad)
	})
	if !errors.Is(err, bad) || calls != 3 {
		t.Errorf("got %v after %d calls, want the permanent error after 3", err, calls)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Retry(ctx, w, func(context.Context) error { return errors.New("refused") }); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: got %v, want context.Canceled", err)
	}
}
