package runner

import (
	"context"
	"maps"
	"slices"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/detect"
)

// OperatorStore is what the runner reads to tell a detector what people did to
// the incidents it holds (store.Redis satisfies it). A Store without it is
// never asked.
type OperatorStore interface {
	OperatorRevisions(ctx context.Context, ids []string) (map[string]int, error)
	Incident(ctx context.Context, id string) (downwatch.Incident, error)
}

// ForgottenStore lists the posts the store removed from an incident (a
// forgotten author, a deleted post, the post retention; store.Redis satisfies
// it), so that the detector holding it does not write them back.
type ForgottenStore interface {
	Forgotten(ctx context.Context, id string) ([]downwatch.Post, error)
}

// SilenceStore lists the silences (store.Redis satisfies it). A Store without
// it silences nothing.
type SilenceStore interface {
	Silences(ctx context.Context, now time.Time, all bool) ([]downwatch.Silence, error)
}

// operated makes the detector take in what people did (docs/CONTRACT.md §3,
// operator actions) to the incidents it is about to write: for each whose
// operator mark in the store is newer than what the detector knows, it reads
// the stored incident (and the one it was merged into), drops the alerts it
// made without knowing, and makes them again over the person's change. One
// round trip per flush with alerts; a person's change to an incident the
// detector does not write again needs nothing from it. Posts the store
// removed from it (ForgottenStore) leave the detector's copy first.
//
// A person's write between this check and the detector's Save has the same
// revision as the detector's: the compare-and-set keeps the person's, and the
// detector's change is stored with its next alert, when this check sees the mark.
func operated(ctx context.Context, st Store, det *detect.Detector, out detect.Drained) (detect.Drained, error) {
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
	fs, _ := st.(ForgottenStore)
	for _, id := range slices.Sorted(maps.Keys(changed)) {
		c := changed[id]
		if fs != nil {
			posts, err := fs.Forgotten(ctx, id)
			if err != nil {
				return out, err
			}
			det.Forget(id, posts)
		}
		det.Operated(c.stored, c.survivor, c.dropped)
	}
	out.Alerts = append(kept, det.Drain().Alerts...)
	return out, nil
}

// silence marks the alerts that an active silence matches (docs/CONTRACT.md
// §9) before they are stored and handed to the list of sinks: the stored
// incident, the Redis channel and stream and the Kafka topic all carry the
// mark, and receivers (notify) skip what carries it. Silences are judged at
// wall-clock time (Config.Now), one read per flush with alerts.
func silence(ctx context.Context, rc Config, st Store, alerts []downwatch.Alert) error {
	ss, ok := st.(SilenceStore)
	if !ok || len(alerts) == 0 {
		return nil
	}
	now := rc.Now()
	list, err := ss.Silences(ctx, now, false)
	if err != nil {
		return err
	}
	downwatch.SilenceAlerts(alerts, list, now)
	return nil
}

// PostRemover takes posts deleted upstream out of the stored incidents the
// detector no longer holds, and out of the alert stream (store.Redis
// satisfies it); it returns the alerts of the incidents it rewrote, one per
// incident. A Store without it leaves them as they are.
type PostRemover interface {
	RemovePosts(ctx context.Context, rs []downwatch.Retracted, now time.Time) ([]downwatch.Alert, error)
}

// removeRetracted takes the posts retracted in this flush out of their
// services' stored incidents the detector no longer holds (the one it holds
// it has already rewritten) and out of the alert stream, then publishes the
// rewritten incidents. It runs after persist, so the detector's own rewrite
// is stored first; a failure fails the flush, which is retried from the
// checkpoint, so the retracts are handled again (removing is idempotent).
func removeRetracted(ctx context.Context, rc Config, st Store, sink AlertSink, rs []downwatch.Retracted) error {
	pr, ok := st.(PostRemover)
	if !ok || len(rs) == 0 {
		return nil
	}
	alerts, err := pr.RemovePosts(ctx, rs, rc.Now())
	if err != nil || sink == nil || len(alerts) == 0 {
		return err
	}
	return sink.Publish(ctx, alerts)
}
