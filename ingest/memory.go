package ingest

import (
	"context"
	"io"

	"github.com/downwatch/downwatch"
)

// Chan is a source that reads posts from a channel until it is closed (demos,
// simulations, tests).
type Chan struct {
	C <-chan downwatch.Post
}

// Name implements Source.
func (c *Chan) Name() string { return "chan" }

// Connect implements Source.
func (c *Chan) Connect(context.Context) error { return nil }

// Read implements Source.
func (c *Chan) Read(ctx context.Context) (downwatch.Post, error) {
	select {
	case <-ctx.Done():
		return downwatch.Post{}, ctx.Err()
	case p, ok := <-c.C:
		if !ok {
			return downwatch.Post{}, io.EOF
		}
		return p, nil
	}
}

// Close implements Source.
func (c *Chan) Close(context.Context) error { return nil }
