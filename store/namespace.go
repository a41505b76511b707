package store

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/redis/go-redis/v9"
)

// Clear deletes every key under the store's prefix, on every master of a Redis
// Cluster, and returns how many it deleted. A replay into a real Redis calls it
// first, so that nothing an earlier run left (incidents, series, checkpoints whose
// offsets belong to a broker that no longer exists) is read back. It refuses the
// live prefix (DefaultPrefix, or any prefix of it): clearing that would delete live
// incidents.
func (r *Redis) Clear(ctx context.Context) (int64, error) {
	if strings.HasPrefix(DefaultPrefix, r.cfg.Prefix) {
		return 0, fmt.Errorf("store: refusing to clear prefix %q: it holds the live keys (%s*); give the replay a prefix of its own, such as %s", r.cfg.Prefix, DefaultPrefix, ReplayPrefix)
	}
	pattern := escapeGlob(r.cfg.Prefix) + "*"
	var n atomic.Int64 // masters are cleared concurrently
	clear := func(ctx context.Context, c *redis.Client) error {
		iter := c.Scan(ctx, 0, pattern, 1000).Iterator()
		pipe := c.Pipeline()
		for iter.Next(ctx) {
			pipe.Unlink(ctx, iter.Val()) // one key a command: each in its own slot
			if pipe.Len() >= 1000 {
				if _, err := pipe.Exec(ctx); err != nil {
					return err
				}
			}
			n.Add(1)
		}
		if err := iter.Err(); err != nil {
			return err
		}
		_, err := pipe.Exec(ctx)
		return err
	}
	var err error
	switch c := r.c.(type) {
	case *redis.ClusterClient:
		err = c.ForEachMaster(ctx, clear)
	case *redis.Client:
		err = clear(ctx, c)
	default:
		err = fmt.Errorf("a %T cannot be scanned", r.c)
	}
	if err != nil {
		return n.Load(), fmt.Errorf("store: clear the keys under %q: %w", r.cfg.Prefix, err)
	}
	return n.Load(), nil
}

// escapeGlob quotes the characters SCAN MATCH treats as a pattern.
func escapeGlob(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`*?[]\`, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}
