package detect

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"sync/atomic"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/health"
)

// Store is what the detector needs from storage (store.Redis satisfies it).
type Store interface {
	Save(ctx context.Context, alerts []downwatch.Alert, publish bool) error
	AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error
	SaveCheckpoint(ctx context.Context, name string, data []byte) error
	LoadCheckpoint(ctx context.Context, name string) ([]byte, error)
	Link(ctx context.Context, a, b string) error
	IncidentsStartedBetween(ctx context.Context, from, to time.Time) ([]downwatch.Incident, error)
}

// OperatorStore is what the detector reads to learn what people did to the
// incidents it holds (store.Redis satisfies it). A Store without it is never
// asked.
type OperatorStore interface {
	OperatorRevisions(ctx context.Context, ids []string) (map[string]int, error)
	Incident(ctx context.Context, id string) (downwatch.Incident, error)
}

// SilenceStore lists the silences (store.Redis satisfies it). A Store without
// it silences nothing.
type SilenceStore interface {
	Silences(ctx context.Context, now time.Time, all bool) ([]downwatch.Silence, error)
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
	// Health, when set, is told whether Kafka answers (dependency "kafka").
	Health *health.Health
	// Security of the Kafka connections; zero = plaintext.
	Security bus.Security
	// Now is the wall clock silences are judged by; default time.Now.
	Now func() time.Time
}

// RunStats counts what the detector processed.
type RunStats struct {
	Records  atomic.Int64 // mention records
	Bad      atomic.Int64 // records that were not a mention (skipped)
	Late     atomic.Int64 // complaints too late to count (their minute was final)
	Alerts   atomic.Int64
	EndsSeen atomic.Int64
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
// converges and never goes back to an older revision, the Redis stream and channel
// carry each revision once, and Kafka alerts are at least once (sinks deduplicate
// by incident id and revision).
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
	return bus.Consume(ctx, bus.ConsumerConfig{Brokers: rc.Brokers, Topic: rc.Topic, GroupID: rc.Group, Logger: rc.Logger, Health: rc.Health, Security: rc.Security}, handle, done)
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
	start, err := restore(ctx, rc, st, name, det, p)
	if err != nil {
		return err
	}
	if err := p.Start(start); err != nil {
		return err
	}
	rc.Logger.Debug("partition started", "partition", p.ID, "offset", start)
	next := int64(-1)
	lastFlush, decided := time.Now(), time.Time{} // decided: when the alerts of the next flush were
	flush := func() error {
		if next < 0 {
			return nil
		}
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
		observeSince(rc.Stats.DecisionToPublish, decided, len(out.Alerts))
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
		lastFlush, decided = time.Now(), time.Time{}
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
			if decided.IsZero() {
				decided = time.Now()
			}
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// restore gives det the partition's checkpoint and returns the offset to start
// from: the one the checkpoint covers, else the group's committed offset.
func restore(ctx context.Context, rc RunConfig, st Store, name string, det *Detector, p *bus.Partition) (int64, error) {
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

// observeSince gives o (if set) the seconds since t, n times.
func observeSince(o Observer, t time.Time, n int) {
	if o == nil || n == 0 {
		return
	}
	d := time.Since(t).Seconds()
	for range n {
		o.Observe(d)
	}
}

// handleRecord feeds one record to the detector and reports an end record.
func handleRecord(det *Detector, rc RunConfig, msg *bus.Message, m *downwatch.Mention) bool {
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
	if o := rc.Stats.IngestToCount; o != nil {
		for _, h := range msg.Headers {
			if h.Key == bus.HeaderAccepted && len(h.Value) == 8 {
				o.Observe(time.Since(time.Unix(0, int64(binary.BigEndian.Uint64(h.Value)))).Seconds())
			}
		}
	}
	return false
}

// persist stores what the detector produced: incidents and alerts, the links of
// the incidents it opened, then the series.
//
// Links follow Related, from the incidents' own onsets. Each opened incident is
// first related to what the store already holds (so its opened alert carries
// those links), and linked again after it is stored: of two related incidents
// opened at once by two detectors, each stores itself before it looks, so at
// least one of them sees the other, and Link is symmetric and idempotent.
func persist(ctx context.Context, rc RunConfig, st Store, sink AlertSink, out Drained) error {
	for _, id := range out.Opened {
		rel, err := related(ctx, rc, st, out, id)
		if err != nil {
			return err
		}
		for i := range out.Alerts {
			if out.Alerts[i].Incident.ID == id {
				out.Alerts[i].Incident.Related = rel
			}
		}
	}
	if err := st.Save(ctx, out.Alerts, rc.Publish); err != nil {
		return err
	}
	for _, id := range out.Opened {
		rel, err := related(ctx, rc, st, out, id)
		if err != nil {
			return err
		}
		for _, other := range rel {
			if err := st.Link(ctx, id, other); err != nil {
				return err
			}
		}
	}
	if rc.Publish && sink != nil {
		if err := sink.Publish(ctx, out.Alerts); err != nil {
			return err
		}
	}
	return st.AppendSeries(ctx, out.Series)
}

// related returns the sorted ids of the incidents, in the store or in out, that
// Related links to the incident id of out.
func related(ctx context.Context, rc RunConfig, st Store, out Drained, id string) ([]string, error) {
	var me downwatch.Incident
	for _, al := range out.Alerts {
		if al.Incident.ID == id {
			me = al.Incident
		}
	}
	if me.ID == "" {
		return nil, nil
	}
	stored, err := st.IncidentsStartedBetween(ctx, me.StartedAt.Add(-rc.RelatedWithin), me.StartedAt.Add(rc.RelatedWithin))
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, other := range stored {
		if Related(me, other, rc.RelatedWithin) {
			ids = append(ids, other.ID)
		}
	}
	for _, al := range out.Alerts {
		if Related(me, al.Incident, rc.RelatedWithin) {
			ids = append(ids, al.Incident.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// operated makes the detector take in what people did (docs/CONTRACT.md §3,
// operator actions) to the incidents it is about to write: for each whose
// operator mark in the store is newer than what the detector knows, it reads
// the stored incident (and the one it was merged into), drops the alerts it
// made without knowing, and makes them again over the person's change. One
// round trip per flush with alerts; a person's change to an incident the
// detector does not write again needs nothing from it.
//
// A person's write between this check and the detector's Save has the same
// revision as the detector's: the compare-and-set keeps the person's, and the
// detector's change is stored with its next alert, when this check sees the mark.
func operated(ctx context.Context, st Store, det *Detector, out Drained) (Drained, error) {
	ops, ok := st.(OperatorStore)
	if !ok || len(out.Alerts) == 0 {
		return out, nil
	}
	var ids []string
	for _, al := range out.Alerts {
		ids = append(ids, al.Incident.ID)
	}
	slices.Sort(ids)
	marks, err := ops.OperatorRevisions(ctx, slices.Compact(ids))
	if err != nil || len(marks) == 0 {
		return out, err
	}
	type change struct {
		stored   downwatch.Incident
		survivor *downwatch.Incident
		dropped  downwatch.Alert
	}
	changed := map[string]*change{}
	for id, mark := range marks {
		if mark <= det.OperatorRevision(id) {
			continue
		}
		c := &change{}
		if c.stored, err = ops.Incident(ctx, id); err != nil {
			return out, err
		}
		if into := c.stored.MergedInto; into != "" {
			s, err := ops.Incident(ctx, into)
			if err != nil {
				return out, err
			}
			c.survivor = &s
		}
		changed[id] = c
	}
	if len(changed) == 0 {
		return out, nil
	}
	kept := make([]downwatch.Alert, 0, len(out.Alerts))
	for _, al := range out.Alerts {
		if c := changed[al.Incident.ID]; c != nil {
			c.dropped = al
			continue
		}
		kept = append(kept, al)
	}
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		c := changed[id]
		det.Operated(c.stored, c.survivor, c.dropped)
	}
	out.Alerts = append(kept, det.Drain().Alerts...)
	return out, nil
}

// silence marks the alerts that an active silence matches (docs/CONTRACT.md
// §9) before they are stored and published anywhere: Redis and Kafka carry them
// marked, and receivers (notify) skip them. Silences are judged at wall-clock
// time, one read per flush with alerts.
func silence(ctx context.Context, rc RunConfig, st Store, alerts []downwatch.Alert) error {
	ss, ok := st.(SilenceStore)
	if !ok || len(alerts) == 0 {
		return nil
	}
	now := time.Now
	if rc.Now != nil {
		now = rc.Now
	}
	list, err := ss.Silences(ctx, now(), false)
	if err != nil {
		return err
	}
	downwatch.SilenceAlerts(alerts, list, now())
	return nil
}
