package detect

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
)

// Store is what the detector needs from storage (store.Redis satisfies it).
type Store interface {
	Save(ctx context.Context, alerts []downwatch.Alert, publish bool) error
	AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error
	SaveCheckpoint(ctx context.Context, name string, data []byte) error
	LoadCheckpoint(ctx context.Context, name string) ([]byte, error)
	Link(ctx context.Context, a, b string) error
	ActiveIncidents(ctx context.Context) ([]downwatch.Incident, error)
}

// AlertSink receives alerts after they are stored (bus.AlertWriter satisfies it).
type AlertSink interface {
	Publish(ctx context.Context, alerts []downwatch.Alert) error
}

// RunConfig configures the detector process. Zero values take the defaults named.
type RunConfig struct {
	Brokers []string
	// Topic of mentions; default downwatch.mentions.
	Topic string
	// Group id; default downwatch-detector.
	Group string
	// Publish alerts (Redis channel and stream, and Sink); default false, set it.
	Publish bool
	// FlushEvery bounds how long state may stay unflushed; default 500ms.
	FlushEvery time.Duration
	// ExitOnEnd returns once every partition has delivered its end record (replay).
	ExitOnEnd bool
	// RelatedWithin: incidents of different services whose onsets are this close
	// are linked as related; default 5m.
	RelatedWithin time.Duration
	Logger        *slog.Logger
	// Stats, if set, is updated as records are processed.
	Stats *RunStats
}

// RunStats counts what the detector processed.
type RunStats struct {
	Records  atomic.Int64 // mention records
	Bad      atomic.Int64 // records that were not a mention (skipped)
	Late     atomic.Int64 // complaints too late to count (their minute was final)
	Alerts   atomic.Int64
	EndsSeen atomic.Int64
}

// Run consumes mentions in a consumer group until ctx is done (or, with ExitOnEnd,
// until every partition has ended).
//
// Delivery: for each partition, the detector's state and the offset it covers are
// checkpointed in Redis, and the group offset is committed, only after the alerts
// and incidents produced up to that offset are stored. After a crash the partition
// restarts from its checkpoint and reprocesses what followed; incidents are upserts
// with the same ids and revisions, so the store converges, and alerts are delivered
// at least once (sinks deduplicate by incident id and revision).
func Run(ctx context.Context, rc RunConfig, cfg Config, st Store, sink AlertSink) error {
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
	if rc.Stats == nil {
		rc.Stats = &RunStats{}
	}
	parts, err := bus.Partitions(ctx, rc.Brokers, rc.Topic)
	if err != nil {
		return err
	}
	handle := func(ctx context.Context, p *bus.Partition) error {
		return runPartition(ctx, rc, cfg, st, sink, p)
	}
	done := func() bool { return rc.ExitOnEnd && rc.Stats.EndsSeen.Load() >= int64(len(parts)) }
	return bus.Consume(ctx, bus.ConsumerConfig{Brokers: rc.Brokers, Topic: rc.Topic, GroupID: rc.Group, Logger: rc.Logger}, handle, done)
}

func checkpointName(rc RunConfig, part int) string {
	return fmt.Sprintf("%s:%s:%d", rc.Group, rc.Topic, part)
}

func runPartition(ctx context.Context, rc RunConfig, cfg Config, st Store, sink AlertSink, p *bus.Partition) error {
	det, err := New(cfg)
	if err != nil {
		return err
	}
	name := checkpointName(rc, p.ID)
	start := p.Committed
	snap, err := st.LoadCheckpoint(ctx, name)
	if err != nil {
		return err
	}
	if len(snap) > 8 {
		if err := det.Restore(snap[8:]); err != nil {
			rc.Logger.Warn("checkpoint unreadable; starting the partition afresh", "partition", p.ID, "err", err)
		} else {
			start = int64(binary.BigEndian.Uint64(snap[:8]))
		}
	}
	if err := p.Start(start); err != nil {
		return err
	}
	rc.Logger.Debug("partition started", "partition", p.ID, "offset", start)
	next := int64(-1)
	lastFlush := time.Now()
	flush := func() error {
		if next < 0 {
			return nil
		}
		out := det.Drain()
		if err := persist(ctx, rc, st, sink, out); err != nil {
			return err
		}
		rc.Stats.Alerts.Add(int64(len(out.Alerts)))
		state, err := det.Snapshot()
		if err != nil {
			return err
		}
		buf := make([]byte, 8, 8+len(state))
		binary.BigEndian.PutUint64(buf, uint64(next))
		if err := st.SaveCheckpoint(ctx, name, append(buf, state...)); err != nil {
			return err
		}
		lastFlush = time.Now()
		return p.Commit(next)
	}
	var m downwatch.Mention
	for {
		fctx, cancel := context.WithTimeout(ctx, rc.FlushEvery)
		msg, err := p.Fetch(fctx)
		cancel()
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
		if len(det.alerts) > 0 || time.Since(lastFlush) >= rc.FlushEvery {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// handleRecord feeds one record to the detector and reports an end record.
func handleRecord(det *Detector, rc RunConfig, msg *kafka.Message, m *downwatch.Mention) bool {
	if kind, at, ok := bus.Control(*msg); ok {
		switch kind {
		case downwatch.ControlEnd:
			det.End(at)
			return true
		default:
			det.Watermark(at)
		}
		return false
	}
	if err := downwatch.DecodeMention(msg.Value, m); err != nil || m.Service == "" || m.Post.CreatedAt.IsZero() {
		rc.Stats.Bad.Add(1)
		rc.Logger.Warn("skipping a record that is not a mention", "partition", msg.Partition, "offset", msg.Offset, "err", err)
		return false
	}
	rc.Stats.Records.Add(1)
	late := det.late
	det.Handle(m)
	rc.Stats.Late.Add(det.late - late)
	return false
}

// persist stores what the detector produced: links first (so the opened alert
// carries them), then incidents and alerts, then the series.
func persist(ctx context.Context, rc RunConfig, st Store, sink AlertSink, out Drained) error {
	if len(out.Opened) > 0 {
		active, err := st.ActiveIncidents(ctx)
		if err != nil {
			return err
		}
		byID := map[string]downwatch.Incident{}
		for _, a := range active {
			byID[a.ID] = a
		}
		for _, al := range out.Alerts {
			byID[al.Incident.ID] = al.Incident
		}
		for _, id := range out.Opened {
			me := byID[id]
			for _, other := range byID {
				if other.ID == id || other.Service == me.Service || !other.Active() {
					continue
				}
				if d := other.StartedAt.Sub(me.StartedAt); d <= rc.RelatedWithin && d >= -rc.RelatedWithin {
					if err := st.Link(ctx, id, other.ID); err != nil {
						return err
					}
					for i := range out.Alerts {
						if out.Alerts[i].Incident.ID == id {
							out.Alerts[i].Incident.Related = append(out.Alerts[i].Incident.Related, other.ID)
						}
					}
				}
			}
		}
	}
	if err := st.Save(ctx, out.Alerts, rc.Publish); err != nil {
		return err
	}
	if rc.Publish && sink != nil {
		if err := sink.Publish(ctx, out.Alerts); err != nil {
			return err
		}
	}
	return st.AppendSeries(ctx, out.Series)
}
