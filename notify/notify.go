package notify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// Body formats of a receiver (its kind, in the receiver configuration).
const (
	FormatJSON      = "json"      // the alert JSON of docs/CONTRACT.md §5, signed (kind "webhook")
	FormatSlack     = "slack"     // a Slack incoming-webhook message: {"text":..., "blocks":[...]}
	FormatTeams     = "teams"     // a Microsoft Teams message with an Adaptive Card attachment
	FormatDiscord   = "discord"   // a Discord webhook message: content and an embed
	FormatPagerDuty = "pagerduty" // a PagerDuty Events API v2 event
	FormatEmail     = "email"     // a plain-text mail over SMTP
)

// Formats are the body formats Validate accepts.
var Formats = []string{FormatJSON, FormatSlack, FormatTeams, FormatDiscord, FormatPagerDuty, FormatEmail}

// PagerDutyURL is the Events API v2 endpoint a pagerduty sink posts to by default.
const PagerDutyURL = "https://events.pagerduty.com/v2/enqueue"

// Sink is one receiver: a webhook (of any HTTP format) or a mail recipient list.
type Sink struct {
	// Name of the receiver (routing: serve --receiver, `notify test NAME`).
	// When set, it names the sink's notification log and cursor in Redis
	// (SinkHash("receiver:" + Name)) and the receiver label of its metrics, so
	// a receiver keeps its history when its URL changes. Empty (a plain
	// --webhook): the URL names them, and the receiver label is "webhook".
	Name string
	// URL the alert is POSTed to (http or https). Required but for FormatEmail,
	// and for FormatPagerDuty, where it defaults to PagerDutyURL. Without a
	// Name, its hash names the sink's notification log and cursor in Redis, so
	// the same URL keeps its delivery history across restarts.
	URL string
	// Format of the body: FormatJSON (default) or another of Formats.
	Format string
	// Secret signs the body: header X-Downwatch-Signature: sha256=<hex of
	// HMAC-SHA256(Secret, body)>. Empty: the header is not sent.
	Secret string
	// Events are the alert types delivered (e.g. "incident.opened"); default all
	// four. Other alerts are skipped (and not retried).
	Events []string
	// Filter narrows the alerts delivered by service, region and size
	// (route.go); the zero value passes every alert.
	Filter Filter
	// Limit caps how many alerts the sink is sent per period (route.go); the
	// zero value is no limit.
	Limit RateLimit
	// RoutingKey is the integration key of a FormatPagerDuty sink. Required there.
	RoutingKey string
	// Severity of PagerDuty events: critical, error (default), warning or info.
	Severity string
	// Email says where a FormatEmail sink sends mail. Required there.
	Email *Email
}

// Config configures a Dispatcher. The zero value of every field but Sinks
// takes the default named.
type Config struct {
	// Sinks receive every alert. Required: at least one.
	Sinks []Sink
	// MaxAttempts per alert and sink, the first included; default 6. After the
	// last failed attempt the change is given up for that sink (logged and
	// counted); the incident's next change is delivered as usual.
	MaxAttempts int
	// InitialBackoff before the second attempt; default 1s. It doubles after
	// every failed attempt, up to MaxBackoff.
	InitialBackoff time.Duration
	// MaxBackoff caps the wait between attempts; default 1 minute.
	MaxBackoff time.Duration
	// MaxRetryAfter caps how long a 429 or 503 response's Retry-After is
	// honoured; default 5 minutes.
	MaxRetryAfter time.Duration
	// Timeout of one HTTP attempt; default 10s.
	Timeout time.Duration
	// Retention of the notification log and cursor of a sink, in wall-clock
	// time from the last delivery; default 7 days.
	Retention time.Duration
	// DashboardURL is the base URL of `downwatch serve` (e.g.
	// "https://downwatch.example.com"); when set, Slack messages link to
	// DashboardURL + "/incidents/" + id. Default: no link.
	DashboardURL string
	// ServiceName turns a service id into the name shown in Slack messages;
	// default the id.
	ServiceName func(id string) string
	// Client sends the requests; default a client without a global timeout
	// (each attempt has Timeout).
	Client *http.Client
	// Logger; default discards.
	Logger *slog.Logger
	// Registerer receives the dispatcher's metrics; default none.
	Registerer prometheus.Registerer
	// Now is the wall clock used for the notification log; default time.Now.
	Now func() time.Time
}

// Validate rejects a config that cannot work.
func (c *Config) Validate() error {
	if len(c.Sinks) == 0 {
		return errors.New("notify: no sinks configured")
	}
	seen := map[string]bool{}
	for i, s := range c.Sinks {
		if err := s.validate(); err != nil {
			return fmt.Errorf("notify: sink %d (%s): %w", i+1, s.label(), err)
		}
		id := s.identity()
		if seen[id] {
			if s.Name != "" {
				return fmt.Errorf("notify: sink %d: receiver name %q given twice", i+1, s.Name)
			}
			return fmt.Errorf("notify: sink %d: webhook URL %s given twice", i+1, redact(s.URL))
		}
		seen[id] = true
	}
	if c.MaxAttempts < 0 || c.InitialBackoff < 0 || c.MaxBackoff < 0 || c.Timeout < 0 || c.Retention < 0 {
		return errors.New("notify: attempts, backoffs, timeout and retention must not be negative")
	}
	return nil
}

// validate checks one sink; Validate says which sink the message is about.
func (s *Sink) validate() error {
	if s.Name != "" && (!receiverName.MatchString(s.Name) || s.Name == "webhook") {
		return fmt.Errorf("receiver name %q: want letters, digits, '.', '_' or '-' (at most 64), and not %q, the --webhook URLs' name", s.Name, "webhook")
	}
	if !slices.Contains(Formats, s.Format) && s.Format != "" {
		return fmt.Errorf("unknown format %q (want one of %s)", s.Format, strings.Join(Formats, ", "))
	}
	switch s.Format {
	case FormatEmail:
		if err := s.Email.validate(); err != nil {
			return err
		}
	case FormatPagerDuty:
		if s.RoutingKey == "" {
			return errors.New("a pagerduty receiver needs a routing key (the integration key of an Events API v2 integration)")
		}
		if !slices.Contains([]string{"", "critical", "error", "warning", "info"}, s.Severity) {
			return fmt.Errorf("severity %q: want critical, error, warning or info", s.Severity)
		}
	}
	if s.Format != FormatEmail && !(s.Format == FormatPagerDuty && s.URL == "") {
		u, err := url.Parse(s.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("URL %q is not an http(s) URL", redact(s.URL))
		}
	}
	for _, e := range s.Events {
		if !slices.Contains(downwatch.AlertTypes, e) {
			return fmt.Errorf("unknown event %q (want one of %s)", e, strings.Join(downwatch.AlertTypes, ", "))
		}
	}
	if err := s.Filter.validate(); err != nil {
		return err
	}
	if err := s.Limit.validate(); err != nil {
		return err
	}
	return nil
}

// receiverName is what a receiver may be called: a metric label value and a
// command-line word. "webhook" is the plain --webhook sinks'.
var receiverName = regexp.MustCompile(`^(?:[A-Za-z0-9._-]{1,64})$`)

// identity is what names the sink's state in Redis.
func (s *Sink) identity() string {
	if s.Name != "" {
		return "receiver:" + s.Name
	}
	return s.URL
}

// label names the sink in messages: "receiver NAME", or "webhook URL" with
// the URL redacted.
func (s *Sink) label() string {
	if s.Name != "" {
		return "receiver " + s.Name
	}
	return "webhook " + redact(s.URL)
}

// alertTypes are the types a sink gets when it names none (as before operator
// actions existed: a person's resolve and reopen come as incident.resolved and
// incident.reopened; the other action types are asked for by name).
var alertTypes = []string{downwatch.AlertOpened, downwatch.AlertUpdated, downwatch.AlertAcknowledged, downwatch.AlertResolved}

func (c *Config) defaults() {
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 6
	}
	if c.InitialBackoff == 0 {
		c.InitialBackoff = time.Second
	}
	if c.MaxBackoff == 0 {
		c.MaxBackoff = time.Minute
	}
	if c.MaxRetryAfter == 0 {
		c.MaxRetryAfter = 5 * time.Minute
	}
	if c.Timeout == 0 {
		c.Timeout = 10 * time.Second
	}
	if c.Retention == 0 {
		c.Retention = 7 * 24 * time.Hour
	}
	if c.ServiceName == nil {
		c.ServiceName = func(id string) string { return id }
	}
	if c.Client == nil {
		c.Client = &http.Client{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	c.DashboardURL = strings.TrimRight(c.DashboardURL, "/")
}

// Store is what the dispatcher needs of the store; *store.Redis satisfies it.
type Store interface {
	// Follow calls fn with every alert after a stream id, then with new ones.
	Follow(ctx context.Context, after string, fn func(store.StreamAlert) error) error
	// LastAlertID is the id of the newest alert in the stream ("0" if none).
	LastAlertID(ctx context.Context) (string, error)
	// The notification log and cursor of each sink (store/notify.go).
	NotifyCursor(ctx context.Context, sink string) (string, error)
	InitNotifyCursor(ctx context.Context, sink, id string, retention time.Duration) (string, error)
	Delivered(ctx context.Context, sink, key string) (bool, error)
	RecordDelivery(ctx context.Context, sink, streamID, key string, delivered bool, now time.Time, retention time.Duration) error
}

// Dispatcher delivers alerts to webhooks. Create it with New and call Run.
type Dispatcher struct {
	cfg   Config
	st    Store
	sinks []*sink
	m     *metrics
	sleep func(ctx context.Context, d time.Duration) error
}

// sink is a Sink with its identity in Redis.
type sink struct {
	Sink
	hash     string // first 16 hex digits of sha256(URL), or of "receiver:"+Name
	receiver string // the receiver label of its metrics: Name, or "webhook"
	events   map[string]bool
	limiter  limiter // used by the sink's own goroutine only
}

// SinkHash returns the name of a webhook URL's notification log: the first 16
// hex digits of the SHA-256 of the URL. The URL itself (which may hold a secret,
// as Slack webhook URLs do) is never written to Redis or to logs.
func SinkHash(webhookURL string) string {
	h := sha256.Sum256([]byte(webhookURL))
	return hex.EncodeToString(h[:8])
}

// New returns a dispatcher reading alerts from st.
func New(st Store, cfg Config) (*Dispatcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg.defaults()
	d := &Dispatcher{cfg: cfg, st: st, sleep: sleepCtx}
	for _, s := range cfg.Sinks {
		if s.Format == "" {
			s.Format = FormatJSON
		}
		if s.Format == FormatPagerDuty && s.URL == "" {
			s.URL = PagerDutyURL
		}
		ev := map[string]bool{}
		for _, t := range s.Events {
			ev[t] = true
		}
		if len(ev) == 0 {
			for _, t := range alertTypes {
				ev[t] = true
			}
		}
		receiver := s.Name
		if receiver == "" {
			receiver = "webhook"
		}
		d.sinks = append(d.sinks, &sink{Sink: s, hash: SinkHash(s.identity()), receiver: receiver, events: ev, limiter: limiter{RateLimit: s.Limit}})
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, err
	}
	d.m = m
	return d, nil
}

// SinkInfo names a sink for a startup log line, without secrets.
type SinkInfo struct {
	Hash     string // names its notification log and cursor in Redis
	Receiver string // its receiver name, "webhook" for a plain --webhook
	Format   string
	Where    string // the redacted URL, or smtp://host:port
}

// Sinks describes every sink, in configuration order.
func (d *Dispatcher) Sinks() []SinkInfo {
	var out []SinkInfo
	for _, s := range d.sinks {
		out = append(out, SinkInfo{Hash: s.hash, Receiver: s.receiver, Format: s.Format, Where: s.where()})
	}
	return out
}

// where is the sink's address without secrets.
func (s *sink) where() string {
	if s.Format == FormatEmail {
		return "smtp://" + s.Email.Addr
	}
	return redact(s.URL)
}

// describe is a sink for people, without secrets.
func (s *sink) describe() string {
	where := s.where()
	if s.Name == "" {
		return where
	}
	return fmt.Sprintf("receiver %s (%s) %s", s.Name, s.Format, where)
}

// Run delivers alerts until ctx is done, then returns nil. Every sink follows
// the alert stream on its own from its own cursor, so a slow or failing sink
// never delays the others. When Redis fails, the sink waits and starts again
// from its stored cursor.
func (d *Dispatcher) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for _, s := range d.sinks {
		wg.Go(func() { d.runSink(ctx, s) })
	}
	wg.Wait()
	return nil
}

func (d *Dispatcher) runSink(ctx context.Context, s *sink) {
	log := d.cfg.Logger.With("sink", s.hash, "receiver", s.receiver, "url", redact(s.URL))
	backoff := time.Second
	for ctx.Err() == nil {
		err := d.follow(ctx, s)
		if ctx.Err() != nil {
			return
		}
		log.Error("notify: following the alert stream failed; retrying", "err", err, "in", backoff)
		if d.sleep(ctx, backoff) != nil {
			return
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (d *Dispatcher) follow(ctx context.Context, s *sink) error {
	cursor, err := d.cursor(ctx, s)
	if err != nil {
		return err
	}
	return d.st.Follow(ctx, cursor, func(a store.StreamAlert) error {
		return d.handle(ctx, s, a)
	})
}

// cursor returns the stream id after which s continues. A sink seen for the
// first time starts at the newest alert (history is not replayed into a new
// receiver) and stores that position at once, so alerts saved while the
// dispatcher is down later are caught up.
func (d *Dispatcher) cursor(ctx context.Context, s *sink) (string, error) {
	id, err := d.st.NotifyCursor(ctx, s.hash)
	if err != nil || id != "" {
		return id, err
	}
	if id, err = d.st.LastAlertID(ctx); err != nil {
		return "", err
	}
	return d.st.InitNotifyCursor(ctx, s.hash, id, d.cfg.Retention)
}

// handle delivers one alert to one sink, at most once per incident revision
// as far as the notification log knows, and moves the sink's cursor past it.
// It returns an error only when Redis fails; a failed delivery is logged,
// counted and given up after MaxAttempts.
func (d *Dispatcher) handle(ctx context.Context, s *sink, a store.StreamAlert) error {
	key := DeliveryKey(a.Alert)
	outcome, err := d.route(ctx, s, a, key)
	if err != nil {
		return err
	}
	d.m.deliveries.WithLabelValues(s.hash, s.receiver, outcome).Inc()
	return d.record(ctx, s, a.ID, key, outcome == "delivered")
}

// route decides what becomes of one alert at one sink, in this order: not one
// of its events ("filtered"), silenced ("silenced": a silence matched it when
// it was published, docs/CONTRACT.md §9), outside its filter ("filtered"),
// already delivered ("duplicate"), over its rate limit ("rate_limited"), else
// delivered ("delivered") or given up ("failed").
func (d *Dispatcher) route(ctx context.Context, s *sink, a store.StreamAlert, key string) (string, error) {
	switch {
	case !s.events[a.Alert.Type]:
		return "filtered", nil
	case a.Alert.Incident.Silenced != "":
		return "silenced", nil
	case !s.Filter.Match(a.Alert):
		return "filtered", nil
	}
	seen, err := d.delivered(ctx, s, key)
	if err != nil {
		return "", err
	}
	if seen {
		return "duplicate", nil
	}
	if !s.limiter.allow(a.Alert, d.cfg.Now()) {
		return "rate_limited", nil
	}
	if err := d.deliver(ctx, s, a); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err() // shutting down: the cursor stays, the next run retries
		}
		d.cfg.Logger.Error("notify: giving up on an alert", "sink", s.hash, "receiver", s.receiver, "url", redact(s.URL),
			"incident", a.Alert.Incident.ID, "revision", a.Alert.Incident.Revision, "type", a.Alert.Type, "err", err)
		return "failed", nil
	}
	return "delivered", nil
}

// DeliveryKey identifies one incident change: "<incident id>@<revision>". It is
// the member of the notification log and the X-Downwatch-Delivery header.
func DeliveryKey(a downwatch.Alert) string {
	return fmt.Sprintf("%s@%d", a.Incident.ID, a.Incident.Revision)
}

func (d *Dispatcher) delivered(ctx context.Context, s *sink, key string) (bool, error) {
	return d.st.Delivered(ctx, s.hash, key)
}

// record notes a delivery in the log (when delivered) and moves the cursor, in
// one round trip. A crash between the delivery and this write re-delivers that
// one alert after the restart: delivery is at least once, and receivers can
// deduplicate on X-Downwatch-Delivery.
func (d *Dispatcher) record(ctx context.Context, s *sink, streamID, key string, delivered bool) error {
	now := d.cfg.Now()
	if err := d.st.RecordDelivery(ctx, s.hash, streamID, key, delivered, now, d.cfg.Retention); err != nil {
		return err
	}
	if delivered {
		d.m.lastSuccess.WithLabelValues(s.hash, s.receiver).Set(float64(now.Unix()))
	}
	return nil
}

// redact shows a webhook URL without what may be a secret (path, query).
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "(invalid URL)"
	}
	if u.Path == "" || u.Path == "/" {
		return u.Scheme + "://" + u.Host
	}
	return u.Scheme + "://" + u.Host + "/…"
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

type metrics struct {
	deliveries  *prometheus.CounterVec
	attempts    *prometheus.CounterVec
	lastSuccess *prometheus.GaugeVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "downwatch_notify_alerts_total",
			Help: "Alerts handled per sink and receiver, by outcome: delivered, duplicate (already in the notification log), filtered (event or incident not wanted by the receiver's filter), silenced (a silence matched the incident), rate_limited (over the receiver's rate limit, dropped), failed (given up after retries).",
		}, []string{"sink", "receiver", "outcome"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "downwatch_notify_attempts_total",
			Help: "Attempts per sink and receiver, by result: the HTTP status or SMTP reply code, or \"error\" when no answer came.",
		}, []string{"sink", "receiver", "result"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "downwatch_notify_last_success_timestamp_seconds",
			Help: "Wall-clock time of the last successful delivery per sink and receiver.",
		}, []string{"sink", "receiver"}),
	}
	if reg != nil {
		for _, c := range []prometheus.Collector{m.deliveries, m.attempts, m.lastSuccess} {
			if err := reg.Register(c); err != nil {
				return nil, fmt.Errorf("notify: register metrics: %w", err)
			}
		}
	}
	return m, nil
}
