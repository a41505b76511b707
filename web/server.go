package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the server reads; *store.Redis satisfies it.
type Store interface {
	Incidents(ctx context.Context, q store.Query) ([]downwatch.Incident, error)
	Incident(ctx context.Context, id string) (downwatch.Incident, error)
	Series(ctx context.Context, service string, from, to time.Time) ([]downwatch.SeriesPoint, error)
	LatestSeriesMinute(ctx context.Context, service string) (time.Time, error)
	AlertsAfter(ctx context.Context, id string, count int64) ([]store.StreamAlert, error)
	Follow(ctx context.Context, after string, fn func(store.StreamAlert) error) error
	LastAlertID(ctx context.Context) (string, error)
	Ping(ctx context.Context) error
}

// Config configures a Server. Zero values take the defaults named.
type Config struct {
	// Store the incidents are read from. Required.
	Store Store
	// AuthToken, when set, is required on every route but /healthz and /static/:
	// as "Authorization: Bearer <token>", as ?token=<token> (which also sets a
	// session cookie, for EventSource and for browsing on), or as that cookie.
	// Default: no authentication.
	AuthToken string
	// ServiceName turns a catalog id into the name shown (e.g. "whatsapp" into
	// "WhatsApp"); default the id.
	ServiceName func(id string) string
	// Registry receives the server's metrics and is what /metrics serves; default
	// a new registry with the Go and process collectors.
	Registry *prometheus.Registry
	// Heartbeat is the interval of SSE comment lines that keep proxies from
	// closing an idle event stream; default 15s.
	Heartbeat time.Duration
	// Logger; default discards.
	Logger *slog.Logger
	// Actor records people's actions (POST /api/incidents/{id}/{action} and the
	// incident page's form); default the Store when it is an Actor, else the
	// server is read-only.
	Actor Actor
	// Sink, when set, also gets the alerts of people's actions (the Kafka alerts
	// topic); the store publishes them on Redis in any case.
	Sink AlertSink
	// Now is the wall clock actions are stamped with; default time.Now.
	Now func() time.Time
}

// Server serves the dashboard and the JSON API. Create it with New.
type Server struct {
	cfg     Config
	st      Store
	tmpl    *template.Template
	handler http.Handler
	m       *metrics
	hub     *hub
	ctx     context.Context // the server's lifetime; cancelled by Close
	cancel  context.CancelFunc
}

// New returns a server; call Handler or Serve.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("web: no store")
	}
	if cfg.ServiceName == nil {
		cfg.ServiceName = func(id string) string { return id }
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
		cfg.Registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	if cfg.Heartbeat <= 0 {
		cfg.Heartbeat = 15 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if a, ok := cfg.Store.(Actor); ok && cfg.Actor == nil {
		cfg.Actor = a
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, st: cfg.Store}
	s.ctx, s.cancel = context.WithCancel(context.Background())
	t, err := template.New("").Funcs(s.funcs()).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: parse templates: %w", err)
	}
	s.tmpl = t
	if s.m, err = newMetrics(cfg.Registry); err != nil {
		return nil, err
	}
	s.hub = newHub(s.st, cfg.Logger, s.m)
	s.handler = s.routes()
	return s, nil
}

func (s *Server) now() time.Time { return s.cfg.Now() }

// Handler returns the server's root handler.
func (s *Server) Handler() http.Handler { return s.handler }

// Close ends the event streams of connected clients. The handler keeps
// answering other requests.
func (s *Server) Close() { s.cancel() }

// Serve serves on ln until ctx is done, then closes the event streams and
// shuts down gracefully (waiting up to 5s for requests in flight).
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		s.Close()
		return fmt.Errorf("web: serve on %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.Close()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
	}
	<-errc
	return nil
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	// Pages.
	mux.HandleFunc("GET /{$}", s.overviewPage)
	mux.HandleFunc("GET /incidents/{id}", s.incidentPage)
	mux.HandleFunc("POST /incidents/{id}/actions", s.formAct)
	mux.HandleFunc("GET /fragments/overview", s.overviewFragment)
	mux.HandleFunc("GET /fragments/incidents/{id}", s.incidentFragment)
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static))))
	mux.HandleFunc("/", s.notFoundPage)
	// API.
	mux.HandleFunc("GET /api/incidents", s.apiIncidents)
	mux.HandleFunc("GET /api/incidents/{id}", s.apiIncident)
	mux.HandleFunc("GET /api/services/{id}/series", s.apiSeries)
	mux.HandleFunc("GET /api/events", s.apiEvents)
	mux.HandleFunc("POST /api/incidents/{id}/{action}", s.apiAct)
	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such API route: "+r.Method+" "+r.URL.Path)
	})
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{Registry: s.cfg.Registry}))
	return s.instrument(secure(s.auth(mux)))
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	v := "public, max-age=" + strconv.Itoa(int(d.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", v)
		h.ServeHTTP(w, r)
	})
}

// secure sets headers that keep pages from running anything but our own
// script, being framed, or leaking ?token= in a Referer.
func secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// cookieName holds a session: HMAC of the token, never the token itself.
const cookieName = "downwatch_session"

func (s *Server) session() string {
	m := hmac.New(sha256.New, []byte(s.cfg.AuthToken))
	m.Write([]byte("downwatch dashboard session v1"))
	return hex.EncodeToString(m.Sum(nil))
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// auth enforces Config.AuthToken. /healthz (for probes) and /static/ (no data)
// are open.
func (s *Server) auth(next http.Handler) http.Handler {
	if s.cfg.AuthToken == "" {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/healthz" || strings.HasPrefix(p, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		if tok := r.URL.Query().Get("token"); tok != "" {
			if !equal(tok, s.cfg.AuthToken) {
				s.unauthorized(w, r, "wrong token")
				return
			}
			http.SetCookie(w, &http.Cookie{
				Name: cookieName, Value: s.session(), Path: "/", MaxAge: 30 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteStrictMode,
				Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
			})
			if isPage(r) {
				// Take the token out of the address bar and the history.
				q := r.URL.Query()
				q.Del("token")
				u := *r.URL
				u.RawQuery = q.Encode()
				http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			tok, ok := strings.CutPrefix(h, "Bearer ")
			if ok && equal(strings.TrimSpace(tok), s.cfg.AuthToken) {
				next.ServeHTTP(w, r)
				return
			}
			s.unauthorized(w, r, "wrong bearer token")
			return
		}
		if c, err := r.Cookie(cookieName); err == nil && equal(c.Value, s.session()) {
			next.ServeHTTP(w, r)
			return
		}
		s.unauthorized(w, r, "authentication required")
	})
}

// isPage reports whether r is for an HTML page (not the API or metrics).
func isPage(r *http.Request) bool {
	p := r.URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/metrics" && !strings.HasPrefix(p, "/fragments/")
}

func (s *Server) unauthorized(w http.ResponseWriter, r *http.Request, why string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="downwatch"`)
	if !isPage(r) {
		writeError(w, http.StatusUnauthorized, why+": send Authorization: Bearer <token> or ?token=<token>")
		return
	}
	s.render(w, r, http.StatusUnauthorized, "login.page", struct {
		Why  string
		Path string
	}{why, r.URL.Path})
}

// statusWriter remembers the status code for the request counter.
type statusWriter struct {
	http.ResponseWriter
	code int
}

func (w *statusWriter) WriteHeader(c int) {
	if w.code == 0 {
		w.code = c
	}
	w.ResponseWriter.WriteHeader(c)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController find the Flusher (for SSE).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		route := r.Pattern
		if route == "" || route == "/" {
			route = "other"
		}
		if sw.code == 0 {
			sw.code = http.StatusOK
		}
		s.m.requests.WithLabelValues(route, strconv.Itoa(sw.code)).Inc()
		if route != "GET /api/events" {
			s.m.duration.WithLabelValues(route).Observe(time.Since(began).Seconds())
		}
	})
}

type metrics struct {
	requests  *prometheus.CounterVec
	duration  *prometheus.HistogramVec
	sse       prometheus.Gauge
	sseEvents prometheus.Counter
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "downwatch_http_requests_total",
			Help: "HTTP requests served, by route pattern and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "downwatch_http_request_duration_seconds",
			Help:    "Time to serve an HTTP request, by route pattern (event streams excluded).",
			Buckets: prometheus.DefBuckets,
		}, []string{"route"}),
		sse: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "downwatch_sse_clients",
			Help: "Clients connected to /api/events.",
		}),
		sseEvents: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "downwatch_sse_events_total",
			Help: "Alert events written to /api/events clients.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.sse, m.sseEvents} {
		if err := reg.Register(c); err != nil {
			return nil, fmt.Errorf("web: register metrics: %w", err)
		}
	}
	return m, nil
}
