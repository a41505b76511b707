package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// ErrNoSilence is returned for a silence id that is not stored.
var ErrNoSilence = errors.New("store: silence not found")

// silenceKeep is how long an ended silence stays listed.
const silenceKeep = 7 * 24 * time.Hour

func (r *Redis) silencesKey() string { return r.cfg.Prefix + "silences" }

// AddSilence checks and stores a new silence, giving it an id, and returns it.
func (r *Redis) AddSilence(ctx context.Context, s downwatch.Silence) (downwatch.Silence, error) {
	if err := s.Check(); err != nil {
		return s, err
	}
	b := make([]byte, 6)
	rand.Read(b)
	s.ID = hex.EncodeToString(b)
	body, err := json.Marshal(s)
	if err != nil {
		return s, fmt.Errorf("store: encode silence: %w", err)
	}
	if err := r.c.HSet(ctx, r.silencesKey(), s.ID, body).Err(); err != nil {
		return s, fmt.Errorf("store: save silence: %w", err)
	}
	return s, nil
}

// Silences returns the silences not ended at now (with all, also those that
// ended in the last 7 days), by start. Older ones are deleted as it reads.
func (r *Redis) Silences(ctx context.Context, now time.Time, all bool) ([]downwatch.Silence, error) {
	m, err := r.c.HGetAll(ctx, r.silencesKey()).Result()
	if err != nil {
		return nil, fmt.Errorf("store: read silences: %w", err)
	}
	var out []downwatch.Silence
	var gone []string
	for id, body := range m {
		var s downwatch.Silence
		if json.Unmarshal([]byte(body), &s) != nil || s.Check() != nil {
			gone = append(gone, id) // unreadable: not ours to keep
			continue
		}
		switch {
		case now.Sub(s.EndsAt) > silenceKeep:
			gone = append(gone, id)
		case all || now.Before(s.EndsAt):
			out = append(out, s)
		}
	}
	if len(gone) > 0 {
		r.c.HDel(ctx, r.silencesKey(), gone...)
	}
	slices.SortFunc(out, func(a, b downwatch.Silence) int {
		if c := a.StartsAt.Compare(b.StartsAt); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// expireScript replaces a silence only if it is unchanged since it was read
// (KEYS: 1 silences; ARGV: 1 id, 2 the JSON read, 3 the new JSON).
var expireScript = redis.NewScript(`
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
`)

// ExpireSilence ends a silence now, recording who ended it, and returns it. A
// silence that has ended already is returned unchanged.
func (r *Redis) ExpireSilence(ctx context.Context, id, by string, now time.Time) (downwatch.Silence, error) {
	for attempt := 0; ; attempt++ {
		old, err := r.c.HGet(ctx, r.silencesKey(), id).Result()
		if errors.Is(err, redis.Nil) {
			return downwatch.Silence{}, fmt.Errorf("%w: %s (downwatch silence list --all shows the stored ones)", ErrNoSilence, id)
		}
		if err != nil {
			return downwatch.Silence{}, fmt.Errorf("store: read silence %s: %w", id, err)
		}
		var s downwatch.Silence
		if err := json.Unmarshal([]byte(old), &s); err != nil {
			return s, fmt.Errorf("store: decode silence %s: %w", id, err)
		}
		if !now.Before(s.EndsAt) {
			return s, nil
		}
		s.EndsAt, s.ExpiredBy = now.UTC(), by
		if !s.EndsAt.After(s.StartsAt) {
			s.StartsAt = s.EndsAt.Add(-time.Second) // ended before it began: keep it readable
		}
		body, _ := json.Marshal(s)
		ok, err := expireScript.Run(ctx, r.c, []string{r.silencesKey()}, id, old, body).Int()
		if err != nil {
			return s, fmt.Errorf("store: expire silence %s: %w", id, err)
		}
		if ok == 1 {
			return s, nil
		}
		if attempt == 3 {
			return s, fmt.Errorf("store: silence %s keeps changing while it is being expired; retry", id)
		}
	}
}

// silenced marks alerts with the active silences at now (for Act).
func (r *Redis) silenced(ctx context.Context, alerts []downwatch.Alert, now time.Time) error {
	ss, err := r.Silences(ctx, now, false)
	if err != nil {
		return err
	}
	downwatch.SilenceAlerts(alerts, ss, now)
	return nil
}
