package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// ErrBusy is returned by Save when another writer is publishing one of the
// revisions (two detectors on one partition during a rebalance); retry later.
var ErrBusy = errors.New("store: another writer is publishing this incident revision")

// claimLease bounds how long a writer that died while publishing keeps others
// from publishing the revision it claimed.
const claimLease = 5 * time.Second

// Save stores the incident carried by each alert and, when publish is set,
// publishes the alerts on the channel and the stream.
//
// Each write is a compare-and-set on the incident's revision (a Lua script
// touching only the incident's own {service} keys): a revision older than the
// stored one is skipped, so a slow member after a rebalance or a restarted
// detector replaying never overwrites a newer one, and saving the same revision
// again is harmless. The global indexes (all incidents, active ones) are updated
// after it, idempotently. Each revision is published once: the script hands the
// publishing of a revision to one caller (a claim with a 5s lease, so a writer
// that dies holding it delays the revision rather than losing it), and on a
// single Redis the stream entry, the message and the "published" mark are one
// MULTI/EXEC. On Redis Cluster they span slots and go in one pipeline instead:
// a crash between them can publish a revision twice. (A replay into a live
// Redis may skip publishing.)
func (r *Redis) Save(ctx context.Context, alerts []downwatch.Alert, publish bool) error {
	if len(alerts) == 0 {
		return nil
	}
	cas := make([]*redis.Cmd, len(alerts))
	pipe := r.c.Pipeline()
	for i, al := range alerts {
		inc := al.Incident
		inc.Related = nil // kept as sets beside the incident, merged on read
		body, err := json.Marshal(inc)
		if err != nil {
			return fmt.Errorf("store: encode incident %s: %w", inc.ID, err)
		}
		cas[i] = saveScript.Eval(ctx, pipe, r.incidentKeys(inc.ID),
			inc.Revision, body, r.expiryMS(inc), float64(inc.StartedAt.Unix()), inc.ID, r.token, claimLease.Milliseconds(), boolArg(publish))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: save %d incident changes: %w", len(alerts), err)
	}
	busy := 0
	idx := r.c.Pipeline()
	for i, al := range alerts {
		switch res, _ := cas[i].Int(); res {
		case -1:
			busy++
		case 1:
			r.index(ctx, idx, al.Incident)
		case 2:
			if err := r.publish(ctx, al); err != nil {
				return err
			}
		}
	}
	if idx.Len() > 0 {
		if _, err := idx.Exec(ctx); err != nil {
			return fmt.Errorf("store: index %d incident changes: %w", idx.Len(), err)
		}
	}
	if busy > 0 {
		return fmt.Errorf("%w (%d of %d changes); retrying", ErrBusy, busy, len(alerts))
	}
	return nil
}

// index queues the global index updates for inc; they are idempotent.
func (r *Redis) index(ctx context.Context, pipe redis.Pipeliner, inc downwatch.Incident) {
	score := float64(inc.StartedAt.Unix())
	if inc.Active() {
		pipe.ZAdd(ctx, r.cfg.Prefix+"active", redis.Z{Score: score, Member: inc.ID})
	} else {
		pipe.ZRem(ctx, r.cfg.Prefix+"active", inc.ID)
	}
	pipe.ZAdd(ctx, r.cfg.Prefix+"incidents", redis.Z{Score: score, Member: inc.ID})
}

// publish updates the indexes, puts al on the stream and the channel, and marks
// its revision published, in one MULTI/EXEC where the client allows it.
func (r *Redis) publish(ctx context.Context, al downwatch.Alert) error {
	a, err := json.Marshal(al)
	if err != nil {
		return fmt.Errorf("store: encode alert for %s: %w", al.Incident.ID, err)
	}
	var pipe redis.Pipeliner
	if _, single := r.c.(*redis.Client); single {
		pipe = r.c.TxPipeline()
	} else {
		pipe = r.c.Pipeline()
	}
	inc := al.Incident
	r.index(ctx, pipe, inc)
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: r.StreamKey(), MaxLen: r.cfg.StreamLen, Approx: true, Values: []any{"alert", a}})
	pipe.Publish(ctx, r.Channel(), a)
	keys := r.incidentKeys(inc.ID)
	publishedScript.Eval(ctx, pipe, keys[3:5], inc.Revision, r.expiryMS(inc), r.token)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: publish %s revision %d: %w", inc.ID, inc.Revision, err)
	}
	return nil
}

// incidentKeys are the keys of saveScript, all in the incident's {service} slot.
func (r *Redis) incidentKeys(id string) []string {
	base := r.svc(ServiceOf(id))
	return []string{r.incidentKey(id), base + "incidents", r.relatedKey(id), base + "published:" + id, base + "claim:" + id}
}

// expiryMS is how long an incident's keys live: resolved ones for Retention
// (wall-clock, never from event time), open ones for ever (0).
func (r *Redis) expiryMS(inc downwatch.Incident) int64 {
	if inc.Active() {
		return 0
	}
	return r.cfg.Retention.Milliseconds()
}

func boolArg(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// Link records that incidents a and b look like one common cause.
func (r *Redis) Link(ctx context.Context, a, b string) error {
	if a == b {
		return nil
	}
	pipe := r.c.Pipeline()
	pipe.SAdd(ctx, r.relatedKey(a), b)
	pipe.SAdd(ctx, r.relatedKey(b), a)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: link %s and %s: %w", a, b, err)
	}
	return nil
}

// Incident returns one incident with its related ids.
func (r *Redis) Incident(ctx context.Context, id string) (downwatch.Incident, error) {
	incs, err := r.load(ctx, []string{id})
	if err != nil {
		return downwatch.Incident{}, err
	}
	if len(incs) == 0 {
		return downwatch.Incident{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return incs[0], nil
}

// Query selects incidents. The zero value lists the 100 most recent.
type Query struct {
	Active  bool   // only open and acknowledged
	Service string // only this service
	Limit   int    // default 100
}

// Incidents lists incidents newest first (by started_at).
func (r *Redis) Incidents(ctx context.Context, q Query) ([]downwatch.Incident, error) {
	if q.Limit <= 0 {
		q.Limit = 100
	}
	index := r.cfg.Prefix + "incidents"
	switch {
	case q.Active:
		index = r.cfg.Prefix + "active"
	case q.Service != "":
		index = r.svc(q.Service) + "incidents"
	}
	// Over-fetch when filtering active by service; the active set is small.
	n := int64(q.Limit)
	if q.Active && q.Service != "" {
		n = 10000
	}
	ids, err := r.c.ZRevRange(ctx, index, 0, n-1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list %s: %w", index, err)
	}
	if q.Active && q.Service != "" {
		ids = slices.DeleteFunc(ids, func(id string) bool { return ServiceOf(id) != q.Service })
	}
	if len(ids) > q.Limit {
		ids = ids[:q.Limit]
	}
	incs, err := r.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	if q.Active {
		incs = slices.DeleteFunc(incs, func(i downwatch.Incident) bool { return !i.Active() })
	}
	return incs, nil
}

// load reads incidents by id in one round trip, skipping ids whose key expired.
func (r *Redis) load(ctx context.Context, ids []string) ([]downwatch.Incident, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := r.c.Pipeline()
	gets := make([]*redis.StringCmd, len(ids))
	rels := make([]*redis.StringSliceCmd, len(ids))
	for i, id := range ids {
		gets[i] = pipe.Get(ctx, r.incidentKey(id))
		rels[i] = pipe.SMembers(ctx, r.relatedKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: read %d incidents: %w", len(ids), err)
	}
	out := make([]downwatch.Incident, 0, len(ids))
	for i := range ids {
		body, err := gets[i].Bytes()
		if err != nil {
			continue // expired or never written
		}
		var inc downwatch.Incident
		if err := json.Unmarshal(body, &inc); err != nil {
			return nil, fmt.Errorf("store: decode incident %s: %w", ids[i], err)
		}
		if rel := rels[i].Val(); len(rel) > 0 {
			slices.Sort(rel)
			inc.Related = rel
		}
		out = append(out, inc)
	}
	return out, nil
}

// IncidentsStartedBetween returns the incidents whose started_at lies in
// [from, to], any state, oldest first.
func (r *Redis) IncidentsStartedBetween(ctx context.Context, from, to time.Time) ([]downwatch.Incident, error) {
	index := r.cfg.Prefix + "incidents"
	// The index scores whole seconds; widen by one and filter exactly below.
	ids, err := r.c.ZRangeByScore(ctx, index, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.Unix()-1, 10), Max: strconv.FormatInt(to.Unix()+1, 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list %s by start: %w", index, err)
	}
	incs, err := r.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(incs, func(i downwatch.Incident) bool {
		return i.StartedAt.Before(from) || i.StartedAt.After(to)
	}), nil
}
