package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// Privacy (docs/CONTRACT.md §3, §5, README "Privacy"). Post texts and authors
// are kept in two places of the store: the incidents' sample posts and
// acknowledgements, and the alerts on the alert stream, which carry the
// incident as it was. (Seen ids, notification logs, operator marks, published
// marks and forgotten sets hold ids and revisions, no post.) Each change below
// rewrites an incident as a new revision, a compare-and-set on the revision
// read that raises the operator mark, so a detector holding the incident
// drops the posts listed in its forgotten set and takes the stored one in
// before it writes again; it keeps the incident's remaining expiry, and
// deletes from the stream the alerts that carried a removed post: subscribers
// catching up read the new revision instead.

// maxRewriteTries bounds the retries of one incident's compare-and-set when
// the detector or a person writes it at the same time.
const maxRewriteTries = 5

// Removed is what a removal changed.
type Removed struct {
	// Alerts are the incidents rewritten (incident.updated, a new revision), to
	// be published by the caller, as Act's.
	Alerts []downwatch.Alert
	// Posts are the posts taken out, with the incident each left.
	Posts []RemovedPost
	// StreamEntries is how many alerts were deleted from the alert stream.
	StreamEntries int
}

// Refs lists the posts taken out by incident, source and id, never their
// text: what forget reports.
func (r Removed) Refs() []RemovedRef {
	out := make([]RemovedRef, 0, len(r.Posts))
	for _, p := range r.Posts {
		out = append(out, RemovedRef{Incident: p.Incident, Source: p.Post.Source, ID: p.Post.ID})
	}
	return out
}

// RemovedRef names a post taken out of an incident (docs/CONTRACT.md §12).
type RemovedRef struct {
	Incident string `json:"incident"`
	Source   string `json:"source"`
	ID       string `json:"id"`
}

// RemovedPost is a post taken out of incident Incident.
type RemovedPost struct {
	Incident string
	Post     downwatch.Post
}

// RemovePosts takes posts deleted upstream (retracts, docs/CONTRACT.md §5)
// out of the stored incidents of their services that are no longer active:
// the detector takes them out of the incident it follows (Removed), and this
// out of the earlier ones it no longer holds. A removed acknowledgement takes
// acknowledged_at with it, as the detector's retract does. One search of each
// service's incidents, and one pass over the alert stream when a post was in
// one of them or the detector removed one, serve all of rs. It returns the
// alerts of the incidents it rewrote (incident.updated), one per incident, for
// the caller to publish.
func (r *Redis) RemovePosts(ctx context.Context, rs []downwatch.Retracted, now time.Time) ([]downwatch.Alert, error) {
	var alerts []downwatch.Alert
	scrub := false
	done := map[string]bool{}
	for _, x := range rs {
		if done[x.Service] {
			continue
		}
		done[x.Service] = true
		var of []downwatch.Retracted
		for _, y := range rs {
			if y.Service == x.Service {
				of = append(of, y)
				scrub = scrub || y.Removed
			}
		}
		als, err := r.removeFrom(ctx, x.Service, of, now)
		alerts = append(alerts, als...)
		if err != nil {
			return alerts, err
		}
		scrub = scrub || len(als) > 0
	}
	if !scrub {
		return alerts, nil
	}
	_, err := r.ScrubAlerts(ctx, downwatch.ByRetracted(rs))
	return alerts, err
}

// removeFrom takes the posts rs, all of service, out of its stored incidents
// that are no longer active and holds one of them.
func (r *Redis) removeFrom(ctx context.Context, service string, rs []downwatch.Retracted, now time.Time) ([]downwatch.Alert, error) {
	ids, err := r.c.ZRange(ctx, r.svc(service)+"incidents", 0, -1).Result()
	if err != nil {
		return nil, fmt.Errorf("store: list the incidents of %s: %w", service, err)
	}
	needles := make([]any, len(rs))
	for i, x := range rs {
		quoted, _ := json.Marshal(x.Post.ID)
		needles[i] = `"id":` + string(quoted)
	}
	if ids, err = r.holding(ctx, ids, needles); err != nil {
		return nil, err
	}
	gone := downwatch.ByRetracted(rs)
	res, err := r.rewrite(ctx, ids, now, func(body []byte, inc *downwatch.Incident) []downwatch.Post {
		if err := json.Unmarshal(body, inc); err != nil || inc.Active() {
			return nil
		}
		return removePosts(inc, gone, true)
	})
	return res.Alerts, err
}

// findScript returns the 1-based indexes of the keys whose string value
// holds one of ARGV (plain substrings), so that only those travel. Its keys
// are one service's incidents, one slot, so it runs on Redis Cluster too.
var findScript = redis.NewScript(`
local out = {}
for i, k in ipairs(KEYS) do
  local v = redis.call('GET', k)
  if v then
    for _, n in ipairs(ARGV) do
      if string.find(v, n, 1, true) then out[#out + 1] = i break end
    end
  end
end
return out
`)

// holding returns the ids, all of one service, whose stored JSON holds one
// of needles.
func (r *Redis) holding(ctx context.Context, ids []string, needles []any) ([]string, error) {
	var out []string
	for len(ids) > 0 {
		batch := ids[:min(len(ids), 500)]
		ids = ids[len(batch):]
		keys := make([]string, len(batch))
		for i, id := range batch {
			keys[i] = r.incidentKey(id)
		}
		idx, err := findScript.Run(ctx, r.c, keys, needles...).Int64Slice()
		if err != nil {
			return nil, fmt.Errorf("store: search %d incidents for a post: %w", len(batch), err)
		}
		for _, i := range idx {
			out = append(out, batch[i-1])
		}
	}
	return out, nil
}

// Forget takes every post of author (on source, any when empty; see
// downwatch.ByAuthor) out of every stored incident, active or not, and out of
// the alert stream. Calling it again finds nothing and changes nothing.
// acknowledged_at stays: the company did speak, only its post is not kept.
func (r *Redis) Forget(ctx context.Context, author, source string, now time.Time) (Removed, error) {
	ids, err := r.c.ZRange(ctx, r.cfg.Prefix+"incidents", 0, -1).Result()
	if err != nil {
		return Removed{}, fmt.Errorf("store: list the incidents: %w", err)
	}
	gone := downwatch.ByAuthor(author, source)
	res, err := r.rewrite(ctx, ids, now, func(body []byte, inc *downwatch.Incident) []downwatch.Post {
		if err := json.Unmarshal(body, inc); err != nil {
			return nil
		}
		return removePosts(inc, gone, false)
	})
	if err != nil {
		return res, err
	}
	res.StreamEntries, err = r.ScrubAlerts(ctx, gone)
	return res, err
}

// Redact ends the retention of post texts and authors (Config.PostRetention):
// a resolved incident whose last write is older than that loses its sample
// posts and acknowledgement (downwatch.Incident.Redact; its statistics stay),
// and alerts older than that leave the stream. The age of a resolved
// incident's last write is read from its expiry, which every write sets to
// Config.Retention (wall clock; its event times may be years old, as in a
// replay). Active incidents keep theirs until they are resolved.
func (r *Redis) Redact(ctx context.Context, now time.Time) (Removed, error) {
	ids, err := r.c.ZRange(ctx, r.cfg.Prefix+"incidents", 0, -1).Result()
	if err != nil {
		return Removed{}, fmt.Errorf("store: list the incidents: %w", err)
	}
	pipe := r.c.Pipeline()
	ttls := make([]*redis.DurationCmd, len(ids))
	for i, id := range ids {
		ttls[i] = pipe.PTTL(ctx, r.incidentKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return Removed{}, fmt.Errorf("store: read the expiry of %d incidents: %w", len(ids), err)
	}
	old := ids[:0]
	for i, id := range ids {
		if ttl := ttls[i].Val(); ttl > 0 && r.cfg.Retention-ttl >= r.cfg.PostRetention {
			old = append(old, id)
		}
	}
	res, err := r.rewrite(ctx, old, now, func(body []byte, inc *downwatch.Incident) []downwatch.Post {
		if err := json.Unmarshal(body, inc); err != nil || inc.Active() {
			return nil
		}
		posts := slices.Clone(inc.SamplePosts)
		if a := inc.Acknowledgement; a != nil {
			posts = append(posts, *a)
		}
		inc.Redact(now)
		return posts
	})
	if err != nil {
		return res, err
	}
	cutoff := strconv.FormatInt(now.Add(-r.cfg.PostRetention).UnixMilli(), 10)
	n, err := r.c.XTrimMinID(ctx, r.StreamKey(), cutoff).Result()
	if err != nil {
		return res, fmt.Errorf("store: trim the alert stream to the post retention: %w", err)
	}
	res.StreamEntries = int(n)
	return res, nil
}

// removePosts takes what gone selects out of inc and returns what it took,
// once each (the acknowledgement is also among the samples).
func removePosts(inc *downwatch.Incident, gone func(*downwatch.Post) bool, retracted bool) []downwatch.Post {
	var out []downwatch.Post
	sel := func(p *downwatch.Post) bool {
		if !gone(p) {
			return false
		}
		if !slices.ContainsFunc(out, func(q downwatch.Post) bool { return q.ID == p.ID && q.Source == p.Source }) {
			out = append(out, *p)
		}
		return true
	}
	if inc.RemovePosts(sel, retracted) == 0 {
		return nil
	}
	return out
}

// rewrite reads the incidents ids and, for each that change alters (it decodes
// body into inc and returns the posts it took out; none: unchanged), writes
// the new revision with compare-and-set, reading it again on a conflict.
func (r *Redis) rewrite(ctx context.Context, ids []string, now time.Time, change func(body []byte, inc *downwatch.Incident) []downwatch.Post) (Removed, error) {
	var res Removed
	for len(ids) > 0 {
		n := min(len(ids), 200)
		batch := ids[:n]
		ids = ids[n:]
		bodies, ttls, err := r.readRaw(ctx, batch)
		if err != nil {
			return res, err
		}
		for i, id := range batch {
			for try := 0; bodies[i] != nil; try++ {
				var inc downwatch.Incident
				posts := change(bodies[i], &inc)
				if len(posts) == 0 {
					break
				}
				al, err := r.writeRemoval(ctx, inc, posts, ttls[i], now)
				if errors.Is(err, ErrConflict) && try < maxRewriteTries {
					b, t, err := r.readRaw(ctx, []string{id})
					if err != nil {
						return res, err
					}
					bodies[i], ttls[i] = b[0], t[0]
					continue
				}
				if err != nil {
					return res, err
				}
				res.Alerts = append(res.Alerts, al)
				for _, p := range posts {
					res.Posts = append(res.Posts, RemovedPost{Incident: id, Post: p})
				}
				break
			}
		}
	}
	return res, nil
}

// readRaw returns the stored JSON (nil: gone) and remaining expiry of each id.
func (r *Redis) readRaw(ctx context.Context, ids []string) ([][]byte, []time.Duration, error) {
	pipe := r.c.Pipeline()
	gets := make([]*redis.StringCmd, len(ids))
	ttls := make([]*redis.DurationCmd, len(ids))
	for i, id := range ids {
		gets[i] = pipe.Get(ctx, r.incidentKey(id))
		ttls[i] = pipe.PTTL(ctx, r.incidentKey(id))
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, nil, fmt.Errorf("store: read %d incidents: %w", len(ids), err)
	}
	bodies := make([][]byte, len(ids))
	out := make([]time.Duration, len(ids))
	for i := range ids {
		if b, err := gets[i].Bytes(); err == nil {
			bodies[i] = b
		}
		out[i] = ttls[i].Val()
	}
	return bodies, out, nil
}

// writeRemoval stores inc (decoded at its stored revision, posts taken out)
// as its next revision, keeping the expiry it had (ttl; none when not
// positive), so removing posts never makes an incident live longer. The
// posts go into the incident's forgotten set first, which the operator mark
// the write raises sends a detector holding the incident to (Forgotten).
func (r *Redis) writeRemoval(ctx context.Context, inc downwatch.Incident, posts []downwatch.Post, ttl time.Duration, now time.Time) (downwatch.Alert, error) {
	if err := r.addForgotten(ctx, inc.ID, posts); err != nil {
		return downwatch.Alert{}, err
	}
	rev := inc.Revision
	inc.Revision++
	inc.UpdatedAt = now.UTC()
	inc.Silenced = ""
	als := []downwatch.Alert{{Type: downwatch.AlertUpdated, At: now.UTC(), Incident: inc}}
	if err := r.silenced(ctx, als, now); err != nil {
		return downwatch.Alert{}, err
	}
	inc = als[0].Incident
	inc.Related = nil // kept as sets beside the incident
	body, err := json.Marshal(inc)
	if err != nil {
		return downwatch.Alert{}, fmt.Errorf("store: encode incident %s: %w", inc.ID, err)
	}
	expiry := max(ttl.Milliseconds(), 0)
	if inc.Active() {
		expiry = 0
	}
	k := r.incidentKeys(inc.ID)
	res, err := actScript.Run(ctx, r.c, []string{k[0], k[1], k[2], r.operatorKey(inc.ID)},
		rev, body, expiry, float64(inc.StartedAt.Unix()), inc.ID, inc.Revision, r.cfg.Retention.Milliseconds()).Int()
	if err != nil {
		return downwatch.Alert{}, fmt.Errorf("store: write %s without the removed posts: %w", inc.ID, err)
	}
	switch {
	case res > 0:
		return downwatch.Alert{}, fmt.Errorf("%w: %s", ErrConflict, inc.ID)
	case res < 0:
		return downwatch.Alert{}, fmt.Errorf("%w: %s", ErrNotFound, inc.ID)
	}
	// Related sets are merged on read, as Incident does.
	if rel, err := r.c.SMembers(ctx, r.relatedKey(inc.ID)).Result(); err == nil && len(rel) > 0 {
		slices.Sort(rel)
		als[0].Incident.Related = rel
	}
	return als[0], nil
}

// ScrubAlerts deletes from the alert stream every alert whose incident
// carries a post gone selects, in its sample posts or acknowledgement, and
// returns how many. It reads the whole stream (at most Config.StreamLen
// alerts), so it runs only when a post was known to be in an incident.
func (r *Redis) ScrubAlerts(ctx context.Context, gone func(*downwatch.Post) bool) (int, error) {
	n, start := 0, "-"
	for {
		msgs, err := r.c.XRangeN(ctx, r.StreamKey(), start, "+", 500).Result()
		if err != nil {
			return n, fmt.Errorf("store: read the alert stream: %w", err)
		}
		var del []string
		for _, m := range msgs {
			s, _ := m.Values["alert"].(string)
			var a downwatch.Alert
			if json.Unmarshal([]byte(s), &a) != nil {
				continue
			}
			inc := a.Incident
			if inc.RemovePosts(gone, false) > 0 {
				del = append(del, m.ID)
			}
		}
		if len(del) > 0 {
			if err := r.c.XDel(ctx, r.StreamKey(), del...).Err(); err != nil {
				return n, fmt.Errorf("store: delete %d alerts from the stream: %w", len(del), err)
			}
			n += len(del)
		}
		if len(msgs) < 500 {
			return n, nil
		}
		start = "(" + msgs[len(msgs)-1].ID
	}
}

// Sweep runs Redact every interval (and once at the start) until ctx is done,
// handing what it rewrote to publish (the list of sinks), so subscribers see
// the posts go. A failed sweep is logged and tried again at the next one;
// concurrent sweeps (two serve processes) are harmless: each rewrite is a
// compare-and-set, and a redacted incident has nothing left to redact.
func (r *Redis) Sweep(ctx context.Context, every time.Duration, now func() time.Time, publish func(context.Context, []downwatch.Alert) error, log *slog.Logger) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		res, err := r.Redact(ctx, now())
		if err == nil && publish != nil {
			err = publish(ctx, res.Alerts)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			log.Warn("post retention sweep failed; retrying at the next", "err", err, "every", every)
		case len(res.Alerts) > 0 || res.StreamEntries > 0:
			log.Info("post retention: sample posts and acknowledgements removed", "incidents", len(res.Alerts), "stream_alerts", res.StreamEntries, "retention", r.cfg.PostRetention)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (r *Redis) forgottenKey(id string) string { return r.svc(ServiceOf(id)) + "forgotten:" + id }

// addForgotten adds posts ("source/id") to the forgotten set of incident id,
// which lives for Config.Retention from its last addition.
func (r *Redis) addForgotten(ctx context.Context, id string, posts []downwatch.Post) error {
	if len(posts) == 0 {
		return nil
	}
	members := make([]any, len(posts))
	for i, p := range posts {
		members[i] = p.Source + "/" + p.ID
	}
	pipe := r.c.Pipeline()
	pipe.SAdd(ctx, r.forgottenKey(id), members...)
	pipe.PExpire(ctx, r.forgottenKey(id), r.cfg.Retention)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: record the posts removed from %s: %w", id, err)
	}
	return nil
}

// Forgotten returns the posts (source and id only) removed from incident id
// by RemovePosts, Forget or Redact, so that a detector holding the incident
// drops them before it writes it again (detect.Detector.Forget).
func (r *Redis) Forgotten(ctx context.Context, id string) ([]downwatch.Post, error) {
	ms, err := r.c.SMembers(ctx, r.forgottenKey(id)).Result()
	if err != nil {
		return nil, fmt.Errorf("store: read the posts removed from %s: %w", id, err)
	}
	slices.Sort(ms)
	out := make([]downwatch.Post, 0, len(ms))
	for _, m := range ms {
		if src, pid, ok := strings.Cut(m, "/"); ok {
			out = append(out, downwatch.Post{Source: src, ID: pid})
		}
	}
	return out, nil
}
