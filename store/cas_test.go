package store

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// streamRevisions returns the revisions of id on the alert stream, in order.
func streamRevisions(t *testing.T, r *Redis, id string) []int {
	t.Helper()
	all, err := r.AlertsAfter(context.Background(), "0", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var revs []int
	for _, a := range all {
		if a.Alert.Incident.ID == id {
			revs = append(revs, a.Alert.Incident.Revision)
		}
	}
	return revs
}

func revision(inc downwatch.Incident, rev int, state string) downwatch.Alert {
	inc.Revision, inc.State = rev, state
	inc.Mentions = rev * 10
	return downwatch.Alert{Type: downwatch.AlertUpdated, Incident: inc}
}

// TestSaveCompareAndSet: an older revision written after a newer one (a slow
// member after a rebalance, a restarted detector replaying) neither overwrites
// it nor is published; the same revision saved again is published once.
func TestSaveCompareAndSet(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	inc := incident("slack.20240101T1000Z", downwatch.StateOpen, time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC))
	steps := []struct {
		name  string
		saves []downwatch.Alert
	}{
		{"first two revisions", []downwatch.Alert{revision(inc, 1, downwatch.StateOpen), revision(inc, 2, downwatch.StateOpen)}},
		{"replay of revision 2", []downwatch.Alert{revision(inc, 2, downwatch.StateOpen)}},
		{"revision 3 resolves", []downwatch.Alert{revision(inc, 3, downwatch.StateResolved)}},
		{"stale member writes 2 again", []downwatch.Alert{revision(inc, 1, downwatch.StateOpen), revision(inc, 2, downwatch.StateOpen)}},
	}
	for _, s := range steps {
		if err := saveAndPublish(ctx, r, s.saves...); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
	}
	got, err := r.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Revision != 3 || got.State != downwatch.StateResolved || got.Mentions != 30 {
		t.Errorf("stored: got revision %d %s with %d mentions, want revision 3 resolved with 30", got.Revision, got.State, got.Mentions)
	}
	if revs := streamRevisions(t, r, inc.ID); len(revs) != 3 || revs[0] != 1 || revs[1] != 2 || revs[2] != 3 {
		t.Errorf("stream: got revisions %v, want [1 2 3] each once", revs)
	}
	active, err := r.Incidents(ctx, Query{Active: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(active) != 0 {
		t.Errorf("active after the stale write: got %d incidents, want none", len(active))
	}
	if ttl := r.c.TTL(ctx, r.incidentKeys(inc.ID)[3]).Val(); ttl < 29*24*time.Hour {
		t.Errorf("published mark of a resolved incident: TTL %v, want the 30-day retention", ttl)
	}
}

// TestSaveConcurrentWritersPublishOnce: two detectors (two stores, as two
// processes) save the same revisions at once; each revision reaches the stream
// once.
func TestSaveConcurrentWritersPublishOnce(t *testing.T) {
	ctx := context.Background()
	a := testRedis(t)
	b := New(a.c, a.cfg) // another writer: its own claim token
	inc := incident("zoom.20240101T1000Z", downwatch.StateOpen, time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC))
	const revs = 30
	var wg sync.WaitGroup
	for _, st := range []*Redis{a, b} {
		wg.Go(func() {
			for rev := 1; rev <= revs; rev++ {
				for {
					err := saveAndPublish(ctx, st, revision(inc, rev, downwatch.StateOpen))
					if err == nil {
						break
					}
					if !errors.Is(err, ErrBusy) {
						t.Error(err)
						return
					}
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
	wg.Wait()
	got := streamRevisions(t, a, inc.ID)
	seen := map[int]int{}
	for _, r := range got {
		seen[r]++
	}
	for rev := 1; rev <= revs; rev++ {
		if seen[rev] > 1 {
			t.Errorf("revision %d is on the stream %d times, want at most once", rev, seen[rev])
		}
	}
	if seen[revs] != 1 {
		t.Errorf("the last revision is on the stream %d times, want once", seen[revs])
	}
}

// TestSaveWaitsForAClaimOfAnotherWriter: a writer that claimed a revision and
// died makes others wait (ErrBusy) until its lease ends, then the revision is
// published by them, once.
func TestSaveWaitsForAClaimOfAnotherWriter(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	inc := incident("teams.20240101T1000Z", downwatch.StateOpen, time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC))
	r.c.Set(ctx, r.incidentKeys(inc.ID)[4], "dead-writer", 300*time.Millisecond)
	if err := saveAndPublish(ctx, r, revision(inc, 1, downwatch.StateOpen)); !errors.Is(err, ErrBusy) {
		t.Fatalf("with another writer's claim: got %v, want ErrBusy", err)
	}
	time.Sleep(400 * time.Millisecond)
	if err := saveAndPublish(ctx, r, revision(inc, 1, downwatch.StateOpen)); err != nil {
		t.Fatalf("after the lease: %v", err)
	}
	if revs := streamRevisions(t, r, inc.ID); len(revs) != 1 {
		t.Errorf("stream: got revisions %v, want [1]", revs)
	}
}

// saveAndPublish stores the incidents of alerts and publishes the alerts, as a
// detector with the Redis alert sink does.
func saveAndPublish(ctx context.Context, r *Redis, alerts ...downwatch.Alert) error {
	if err := r.Save(ctx, alerts); err != nil {
		return err
	}
	return r.Publish(ctx, alerts)
}

// TestSaveOnlyStores: Save stores and indexes an incident and puts nothing on
// the alert stream; Publish then puts it there once, however often it runs.
func TestSaveOnlyStores(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	inc := incident("webex.20240101T1000Z", downwatch.StateOpen, time.Date(2024, 1, 1, 10, 0, 0, 0, time.UTC))
	al := revision(inc, 1, downwatch.StateOpen)
	if err := r.Save(ctx, []downwatch.Alert{al}); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Incident(ctx, inc.ID); err != nil || got.Revision != 1 {
		t.Fatalf("after Save: got revision %d, %v; want revision 1 stored", got.Revision, err)
	}
	if active, _ := r.Incidents(ctx, Query{Active: true}); len(active) != 1 {
		t.Errorf("after Save: %d active incidents, want 1", len(active))
	}
	if revs := streamRevisions(t, r, inc.ID); len(revs) != 0 {
		t.Fatalf("after Save: stream holds revisions %v, want none", revs)
	}
	for range 2 {
		if err := r.Publish(ctx, []downwatch.Alert{al}); err != nil {
			t.Fatal(err)
		}
	}
	if revs := streamRevisions(t, r, inc.ID); len(revs) != 1 || revs[0] != 1 {
		t.Errorf("after two Publish calls: stream holds revisions %v, want [1]", revs)
	}
}
