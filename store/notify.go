package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// A webhook sink's state (notify): P"notify:"SINK, a ZSET of delivery keys by
// delivery time (unix s), and P"notify:"SINK":cursor", the stream id it has
// handled up to. Both expire after the retention given.

func (r *Redis) notifyLogKey(sink string) string { return r.cfg.Prefix + "notify:" + sink }
func (r *Redis) notifyCursorKey(sink string) string {
	return r.cfg.Prefix + "notify:" + sink + ":cursor"
}

// NotifyCursor returns the stream id after which sink continues, or "" when it
// has none yet.
func (r *Redis) NotifyCursor(ctx context.Context, sink string) (string, error) {
	id, err := r.c.Get(ctx, r.notifyCursorKey(sink)).Result()
	if errors.Is(err, redis.Nil) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: read cursor of sink %s: %w", sink, err)
	}
	return id, nil
}

// InitNotifyCursor sets sink's cursor to id unless it has one (a second
// dispatcher started at the same moment keeps the first's) and returns the
// cursor it has now.
func (r *Redis) InitNotifyCursor(ctx context.Context, sink, id string, retention time.Duration) (string, error) {
	if err := r.c.SetNX(ctx, r.notifyCursorKey(sink), id, retention).Err(); err != nil {
		return "", fmt.Errorf("store: store cursor of sink %s: %w", sink, err)
	}
	got, err := r.c.Get(ctx, r.notifyCursorKey(sink)).Result()
	if err != nil {
		return "", fmt.Errorf("store: read cursor of sink %s: %w", sink, err)
	}
	return got, nil
}

// Delivered says whether sink's log holds key.
func (r *Redis) Delivered(ctx context.Context, sink, key string) (bool, error) {
	_, err := r.c.ZScore(ctx, r.notifyLogKey(sink), key).Result()
	if errors.Is(err, redis.Nil) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: read notification log of sink %s: %w", sink, err)
	}
	return true, nil
}

// RecordDelivery moves sink's cursor to streamID and, when delivered, adds key
// to its log (forgetting entries older than retention), in one round trip.
func (r *Redis) RecordDelivery(ctx context.Context, sink, streamID, key string, delivered bool, now time.Time, retention time.Duration) error {
	pipe := r.c.Pipeline()
	if delivered {
		pipe.ZAdd(ctx, r.notifyLogKey(sink), redis.Z{Score: float64(now.Unix()), Member: key})
		pipe.ZRemRangeByScore(ctx, r.notifyLogKey(sink), "-inf", fmt.Sprint(now.Add(-retention).Unix()))
		pipe.Expire(ctx, r.notifyLogKey(sink), retention)
	}
	pipe.Set(ctx, r.notifyCursorKey(sink), streamID, retention)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: record delivery of %s to sink %s: %w", key, sink, err)
	}
	return nil
}
