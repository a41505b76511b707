package ingest

import (
	"context"
	"time"

	"github.com/downwatch/downwatch"
)

// poller is the common part of the polling sources (feeds, status pages): Read
// hands out what the last poll found, and polls again every interval.
type poller struct {
	interval time.Duration
	now      func() time.Time
	next     time.Time // when to poll next; zero: now
	queue    []readResult
	// poll returns what one round found: posts, and *downwatch.RejectError for
	// unreadable documents (dead-lettered); err fails the round.
	poll func(ctx context.Context) ([]readResult, error)
}

func (p *poller) read(ctx context.Context) (downwatch.Post, error) {
	for len(p.queue) == 0 {
		if wait := p.next.Sub(p.now()); !p.next.IsZero() && wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return downwatch.Post{}, ctx.Err()
			case <-t.C:
			}
		}
		p.next = p.now().Add(p.interval)
		posts, err := p.poll(ctx)
		p.queue = append(p.queue, posts...)
		if err != nil && len(p.queue) == 0 {
			return downwatch.Post{}, err
		}
	}
	r := p.queue[0]
	p.queue = p.queue[1:]
	return r.post, r.err
}
