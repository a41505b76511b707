package store

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// IngestState keeps cursors and bounded seen sets in Redis:
//
//	<prefix>cursor:<name>          string, the cursor (expires after TTL)
//	<prefix>ingest:seen:<source>   sorted set of ids scored by wall-clock ms,
//	                               trimmed to the newest MaxSeen ids
//
// Expiry is wall-clock time, never event time.
type IngestState struct {
	c      redis.UniversalClient
	prefix string
	// MaxSeen ids kept per source; default 500000.
	MaxSeen int64
	// TTL of the keys, renewed on write; default 7 days.
	TTL time.Duration

	adds atomic.Int64
}

// IngestState returns the ingester's cursors and seen sets under the store's prefix.
func (r *Redis) IngestState() *IngestState {
	return &IngestState{c: r.c, prefix: r.cfg.Prefix, MaxSeen: 500000, TTL: 7 * 24 * time.Hour}
}

// CursorKey is the key of the named cursor.
func (r *IngestState) CursorKey(name string) string { return r.prefix + "cursor:" + name }

// SeenKey is the key of a source's seen set.
func (r *IngestState) SeenKey(source string) string { return r.prefix + "ingest:seen:" + source }

// LoadCursor implements ingest.Cursors.
func (r *IngestState) LoadCursor(ctx context.Context, name string) (string, error) {
	v, err := r.c.Get(ctx, r.CursorKey(name)).Result()
	if err == redis.Nil {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: load cursor %s: %w", name, err)
	}
	return v, nil
}

// SaveCursor implements ingest.Cursors.
func (r *IngestState) SaveCursor(ctx context.Context, name, value string) error {
	if err := r.c.Set(ctx, r.CursorKey(name), value, r.TTL).Err(); err != nil {
		return fmt.Errorf("store: save cursor %s: %w", name, err)
	}
	return nil
}

// MarkSeen implements ingest.SeenSet.
func (r *IngestState) MarkSeen(ctx context.Context, source, id string) (bool, error) {
	key := r.SeenKey(source)
	added, err := r.c.ZAddNX(ctx, key, redis.Z{Score: float64(time.Now().UnixMilli()), Member: id}).Result()
	if err != nil {
		return false, fmt.Errorf("store: mark %s/%s seen: %w", source, id, err)
	}
	if n := r.adds.Add(1); n%1000 == 1 {
		pipe := r.c.Pipeline()
		pipe.ZRemRangeByRank(ctx, key, 0, -r.MaxSeen-1)
		pipe.Expire(ctx, key, r.TTL)
		if _, err := pipe.Exec(ctx); err != nil {
			return added == 0, fmt.Errorf("store: trim seen set %s: %w", key, err)
		}
	}
	return added == 0, nil
}
