package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/scenario"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

func redisURL() string { return storetest.URL() }

// freshPrefix returns a Redis prefix no other test uses, and removes its keys at the end.
func freshPrefix(t *testing.T) string { return storetest.Open(t).Prefix() }

func writeScenario(t *testing.T, name string) (string, scenario.Truth) {
	t.Helper()
	s, ok := scenario.ByName(name)
	if !ok {
		t.Fatalf("no scenario %s", name)
	}
	path := filepath.Join(t.TempDir(), name+".jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := scenario.WriteJSONL(f, s)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path, truth
}

// TestReplayEndToEnd runs the whole pipeline (file → matcher → embedded Kafka →
// consumer group → real Redis → alerts) on a scenario with known ground truth, twice.
func TestReplayEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, truth := writeScenario(t, "cold-start")
	prefix := freshPrefix(t)
	var reports []*Report
	var kafkaAddrs []string
	for run := 0; run < 2; run++ {
		b, err := bus.StartEmbedded(bus.EmbeddedConfig{})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		kafkaAddrs = b.Addrs()
		rep, err := Run(ctx, Options{Source: ingest.NewFile(path), Kafka: b.Addrs(), Redis: redisURL(), Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, rep)
	}
	rep := reports[0]
	if rep.Stats.Posts == 0 || rep.Stats.Mentions == 0 || rep.Stats.Rejected != 0 {
		t.Fatalf("stats %+v: want posts and mentions, no rejects", rep.Stats)
	}
	sc := scenario.Evaluate(truth, rep.Incidents)
	if sc.Found != len(truth.Outages) || len(sc.FalseAlarms) != 0 {
		t.Fatalf("found %d of %d outages, false alarms %v", sc.Found, len(truth.Outages), sc.FalseAlarms)
	}
	if d := scenario.MaxAbs(sc.Detect); d > 2*time.Minute {
		t.Errorf("time to detect %v, want at most 2m", d)
	}
	// Two replays of one file: identical incidents (ids, times, counts).
	a, _ := json.Marshal(reports[0].Incidents)
	b, _ := json.Marshal(reports[1].Incidents)
	if !bytes.Equal(a, b) {
		t.Errorf("two replays differ:\n%s\n%s", a, b)
	}
	// The incident is in Redis under the prefix, resolved, out of the active index.
	st := store.New(redisClient(t), store.Config{Prefix: prefix})
	inc := rep.Incidents[0]
	got, err := st.Incident(ctx, inc.ID)
	if err != nil {
		t.Fatalf("incident %s not in Redis: %v", inc.ID, err)
	}
	if got.State != inc.State || got.Revision != inc.Revision {
		t.Errorf("Redis has %s rev %d, report has %s rev %d", got.State, got.Revision, inc.State, inc.Revision)
	}
	if active, _ := st.Incidents(ctx, store.Query{Active: true}); len(active) != 0 && inc.State == downwatch.StateResolved {
		t.Errorf("resolved incident still active: %v", active)
	}
	if pts, _ := st.Series(ctx, inc.Service, inc.StartedAt.Add(-time.Hour), inc.StartedAt.Add(time.Hour)); len(pts) < 60 {
		t.Errorf("got %d series points around the incident, want the minutes of two hours", len(pts))
	}
	// The alerts topic holds the lifecycle, readable by any Kafka client.
	types := readAlertTypes(t, kafkaAddrs, inc.ID)
	if len(types) == 0 || types[0] != downwatch.AlertOpened || types[len(types)-1] != downwatch.AlertResolved {
		t.Errorf("alerts for %s on the topic: %v, want opened ... resolved", inc.ID, types)
	}
}

func redisClient(t *testing.T) *redis.Client {
	o, _ := store.ParseURL(redisURL())
	c := redis.NewClient(o)
	t.Cleanup(func() { c.Close() })
	return c
}

func readAlertTypes(t *testing.T, brokers []string, id string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	parts, err := bus.Partitions(ctx, brokers, downwatch.TopicAlerts)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, p := range parts {
		conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], downwatch.TopicAlerts, p)
		if err != nil {
			t.Fatal(err)
		}
		last, _ := conn.ReadLastOffset()
		conn.Close()
		if last == 0 {
			continue
		}
		r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: downwatch.TopicAlerts, Partition: p, MaxWait: 100 * time.Millisecond})
		for {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			var a downwatch.Alert
			if err := json.Unmarshal(m.Value, &a); err != nil {
				t.Fatalf("alert record is not JSON: %v", err)
			}
			if string(m.Key) != a.Incident.ID {
				t.Errorf("alert key %q, want the incident id %q", m.Key, a.Incident.ID)
			}
			if a.Incident.ID == id {
				types = append(types, a.Type)
			}
			if m.Offset >= last-1 {
				break
			}
		}
		r.Close()
	}
	return types
}

// TestReplayBadRecords: bad lines are dead-lettered with a reason and counted; the
// rest of the stream is processed.
func TestReplayBadRecords(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	good := `{"id":"%d","source":"x","author":"a%d","text":"is whatsapp down?","created_at":"2022-10-25T07:%02d:00Z"}`
	var in strings.Builder
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&in, good+"\n", i, i, i)
	}
	in.WriteString("not json\n")
	in.WriteString(`{"id":5,"source":"x","author":"a","text":"t","created_at":"2022-10-25T07:00:00Z"}` + "\n")
	in.WriteString(`{"id":"x1","source":"x","author":"a","text":"t","created_at":"yesterday"}` + "\n")
	in.WriteString("{\"id\":\"x2\",\"source\":\"x\",\"author\":\"a\",\"text\":\"\xff\",\"created_at\":\"2022-10-25T07:00:00Z\"}\n")
	in.WriteString(`{"id":"x3","source":"x","author":"a","created_at":"2022-10-25T07:00:00Z"}` + "\n")
	for i := 20; i < 25; i++ {
		fmt.Fprintf(&in, good+"\n", i, i, i)
	}
	src := ingest.NewFile("-")
	src.Stdin = strings.NewReader(in.String())
	var dl bytes.Buffer
	rep, err := Run(ctx, Options{Source: src, DeadLetter: &dl})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Stats.Posts != 30 || rep.Stats.Rejected != 5 || rep.Stats.Mentions != 25 {
		t.Errorf("stats %+v: want 30 posts, 5 rejected, 25 mentions", rep.Stats)
	}
	want := map[string]int64{"not-object": 1, "wrong-type": 1, "bad-time": 1, "invalid-utf8": 1, "missing-field": 1}
	for k, v := range want {
		if rep.Stats.Reasons[k] != v {
			t.Errorf("reason %s: got %d, want %d (all: %v)", k, rep.Stats.Reasons[k], v, rep.Stats.Reasons)
		}
	}
	if n := strings.Count(dl.String(), "\n"); n != 5 {
		t.Errorf("dead-letter has %d lines, want 5:\n%s", n, dl.String())
	}
}

// TestDetectorRestart: a detector stopped midway (while ingest goes on) and started
// again resumes from its checkpoint and ends with the incidents of an uninterrupted run.
func TestDetectorRestart(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, _ := writeScenario(t, "cold-start")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(data, []byte("\n"))
	half := len(lines) / 2
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
	produce := func(part [][]byte, end bool) {
		out, err := ingest.NewKafkaOutput(ctx, bus.Security{}, b.Addrs(), "t.mentions", 3)
		if err != nil {
			t.Fatal(err)
		}
		src := ingest.NewFile("-")
		src.Stdin = bytes.NewReader(bytes.Join(part, nil))
		if err := ingest.New(ingest.Config{EndOnEOF: end}, m, out).Run(ctx, src); err != nil {
			t.Fatal(err)
		}
		out.Close()
	}
	run := func(prefix, group string, exitOnEnd bool) []downwatch.Incident {
		st := store.New(redisClient(t), store.Config{Prefix: prefix})
		rctx, stop := context.WithCancel(ctx)
		defer stop()
		stats := &runner.Stats{}
		done := make(chan error, 1)
		go func() {
			done <- runner.Run(rctx, runner.Config{Brokers: b.Addrs(), Topic: "t.mentions", Group: group, ExitOnEnd: exitOnEnd, Stats: stats}, detect.DefaultConfig(), st, sink.Open(sink.Config{Redis: st}))
		}()
		if !exitOnEnd {
			// Stop once everything produced so far is consumed and checkpointed.
			for stats.Records.Load() == 0 || time.Since(lastChange(stats)) < 700*time.Millisecond {
				select {
				case err := <-done:
					t.Fatalf("detector ended early: %v", err)
				case <-time.After(20 * time.Millisecond):
				}
			}
			stop()
			<-done
			return nil
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		incs, err := st.Incidents(ctx, store.Query{})
		if err != nil {
			t.Fatal(err)
		}
		return incs
	}
	p1, p2 := freshPrefix(t), freshPrefix(t)
	produce(lines[:half], false)
	run(p2, "restarted", false) // consumes the first half, then stops
	produce(lines[half:], true)
	got := run(p2, "restarted", true)
	want := run(p1, "whole", true)
	if len(want) == 0 {
		t.Fatal("uninterrupted run found no incident")
	}
	strip := func(incs []downwatch.Incident) string {
		for i := range incs {
			incs[i].Related = nil
		}
		b, _ := json.Marshal(incs)
		return string(b)
	}
	if g, w := strip(got), strip(want); g != w {
		t.Errorf("restarted detector differs:\n got %s\nwant %s", g, w)
	}
}

var changes = map[*runner.Stats]struct {
	n  int64
	at time.Time
}{}

// lastChange returns when stats.Records last changed, as seen by successive calls.
func lastChange(s *runner.Stats) time.Time {
	c, ok := changes[s]
	if n := s.Records.Load(); !ok || n != c.n {
		c.n, c.at = n, time.Now()
		changes[s] = c
	}
	return c.at
}

// TestReplayNothingUsable: an empty input, or one with only bad records, still ends
// with a report.
func TestReplayNothingUsable(t *testing.T) {
	for name, in := range map[string]string{"empty": "", "only bad": "garbage\n{\"id\":1}\n"} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			src := ingest.NewFile("-")
			src.Stdin = strings.NewReader(in)
			rep, err := Run(ctx, Options{Source: src})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Incidents) != 0 || rep.Stats.Rejected != int64(strings.Count(in, "\n")) {
				t.Errorf("got %+v, want no incidents and every line rejected", rep.Stats)
			}
		})
	}
}

// TestReplayNoAlerts: with NoPublish the incidents are stored and reported as
// without it, and no alert reaches the Redis stream.
func TestReplayNoAlerts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, truth := writeScenario(t, "cold-start")
	var env *Env
	var stream []store.StreamAlert
	var stored []downwatch.Incident
	var storeErr error
	rep, err := Run(ctx, Options{Source: ingest.NewFile(path), NoPublish: true,
		OnStart: func(e *Env) { env = e },
		AfterRun: func(*Report) {
			stream, storeErr = env.Store.AlertsAfter(ctx, "0", 100)
			if storeErr == nil {
				stored, storeErr = env.Store.Incidents(ctx, store.Query{})
			}
		},
	})
	if err != nil || storeErr != nil {
		t.Fatal(err, storeErr)
	}
	if len(truth.Outages) == 0 || len(rep.Incidents) != len(truth.Outages) {
		t.Errorf("report: got %d incidents, want %d (the scenario's outages)", len(rep.Incidents), len(truth.Outages))
	}
	if len(stored) != len(rep.Incidents) {
		t.Errorf("Redis: got %d incidents, want the report's %d", len(stored), len(rep.Incidents))
	}
	if len(stream) != 0 {
		t.Errorf("alert stream: got %d alerts, want none with NoPublish", len(stream))
	}
}
