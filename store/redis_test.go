package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// testRedis connects to the real Redis the tests run against (REDIS_URL, default
// 127.0.0.1:6379) under a fresh prefix, and removes that prefix's keys afterwards.
func testRedis(t *testing.T) *Redis {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	prefix := fmt.Sprintf("dwtest:%d:", rand.Uint64())
	r, err := Open(context.Background(), url, Config{Prefix: prefix})
	if err != nil {
		t.Fatalf("tests need a real Redis: %v", err)
	}
	t.Cleanup(func() {
		ctx := context.Background()
		iter := r.c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			r.c.Del(ctx, iter.Val())
		}
		r.Close()
	})
	return r
}

func incident(id, state string, started time.Time) downwatch.Incident {
	return downwatch.Incident{ID: id, Service: ServiceOf(id), State: state, StartedAt: started, DetectedAt: started.Add(time.Minute), UpdatedAt: started}
}

func TestSaveListResolve(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	wa := incident("whatsapp.20221025T0705Z", downwatch.StateOpen, t0)
	gm := incident("gmail.20221025T0900Z", downwatch.StateOpen, t0.Add(2*time.Hour))
	old := incident("whatsapp.20221020T0100Z", downwatch.StateResolved, t0.Add(-5*24*time.Hour))
	sub, err := r.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Save(ctx, []downwatch.Alert{{Type: downwatch.AlertResolved, At: t0, Incident: old}}); err != nil {
		t.Fatal(err)
	}
	err = saveAndPublish(ctx, r,
		downwatch.Alert{Type: downwatch.AlertOpened, At: t0, Incident: wa},
		downwatch.Alert{Type: downwatch.AlertOpened, At: t0, Incident: gm},
	)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-sub:
		if a.Incident.ID != wa.ID || a.Type != downwatch.AlertOpened {
			t.Errorf("first alert: got %s %s, want %s %s", a.Type, a.Incident.ID, downwatch.AlertOpened, wa.ID)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no alert published on the channel")
	}

	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"all newest first", Query{}, []string{gm.ID, wa.ID, old.ID}},
		{"active", Query{Active: true}, []string{gm.ID, wa.ID}},
		{"service", Query{Service: "whatsapp"}, []string{wa.ID, old.ID}},
		{"active service", Query{Active: true, Service: "whatsapp"}, []string{wa.ID}},
		{"limit", Query{Limit: 1}, []string{gm.ID}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := r.Incidents(ctx, tt.q)
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, i := range got {
				ids = append(ids, i.ID)
			}
			if fmt.Sprint(ids) != fmt.Sprint(tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}

	// Resolve: leaves the active index, gets a wall-clock TTL (never an event-time one).
	wa.State = downwatch.StateResolved
	wa.Revision = 2
	if err := saveAndPublish(ctx, r, downwatch.Alert{Type: downwatch.AlertResolved, Incident: wa}); err != nil {
		t.Fatal(err)
	}
	active, _ := r.Incidents(ctx, Query{Active: true})
	if len(active) != 1 || active[0].ID != gm.ID {
		t.Errorf("active after resolve: got %v, want only %s", active, gm.ID)
	}
	ttl := r.c.TTL(ctx, r.incidentKey(wa.ID)).Val()
	if ttl < 29*24*time.Hour {
		t.Errorf("resolved incident TTL %v, want about 30 days from now", ttl)
	}
	got, err := r.Incident(ctx, wa.ID)
	if err != nil || got.Revision != 2 || got.State != downwatch.StateResolved {
		t.Errorf("got %+v, %v; want revision 2 resolved", got, err)
	}
	if _, err := r.Incident(ctx, "nope.1"); err == nil {
		t.Error("missing incident: got nil error, want ErrNotFound")
	}

	// Alerts stream lets a late subscriber catch up: 3 published, the quiet one not.
	alerts, err := r.AlertsAfter(ctx, "0", 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(alerts) != 3 {
		t.Fatalf("stream holds %d alerts, want 3", len(alerts))
	}
	rest, _ := r.AlertsAfter(ctx, alerts[0].ID, 100)
	if len(rest) != 2 {
		t.Errorf("after first: got %d alerts, want 2", len(rest))
	}
}

func TestLinksAndSeries(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC)
	a := incident("cloudflare.20230101T1200Z", downwatch.StateOpen, t0)
	b := incident("discord.20230101T1201Z", downwatch.StateOpen, t0.Add(time.Minute))
	if err := r.Save(ctx, []downwatch.Alert{{Incident: a}, {Incident: b}}); err != nil {
		t.Fatal(err)
	}
	if err := r.Link(ctx, a.ID, b.ID); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Incident(ctx, b.ID)
	if len(got.Related) != 1 || got.Related[0] != a.ID {
		t.Errorf("related of %s: got %v, want [%s]", b.ID, got.Related, a.ID)
	}
	// The hash tag keeps one service's keys in one cluster slot.
	for _, k := range []string{r.incidentKey(a.ID), r.relatedKey(a.ID), r.svc("cloudflare") + "series"} {
		if !strings.Contains(k, "{cloudflare}") {
			t.Errorf("key %s lacks the {cloudflare} hash tag", k)
		}
	}
	var pts []downwatch.SeriesPoint
	for i := 0; i < 5; i++ {
		pts = append(pts, downwatch.SeriesPoint{Service: "discord", Minute: t0.Add(time.Duration(i) * time.Minute), Authors: i * 10, Baseline: 1.5})
	}
	pts = append(pts, downwatch.SeriesPoint{Service: "discord", Minute: t0.Add(2 * time.Minute), Authors: 99, Baseline: 2}) // rewrite of minute 2
	if err := r.AppendSeries(ctx, pts); err != nil {
		t.Fatal(err)
	}
	series, err := r.Series(ctx, "discord", t0.Add(time.Minute), t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []int{10, 99, 30}
	if len(series) != len(want) {
		t.Fatalf("got %d points, want %d", len(series), len(want))
	}
	for i, p := range series {
		if p.Authors != want[i] {
			t.Errorf("point %d: got %d authors, want %d", i, p.Authors, want[i])
		}
	}
}
