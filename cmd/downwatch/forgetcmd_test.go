package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
)

// forget against the real Redis: the author's posts leave every incident,
// the changed incidents are published on the Redis channel, a second run
// removes nothing, and with --kafka a retract record per post reaches the
// mentions topic for the detectors.
func TestForgetCommand(t *testing.T) {
	prefix, st := testPrefix(t)
	ctx := context.Background()
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	post := func(id, source, author string) downwatch.Post {
		return downwatch.Post{ID: id, Source: source, Author: author, Text: "whatsapp down " + id, CreatedAt: t0}
	}
	incs := []downwatch.Incident{
		{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateResolved, StartedAt: t0, DetectedAt: t0, Revision: 1, UpdatedAt: t0, Mentions: 12,
			SamplePosts: []downwatch.Post{post("1", "x", "priya_k"), post("2", "x", "tomr")}},
		{ID: "gmail.20221025T0900Z", Service: "gmail", State: downwatch.StateOpen, StartedAt: t0, DetectedAt: t0, Revision: 1, UpdatedAt: t0,
			SamplePosts: []downwatch.Post{post("3", "mastodon", "Priya_K"), post("4", "x", "lena")}},
	}
	for _, inc := range incs {
		als := []downwatch.Alert{{Type: downwatch.AlertOpened, At: t0, Incident: inc}}
		if err := st.Save(ctx, als); err != nil {
			t.Fatal(err)
		}
		if err := st.Publish(ctx, als); err != nil {
			t.Fatal(err)
		}
	}
	sub, err := st.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	b, err := broker.Start(broker.Config{Partitions: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	base := []string{"forget", "--redis", redisURL(), "--prefix", prefix, "--author", "@priya_k"}
	var out, errb bytes.Buffer
	if code := run(append(base, "--kafka", strings.Join(b.Addrs(), ",")), strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s %s", code, out.String(), errb.String())
	}
	for _, want := range []string{
		"whatsapp.20221025T0705Z: removed x/1; revision 2 published",
		"gmail.20221025T0900Z: removed mastodon/3; revision 2 published",
		"removed 2 posts of @priya_k from 2 incidents and 2 alerts from the alert stream",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output %q lacks %q", out.String(), want)
		}
	}
	if strings.Contains(out.String(), "whatsapp down 1") {
		t.Errorf("output repeats a forgotten post's text: %q", out.String())
	}
	var published []string
	for range 2 {
		select {
		case al := <-sub:
			published = append(published, al.Type+" "+al.Incident.ID)
		case <-time.After(5 * time.Second):
			t.Fatalf("published %v, want two alerts", published)
		}
	}
	slices.Sort(published)
	if want := []string{"incident.updated gmail.20221025T0900Z", "incident.updated whatsapp.20221025T0705Z"}; !slices.Equal(published, want) {
		t.Errorf("published %v, want %v", published, want)
	}
	for _, inc := range incs {
		got, err := st.Incident(ctx, inc.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range got.SamplePosts {
			if strings.EqualFold(p.Author, "priya_k") {
				t.Errorf("%s still holds %+v", inc.ID, p)
			}
		}
		if len(got.SamplePosts) != 1 || got.Revision != 2 {
			t.Errorf("%s: samples %v, revision %d; want the other author's post, revision 2", inc.ID, got.SamplePosts, got.Revision)
		}
	}

	r := kafka.NewReader(kafka.ReaderConfig{Brokers: b.Addrs(), Topic: downwatch.TopicMentions, Partition: 0, MaxWait: 100 * time.Millisecond})
	defer r.Close()
	var retracts []string
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for len(retracts) < 2 {
		msg, err := r.ReadMessage(rctx)
		if err != nil {
			t.Fatalf("read the mentions topic after %v: %v", retracts, err)
		}
		var m downwatch.Mention
		if err := bus.DecodeMention(msg.Value, &m); err != nil {
			t.Fatal(err)
		}
		if m.Kind != downwatch.KindRetract || m.Post.Author != "" || m.Post.Text != "" || string(msg.Key) != m.Service {
			t.Errorf("record %s %q, want a retract keyed by its service with no author or text", msg.Key, msg.Value)
		}
		retracts = append(retracts, m.Service+" "+m.Post.Source+"/"+m.Post.ID)
	}
	slices.Sort(retracts)
	if want := []string{"gmail mastodon/3", "whatsapp x/1"}; !slices.Equal(retracts, want) {
		t.Errorf("retracts %v, want %v", retracts, want)
	}

	out.Reset()
	if code := run(base, strings.NewReader(""), &out, &errb); code != 0 || !strings.Contains(out.String(), "nothing stored of @priya_k") {
		t.Errorf("second run: exit %d, %q; want nothing stored", code, out.String())
	}
	if code := run([]string{"forget", "--redis", redisURL(), "--prefix", prefix}, strings.NewReader(""), &out, &errb); code != 2 {
		t.Errorf("forget without --author: exit %d, want 2", code)
	}
}
