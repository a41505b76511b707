package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"
)

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
