package store

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

var privacyNow = time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)

func withPosts(inc downwatch.Incident, ack *downwatch.Post, posts ...downwatch.Post) downwatch.Incident {
	inc.SamplePosts = posts
	if ack != nil {
		inc.Acknowledgement = ack
		at := inc.StartedAt.Add(time.Hour)
		inc.AcknowledgedAt = &at
		inc.SamplePosts = append(inc.SamplePosts, *ack) // as the detector's alerts carry it
	}
	inc.Mentions, inc.Authors = 40, 30
	return inc
}

func xPost(id, author string) downwatch.Post {
	return downwatch.Post{ID: id, Source: "x", Author: author, Text: "whatsapp down " + id, CreatedAt: time.Date(2022, 10, 25, 7, 10, 0, 0, time.UTC)}
}

func postKeys(ps []downwatch.Post) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Source+"/"+p.ID)
	}
	return out
}

// streamIncidents lists the incident@revision of every alert on the stream.
func streamIncidents(t *testing.T, r *Redis) []string {
	t.Helper()
	als, err := r.AlertsAfter(context.Background(), "0", 1000)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range als {
		out = append(out, a.Alert.Incident.ID+"@"+strconv.Itoa(a.Alert.Incident.Revision))
	}
	return out
}

func mustIncident(t *testing.T, r *Redis, id string) downwatch.Incident {
	t.Helper()
	inc, err := r.Incident(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// A post deleted upstream leaves the resolved incidents of its service (the
// detector handles the one it follows), with a new revision that keeps the
// incident's expiry, and the alerts that carried it leave the stream.
func TestRemovePostFromStoredIncidents(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	ani := downwatch.Post{ID: "5", Source: "x", Author: "ANI", Text: "Meta is working on it", CreatedAt: t0.Add(time.Hour)}
	a := withPosts(incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0), &ani, xPost("1", "priya_k"), xPost("2", "tomr"))
	b := withPosts(incident("whatsapp.20221026T0100Z", downwatch.StateResolved, t0.Add(18*time.Hour)), nil, xPost("3", "lena"))
	c := withPosts(incident("whatsapp.20221027T0100Z", downwatch.StateOpen, t0.Add(42*time.Hour)), nil, xPost("1", "priya_k"))
	saved(t, r, a, b, c)
	if err := r.c.PExpire(ctx, r.incidentKey(a.ID), time.Hour).Err(); err != nil {
		t.Fatal(err)
	}

	als, err := r.RemovePosts(ctx, []downwatch.Retracted{{Service: "whatsapp", Post: downwatch.Post{Source: "x", ID: "1"}}}, privacyNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(als) != 1 || als[0].Type != downwatch.AlertUpdated || als[0].Incident.ID != a.ID || als[0].Incident.Revision != 2 {
		t.Fatalf("alerts %+v, want one incident.updated of %s at revision 2", als, a.ID)
	}
	got := mustIncident(t, r, a.ID)
	if want := []string{"x/2", "x/5"}; !slices.Equal(postKeys(got.SamplePosts), want) || got.Revision != 2 || got.Mentions != 40 || got.Acknowledgement == nil {
		t.Errorf("stored %s: samples %v, revision %d, mentions %d, ack %v; want %v, 2, 40, kept", a.ID, postKeys(got.SamplePosts), got.Revision, got.Mentions, got.Acknowledgement, want)
	}
	if !got.UpdatedAt.Equal(privacyNow) {
		t.Errorf("updated_at %v, want the removal's time %v", got.UpdatedAt, privacyNow)
	}
	if ttl := r.c.PTTL(ctx, r.incidentKey(a.ID)).Val(); ttl <= 0 || ttl > time.Hour {
		t.Errorf("expiry after the removal %v, want the hour it had left", ttl)
	}
	if got := mustIncident(t, r, c.ID); len(got.SamplePosts) != 1 || got.Revision != 1 {
		t.Errorf("the open incident (the detector's) was rewritten: %+v", got)
	}
	if want := []string{b.ID + "@1"}; !slices.Equal(streamIncidents(t, r), want) {
		t.Errorf("stream %v, want %v: the alerts carrying x/1 deleted", streamIncidents(t, r), want)
	}

	// The acknowledgement deleted upstream takes acknowledged_at with it.
	if _, err := r.RemovePosts(ctx, []downwatch.Retracted{{Service: "whatsapp", Post: downwatch.Post{Source: "x", ID: "5"}}}, privacyNow); err != nil {
		t.Fatal(err)
	}
	got = mustIncident(t, r, a.ID)
	if got.Acknowledgement != nil || got.AcknowledgedAt != nil || !slices.Equal(postKeys(got.SamplePosts), []string{"x/2"}) || got.Revision != 3 {
		t.Errorf("after the acknowledgement's delete: ack %v at %v, samples %v, revision %d; want none, none, [x/2], 3", got.Acknowledgement, got.AcknowledgedAt, postKeys(got.SamplePosts), got.Revision)
	}

	// Again: nothing left to remove, nothing written.
	als, err = r.RemovePosts(ctx, []downwatch.Retracted{{Service: "whatsapp", Post: downwatch.Post{Source: "x", ID: "1"}}}, privacyNow)
	if err != nil || len(als) != 0 || mustIncident(t, r, a.ID).Revision != 3 {
		t.Errorf("second removal: %+v, %v; want nothing changed", als, err)
	}
}

// forget takes an author's posts out of every incident, active or not, and
// out of the stream; acknowledged_at stays; a second call changes nothing.
func TestForgetAuthor(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	priyaAck := downwatch.Post{ID: "9", Source: "mastodon", Author: "Priya_K", Text: "we are looking into it"}
	a := withPosts(incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0), nil, xPost("1", "priya_k"), xPost("2", "tomr"))
	b := withPosts(incident("gmail.20221025T0900Z", downwatch.StateOpen, t0.Add(2*time.Hour)), &priyaAck, xPost("3", "lena"))
	c := withPosts(incident("slack.20221025T1000Z", downwatch.StateResolved, t0.Add(3*time.Hour)), nil, xPost("4", "lena"))
	saved(t, r, a, b, c)

	res, err := r.Forget(ctx, "@PRIYA_K", "", privacyNow)
	if err != nil {
		t.Fatal(err)
	}
	var changed []string
	for _, al := range res.Alerts {
		changed = append(changed, al.Incident.ID+"@"+strconv.Itoa(al.Incident.Revision))
	}
	slices.Sort(changed)
	if want := []string{b.ID + "@2", a.ID + "@2"}; !slices.Equal(changed, want) {
		t.Errorf("changed %v, want %v", changed, want)
	}
	var removed []string
	for _, p := range res.Posts {
		removed = append(removed, p.Incident+" "+p.Post.Source+"/"+p.Post.ID)
	}
	slices.Sort(removed)
	if want := []string{b.ID + " mastodon/9", a.ID + " x/1"}; !slices.Equal(removed, want) {
		t.Errorf("posts removed %v, want %v (the acknowledgement once, though the samples carry it too)", removed, want)
	}
	gotB := mustIncident(t, r, b.ID)
	if gotB.Acknowledgement != nil || gotB.AcknowledgedAt == nil || !slices.Equal(postKeys(gotB.SamplePosts), []string{"x/3"}) {
		t.Errorf("%s: ack %v at %v, samples %v; want the post gone, acknowledged_at kept, [x/3]", b.ID, gotB.Acknowledgement, gotB.AcknowledgedAt, postKeys(gotB.SamplePosts))
	}
	if got := mustIncident(t, r, a.ID); !slices.Equal(postKeys(got.SamplePosts), []string{"x/2"}) {
		t.Errorf("%s samples %v, want [x/2]", a.ID, postKeys(got.SamplePosts))
	}
	if want := []string{c.ID + "@1"}; !slices.Equal(streamIncidents(t, r), want) {
		t.Errorf("stream %v, want %v", streamIncidents(t, r), want)
	}

	if got, err := r.Forgotten(ctx, b.ID); err != nil || !slices.Equal(postKeys(got), []string{"mastodon/9"}) {
		t.Errorf("forgotten posts of %s: %v, %v; want [mastodon/9] for the detector holding it", b.ID, postKeys(got), err)
	}
	if got, _ := r.Forgotten(ctx, c.ID); len(got) != 0 {
		t.Errorf("forgotten posts of the untouched %s: %v, want none", c.ID, postKeys(got))
	}
	res, err = r.Forget(ctx, "priya_k", "", privacyNow)
	if err != nil || len(res.Alerts) != 0 || len(res.Posts) != 0 || res.StreamEntries != 0 {
		t.Errorf("second forget: %+v, %v; want nothing", res, err)
	}
	// --source limits it: lena's post on x stays when forgetting her on mastodon.
	if res, err := r.Forget(ctx, "lena", "mastodon", privacyNow); err != nil || len(res.Alerts) != 0 {
		t.Errorf("forget on another source: %+v, %v; want nothing", res, err)
	}
}

// After the post retention (wall clock since the last write, read from the
// expiry) a resolved incident loses its posts but keeps its statistics; older
// alerts leave the stream; active and recent incidents keep theirs.
func TestRedactAfterPostRetention(t *testing.T) {
	ctx := context.Background()
	base := testRedis(t)
	r := New(base.c, Config{Prefix: base.cfg.Prefix, PostRetention: time.Hour})
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	ani := downwatch.Post{ID: "5", Source: "x", Author: "ANI", Text: "Meta is working on it"}
	old := withPosts(incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0), &ani, xPost("1", "priya_k"))
	recent := withPosts(incident("whatsapp.20221026T0100Z", downwatch.StateResolved, t0.Add(18*time.Hour)), nil, xPost("2", "tomr"))
	open := withPosts(incident("gmail.20221025T0900Z", downwatch.StateOpen, t0.Add(2*time.Hour)), nil, xPost("3", "lena"))
	// An alert published two hours ago, before the others.
	now := time.Now()
	oldID := strconv.FormatInt(now.Add(-2*time.Hour).UnixMilli(), 10) + "-0"
	if err := r.c.XAdd(ctx, &redis.XAddArgs{Stream: r.StreamKey(), ID: oldID, Values: []any{"alert", `{"type":"incident.opened"}`}}).Err(); err != nil {
		t.Fatal(err)
	}
	saved(t, r, old, recent, open)
	// old was last written two hours ago: its expiry is two hours short.
	if err := r.c.PExpire(ctx, r.incidentKey(old.ID), r.cfg.Retention-2*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	before := len(streamIncidents(t, r))

	res, err := r.Redact(ctx, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Alerts) != 1 || res.Alerts[0].Incident.ID != old.ID {
		t.Fatalf("redacted %+v, want only %s", res.Alerts, old.ID)
	}
	got := mustIncident(t, r, old.ID)
	if got.SamplePosts != nil || got.Acknowledgement != nil || got.RedactedAt == nil || got.AcknowledgedAt == nil || got.Mentions != 40 || got.Revision != 2 {
		t.Errorf("old incident after the retention: %+v; want no posts, redacted_at set, acknowledged_at and mentions kept, revision 2", got)
	}
	if ttl := r.c.PTTL(ctx, r.incidentKey(old.ID)).Val(); ttl > r.cfg.Retention-2*time.Hour {
		t.Errorf("the redaction extended the expiry to %v", ttl)
	}
	for _, id := range []string{recent.ID, open.ID} {
		if got := mustIncident(t, r, id); len(got.SamplePosts) != 1 {
			t.Errorf("%s lost its posts before its retention: %+v", id, got)
		}
	}
	if res.StreamEntries != 1 || len(streamIncidents(t, r)) != before-1 {
		t.Errorf("stream trimmed by %d (%d -> %d alerts), want the one older alert", res.StreamEntries, before, len(streamIncidents(t, r)))
	}
	if res, err := r.Redact(ctx, now); err != nil || len(res.Alerts) != 0 {
		t.Errorf("second sweep: %+v, %v; want nothing", res, err)
	}
}

// Sweep redacts at once and hands what it rewrote to publish.
func TestSweepPublishesRedactions(t *testing.T) {
	base := testRedis(t)
	r := New(base.c, Config{Prefix: base.cfg.Prefix, PostRetention: time.Hour})
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	old := withPosts(incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0), nil, xPost("1", "priya_k"))
	saved(t, r, old)
	if err := r.c.PExpire(context.Background(), r.incidentKey(old.ID), r.cfg.Retention-2*time.Hour).Err(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var got []downwatch.Alert
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.Sweep(ctx, time.Hour, time.Now, func(_ context.Context, als []downwatch.Alert) error {
			got = als
			cancel()
			return nil
		}, slog.New(slog.DiscardHandler))
	}()
	<-done
	if len(got) != 1 || got[0].Type != downwatch.AlertUpdated || got[0].Incident.RedactedAt == nil || got[0].Incident.SamplePosts != nil {
		t.Errorf("published %+v, want the redacted incident as incident.updated", got)
	}
}

// One call takes several retracted posts of several services out at once: one
// alert per incident rewritten, however many of its posts went.
func TestRemovePostsInOneCall(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	a := withPosts(incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0), nil, xPost("1", "priya_k"), xPost("2", "tomr"), xPost("3", "lena"))
	b := withPosts(incident("gmail.20221025T0705Z", downwatch.StateResolved, t0), nil, xPost("4", "ana"))
	saved(t, r, a, b)
	x := func(svc, id string) downwatch.Retracted {
		return downwatch.Retracted{Service: svc, Post: downwatch.Post{Source: "x", ID: id}}
	}
	als, err := r.RemovePosts(ctx, []downwatch.Retracted{x("whatsapp", "1"), x("gmail", "4"), x("whatsapp", "3"), x("whatsapp", "9")}, privacyNow)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, al := range als {
		ids = append(ids, fmt.Sprintf("%s@%d", al.Incident.ID, al.Incident.Revision))
	}
	slices.Sort(ids)
	if want := []string{"gmail.20221025T0705Z@2", "whatsapp.20221025T0705Z@2"}; !slices.Equal(ids, want) {
		t.Errorf("alerts %v, want %v", ids, want)
	}
	if got := postKeys(mustIncident(t, r, a.ID).SamplePosts); !slices.Equal(got, []string{"x/2"}) {
		t.Errorf("whatsapp keeps %v, want [x/2]", got)
	}
	if got := mustIncident(t, r, b.ID).SamplePosts; len(got) != 0 {
		t.Errorf("gmail keeps %v, want none", postKeys(got))
	}
}
