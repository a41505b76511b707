package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
)

// kafkaCapture records what the detector hands its Kafka sink.
type kafkaCapture struct {
	mu     sync.Mutex
	alerts []downwatch.Alert
}

func (k *kafkaCapture) Publish(_ context.Context, als []downwatch.Alert) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.alerts = append(k.alerts, als...)
	return nil
}

// TestSilencedIncidentNotifiesNobody: with a silence on WhatsApp, its outage is
// detected, stored and published on Redis and Kafka marked silenced, and the
// webhook receiver hears only of Gmail's outage at the same time.
func TestSilencedIncidentNotifiesNobody(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	end := t0.Add(7 * time.Hour)
	wa, _ := servicePosts(t0, end, "whatsapp", "whatsapp is down, my messages are not sending", false)
	gm, _ := servicePosts(t0, end, "gmail", "gmail is down, my emails are not sending", false)
	posts := mergeByTime(t, wa, gm)

	st := store.New(redisClient(t), store.Config{Prefix: freshPrefix(t)})
	m, _ := downwatch.ParseMatcher("service=whatsapp")
	now := time.Now().UTC()
	sil, err := st.AddSilence(ctx, downwatch.Silence{Matchers: []downwatch.Matcher{m}, StartsAt: now.Add(-time.Minute), EndsAt: now.Add(time.Hour), By: "ana", Comment: "planned maintenance"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var heard []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a downwatch.Alert
		b, _ := io.ReadAll(r.Body)
		json.Unmarshal(b, &a)
		mu.Lock()
		heard = append(heard, a.Type+" "+a.Incident.Service)
		mu.Unlock()
	}))
	defer hook.Close()
	d, err := notify.New(st, notify.Config{Sinks: []notify.Sink{{URL: hook.URL}}})
	if err != nil {
		t.Fatal(err)
	}
	dctx, stopNotify := context.WithCancel(ctx)
	defer stopNotify()
	go d.Run(dctx)
	cursor := st.Prefix() + "notify:" + notify.SinkHash(hook.URL) + ":cursor"
	for st.Client().Exists(ctx, cursor).Val() == 0 {
		if ctx.Err() != nil {
			t.Fatal("the dispatcher did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}

	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cat, _ := catalog.Default()
	mt, err := catalog.NewMatcher(cat)
	if err != nil {
		t.Fatal(err)
	}
	out, err := ingest.NewKafkaOutput(ctx, bus.Security{}, b.Addrs(), "sil.mentions", 2)
	if err != nil {
		t.Fatal(err)
	}
	src := ingest.NewFile("-")
	src.Stdin = bytes.NewReader(posts)
	if err := ingest.New(ingest.Config{EndOnEOF: true}, mt, out).Run(ctx, src); err != nil {
		t.Fatal(err)
	}
	out.Close()
	kafka := &kafkaCapture{}
	// The list of sinks the detector publishes to: Redis, then (in place of the
	// Kafka alerts topic) a recorder of what Kafka would get.
	if err := runner.Run(ctx, runner.Config{Brokers: b.Addrs(), Topic: "sil.mentions", Group: "sil", ExitOnEnd: true}, detect.DefaultConfig(), st, sink.List{st, kafka}); err != nil {
		t.Fatal(err)
	}

	// Every WhatsApp alert, on Redis and on Kafka, carries the silence; no Gmail one does.
	stream, err := st.AlertsAfter(ctx, "0", 10000)
	if err != nil {
		t.Fatal(err)
	}
	var onRedis []downwatch.Alert
	for _, s := range stream {
		onRedis = append(onRedis, s.Alert)
	}
	for where, als := range map[string][]downwatch.Alert{"Redis": onRedis, "Kafka": kafka.alerts} {
		services := map[string]bool{}
		for _, a := range als {
			services[a.Incident.Service] = true
			want := ""
			if a.Incident.Service == "whatsapp" {
				want = sil.ID
			}
			if a.Incident.Silenced != want {
				t.Errorf("%s: %s %s silenced %q, want %q", where, a.Type, a.Incident.ID, a.Incident.Silenced, want)
			}
		}
		if !services["whatsapp"] || !services["gmail"] {
			t.Errorf("%s carried alerts of %v, want both outages", where, services)
		}
	}
	// The receiver hears Gmail's opening and resolution, and nothing of WhatsApp.
	last := stream[len(stream)-1].ID
	for {
		if c, _ := st.NotifyCursor(ctx, notify.SinkHash(hook.URL)); c == last {
			break
		}
		if ctx.Err() != nil {
			t.Fatal("the dispatcher did not get through the stream")
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	sort.Strings(heard)
	if len(heard) < 2 || heard[0] != downwatch.AlertOpened+" gmail" {
		t.Errorf("the receiver heard %v, want gmail's opened (and its resolution), nothing of whatsapp", heard)
	}
	for _, h := range heard {
		if bytes.Contains([]byte(h), []byte("whatsapp")) {
			t.Errorf("the receiver heard %q of the silenced service", h)
		}
	}
}

// mergeByTime interleaves JSONL posts in order of created_at.
func mergeByTime(t *testing.T, files ...[]byte) []byte {
	t.Helper()
	type line struct {
		at time.Time
		b  []byte
	}
	var lines []line
	for _, f := range files {
		for _, l := range bytes.SplitAfter(f, []byte("\n")) {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			var p downwatch.Post
			if err := json.Unmarshal(l, &p); err != nil {
				t.Fatal(err)
			}
			lines = append(lines, line{p.CreatedAt, l})
		}
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at.Before(lines[j].at) })
	var out bytes.Buffer
	for _, l := range lines {
		out.Write(l.b)
	}
	return out.Bytes()
}
