package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// followPoll is how often Follow reads the stream when no publication woke it:
// the channel drops messages while the subscription reconnects, so the stream
// is read now and then whatever the channel says.
const followPoll = 2 * time.Second

// followPage is how many stream entries Follow reads per round trip.
const followPage = 256

// LastAlertID returns the id of the newest entry of the alert stream, or "0" when
// the stream is empty or does not exist. Following from it yields only alerts
// saved afterwards.
func (r *Redis) LastAlertID(ctx context.Context) (string, error) {
	msgs, err := r.c.XRevRangeN(ctx, r.StreamKey(), "+", "-", 1).Result()
	if err != nil && !errors.Is(err, redis.Nil) {
		return "", fmt.Errorf("store: read the newest alert of %s: %w", r.StreamKey(), err)
	}
	if len(msgs) == 0 {
		return "0", nil
	}
	return msgs[0].ID, nil
}

// Ping checks that Redis answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		if e := explain(r.addr, err); e != err {
			return e // a refused login or certificate: retrying cannot fix it
		}
		return fmt.Errorf("store: ping Redis: %w", err)
	}
	return nil
}

// Follow calls fn with every alert of the stream after the entry id after ("0" or
// "" = from the oldest entry kept), in stream order, then with every alert saved
// later, until ctx is done or fn returns an error (which Follow returns).
//
// The stream is the source of truth and gives every alert its id; the pub/sub
// channel only wakes Follow up, and the stream is also read every couple of
// seconds, so an alert is never missed while the subscription reconnects. An
// entry trimmed from the capped stream before Follow read it is skipped: Follow
// continues from the oldest entry still kept.
func (r *Redis) Follow(ctx context.Context, after string, fn func(StreamAlert) error) error {
	if after == "" {
		after = "0"
	}
	wake, err := r.Subscribe(ctx)
	if err != nil {
		return err
	}
	poll := time.NewTicker(followPoll)
	defer poll.Stop()
	retry := 0 // reads since the last wake-up that found nothing
	for {
		batch, err := r.AlertsAfter(ctx, after, followPage)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		for _, a := range batch {
			if err := fn(a); err != nil {
				return err
			}
			after = a.ID
		}
		if len(batch) == followPage {
			continue
		}
		// A publication is sent just before its stream entry is added, in the
		// same pipeline: when a wake-up finds nothing, look again shortly.
		if len(batch) == 0 && retry > 0 && retry < 4 {
			retry++
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(time.Duration(retry*retry) * 10 * time.Millisecond):
			}
			continue
		}
		retry = 0
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-poll.C:
		case _, ok := <-wake:
			if !ok {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if wake, err = r.Subscribe(ctx); err != nil {
					return err
				}
			}
			retry = 1
			drain(wake)
		}
	}
}

// drain empties a buffered channel without blocking: one stream read answers
// every publication that arrived meanwhile.
func drain[T any](c <-chan T) {
	for {
		select {
		case _, ok := <-c:
			if !ok {
				return
			}
		default:
			return
		}
	}
}
