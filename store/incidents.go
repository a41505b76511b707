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

// Save stores the incident carried by each alert. It publishes nothing: the
// alert sinks do that (Publish, for the channel and stream of this store).
//
// Each write is a compare-and-set on the incident's revision (a Lua script
// touching only the incident's own {service} keys): a revision older than the
// stored one is skipped, so a slow member after a rebalance or a restarted
// detector replaying never overwrites a newer one, and saving the same revision
// again is harmless. The global indexes (all incidents, active ones) are updated
// after it, idempotently.
func (r *Redis) Save(ctx context.Context, alerts []downwatch.Alert) error {
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
		cas[i] = saveScript.Eval(ctx, pipe, r.incidentKeys(inc.ID)[:3],
			inc.Revision, body, r.expiryMS(inc), float64(inc.StartedAt.Unix()), inc.ID)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: save %d incident changes: %w", len(alerts), err)
	}
	idx := r.c.Pipeline()
	for i, al := range alerts {
		if res, _ := cas[i].Int(); res == 1 {
			r.index(ctx, idx, al.Incident)
		}
	}
	if idx.Len() > 0 {
		if _, err := idx.Exec(ctx); err != nil {
			return fmt.Errorf("store: index %d incident changes: %w", idx.Len(), err)
		}
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

// incidentKeys are the keys of saveScript (the first three) and of claimScript
// and publishedScript (the last two), all in the incident's {service} slot.
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
