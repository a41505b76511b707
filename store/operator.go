package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// ErrConflict is returned by Act when the incident changed since its revision
// was read (the detector or another person wrote it): read it again and retry.
var ErrConflict = errors.New("store: incident changed since it was read")

// actScript writes one or two incidents of one service (one slot) if each is
// still at the revision the caller read: a person's change never overwrites a
// revision it did not see. For each incident k (0-based), KEYS[4k+1..4k+4] are
// its JSON, the service's index, its related set and its operator mark;
// ARGV[7k+1..7k+7] the revision read, the new JSON, the expiry in ms (0: none),
// the index score, the id, the new revision and the mark's expiry in ms. The
// operator mark holds the new revision, so a detector holding the incident in
// memory learns that a person changed it (OperatorRevisions); it lives for
// Config.Retention.
// Returns 0 when written, k+1 when incident k is at another revision, -(k+1)
// when it does not exist.
var actScript = redis.NewScript(`
local n = #KEYS / 4
for k = 0, n - 1 do
  local cur = redis.call('GET', KEYS[4*k + 1])
  if not cur then return -(k + 1) end
  local stored = 0
  local ok, obj = pcall(cjson.decode, cur)
  if ok and type(obj) == 'table' and obj['revision'] then stored = tonumber(obj['revision']) end
  if stored ~= tonumber(ARGV[7*k + 1]) then return k + 1 end
end
for k = 0, n - 1 do
  local ttl = tonumber(ARGV[7*k + 3])
  if ttl > 0 then
    redis.call('SET', KEYS[4*k + 1], ARGV[7*k + 2], 'PX', ttl)
    redis.call('PEXPIRE', KEYS[4*k + 3], ttl)
  else
    redis.call('SET', KEYS[4*k + 1], ARGV[7*k + 2])
    redis.call('PERSIST', KEYS[4*k + 3])
  end
  redis.call('SET', KEYS[4*k + 4], ARGV[7*k + 6], 'PX', ARGV[7*k + 7])
  redis.call('ZADD', KEYS[4*k + 2], ARGV[7*k + 4], ARGV[7*k + 5])
end
return 0
`)

func (r *Redis) operatorKey(id string) string { return r.svc(ServiceOf(id)) + "operator:" + id }

// Act records a person's action on incident id and returns the alerts it makes
// (two for a merge or link: one per incident), each marked with the silence
// that matches it, if any. It publishes nothing: the caller hands the alerts to
// the list of sinks (package sink), as the detector does. rev is the revision
// the person saw (0: the one stored now); the write is a compare-and-set on it,
// and ErrConflict says the incident changed in between.
//
// Merge (a.Other the incident merged into id) writes both incidents in one
// script, since incidents of one service share a slot. Link (a.Other an incident
// of any service) writes the related sets and then each incident in turn, the
// other one at its current revision (retried on a conflict).
func (r *Redis) Act(ctx context.Context, id string, rev int, a downwatch.Action) ([]downwatch.Alert, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	inc, err := r.Incident(ctx, id)
	if err != nil {
		return nil, err
	}
	if rev == 0 {
		rev = inc.Revision
	}
	if inc.Revision != rev {
		return nil, fmt.Errorf("%w: %s is at revision %d, you saw %d; read it again and retry", ErrConflict, id, inc.Revision, rev)
	}
	switch a.Type {
	case downwatch.ActionMerge:
		return r.merge(ctx, inc, a)
	case downwatch.ActionLink:
		return r.link(ctx, inc, a)
	}
	typ, err := inc.Apply(a)
	if err != nil {
		return nil, err
	}
	als := []downwatch.Alert{{Type: typ, At: a.At.UTC(), Incident: inc}}
	if err := r.silenced(ctx, als, a.At); err != nil {
		return nil, err
	}
	if err := r.casWrite(ctx, []int{rev}, []downwatch.Incident{als[0].Incident}); err != nil {
		return nil, err
	}
	return als, nil
}

func (r *Redis) merge(ctx context.Context, s downwatch.Incident, a downwatch.Action) ([]downwatch.Alert, error) {
	x, err := r.Incident(ctx, a.Other)
	if err != nil {
		return nil, err
	}
	revs := []int{s.Revision, x.Revision}
	if err := downwatch.Merge(&s, &x, a); err != nil {
		return nil, err
	}
	out := []downwatch.Alert{{Type: downwatch.AlertMerged, At: a.At.UTC(), Incident: x}, {Type: downwatch.AlertMerged, At: a.At.UTC(), Incident: s}}
	if err := r.silenced(ctx, out, a.At); err != nil {
		return nil, err
	}
	if err := r.casWrite(ctx, revs, []downwatch.Incident{out[1].Incident, out[0].Incident}); err != nil {
		return nil, err
	}
	return out, nil
}

func (r *Redis) link(ctx context.Context, inc downwatch.Incident, a downwatch.Action) ([]downwatch.Alert, error) {
	if a.Other == inc.ID {
		return nil, fmt.Errorf("%w: cannot link %s to itself", downwatch.ErrAction, inc.ID)
	}
	if _, err := r.Incident(ctx, a.Other); err != nil {
		return nil, err
	}
	if err := r.Link(ctx, inc.ID, a.Other); err != nil {
		return nil, err
	}
	typ, err := inc.Apply(a)
	if err != nil {
		return nil, err
	}
	first := []downwatch.Alert{{Type: typ, At: a.At.UTC(), Incident: inc}}
	if err := r.silenced(ctx, first, a.At); err != nil {
		return nil, err
	}
	if err := r.casWrite(ctx, []int{inc.Revision - 1}, []downwatch.Incident{first[0].Incident}); err != nil {
		return nil, err
	}
	b := a
	b.Other = inc.ID
	for attempt := 0; ; attempt++ {
		other, err := r.Incident(ctx, a.Other)
		if err != nil {
			return nil, err
		}
		if _, err := other.Apply(b); err != nil {
			return nil, err
		}
		second := []downwatch.Alert{{Type: typ, At: a.At.UTC(), Incident: other}}
		if err := r.silenced(ctx, second, a.At); err != nil {
			return nil, err
		}
		err = r.casWrite(ctx, []int{other.Revision - 1}, []downwatch.Incident{second[0].Incident})
		if errors.Is(err, ErrConflict) && attempt < 3 {
			continue
		}
		if err != nil {
			return nil, err
		}
		return append(first, second...), nil
	}
}

// casWrite stores incs (of one service) if each is still at revs, then updates
// the global indexes.
func (r *Redis) casWrite(ctx context.Context, revs []int, incs []downwatch.Incident) error {
	var keys []string
	var args []any
	for i, inc := range incs {
		inc.Related = nil // kept as sets beside the incident
		body, err := json.Marshal(inc)
		if err != nil {
			return fmt.Errorf("store: encode incident %s: %w", inc.ID, err)
		}
		k := r.incidentKeys(inc.ID)
		keys = append(keys, k[0], k[1], k[2], r.operatorKey(inc.ID))
		args = append(args, revs[i], body, r.expiryMS(inc), float64(inc.StartedAt.Unix()), inc.ID, inc.Revision, r.cfg.Retention.Milliseconds())
	}
	res, err := actScript.Run(ctx, r.c, keys, args...).Int()
	if err != nil {
		return fmt.Errorf("store: write %s: %w", incs[0].ID, err)
	}
	switch {
	case res > 0:
		return fmt.Errorf("%w: %s changed while it was being written; read it again and retry", ErrConflict, incs[res-1].ID)
	case res < 0:
		return fmt.Errorf("%w: %s", ErrNotFound, incs[-res-1].ID)
	}
	pipe := r.c.Pipeline()
	for _, inc := range incs {
		r.index(ctx, pipe, inc)
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: index %s: %w", incs[0].ID, err)
	}
	return nil
}

// OperatorRevisions returns, for each of ids a person has acted on, the
// revision of the last such action, in one round trip. A detector holding one
// of them in memory compares it with the incident's own OperatorRevision to know
// whether a person changed it since.
func (r *Redis) OperatorRevisions(ctx context.Context, ids []string) (map[string]int, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	pipe := r.c.Pipeline()
	cmds := make([]*redis.StringCmd, len(ids))
	for i, id := range ids {
		cmds[i] = pipe.Get(ctx, r.operatorKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: read the operator marks of %d incidents: %w", len(ids), err)
	}
	out := map[string]int{}
	for i, c := range cmds {
		if n, err := c.Int(); err == nil {
			out[ids[i]] = n
		}
	}
	return out, nil
}
