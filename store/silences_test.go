package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestSilencesExpireByThemselves(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	m, _ := downwatch.ParseMatcher("service=whatsapp")
	mk := func(from, to time.Duration) downwatch.Silence {
		s, err := r.AddSilence(ctx, downwatch.Silence{Matchers: []downwatch.Matcher{m}, StartsAt: now.Add(from), EndsAt: now.Add(to), By: "ana", Comment: "maintenance", CreatedAt: now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	active, pending, ended, old := mk(-time.Hour, time.Hour), mk(time.Hour, 2*time.Hour), mk(-3*time.Hour, -time.Hour), mk(-10*24*time.Hour, -8*24*time.Hour)
	ids := func(ss []downwatch.Silence) []string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return out
	}
	got, err := r.Silences(ctx, now, false)
	if err != nil {
		t.Fatal(err)
	}
	if g := ids(got); len(g) != 2 || g[0] != active.ID || g[1] != pending.ID {
		t.Errorf("current silences = %v, want the active %s then the pending %s", g, active.ID, pending.ID)
	}
	got, _ = r.Silences(ctx, now, true)
	if g := ids(got); len(g) != 3 || g[0] != ended.ID {
		t.Errorf("all silences = %v, want the one ended two hours ago first and not the one ended 8 days ago (%s)", g, old.ID)
	}
	if n := r.c.HLen(ctx, r.silencesKey()).Val(); n != 3 {
		t.Errorf("%d silences stored, want the 8-day-old one deleted (3)", n)
	}
	// Later, the active one has ended by itself.
	if got, _ = r.Silences(ctx, now.Add(90*time.Minute), false); len(got) != 1 || got[0].ID != pending.ID {
		t.Errorf("90 minutes on: %v, want only %s", ids(got), pending.ID)
	}
	s, err := r.ExpireSilence(ctx, pending.ID, "bo", now)
	if err != nil {
		t.Fatal(err)
	}
	if s.ExpiredBy != "bo" || s.Active(now) || s.Active(now.Add(90*time.Minute)) {
		t.Errorf("expired: %+v, want ended by bo and never active", s)
	}
	if _, err := r.ExpireSilence(ctx, "ffff", "bo", now); !errors.Is(err, ErrNoSilence) {
		t.Errorf("expiring an unknown silence: got %v, want ErrNoSilence", err)
	}
	if _, err := r.AddSilence(ctx, downwatch.Silence{By: "ana", Comment: "x", StartsAt: now, EndsAt: now.Add(time.Hour)}); !errors.Is(err, downwatch.ErrSilence) {
		t.Errorf("a silence without matchers: got %v, want ErrSilence", err)
	}
}

func TestActIsMarkedSilenced(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	id := "whatsapp.20221025T0705Z"
	saved(t, r, incident(id, downwatch.StateOpen, t0))
	m, _ := downwatch.ParseMatcher("service=~whats.*")
	a := act(downwatch.ActionAcknowledge, "", "")
	s, err := r.AddSilence(ctx, downwatch.Silence{Matchers: []downwatch.Matcher{m}, StartsAt: a.At.Add(-time.Minute), EndsAt: a.At.Add(time.Hour), By: "ana", Comment: "maintenance"})
	if err != nil {
		t.Fatal(err)
	}
	als, err := r.Act(ctx, id, 0, a)
	if err != nil {
		t.Fatal(err)
	}
	if als[0].Incident.Silenced != s.ID {
		t.Errorf("the acknowledgement's alert: silenced %q, want %s", als[0].Incident.Silenced, s.ID)
	}
}
