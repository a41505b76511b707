package ingest

import (
	"context"
	"errors"
	"log/slog"
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

// Connect implements Source: polling sources connect on every poll.
func (p *poller) Connect(context.Context) error { return nil }

// Close implements Source.
func (p *poller) Close(context.Context) error { return nil }

// Read implements Source: the next post of the last poll, polling when none is left.
func (p *poller) Read(ctx context.Context) (downwatch.Post, error) {
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

// pollEach runs one round over every endpoint of a polling source. An unreadable
// document is dead-lettered under the endpoint's name, and an endpoint that fails
// is logged and tried again next round: one bad feed never stops the others.
func pollEach[T any](ctx context.Context, log *slog.Logger, kind string, endpoints []T, name func(T) string,
	poll func(context.Context, T) ([]readResult, error)) ([]readResult, error) {
	var out []readResult
	for _, e := range endpoints {
		res, err := poll(ctx, e)
		if err != nil {
			if ctx.Err() != nil {
				return out, ctx.Err()
			}
			var re *downwatch.RejectError
			if errors.As(err, &re) {
				re.Detail = name(e) + ": " + re.Detail
				out = append(out, readResult{err: re})
				continue
			}
			log.Warn(kind+" poll failed; retrying at the next poll", kind, name(e), "err", err)
			continue
		}
		out = append(out, res...)
	}
	return out, nil
}
