package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/store"
)

// serveMetrics serves a fresh Prometheus registry on addr at /metrics, with
// h's /livez, /readyz and /healthz (an alias of /readyz) beside it, and with
// profiles Go's /debug/pprof/, until stop is called; h's dependency gauge is
// registered. An empty addr serves nothing and returns a nil registerer. The
// bound address is printed on stderr.
func serveMetrics(env *cliEnv, addr string, h *health.Health, profiles bool) (reg *prometheus.Registry, bound string, stop func(), err error) {
	if addr == "" {
		return nil, "", func() {}, nil
	}
	reg = prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if h == nil {
		h = health.New(nil)
	}
	reg.MustRegister(h)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, "", nil, fmt.Errorf("--metrics %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	mux.Handle("GET /livez", h.Handler())
	mux.Handle("GET /readyz", h.Handler())
	mux.Handle("GET /healthz", h.Handler())
	if profiles {
		mux.HandleFunc("GET /debug/pprof/", pprof.Index)
		mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			fmt.Fprintf(env.stderr, "metrics server: %v\n", err)
		}
	}()
	fmt.Fprintf(env.stderr, "metrics: http://%s/metrics\n", ln.Addr())
	if profiles {
		fmt.Fprintf(env.stderr, "profiles: http://%s/debug/pprof/ (go tool pprof http://%s/debug/pprof/heap)\n", ln.Addr(), ln.Addr())
	}
	return reg, ln.Addr().String(), func() {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}, nil
}

// openStore connects to the Redis at url, waiting (and saying so once) while it
// does not answer; only a malformed URL, a refused login or certificate, or ctx
// ends the wait with an error. The
// store's PING becomes h's "redis" check.
func openStore(ctx context.Context, env *cliEnv, url string, cfg store.Config, h *health.Health) (*store.Redis, error) {
	st, addr, err := store.Dial(url, cfg)
	if err != nil {
		return nil, err
	}
	w := &health.Waiter{What: "Redis at " + addr + " (is redis-server running?)", Dep: "redis", Log: logger(env.stderr, false), Health: h}
	if err := health.Retry(ctx, w, st.Ping); err != nil {
		st.Close()
		return nil, err
	}
	h.Check("redis", st.Ping)
	return st, nil
}
