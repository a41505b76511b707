package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// ErrNotFound is returned when an incident does not exist.
var ErrNotFound = errors.New("store: incident not found")

// DefaultPrefix is the key prefix of live incidents. Replays into a real Redis use
// ReplayPrefix so a backfill never overwrites live incidents.
const (
	DefaultPrefix = "downwatch:"
	ReplayPrefix  = "downwatch:replay:"
)

// Config configures a Redis store. Zero values take the defaults named.
type Config struct {
	// Prefix of every key and of the alert channel; default DefaultPrefix.
	Prefix string
	// Retention of resolved incidents and their links (wall-clock); default 30 days.
	Retention time.Duration
	// PostRetention is how long after its last write (wall clock) a resolved
	// incident keeps its sample posts and acknowledgement, and how long alerts
	// stay on the alert stream (Redact); default 7 days. At or above Retention,
	// incidents expire with their posts.
	PostRetention time.Duration
	// StreamLen caps the alert stream (approximately); default 10000.
	StreamLen int64
	// SeriesKeep is how much per-minute series is kept, by event time; default 7 days.
	SeriesKeep time.Duration
	// SeriesBatch caps the points AppendSeries sends in one pipelined round trip;
	// default 2000.
	SeriesBatch int
	// SeriesBatchBytes caps the bytes of one such round trip; default 256 KiB.
	SeriesBatchBytes int
	// Conn says how Open and Dial connect beyond the URL; New ignores it.
	Conn Conn
}

// Redis is the store. It is safe for concurrent use.
type Redis struct {
	c     redis.UniversalClient
	cfg   Config
	token string // names this store's publish claims (see Save)
	addr  string // where Dial connected, for messages
}

// New returns a store using client c.
func New(c redis.UniversalClient, cfg Config) *Redis {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if cfg.PostRetention <= 0 {
		cfg.PostRetention = 7 * 24 * time.Hour
	}
	if cfg.StreamLen <= 0 {
		cfg.StreamLen = 10000
	}
	if cfg.SeriesKeep <= 0 {
		cfg.SeriesKeep = 7 * 24 * time.Hour
	}
	if cfg.SeriesBatch <= 0 {
		cfg.SeriesBatch = 2000
	}
	if cfg.SeriesBatchBytes <= 0 {
		cfg.SeriesBatchBytes = 256 << 10
	}
	return &Redis{c: c, cfg: cfg, token: strconv.FormatUint(rand.Uint64(), 36)}
}

// Open connects to the Redis at url and checks that it answers: a single Redis as
// "redis://host:port/db" (or bare "host:port"), or a Redis Cluster as
// "redis+cluster://host:port,host:port,..." (any of its nodes; the client finds the
// others); cfg.Conn adds a login, TLS files or Sentinel addresses. Every key of one service carries the {svc} hash tag, so each command
// and pipeline of the store touches one slot per service.
func Open(ctx context.Context, url string, cfg Config) (*Redis, error) {
	r, addr, err := Dial(url, cfg)
	if err != nil {
		return nil, err
	}
	if err := r.pingExplained(ctx, addr); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// ParseClusterURL reads "redis+cluster://[user:pass@]host:port,host:port[?options]"
// (rediss+cluster for TLS) into cluster options.
func ParseClusterURL(url string) (*redis.ClusterOptions, error) {
	scheme, rest, _ := strings.Cut(url, "+cluster://")
	hosts, query, _ := strings.Cut(rest, "?")
	auth := ""
	if i := strings.LastIndexByte(hosts, '@'); i >= 0 {
		auth, hosts = hosts[:i+1], hosts[i+1:]
	}
	addrs := strings.Split(strings.TrimSuffix(hosts, "/"), ",")
	u := scheme + "://" + auth + addrs[0] + "?"
	for _, a := range addrs[1:] {
		u += "addr=" + a + "&"
	}
	opt, err := redis.ParseClusterURL(strings.TrimSuffix(u+query, "&"))
	if err != nil || addrs[0] == "" {
		return nil, fmt.Errorf("store: bad Redis Cluster URL %q (want redis+cluster://host:port,host:port): %v", url, err)
	}
	return opt, nil
}

// ParseURL accepts redis:// and rediss:// URLs and bare host:port.
func ParseURL(url string) (*redis.Options, error) {
	if !strings.Contains(url, "://") {
		url = "redis://" + url
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store: bad Redis URL %q (want redis://host:port/db): %w", url, err)
	}
	return opt, nil
}

// Client returns the underlying client.
func (r *Redis) Client() redis.UniversalClient { return r.c }

// Prefix returns the key prefix.
func (r *Redis) Prefix() string { return r.cfg.Prefix }

// Channel is the pub/sub channel alerts are published on.
func (r *Redis) Channel() string { return r.cfg.Prefix + "alerts" }

// StreamKey is the capped stream that keeps recent alerts.
func (r *Redis) StreamKey() string { return r.cfg.Prefix + "alerts:stream" }

// Close closes the client.
func (r *Redis) Close() error { return r.c.Close() }

// ServiceOf returns the service part of an incident id.
func ServiceOf(id string) string {
	if i := strings.IndexByte(id, '.'); i > 0 {
		return id[:i]
	}
	return id
}

func (r *Redis) svc(service string) string { return r.cfg.Prefix + "{" + service + "}:" }

func (r *Redis) incidentKey(id string) string { return r.svc(ServiceOf(id)) + "incident:" + id }

func (r *Redis) relatedKey(id string) string { return r.svc(ServiceOf(id)) + "related:" + id }

// Copy returns a store with a connection pool of its own to the same Redis and
// prefix, for a part that must outlive the caller's Close (the demo's dashboard
// under --hold). A client it cannot copy is shared.
func (r *Redis) Copy() *Redis {
	if c, ok := r.c.(*redis.Client); ok {
		cp := New(redis.NewClient(c.Options()), r.cfg)
		cp.addr = r.addr
		return cp
	}
	return r
}

// QuietLogs silences go-redis's own log of failed dials: the store's errors
// already say what failed and what to do.
func QuietLogs() { redis.SetLogger(quietLogger{}) }

type quietLogger struct{}

func (quietLogger) Printf(context.Context, string, ...any) {}
