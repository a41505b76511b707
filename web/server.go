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
	"net/url"
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
	// Tokens, when there are any, are required on every route but /healthz and
	// /static/: as "Authorization: Bearer <secret>", as ?token=<secret> (which
	// also sets a session cookie, for EventSource and for browsing on), or as
	// that cookie. A read token reads; a write token also acts (POST). Default:
	// none, everything open (but see Exposed).
	Tokens []Token
	// AuthToken is a write token named "auth-token" (the first releases'
	// single token, which allowed everything).
	AuthToken string
	// Exposed says the server is reachable from other machines: without tokens
	// it then refuses every write. Default false (loopback: open, as for local use).
	Exposed bool
	// ServiceName turns a catalog id into the name shown (e.g. "whatsapp" into
	// "WhatsApp"); default the id.
	ServiceName func(id string) string
	// Catalog describes a service for its page (/services/{id}): its name,
	// official accounts and status page; ok false for an id it does not know.
	// Default none: every id with stored incidents or series has a page, named
	// by ServiceName.
	Catalog func(id string) (info ServiceInfo, ok bool)
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
	// Sink publishes the alerts of people's actions (the list of sinks of
	// package sink); default the Store when it is an AlertSink (Redis only).
	Sink AlertSink
	// Silencer keeps silences (/silences, /api/silences); default the Store
	// when it is one.
	Silencer Silencer
	// Now is the wall clock actions are stamped with; default time.Now.
	Now func() time.Time
}

// Server serves the dashboard and the JSON API. Create it with New.
type Server struct {
	cfg     Config
	st      Store
	tokens  []Token
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
	if k, ok := cfg.Store.(AlertSink); ok && cfg.Sink == nil {
		cfg.Sink = k
	}
	if si, ok := cfg.Store.(Silencer); ok && cfg.Silencer == nil {
		cfg.Silencer = si
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Server{cfg: cfg, st: cfg.Store}
	if err := s.setTokens(); err != nil {
		return nil, err
	}
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

// route is one registration on the server's mux. routeTable is the only list
// of them: routes registers it, and the OpenAPI test holds the API document
// against it.
type route struct {
	pattern string // "METHOD /path/{param}"; no method: every method
	handler http.Handler
}

func (s *Server) routeTable() []route {
	static, _ := fs.Sub(staticFS, "static")
	h := func(p string, f http.HandlerFunc) route { return route{p, f} }
	return []route{
		// Pages.
		h("GET /{$}", s.overviewPage),
		h("GET /incidents/{id}", s.incidentPage),
		h("POST /incidents/{id}/actions", s.formAct),
		h("GET /services/{id}", s.servicePage),
		h("GET /silences", s.silencesPage),
		h("GET /feed.atom", s.feedAtom),
		h("GET /services/{id}/feed.atom", s.feedAtom),
		h("GET /silences.ics", s.silencesICS),
		h("GET /report", s.reportPage),
		h("POST /silences", s.formSilence),
		h("POST /silences/{id}/expire", s.formSilence),
		h("GET /fragments/overview", s.overviewFragment),
		h("GET /fragments/incidents/{id}", s.incidentFragment),
		h("GET /fragments/services/{id}", s.serviceFragment),
		{"GET /static/", http.StripPrefix("/static/", cacheFor(time.Hour, http.FileServerFS(static)))},
		h("/", s.notFoundPage),
		// API (described by openapi.json).
		h("GET /api/openapi.json", s.apiOpenAPI),
		h("GET /api/incidents", s.apiIncidents),
		h("GET /api/incidents/{id}", s.apiIncident),
		h("GET /api/services/{id}", s.apiService),
		h("GET /api/services/{id}/series", s.apiSeries),
		h("GET /api/events", s.apiEvents),
		h("POST /api/incidents/{id}/{action}", s.apiAct),
		h("GET /api/silences", s.apiSilences),
		h("GET /api/report", s.apiReport),
		h("POST /api/silences", s.apiAddSilence),
		h("POST /api/silences/{id}/expire", s.apiExpireSilence),
		h("POST /api/forget", s.apiForget),
		h(apiFallback, func(w http.ResponseWriter, r *http.Request) {
			writeError(w, http.StatusNotFound, "no such API route: "+r.Method+" "+r.URL.Path)
		}),
		h("GET /healthz", s.healthz),
		{"GET /metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{Registry: s.cfg.Registry})},
	}
}

// apiFallback answers every /api/ address no API route takes.
const apiFallback = "/api/"

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range s.routeTable() {
		mux.Handle(rt.pattern, rt.handler)
	}
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

// cookieName holds a session: the token's name and an HMAC of its secret, never
// the secret itself.
const cookieName = "downwatch_session"

// session is the cookie value of a session opened with tok.
func session(tok Token) string {
	m := hmac.New(sha256.New, []byte(tok.Secret))
	m.Write([]byte("downwatch dashboard session v2:" + tok.Name))
	return url.QueryEscape(tok.Name) + "." + hex.EncodeToString(m.Sum(nil))
}

func equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// bySecret finds the token with this secret, comparing every one in constant time.
func (s *Server) bySecret(secret string) (Token, bool) {
	var found Token
	ok := false
	for _, t := range s.tokens {
		if equal(secret, t.Secret) {
			found, ok = t, true
		}
	}
	return found, ok
}

// bySession finds the token a session cookie was opened with.
func (s *Server) bySession(v string) (Token, bool) {
	name, _, _ := strings.Cut(v, ".")
	name, _ = url.QueryUnescape(name)
	for _, t := range s.tokens {
		if t.Name == name && equal(v, session(t)) {
			return t, true
		}
	}
	return Token{}, false
}

// auth enforces Config.Tokens: with none, everything is open, except writes on
// an Exposed server; with some, every route but /healthz (for probes) and
// /static/ (no data) needs a read or write token, and every write (POST) a
// write token. The token's name goes in the request's context (tokenName), so
// that an action records it.
func (s *Server) auth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if p == "/healthz" || strings.HasPrefix(p, "/static/") {
			next.ServeHTTP(w, r)
			return
		}
		write := r.Method != http.MethodGet && r.Method != http.MethodHead
		if len(s.tokens) == 0 {
			if write && s.cfg.Exposed {
				s.forbidden(w, r, "this server is reachable from other machines and has no write token: start serve with --write-token NAME=SECRET to allow changes")
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		tok, why := s.authenticate(w, r)
		if why != "" {
			s.unauthorized(w, r, why)
			return
		}
		if tok.Name == "" {
			return // answered (a redirect that takes ?token= out of the address bar)
		}
		if write && !tok.Write {
			s.forbidden(w, r, fmt.Sprintf("token %q may only read; changes need a write token", tok.Name))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), tokenKey{}, tok.Name)))
	})
}

// authenticate finds the request's token: ?token= (which also opens a session
// cookie), a bearer token, or the session cookie. It returns why not, or a
// zero token when it has answered the request itself.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (Token, string) {
	if secret := r.URL.Query().Get("token"); secret != "" {
		tok, ok := s.bySecret(secret)
		if !ok {
			return Token{}, "wrong token"
		}
		http.SetCookie(w, &http.Cookie{
			Name: cookieName, Value: session(tok), Path: "/", MaxAge: 30 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteStrictMode,
			Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https",
		})
		if isPage(r) && r.Method == http.MethodGet {
			// Take the token out of the address bar and the history.
			q := r.URL.Query()
			q.Del("token")
			u := *r.URL
			u.RawQuery = q.Encode()
			http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
			return Token{}, ""
		}
		return tok, ""
	}
	if h := r.Header.Get("Authorization"); h != "" {
		secret, ok := strings.CutPrefix(h, "Bearer ")
		if tok, found := s.bySecret(strings.TrimSpace(secret)); ok && found {
			return tok, ""
		}
		return Token{}, "wrong bearer token"
	}
	if c, err := r.Cookie(cookieName); err == nil {
		if tok, ok := s.bySession(c.Value); ok {
			return tok, ""
		}
	}
	return Token{}, "authentication required"
}

func (s *Server) forbidden(w http.ResponseWriter, r *http.Request, why string) {
	if !isPage(r) {
		writeError(w, http.StatusForbidden, why)
		return
	}
	s.formError(w, r, http.StatusForbidden, why+".")
}

// isPage reports whether r is for an HTML page (not the API or metrics).
func isPage(r *http.Request) bool {
	p := r.URL.Path
	return !strings.HasPrefix(p, "/api/") && p != "/metrics" && !strings.HasPrefix(p, "/fragments/") &&
		!strings.HasSuffix(p, ".atom") && !strings.HasSuffix(p, ".ics") // feeds: readers send ?token= each time
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

// Token is a named secret that may read, or read and write.
type Token struct {
	Name   string // recorded with every action taken with it
	Secret string
	Write  bool
}

// setTokens checks Config.Tokens and AuthToken: names and secrets non-empty and
// distinct.
func (s *Server) setTokens() error {
	toks := append([]Token(nil), s.cfg.Tokens...)
	if s.cfg.AuthToken != "" {
		toks = append(toks, Token{Name: "auth-token", Secret: s.cfg.AuthToken, Write: true})
	}
	names, secrets := map[string]bool{}, map[string]bool{}
	for _, t := range toks {
		switch {
		case t.Name == "" || t.Secret == "":
			return fmt.Errorf("web: a token needs a name and a secret (NAME=SECRET), got name %q", t.Name)
		case names[t.Name]:
			return fmt.Errorf("web: two tokens are named %q; give each its own name", t.Name)
		case secrets[t.Secret]:
			return fmt.Errorf("web: tokens %q and another share a secret; give each its own", t.Name)
		}
		names[t.Name], secrets[t.Secret] = true, true
	}
	s.tokens = toks
	return nil
}
