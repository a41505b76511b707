package store

import (
	"context"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"
	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// The replay's embedded Redis (miniredis) runs the removals too: a retract in
// a replay reaches RemovePosts, and its scripts and stream commands.
func TestPrivacyOnEmbeddedRedis(t *testing.T) {
	m := miniredis.RunT(t)
	r := New(redis.NewClient(&redis.Options{Addr: m.Addr()}), Config{Prefix: "mini:", PostRetention: time.Hour})
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	a := withPosts(incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0), nil, xPost("1", "priya_k"), xPost("2", "tomr"))
	saved(t, r, a)
	ctx := context.Background()
	als, err := r.RemovePosts(ctx, []downwatch.Retracted{{Service: "whatsapp", Post: downwatch.Post{Source: "x", ID: "1"}}}, privacyNow)
	if err != nil || len(als) != 1 {
		t.Fatalf("RemovePosts: %+v, %v; want one incident rewritten", als, err)
	}
	res, err := r.Forget(ctx, "tomr", "", privacyNow)
	if err != nil || len(res.Alerts) != 1 {
		t.Fatalf("Forget: %+v, %v; want one incident rewritten", res, err)
	}
	if _, err := r.Redact(ctx, time.Now()); err != nil {
		t.Fatalf("Redact: %v", err)
	}
	if got := mustIncident(t, r, a.ID); len(got.SamplePosts) != 0 || got.Revision != 3 {
		t.Errorf("stored %+v, want no posts at revision 3", got)
	}
}
