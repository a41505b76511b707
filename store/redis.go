package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
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
	// StreamLen caps the alert stream (approximately); default 10000.
	StreamLen int64
	// SeriesKeep is how much per-minute series is kept, by event time; default 7 days.
	SeriesKeep time.Duration
}

// Redis is the store. It is safe for concurrent use.
type Redis struct {
	c   redis.UniversalClient
	cfg Config
}

// New returns a store using client c.
func New(c redis.UniversalClient, cfg Config) *Redis {
	if cfg.Prefix == "" {
		cfg.Prefix = DefaultPrefix
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	if cfg.StreamLen <= 0 {
		cfg.StreamLen = 10000
	}
	if cfg.SeriesKeep <= 0 {
		cfg.SeriesKeep = 7 * 24 * time.Hour
	}
	return &Redis{c: c, cfg: cfg}
}

// Open connects to the Redis at url ("redis://host:port/db" or "host:port") and
// checks that it answers.
func Open(ctx context.Context, url string, cfg Config) (*Redis, error) {
	opt, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	c := redis.NewClient(opt)
	if err := c.Ping(ctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("store: Redis at %s does not answer (is redis-server running?): %w", opt.Addr, err)
	}
	return New(c, cfg), nil
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

// Save stores the incident carried by each alert, updates the indexes and, when
// publish is set, publishes the alerts on the channel and the stream, all in one
// pipelined round trip. Saving the same revision again is harmless: stores are
// upserts keyed by incident id. (A replay into a live Redis may skip publishing.)
func (r *Redis) Save(ctx context.Context, alerts []downwatch.Alert, publish bool) error {
	if len(alerts) == 0 {
		return nil
	}
	pipe := r.c.Pipeline()
	for _, al := range alerts {
		inc := al.Incident
		inc.Related = nil // kept as sets beside the incident, merged on read
		body, err := json.Marshal(inc)
		if err != nil {
			return fmt.Errorf("store: encode incident %s: %w", inc.ID, err)
		}
		score := float64(inc.StartedAt.Unix())
		key := r.incidentKey(inc.ID)
		if inc.Active() {
			pipe.Set(ctx, key, body, 0)
			pipe.ZAdd(ctx, r.cfg.Prefix+"active", redis.Z{Score: score, Member: inc.ID})
		} else {
			pipe.Set(ctx, key, body, r.cfg.Retention)
			pipe.ZRem(ctx, r.cfg.Prefix+"active", inc.ID)
			pipe.Expire(ctx, r.relatedKey(inc.ID), r.cfg.Retention)
		}
		pipe.ZAdd(ctx, r.svc(inc.Service)+"incidents", redis.Z{Score: score, Member: inc.ID})
		pipe.ZAdd(ctx, r.cfg.Prefix+"incidents", redis.Z{Score: score, Member: inc.ID})
		if !publish {
			continue
		}
		a, err := json.Marshal(al)
		if err != nil {
			return fmt.Errorf("store: encode alert for %s: %w", inc.ID, err)
		}
		pipe.Publish(ctx, r.Channel(), a)
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: r.StreamKey(), MaxLen: r.cfg.StreamLen, Approx: true, Values: []any{"alert", a}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: save %d incident changes: %w", len(alerts), err)
	}
	return nil
}

// Link records that incidents a and b look like one common cause.
func (r *Redis) Link(ctx context.Context, a, b string) error {
	if a == b {
		return nil
	}
	pipe := r.c.Pipeline()
	pipe.SAdd(ctx, r.relatedKey(a), b)
	pipe.SAdd(ctx, r.relatedKey(b), a)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: link %s and %s: %w", a, b, err)
	}
	return nil
}

// Incident returns one incident with its related ids.
func (r *Redis) Incident(ctx context.Context, id string) (downwatch.Incident, error) {
	incs, err := r.load(ctx, []string{id})
	if err != nil {
		return downwatch.Incident{}, err
	}
	if len(incs) == 0 {
		return downwatch.Incident{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return incs[0], nil
}

// Query selects incidents. The zero value lists the 100 most recent.
type Query struct {
	Active  bool   // only open and acknowledged
	Service string // only this service
	Limit   int    // default 100
}

// Incidents lists incidents newest first (by started_at).
func (r *Redis) Incidents(ctx context.Context, q Query) ([]downwatch.Incident, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	index := r.cfg.Prefix + "incidents"
	switch {
	case q.Active:
		index = r.cfg.Prefix + "active"
	case q.Service != "":
		index = r.svc(q.Service) + "incidents"
	}
	// Over-fetch when filtering active by service; the active set is small.
	n := int64(q.Limit)
	if q.Active && q.Service != "" {
		n = 10000
	}
	ids, err := r.c.ZRevRange(ctx, index, 0, n-1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", index, err)
	}
	if q.Active && q.Service != "" {
		ids = slices.DeleteFunc(ids, func(id string) bool { return ServiceOf(id) != q.Service })
	}
	if len(ids) > q.Limit {
		ids = ids[:q.Limit]
	}
	incs, err := r.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	if q.Active {
		incs = slices.DeleteFunc(incs, func(i downwatch.Incident) bool { return !i.Active() })
	}
	return incs, nil
}

// load reads incidents by id in one round trip, skipping ids whose key expired.
func (r *Redis) load(ctx context.Context, ids []string) ([]downwatch.Incident, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := r.c.Pipeline()
	gets := make([]*redis.StringCmd, len(ids))
	rels := make([]*redis.StringSliceCmd, len(ids))
	for i, id := range ids {
		gets[i] = pipe.Get(ctx, r.incidentKey(id))
		rels[i] = pipe.SMembers(ctx, r.relatedKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: read %d incidents: %w", len(ids), err)
	}
	out := make([]downwatch.Incident, 0, len(ids))
	for i := range ids {
		body, err := gets[i].Bytes()
		if err != nil {
			continue // expired or never written
		}
		var inc downwatch.Incident
		if err := json.Unmarshal(body, &inc); err != nil {
			return nil, fmt.Errorf("store: decode incident %s: %w", ids[i], err)
		}
		if rel := rels[i].Val(); len(rel) > 0 {
			slices.Sort(rel)
			inc.Related = rel
		}
		out = append(out, inc)
	}
	return out, nil
}

// SaveCheckpoint stores a detector checkpoint under name.
func (r *Redis) SaveCheckpoint(ctx context.Context, name string, data []byte) error {
	if err := r.c.Set(ctx, r.cfg.Prefix+"checkpoint:"+name, data, 0).Err(); err != nil {
		return fmt.Errorf("store: save checkpoint %s: %w", name, err)
	}
	return nil
}

// LoadCheckpoint returns the checkpoint stored under name, or nil when there is none.
func (r *Redis) LoadCheckpoint(ctx context.Context, name string) ([]byte, error) {
	b, err := r.c.Get(ctx, r.cfg.Prefix+"checkpoint:"+name).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("store: load checkpoint %s: %w", name, err)
	}
	return b, nil
}

// AppendSeries adds per-minute points, and trims each touched series to SeriesKeep.
func (r *Redis) AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error {
	if len(pts) == 0 {
		return nil
	}
	pipe := r.c.Pipeline()
	newest := map[string]int64{}
	for _, p := range pts {
		m := p.Minute.Unix() / 60
		key := r.svc(p.Service) + "series"
		member := strconv.FormatInt(m, 10) + ":" + strconv.Itoa(p.Authors) + ":" + strconv.FormatFloat(p.Baseline, 'f', 3, 64)
		pipe.ZRemRangeByScore(ctx, key, strconv.FormatInt(m, 10), strconv.FormatInt(m, 10))
		pipe.ZAdd(ctx, key, redis.Z{Score: float64(m), Member: member})
		if m > newest[key] {
			newest[key] = m
		}
	}
	keep := int64(r.cfg.SeriesKeep / time.Minute)
	for key, m := range newest {
		pipe.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(m-keep, 10))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: append %d series points: %w", len(pts), err)
	}
	return nil
}

// Series returns a service's points with Minute in [from, to], oldest first.
func (r *Redis) Series(ctx context.Context, service string, from, to time.Time) ([]downwatch.SeriesPoint, error) {
	key := r.svc(service) + "series"
	vals, err := r.c.ZRangeByScore(ctx, key, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.Unix()/60, 10), Max: strconv.FormatInt(to.Unix()/60, 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: read series of %s: %w", service, err)
	}
	out := make([]downwatch.SeriesPoint, 0, len(vals))
	for _, v := range vals {
		parts := strings.SplitN(v, ":", 3)
		if len(parts) != 3 {
			continue
		}
		m, _ := strconv.ParseInt(parts[0], 10, 64)
		a, _ := strconv.Atoi(parts[1])
		b, _ := strconv.ParseFloat(parts[2], 64)
		out = append(out, downwatch.SeriesPoint{Service: service, Minute: time.Unix(m*60, 0).UTC(), Authors: a, Baseline: b})
	}
	return out, nil
}

// LatestSeriesMinute returns the newest minute stored for service, or zero time.
func (r *Redis) LatestSeriesMinute(ctx context.Context, service string) (time.Time, error) {
	vals, err := r.c.ZRevRangeWithScores(ctx, r.svc(service)+"series", 0, 0).Result()
	if err != nil || len(vals) == 0 {
		return time.Time{}, err
	}
	return time.Unix(int64(vals[0].Score)*60, 0).UTC(), nil
}

// Subscribe returns the alerts published from now on, until ctx is done. Pub/sub
// drops messages while nobody listens; use AlertsAfter to catch up.
func (r *Redis) Subscribe(ctx context.Context) (<-chan downwatch.Alert, error) {
	sub := r.c.Subscribe(ctx, r.Channel())
	if _, err := sub.Receive(ctx); err != nil {
		sub.Close()
		return nil, fmt.Errorf("store: subscribe to %s: %w", r.Channel(), err)
	}
	out := make(chan downwatch.Alert, 64)
	go func() {
		defer close(out)
		defer sub.Close()
		ch := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				var a downwatch.Alert
				if json.Unmarshal([]byte(m.Payload), &a) != nil {
					continue
				}
				select {
				case out <- a:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// StreamAlert is an alert with its stream id.
type StreamAlert struct {
	ID    string
	Alert downwatch.Alert
}

// AlertsAfter returns up to count alerts from the stream after id ("0" = from the start).
func (r *Redis) AlertsAfter(ctx context.Context, id string, count int64) ([]StreamAlert, error) {
	if id == "" {
		id = "0"
	}
	msgs, err := r.c.XRangeN(ctx, r.StreamKey(), "("+id, "+", count).Result()
	if id == "0" && err == nil {
		msgs, err = r.c.XRangeN(ctx, r.StreamKey(), "-", "+", count).Result()
	}
	if err != nil {
		return nil, fmt.Errorf("store: read alert stream: %w", err)
	}
	out := make([]StreamAlert, 0, len(msgs))
	for _, m := range msgs {
		s, _ := m.Values["alert"].(string)
		var a downwatch.Alert
		if json.Unmarshal([]byte(s), &a) == nil {
			out = append(out, StreamAlert{ID: m.ID, Alert: a})
		}
	}
	return out, nil
}

// ActiveIncidents returns the open and acknowledged incidents.
func (r *Redis) ActiveIncidents(ctx context.Context) ([]downwatch.Incident, error) {
	return r.Incidents(ctx, Query{Active: true, Limit: 10000})
}
