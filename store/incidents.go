package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// Save stores the incident carried by each alert, updates the indexes and, when
// publish is set, publishes the alerts on the channel and the stream, all in one
// pipelined round trip. Saving the same revision again is harmless: stores are
// upserts keyed by incident id. (A replay into a live Redis may skip publishing.)
func (r *Redis) Save(ctx context.Context, alerts []downwatch.Alert, publish bool) error {
	if len(alerts) == 0 {
		return nil
	}
	pipe := r.c.Pipeline()
	for _, al := range alerts {
		inc := al.Incident
		inc.Related = nil // kept as sets beside the incident, merged on read
		body, err := json.Marshal(inc)
		if err != nil {
			return fmt.Errorf("store: encode incident %s: %w", inc.ID, err)
		}
		score := float64(inc.StartedAt.Unix())
		key := r.incidentKey(inc.ID)
		if inc.Active() {
			pipe.Set(ctx, key, body, 0)
			pipe.ZAdd(ctx, r.cfg.Prefix+"active", redis.Z{Score: score, Member: inc.ID})
		} else {
			pipe.Set(ctx, key, body, r.cfg.Retention)
			pipe.ZRem(ctx, r.cfg.Prefix+"active", inc.ID)
			pipe.Expire(ctx, r.relatedKey(inc.ID), r.cfg.Retention)
		}
		pipe.ZAdd(ctx, r.svc(inc.Service)+"incidents", redis.Z{Score: score, Member: inc.ID})
		pipe.ZAdd(ctx, r.cfg.Prefix+"incidents", redis.Z{Score: score, Member: inc.ID})
		if !publish {
			continue
		}
		a, err := json.Marshal(al)
		if err != nil {
			return fmt.Errorf("store: encode alert for %s: %w", inc.ID, err)
		}
		pipe.Publish(ctx, r.Channel(), a)
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: r.StreamKey(), MaxLen: r.cfg.StreamLen, Approx: true, Values: []any{"alert", a}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: save %d incident changes: %w", len(alerts), err)
	}
	return nil
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
