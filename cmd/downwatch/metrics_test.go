package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// With --pprof the metrics address also serves Go's profiles.
func TestServeMetricsProfiles(t *testing.T) {
	var errb bytes.Buffer
	_, addr, stop, err := serveMetrics(&cliEnv{stderr: &errb}, "127.0.0.1:0", nil, true)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	for _, path := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=1"} {
		if code := status(t, "http://"+addr+path); code != http.StatusOK {
			t.Errorf("GET %s: %d, want 200", path, code)
		}
	}
	if !strings.Contains(errb.String(), "/debug/pprof/") {
		t.Errorf("the profiles' address is not printed: %q", errb.String())
	}
}

func status(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestServeMetrics(t *testing.T) {
	var errb bytes.Buffer
	reg, addr, stop, err := serveMetrics(&cliEnv{stderr: &errb}, "127.0.0.1:0", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	c := prometheus.NewCounter(prometheus.CounterOpts{Name: "downwatch_test_total", Help: "t"})
	reg.MustRegister(c)
	c.Add(3)
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), "downwatch_test_total 3") {
		t.Errorf("metrics page lacks the counter:\n%.500s", body)
	}
	if !strings.Contains(errb.String(), addr) {
		t.Errorf("the bound address is not printed: %q", errb.String())
	}
	if code := status(t, "http://"+addr+"/debug/pprof/heap"); code != http.StatusNotFound {
		t.Errorf("profiles served without --pprof: %d", code)
	}
	if reg, _, stop, err := serveMetrics(&cliEnv{stderr: &errb}, "", nil, false); reg != nil || err != nil {
		t.Errorf("no address: got %v, %v; want nothing served", reg, err)
	} else {
		stop()
	}
}

// The ingester's collector target leaves about 64 MiB of garbage over a big
// heap, Go's default over a small one, and never less than a quarter.
func TestGCPercent(t *testing.T) {
	for _, c := range []struct {
		live uint64
		want int
	}{{0, 100}, {20 << 20, 100}, {64 << 20, 100}, {128 << 20, 50}, {200 << 20, 32}, {1 << 30, 25}} {
		if got := gcPercent(c.live); got != c.want {
			t.Errorf("live %d MiB: GOGC %d, want %d", c.live>>20, got, c.want)
		}
	}
}
