package ingest

import (
	"context"
	"log/slog"
	"sync/atomic"

	"github.com/downwatch/downwatch"
)

// Cursors keeps a source's resume position across restarts (Jetstream's time_us).
// LoadCursor returns "" when there is none.
type Cursors interface {
	LoadCursor(ctx context.Context, name string) (string, error)
	SaveCursor(ctx context.Context, name, value string) error
}

// store.IngestState implements both in Redis.

// SeenSet remembers the (source, id) pairs already ingested, across restarts and
// across ingesters sharing it. MarkSeen records the pair and reports whether it
// had been seen before.
type SeenSet interface {
	MarkSeen(ctx context.Context, source, id string) (seen bool, err error)
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
