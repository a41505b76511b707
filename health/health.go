package health

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Health knows the state of a process's dependencies. A dependency is either
// checked when asked (Check: a PING) or reported by the loop that uses it (Set:
// the consumer group failing to join). It is safe for concurrent use.
type Health struct {
	mu     sync.Mutex
	checks map[string]func(context.Context) error
	state  map[string]error
	desc   *prometheus.Desc
}

// New returns an empty Health. When reg is set, it registers the gauge
// downwatch_dependency_up{dependency} (1 answers, 0 down).
func New(reg prometheus.Registerer) *Health {
	h := &Health{
		checks: map[string]func(context.Context) error{},
		state:  map[string]error{},
		desc: prometheus.NewDesc("downwatch_dependency_up",
			"1 while the dependency answers, 0 while the process waits for it (see /readyz for the reason).",
			[]string{"dependency"}, nil),
	}
	if reg != nil {
		reg.MustRegister(h)
	}
	return h
}

// Check adds a dependency that is probed (with a 2s timeout) each time
// readiness is asked for.
func (h *Health) Check(name string, probe func(context.Context) error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.checks[name] = probe
}

// Set reports a dependency's state as its user last saw it (nil: it answers).
func (h *Health) Set(name string, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.state[name] = err
}

// Status returns every dependency's error (nil when it answers), probing the
// checked ones.
func (h *Health) Status(ctx context.Context) map[string]error {
	h.mu.Lock()
	out := make(map[string]error, len(h.checks)+len(h.state))
	for k, v := range h.state {
		out[k] = v
	}
	checks := make(map[string]func(context.Context) error, len(h.checks))
	for k, v := range h.checks {
		checks[k] = v
	}
	h.mu.Unlock()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	for name, probe := range checks {
		if err := probe(ctx); err != nil || out[name] == nil {
			out[name] = err
		}
	}
	return out
}

// Describe implements prometheus.Collector.
func (h *Health) Describe(ch chan<- *prometheus.Desc) { ch <- h.desc }

// Collect implements prometheus.Collector.
func (h *Health) Collect(ch chan<- prometheus.Metric) {
	for name, err := range h.Status(context.Background()) {
		up := 1.0
		if err != nil {
			up = 0
		}
		ch <- prometheus.MustNewConstMetric(h.desc, prometheus.GaugeValue, up, name)
	}
}

// Handler serves GET /livez (200 while the process serves at all), GET /readyz
// (200 "ok", or 503 "degraded" with one line per dependency that does not
// answer and why) and GET /healthz (the same as /readyz).
func (h *Health) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /livez", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.HandleFunc("GET /healthz", h.readyz)
	return mux
}

func (h *Health) readyz(w http.ResponseWriter, r *http.Request) {
	st := h.Status(r.Context())
	names := make([]string, 0, len(st))
	for k := range st {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	down := 0
	for _, n := range names {
		if err := st[n]; err != nil {
			down++
			fmt.Fprintf(&b, "%s: waiting: %v\n", n, err)
		} else {
			fmt.Fprintf(&b, "%s: ok\n", n)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if down > 0 {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "degraded\n%s", b.String())
		return
	}
	fmt.Fprintf(w, "ok\n%s", b.String())
}
