package health

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff is a capped exponential backoff with jitter. Its zero value waits
// 100ms, doubling up to 5s. It is not safe for concurrent use.
type Backoff struct {
	// Min is the first wait; default 100ms.
	Min time.Duration
	// Max caps the wait; default 5s.
	Max time.Duration
	cur time.Duration
}

// Next returns how long to wait before the next attempt: the current step with
// up to half of it taken off at random (so processes restarted together do not
// retry in lockstep), and doubles the step for next time, up to Max.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = 100 * time.Millisecond
	}
	if hi <= 0 {
		hi = 5 * time.Second
	}
	if b.cur < lo {
		b.cur = lo
	}
	d := b.cur
	b.cur = min(2*b.cur, hi)
	return d - time.Duration(rand.Int64N(int64(d)/2+1))
}

// Reset starts the backoff again from Min: call it after a success.
func (b *Backoff) Reset() { b.cur = 0 }

// Sleep waits for d or until ctx is done; it reports whether d passed.
func Sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent wraps err so that Retry returns it at once (a configuration error).
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanent{err}
}

// Retry calls fn until it succeeds, returns an error wrapped by Permanent, or ctx
// is done (then it returns ctx's error). Failures are reported to w, which logs
// the first of them, and waited out with a Backoff of 100ms doubling up to 5s.
func Retry(ctx context.Context, w *Waiter, fn func(context.Context) error) error {
	var b Backoff
	for {
		err := fn(ctx)
		if err == nil {
			w.OK()
			return nil
		}
		if p, ok := err.(permanent); ok {
			return p.err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		w.Fail(err)
		if !Sleep(ctx, b.Next()) {
			return ctx.Err()
		}
	}
}
