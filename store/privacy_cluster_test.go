package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

// The removals run on a Redis Cluster: the search script's keys are one
// service's incidents (one slot), the rewrites touch one slot each, and
// Forget reaches the incidents of services on every master.
func TestPrivacyOnRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: storetest.Cluster(t)})
	st := store.New(c, store.Config{Prefix: "dwprivacy:"})
	defer st.Close()
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	services := []string{"whatsapp", "gmail", "discord", "cloudflare", "netflix", "slack"}
	for _, svc := range services {
		inc := downwatch.Incident{ID: svc + ".20221025T0705Z", Service: svc, State: downwatch.StateResolved, StartedAt: t0, DetectedAt: t0, UpdatedAt: t0, Revision: 1,
			SamplePosts: []downwatch.Post{
				{ID: svc + "-1", Source: "x", Author: "priya_k", Text: svc + " down", CreatedAt: t0},
				{ID: svc + "-2", Source: "x", Author: "tomr", Text: svc + " down too", CreatedAt: t0},
			}}
		als := []downwatch.Alert{{Type: downwatch.AlertResolved, At: t0, Incident: inc}}
		if err := st.Save(ctx, als); err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx, als); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	als, err := st.RemovePosts(ctx, []downwatch.Retracted{{Service: "gmail", Post: downwatch.Post{Source: "x", ID: "gmail-2"}}}, now)
	if err != nil || len(als) != 1 || als[0].Incident.ID != "gmail.20221025T0705Z" {
		t.Fatalf("RemovePosts: %+v, %v; want gmail's incident rewritten", als, err)
	}
	res, err := st.Forget(ctx, "priya_k", "", now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != len(services) || res.StreamEntries != len(services)-1 {
		t.Errorf("Forget rewrote %d incidents and deleted %d alerts, want %d and %d (gmail's first alert went with the retract)", len(res.Alerts), res.StreamEntries, len(services), len(services)-1)
	}
	for _, svc := range services {
		inc, err := st.Incident(ctx, svc+".20221025T0705Z")
		if err != nil {
			t.Fatal(err)
		}
		want := 1
		if svc == "gmail" {
			want = 0
		}
		if len(inc.SamplePosts) != want {
			t.Errorf("%s holds %v, want %d posts", inc.ID, inc.SamplePosts, want)
		}
	}
	if _, err := st.Clear(ctx); err != nil {
		t.Fatal(err)
	}
}
