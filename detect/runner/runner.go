// Package runner runs detectors in a Kafka consumer group: the consumer loop of
// each assigned partition, flushing (incidents, links, alerts, series), the
// partition's checkpoint beside the offset it covers, and offset commits. The
// decision, the lifecycle and the checkpoint's content are package detect's;
// the runner holds no detection logic. The wall clock (flush deadlines and
// latency metrics) is injected (Config.Now); detection runs on event time.
//
// It imports the root package, detect, bus and health; storage and alert sinks
// come in through the small interfaces it declares (Store, AlertSink).
package runner

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/health"
)

// Store is what the detector needs from storage (store.Redis satisfies it).
type Store interface {
	Save(ctx context.Context, alerts []downwatch.Alert) error
	AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error
	SaveCheckpoint(ctx context.Context, name string, data []byte) error
	LoadCheckpoint(ctx context.Context, name string) ([]byte, error)
	Link(ctx context.Context, a, b string) error
	IncidentsStartedBetween(ctx context.Context, from, to time.Time) ([]downwatch.Incident, error)
}

// AlertSink receives every alert after its incident is stored: the list of
// sinks (Redis channel and stream, Kafka alerts topic, ...) that the sink
// package builds satisfies it. A nil AlertSink publishes nothing.
type AlertSink interface {
	Publish(ctx context.Context, alerts []downwatch.Alert) error
}

// Config configures the detector process. Zero values take the defaults named.
type Config struct {
	Brokers []string
	// Topic of mentions; default downwatch.mentions.
	Topic string
	// Group id; default downwatch-detector.
	Group string
	// FlushEvery bounds how long state may stay unflushed; default 500ms.
	FlushEvery time.Duration
	// ExitOnEnd returns once every partition has delivered its end record (replay).
	ExitOnEnd bool
	// FetchWait is how long a partition's fetch waits for records to arrive;
	// default bus.ConsumerConfig's (250ms). A replay sets it short: a partition
	// that has ended closes its reader only once the fetch in flight returns,
	// which was most of a short replay's time.
	FetchWait time.Duration
	// RelatedWithin: incidents of different services whose onsets are this close
	// are linked as related; default 5m.
	RelatedWithin time.Duration
	Logger        *slog.Logger
	// Now is the wall clock (flush deadlines, latency metrics, silences);
	// default time.Now. Detection never reads it: it runs on event time.
	Now func() time.Time
	// Stats, if set, is updated as records are processed.
	Stats *Stats
	// Health, when set, is told whether Kafka answers (dependency "kafka").
	Health *health.Health
	// Security of the Kafka connections; zero = plaintext.
	Security bus.Security
}

// Stats counts what the detector processed.
type Stats struct {
	Records  atomic.Int64 // mention records
	Bad      atomic.Int64 // records that were not a mention (skipped)
	Late     atomic.Int64 // complaints too late to count (their minute was final)
	Alerts   atomic.Int64
	EndsSeen atomic.Int64
	// Partitions is how many partitions this process holds now (a gauge: it
	// goes up when a partition starts and down when it stops).
	Partitions atomic.Int64
	// IngestToCount, when set, observes the seconds from ingest accepting a post
	// (header bus.HeaderAccepted) to its mention being counted here.
	IngestToCount Observer
	// DecisionToPublish, when set, observes the seconds from the detector
	// deciding an alert to the alert being stored and published.
	DecisionToPublish Observer
}

// Observer takes one measurement (prometheus.Histogram satisfies it).
type Observer interface{ Observe(float64) }

// Run consumes mentions in a consumer group until ctx is done (or, with ExitOnEnd,
// until every partition has ended).
//
// Delivery: for each partition, the detector's state and the offset it covers are
// checkpointed in Redis, and the group offset is committed, only after the alerts
// and incidents produced up to that offset are stored. After a crash the partition
// restarts from its checkpoint and reprocesses what followed, with the same ids
// and revisions: incident writes are compare-and-set on the revision, so the store
// converges and never goes back to an older revision. Alerts go to sink after
// their incidents are stored, and a failed flush is retried whole, so every sink
// gets every revision at least once: the Redis stream and channel carry each
// revision once (store.Redis.Publish), Kafka alerts are at least once (consumers
// deduplicate by incident id and revision).
func Run(ctx context.Context, rc Config, cfg detect.Config, st Store, sink AlertSink) error {
	if err := cfg.Validate(); err != nil {
		return err
	}
	if rc.Topic == "" {
		rc.Topic = downwatch.TopicMentions
	}
	if rc.Group == "" {
		rc.Group = "downwatch-detector"
	}
	if rc.RelatedWithin <= 0 {
		rc.RelatedWithin = cfg.RelatedWithin
	}
	if rc.FlushEvery <= 0 {
		rc.FlushEvery = 500 * time.Millisecond
	}
	if rc.Logger == nil {
		rc.Logger = slog.Default()
	}
	if rc.Now == nil {
		rc.Now = time.Now
	}
	if rc.Stats == nil {
		rc.Stats = &Stats{}
	}
	var parts []int
	kafkaWait := &health.Waiter{What: fmt.Sprintf("the partitions of %s on %v", rc.Topic, rc.Brokers), Dep: "kafka", Log: rc.Logger, Health: rc.Health}
	err := health.Retry(ctx, kafkaWait, func(ctx context.Context) (err error) {
		parts, err = rc.Security.Partitions(ctx, rc.Brokers, rc.Topic)
		return err
	})
	if err != nil {
		return nil // only ctx ends the wait
	}
	handle := func(ctx context.Context, p *bus.Partition) error {
		return runPartition(ctx, rc, cfg, st, sink, p)
	}
	done := func() bool { return rc.ExitOnEnd && rc.Stats.EndsSeen.Load() >= int64(len(parts)) }
	return bus.Consume(ctx, bus.ConsumerConfig{Brokers: rc.Brokers, Topic: rc.Topic, GroupID: rc.Group, MaxWait: rc.FetchWait, Logger: rc.Logger, Health: rc.Health, Security: rc.Security}, handle, done)
}

func checkpointName(rc Config, part int) string {
	return fmt.Sprintf("%s:%s:%d", rc.Group, rc.Topic, part)
}

func runPartition(ctx context.Context, rc Config, cfg detect.Config, st Store, sink AlertSink, p *bus.Partition) error {
	det, err := detect.New(cfg)
	if err != nil {
		return err
	}
	name := checkpointName(rc, p.ID)
	start, err := restore(ctx, rc, st, name, det, p)
	if err != nil {
		return err
	}
	if err := p.Start(start); err != nil {
		return err
	}
	rc.Logger.Debug("partition started", "partition", p.ID, "offset", start)
	rc.Stats.Partitions.Add(1)
	defer rc.Stats.Partitions.Add(-1)
	next := int64(-1)
	lastFlush, decided := rc.Now(), time.Time{} // decided: when the alerts of the next flush were
	flush := func() error {
		if next < 0 {
			return nil
		}
		if err := publish(ctx, rc, st, sink, det, decided); err != nil {
			return err
		}
		var offset [8]byte
		binary.BigEndian.PutUint64(offset[:], uint64(next))
		state, err := det.AppendSnapshot(offset[:])
		if err != nil {
			return err
		}
		if err := st.SaveCheckpoint(ctx, name, state); err != nil {
			return err
		}
		lastFlush, decided = rc.Now(), time.Time{}
		return p.Commit(next)
	}
	var m downwatch.Mention
	wait := &fetchWait{parent: ctx, every: rc.FlushEvery}
	defer wait.stop()
	for {
		msg, err := p.Fetch(wait.context())
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("detect: fetch partition %d: %w", p.ID, err)
			}
		} else {
			next = msg.Offset + 1
			if ended := handleRecord(det, rc, &msg, &m); ended {
				if err := flush(); err != nil {
					return err
				}
				rc.Stats.EndsSeen.Add(1)
				if rc.ExitOnEnd {
					return nil
				}
				continue
			}
		}
		if det.Pending() > 0 || rc.Now().Sub(lastFlush) >= rc.FlushEvery {
			if decided.IsZero() {
				decided = rc.Now()
			}
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// publish drains det and writes what it decided: people's changes taken in
// (operated), silences marked, incidents, series and alerts stored and
// published (persist), retracted posts removed from the incidents det no longer
// holds. decided is when the first of these alerts was decided.
func publish(ctx context.Context, rc Config, st Store, sink AlertSink, det *detect.Detector, decided time.Time) error {
	out, err := operated(ctx, st, det, det.Drain())
	if err != nil {
		return err
	}
	if err := silence(ctx, rc, st, out.Alerts); err != nil {
		return err
	}
	if err := persist(ctx, rc, st, sink, out); err != nil {
		return err
	}
	if err := removeRetracted(ctx, rc, st, sink, out.Retracted); err != nil {
		return err
	}
	observeSince(rc.Stats.DecisionToPublish, rc.Now().Sub(decided), len(out.Alerts))
	rc.Stats.Alerts.Add(int64(len(out.Alerts)))
	return nil
}

// fetchWait is the context a partition's fetches wait under: it ends a
// FlushEvery after it was made, so that a quiet partition still flushes, and
// serves every fetch until then (a timer per record cost a tenth of the
// detector's time in a replay).
type fetchWait struct {
	parent context.Context
	every  time.Duration
	ctx    context.Context
	cancel context.CancelFunc
}

// context returns the current context, or a new one once it has ended.
func (w *fetchWait) context() context.Context {
	if w.ctx == nil || w.ctx.Err() != nil {
		w.stop()
		w.ctx, w.cancel = context.WithTimeout(w.parent, w.every)
	}
	return w.ctx
}

func (w *fetchWait) stop() {
	if w.cancel != nil {
		w.cancel()
	}
}

// restore gives det the partition's checkpoint and returns the offset to start
// from: the one the checkpoint covers, else the group's committed offset.
func restore(ctx context.Context, rc Config, st Store, name string, det *detect.Detector, p *bus.Partition) (int64, error) {
	snap, err := st.LoadCheckpoint(ctx, name)
	if err != nil {
		return 0, err
	}
	if len(snap) > 8 {
		if err := det.Restore(snap[8:]); err != nil {
			rc.Logger.Warn("checkpoint unreadable; starting the partition afresh", "partition", p.ID, "err", err)
		} else {
			return int64(binary.BigEndian.Uint64(snap[:8])), nil
		}
	}
	return p.Committed, nil
}

// observeSince gives o (if set) the seconds of d, n times.
func observeSince(o Observer, d time.Duration, n int) {
	if o == nil || n == 0 {
		return
	}
	for range n {
		o.Observe(d.Seconds())
	}
}

// handleRecord feeds one record to the detector and reports an end record.
func handleRecord(det *detect.Detector, rc Config, msg *bus.Message, m *downwatch.Mention) bool {
	if kind, at, ok := bus.Control(*msg); ok {
		switch kind {
		case bus.ControlEnd:
			det.End(at)
			return true
		default:
			det.Watermark(at)
		}
		return false
	}
	if err := bus.DecodeMention(msg.Value, m); err != nil || m.Service == "" || m.Post.CreatedAt.IsZero() {
		rc.Stats.Bad.Add(1)
		rc.Logger.Warn("skipping a record that is not a mention", "partition", msg.Partition, "offset", msg.Offset, "err", err)
		return false
	}
	rc.Stats.Records.Add(1)
	late := det.Late()
	det.Handle(m)
	rc.Stats.Late.Add(det.Late() - late)
	if o := rc.Stats.IngestToCount; o != nil {
		for _, h := range msg.Headers {
			if h.Key == bus.HeaderAccepted && len(h.Value) == 8 {
				o.Observe(rc.Now().Sub(time.Unix(0, int64(binary.BigEndian.Uint64(h.Value)))).Seconds())
			}
		}
	}
	return false
}
