package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
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

// outagePosts is three quiet hours of WhatsApp complaints, then an hour of
// outage, then quiet again, as JSONL posts split at cut.
func outagePosts(t0, cut time.Time) (before, after []byte) {
	return servicePosts(t0, cut, "whatsapp", "whatsapp is down, my messages are not sending", true)
}

// servicePosts is outagePosts for any service, with or without the company's
// acknowledgement.
func servicePosts(t0, cut time.Time, svc, complaint string, ack bool) (before, after []byte) {
	var a, b bytes.Buffer
	n := 0
	line := func(author, text string, at time.Time) {
		n++
		p := downwatch.Post{ID: svc + fmt.Sprint(n), Source: "file", Author: author, Text: text, CreatedAt: at, Lang: "en"}
		j, _ := json.Marshal(p)
		w := &a
		if !at.Before(cut) {
			w = &b
		}
		w.Write(append(j, '\n'))
	}
	for m := 0; m < 6*60; m++ {
		at := t0.Add(time.Duration(m) * time.Minute)
		if m%3 == 0 {
			line(fmt.Sprintf("bg-%s-%d", svc, m%40), "is "+svc+" down?", at)
		}
		if m == 210 && ack { // the company speaks, through a news agency
			line("ANI", `"We're aware that some people are currently having trouble sending messages and we're working to restore WhatsApp for everyone as quickly as possible," says Meta Company Spokesperson`, at)
		}
		if m >= 180 && m < 240 {
			for k := range 30 {
				line(fmt.Sprintf("u-%s-%d-%d", svc, m, k), complaint, at.Add(time.Duration(k)*time.Second))
			}
		}
	}
	return a.Bytes(), b.Bytes()
}

// TestDetectorKeepsAPersonsResolve runs the detector on Kafka and a real Redis:
// a person resolves the incident while its burst goes on, and the detector
// neither reopens nor updates it for the rest of that burst.
func TestDetectorKeepsAPersonsResolve(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	before, after := outagePosts(t0, t0.Add(3*time.Hour+15*time.Minute))
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
	produce := func(posts []byte, end bool) {
		out, err := ingest.NewKafkaOutput(ctx, bus.Security{}, b.Addrs(), "op.mentions", 2)
		if err != nil {
			t.Fatal(err)
		}
		src := ingest.NewFile("-")
		src.Stdin = bytes.NewReader(posts)
		if err := ingest.New(ingest.Config{EndOnEOF: end}, m, out).Run(ctx, src); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	st := store.New(redisClient(t), store.Config{Prefix: freshPrefix(t)})
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	done := make(chan error, 1)
	go func() {
		done <- runner.Run(rctx, runner.Config{Brokers: b.Addrs(), Topic: "op.mentions", Group: "op", ExitOnEnd: true, FlushEvery: 100 * time.Millisecond}, detect.DefaultConfig(), st, sink.Open(sink.Config{Redis: st}))
	}()
	produce(before, false)
	var open []downwatch.Incident
	for len(open) == 0 {
		select {
		case err := <-done:
			t.Fatalf("detector ended early: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
		if open, err = st.ActiveIncidents(ctx); err != nil {
			t.Fatal(err)
		}
	}
	id := open[0].ID
	als, err := st.Act(ctx, id, 0, downwatch.Action{Type: downwatch.ActionResolve, By: "ana", Note: "vendor says fixed", At: time.Now().UTC()})
	if err != nil {
		t.Fatal(err)
	}
	resolvedAt := als[0].Incident.Revision
	produce(after, true)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	stream, err := st.AlertsAfter(ctx, "0", 10000)
	if err != nil {
		t.Fatal(err)
	}
	var later []string
	for _, s := range stream {
		if s.Alert.Incident.ID == id && s.Alert.Incident.Revision > resolvedAt {
			later = append(later, s.Alert.Type)
		}
	}
	if len(later) != 0 {
		t.Errorf("after the person's resolve at revision %d the detector published %v for %s, want nothing", resolvedAt, later, id)
	}
	got, err := st.Incident(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != downwatch.StateResolved || got.Resolution == nil || got.Resolution.By != "ana" {
		t.Errorf("stored %s: state %s resolution %+v; want resolved by ana", id, got.State, got.Resolution)
	}
	if act, _ := st.ActiveIncidents(ctx); len(act) != 0 {
		t.Errorf("active after the burst: %v", act)
	}
}
