package replay

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

// TestDetectorOnRedisCluster: the consumer-group detector stores into a real
// three-master Redis Cluster (incidents, links, series, checkpoints, alerts on
// pub/sub and the stream) and ends with the incidents it stores in a single Redis.
func TestDetectorOnRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	addrs := storetest.Cluster(t)
	path, _ := writeScenario(t, "cdn-upstream")
	cat, _ := catalog.Default()
	m, err := catalog.NewMatcher(cat)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bus.StartEmbedded(bus.EmbeddedConfig{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	out, err := ingest.NewKafkaOutput(ctx, bus.Security{}, b.Addrs(), "c.mentions", 3)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src := ingest.NewFile("-")
	src.Stdin = f
	if err := ingest.New(ingest.Config{EndOnEOF: true}, m, out).Run(ctx, src); err != nil {
		t.Fatal(err)
	}
	out.Close()
	run := func(c redis.UniversalClient, prefix, group string) []downwatch.Incident {
		st := store.New(c, store.Config{Prefix: prefix})
		rc := runner.Config{Brokers: b.Addrs(), Topic: "c.mentions", Group: group, ExitOnEnd: true, Logger: slog.New(slog.DiscardHandler)}
		if err := runner.Run(ctx, rc, detect.DefaultConfig(), st, sink.Open(sink.Config{Redis: st})); err != nil {
			t.Fatalf("detector on %s: %v", group, err)
		}
		incs, err := st.Incidents(ctx, store.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return incs
	}
	cluster := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	defer cluster.Close()
	got := run(cluster, "dwcluster:", "on-cluster")
	want := run(redisClient(t), freshPrefix(t), "on-single")
	if len(want) < 3 {
		t.Fatalf("single Redis: got %d incidents, want the three of cdn-upstream", len(want))
	}
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("cluster and single Redis differ:\n got %s\nwant %s", g, w)
	}
	st := store.New(cluster, store.Config{Prefix: "dwcluster:"})
	if s, err := st.AlertsAfter(ctx, "0", 1000); err != nil || len(s) == 0 {
		t.Errorf("alert stream on the cluster: got %d alerts, %v", len(s), err)
	}
	if pts, err := st.Series(ctx, got[0].Service, got[0].StartedAt.Add(-time.Hour), got[0].StartedAt); err != nil || len(pts) < 50 {
		t.Errorf("series on the cluster: got %d points, %v; want an hour of minutes", len(pts), err)
	}
}
