package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// Cursors keeps a source's resume position across restarts (Jetstream's time_us).
// LoadCursor returns "" when there is none.
type Cursors interface {
	LoadCursor(ctx context.Context, name string) (string, error)
	SaveCursor(ctx context.Context, name, value string) error
}

// SeenSet remembers the (source, id) pairs already ingested, across restarts and
// across ingesters sharing it. MarkSeen records the pair and reports whether it
// had been seen before.
type SeenSet interface {
	MarkSeen(ctx context.Context, source, id string) (seen bool, err error)
}

// RedisState keeps cursors and bounded seen sets in Redis:
//
//	<prefix>cursor:<name>          string, the cursor (expires after TTL)
//	<prefix>ingest:seen:<source>   sorted set of ids scored by wall-clock ms,
//	                               trimmed to the newest MaxSeen ids
//
// Expiry is wall-clock time, never event time (DESIGN-NOTES 7).
type RedisState struct {
	c      redis.UniversalClient
	prefix string
	// MaxSeen ids kept per source; default 500000.
	MaxSeen int64
	// TTL of the keys, renewed on write; default 7 days.
	TTL time.Duration

	adds atomic.Int64
}

// NewRedisState returns a state kept under prefix (e.g. "downwatch:").
func NewRedisState(c redis.UniversalClient, prefix string) *RedisState {
	return &RedisState{c: c, prefix: prefix, MaxSeen: 500000, TTL: 7 * 24 * time.Hour}
}

// CursorKey is the key of the named cursor.
func (r *RedisState) CursorKey(name string) string { return r.prefix + "cursor:" + name }

// SeenKey is the key of a source's seen set.
func (r *RedisState) SeenKey(source string) string { return r.prefix + "ingest:seen:" + source }

// LoadCursor implements Cursors.
func (r *RedisState) LoadCursor(ctx context.Context, name string) (string, error) {
	v, err := r.c.Get(ctx, r.CursorKey(name)).Result()
	if err == redis.Nil {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("ingest: load cursor %s: %w", name, err)
	}
	return v, nil
}

// SaveCursor implements Cursors.
func (r *RedisState) SaveCursor(ctx context.Context, name, value string) error {
	if err := r.c.Set(ctx, r.CursorKey(name), value, r.TTL).Err(); err != nil {
		return fmt.Errorf("ingest: save cursor %s: %w", name, err)
	}
	return nil
}

// MarkSeen implements SeenSet.
func (r *RedisState) MarkSeen(ctx context.Context, source, id string) (bool, error) {
	key := r.SeenKey(source)
	added, err := r.c.ZAddNX(ctx, key, redis.Z{Score: float64(time.Now().UnixMilli()), Member: id}).Result()
	if err != nil {
		return false, fmt.Errorf("ingest: mark %s/%s seen: %w", source, id, err)
	}
	if n := r.adds.Add(1); n%1000 == 1 {
		pipe := r.c.Pipeline()
		pipe.ZRemRangeByRank(ctx, key, 0, -r.MaxSeen-1)
		pipe.Expire(ctx, key, r.TTL)
		if _, err := pipe.Exec(ctx); err != nil {
			return added == 0, fmt.Errorf("ingest: trim seen set %s: %w", key, err)
		}
	}
	return added == 0, nil
}

// Remembered wraps a source so that posts already in seen are skipped before they
// reach the pipeline: a restarted ingester (or one of several sharing a Redis) does
// not produce a post twice. Delivery: a post is marked seen when it is read, before
// its mention is produced, so a crash in between loses it (at most once across
// restarts; within one run the pipeline's own dedup applies). When the seen set
// fails (Redis down) the post passes and the failure is logged: duplicates are
// better than silence.
type Remembered struct {
	Source
	Seen   SeenSet
	Logger *slog.Logger
	// Skipped counts posts dropped as seen.
	Skipped atomic.Int64
}

// Read implements Source.
func (r *Remembered) Read(ctx context.Context) (downwatch.Post, error) {
	for {
		p, err := r.Source.Read(ctx)
		if err != nil {
			return p, err
		}
		seen, err := r.Seen.MarkSeen(ctx, p.Source, p.ID)
		if err != nil && r.Logger != nil {
			r.Logger.Warn("seen set unavailable; passing post on", "source", p.Source, "err", err)
		}
		if seen {
			r.Skipped.Add(1)
			continue
		}
		return p, nil
	}
}
