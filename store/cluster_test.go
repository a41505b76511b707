package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

// TestRedisCluster runs the store against a real three-master Redis Cluster: every
// key of a service hashes to one slot (the {svc} tag), the multi-key writes
// (incident + indexes, links, series batches across services) and reads work
// across slots, pub/sub and the alert stream deliver, and Clear reaches every
// master.
func TestRedisCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	addrs := storetest.Cluster(t)
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
	st := store.New(c, store.Config{Prefix: "dwcluster:"})
	defer st.Close()

	t0 := time.Date(2024, 3, 4, 23, 50, 0, 0, time.UTC)
	services := []string{"whatsapp", "gmail", "discord", "cloudflare", "netflix", "slack"}
	// Keys of one service share a slot; the services spread over the masters.
	slots := map[int64]bool{}
	for _, svc := range services {
		keys := []string{
			"dwcluster:{" + svc + "}:incident:" + svc + ".20240304T2350Z",
			"dwcluster:{" + svc + "}:incidents",
			"dwcluster:{" + svc + "}:related:" + svc + ".20240304T2350Z",
			"dwcluster:{" + svc + "}:series:20240304",
			"dwcluster:{" + svc + "}:series:latest",
		}
		want := c.ClusterKeySlot(ctx, "{"+svc+"}").Val()
		slots[want] = true
		for _, k := range keys {
			if got := c.ClusterKeySlot(ctx, k).Val(); got != want {
				t.Errorf("%s is in slot %d, want %d (the {%s} tag)", k, got, want, svc)
			}
		}
	}
	if len(slots) < 3 {
		t.Logf("the services fall in only %d slots", len(slots))
	}

	sub, err := st.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var alerts []downwatch.Alert
	var pts []downwatch.SeriesPoint
	for i, svc := range services {
		inc := downwatch.Incident{ID: svc + ".20240304T2350Z", Service: svc, State: downwatch.StateOpen, StartedAt: t0, DetectedAt: t0, UpdatedAt: t0, Revision: 1}
		alerts = append(alerts, downwatch.Alert{Type: downwatch.AlertOpened, At: t0, Incident: inc})
		for m := 0; m < 20; m++ { // across midnight: two day hashes
			pts = append(pts, downwatch.SeriesPoint{Service: svc, Minute: t0.Add(time.Duration(m) * time.Minute), Authors: i*100 + m, Baseline: 1})
		}
	}
	if err := storetest.Alerts(ctx, st, alerts...); err != nil {
		t.Fatalf("save incidents of %d services: %v", len(services), err)
	}
	if err := st.Link(ctx, "whatsapp.20240304T2350Z", "gmail.20240304T2350Z"); err != nil {
		t.Fatal(err)
	}
	if err := st.AppendSeries(ctx, pts); err != nil {
		t.Fatalf("append series of %d services: %v", len(services), err)
	}
	if err := st.SaveCheckpoint(ctx, "g:t:0", []byte("state")); err != nil {
		t.Fatal(err)
	}

	// Every alert arrives on the channel (in a cluster the order across services
	// is not kept: the pipeline goes to each master on its own).
	got := map[string]bool{}
	for len(got) < len(services) {
		select {
		case a := <-sub:
			got[a.Incident.Service] = true
		case <-ctx.Done():
			t.Fatalf("the cluster's pub/sub channel delivered %d of %d alerts", len(got), len(services))
		}
	}
	for _, svc := range services {
		if !got[svc] {
			t.Errorf("no alert for %s on the channel", svc)
		}
	}
	if s, err := st.AlertsAfter(ctx, "0", 100); err != nil || len(s) != len(services) {
		t.Errorf("alert stream: got %d alerts, %v; want %d", len(s), err, len(services))
	}
	active, err := st.Incidents(ctx, store.Query{Active: true})
	if err != nil || len(active) != len(services) {
		t.Errorf("active incidents: got %d, %v; want %d", len(active), err, len(services))
	}
	if got, err := st.Incident(ctx, "gmail.20240304T2350Z"); err != nil || fmt.Sprint(got.Related) != "[whatsapp.20240304T2350Z]" {
		t.Errorf("related of gmail: got %v, %v; want [whatsapp.20240304T2350Z]", got.Related, err)
	}
	series, err := st.Series(ctx, "discord", t0, t0.Add(time.Hour))
	if err != nil || len(series) != 20 || series[19].Authors != 219 {
		t.Errorf("discord series: got %d points, %v; want 20 ending at 219", len(series), err)
	}
	if latest, err := st.LatestSeriesMinute(ctx, "netflix"); err != nil || !latest.Equal(t0.Add(19*time.Minute)) {
		t.Errorf("latest netflix minute: got %v, %v; want %v", latest, err, t0.Add(19*time.Minute))
	}
	if b, err := st.LoadCheckpoint(ctx, "g:t:0"); err != nil || string(b) != "state" {
		t.Errorf("checkpoint: got %q, %v", b, err)
	}
	n, err := st.Clear(ctx)
	if err != nil || n == 0 {
		t.Fatalf("clear on every master: got %d, %v", n, err)
	}
	var left atomic.Int64 // the masters are visited concurrently
	c.ForEachMaster(ctx, func(ctx context.Context, m *redis.Client) error {
		left.Add(int64(len(m.Keys(ctx, "dwcluster:*").Val())))
		return nil
	})
	if n := left.Load(); n != 0 {
		t.Errorf("after Clear, %d keys are left on the masters", n)
	}
}

// TestOpenCluster: the redis+cluster:// URL the commands' --redis flag takes
// reaches the cluster; a bad one says what it wants.
func TestOpenCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a Redis Cluster; skipped with -short")
	}
	ctx := context.Background()
	addrs := storetest.Cluster(t)
	st, err := store.Open(ctx, "redis+cluster://"+addrs[0]+","+addrs[1], store.Config{Prefix: "dwopen:"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, ok := st.Client().(*redis.ClusterClient); !ok {
		t.Fatalf("got a %T, want a cluster client", st.Client())
	}
	pts := []downwatch.SeriesPoint{{Service: "a", Minute: time.Unix(0, 0).UTC(), Authors: 1}, {Service: "b", Minute: time.Unix(0, 0).UTC(), Authors: 2}}
	if err := st.AppendSeries(ctx, pts); err != nil {
		t.Errorf("append across slots through Open: %v", err)
	}
	if _, err := store.Open(ctx, "redis+cluster://", store.Config{}); err == nil || !strings.Contains(err.Error(), "want redis+cluster://") {
		t.Errorf("empty cluster URL: got %v, want the form it takes", err)
	}
}
