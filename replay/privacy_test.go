package replay

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
)

// TestRetractReachesAResolvedIncident runs the detector on Kafka and a real
// Redis: after the outage is over and its incident resolved, the source
// deletes a sample post and the acknowledgement. Both leave the stored
// incident (a new revision, acknowledged_at gone) and every alert on the
// Redis stream.
func TestRetractReachesAResolvedIncident(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	posts, _ := outagePosts(t0, t0.Add(24*time.Hour))
	cat, _ := catalog.Default()
	m, err := catalog.NewMatcher(cat)
	if err != nil {
		t.Fatal(err)
	}
	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	out, err := ingest.NewKafkaOutput(ctx, bus.Security{}, b.Addrs(), "pv.mentions", 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	src := ingest.NewFile("-")
	src.Stdin = bytes.NewReader(posts)
	if err := ingest.New(ingest.Config{}, m, out).Run(ctx, src); err != nil {
		t.Fatal(err)
	}
	st := store.New(redisClient(t), store.Config{Prefix: freshPrefix(t)})
	done := make(chan error, 1)
	go func() {
		done <- runner.Run(ctx, runner.Config{Brokers: b.Addrs(), Topic: "pv.mentions", Group: "pv", ExitOnEnd: true, FlushEvery: 100 * time.Millisecond}, detect.DefaultConfig(), st, sink.Open(sink.Config{Redis: st}))
	}()
	var inc downwatch.Incident
	for inc.State != downwatch.StateResolved {
		select {
		case err := <-done:
			t.Fatalf("detector ended early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		incs, err := st.Incidents(ctx, store.Query{Service: "whatsapp"})
		if err != nil {
			t.Fatal(err)
		}
		if len(incs) > 0 {
			inc = incs[0]
		}
	}
	if inc.Acknowledgement == nil || len(inc.SamplePosts) < 2 {
		t.Fatalf("resolved incident has acknowledgement %v and %d samples; want the news agency's and some", inc.Acknowledgement, len(inc.SamplePosts))
	}
	sample, ack := inc.SamplePosts[0], *inc.Acknowledgement
	at := t0.Add(6 * time.Hour)
	var rs []downwatch.Mention
	for _, p := range []downwatch.Post{sample, ack} {
		rs = append(rs, downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindRetract, Post: downwatch.Post{ID: p.ID, Source: p.Source, CreatedAt: at}})
	}
	if err := out.Write(ctx, rs); err != nil {
		t.Fatal(err)
	}
	if err := out.End(ctx, at); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	got, err := st.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	gone := func(p *downwatch.Post) bool { return p.ID == sample.ID || p.ID == ack.ID }
	for _, p := range got.SamplePosts {
		if gone(&p) {
			t.Errorf("stored %s still holds the deleted post %s", inc.ID, p.ID)
		}
	}
	if got.Acknowledgement != nil || got.AcknowledgedAt != nil || got.Revision <= inc.Revision || got.State != downwatch.StateResolved {
		t.Errorf("stored %s: acknowledgement %v at %v, revision %d (was %d), state %s; want the acknowledgement gone, a newer revision, still resolved",
			inc.ID, got.Acknowledgement, got.AcknowledgedAt, got.Revision, inc.Revision, got.State)
	}
	if got.Mentions != inc.Mentions || got.Authors != inc.Authors {
		t.Errorf("statistics changed: mentions %d -> %d, authors %d -> %d", inc.Mentions, got.Mentions, inc.Authors, got.Authors)
	}
	stream, err := st.AlertsAfter(ctx, "0", 10000)
	if err != nil {
		t.Fatal(err)
	}
	newest := 0
	for _, s := range stream {
		for _, p := range s.Alert.Incident.SamplePosts {
			if gone(&p) {
				t.Errorf("the stream's %s of %s revision %d still carries %s", s.Alert.Type, s.Alert.Incident.ID, s.Alert.Incident.Revision, p.ID)
			}
		}
		if s.Alert.Incident.ID == inc.ID {
			newest = max(newest, s.Alert.Incident.Revision)
		}
	}
	if newest != got.Revision {
		t.Errorf("newest revision on the stream %d, want the stored %d published", newest, got.Revision)
	}
}
