package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/store"
)

const partitions = 4

// pace spreads the scenario's posts over this much wall-clock time, so that
// faults land while the detectors are working.
const pace = 6 * time.Second

// run is one pipeline under test: its own topics, group and Redis prefix on the
// shared broker and Redis.
type run struct {
	t                                 *testing.T
	topic, alerts, group, prefix, tag string
	detectors                         []*proc
	feed                              sync.Mutex // held: the copy into topic pauses
	copied                            chan error
}

func newRun(t *testing.T, name string) *run {
	tag := fmt.Sprintf("%s-%d", name, rand.Uint32())
	return &run{t: t, tag: tag, topic: "f." + tag + ".mentions", alerts: "f." + tag + ".alerts", group: "f-" + tag, prefix: "f:" + tag + ":"}
}

// detect starts one more detector in the run's group.
func (r *run) detect() *proc {
	r.t.Helper()
	metrics := fmt.Sprintf("127.0.0.1:%d", freePort())
	p := startProc(r.t, fmt.Sprintf("detect #%d", len(r.detectors)+1), nil, "detect", "--metrics", metrics,
		"--kafka", env.kafka.addr, "--redis", "redis://"+env.redis.addr+"/0", "--topic", r.topic, "--alerts-topic", r.alerts,
		"--group", r.group, "--prefix", r.prefix, "--partitions", fmt.Sprint(partitions))
	p.metrics = metrics
	r.detectors = append(r.detectors, p)
	return p
}

// startIngest copies the mentions that TestMain ingested once into the run's
// topic, record for record (the same keys, values, headers, partitions and
// order), spread over pace: every run's detectors see the same input, however
// the ingester happened to batch it. Holding r.feed pauses the copy.
func (r *run) startIngest() {
	r.t.Helper()
	ctx := context.Background()
	if err := bus.EnsureTopics(ctx, []string{env.kafka.addr}, partitions, r.topic); err != nil {
		r.t.Fatal(err)
	}
	r.copied = make(chan error, 1)
	go func() {
		w := bus.NewWriter(bus.WriterConfig{Brokers: []string{env.kafka.addr}, Topic: r.topic})
		defer w.Close()
		const chunks = 60
		for i := range chunks {
			r.feed.Lock()
			for p := range env.records {
				recs := env.records[p]
				part := recs[i*len(recs)/chunks : (i+1)*len(recs)/chunks]
				if len(part) == 0 {
					continue
				}
				if err := w.Write(ctx, part...); err != nil {
					r.feed.Unlock()
					r.copied <- err
					return
				}
			}
			r.feed.Unlock()
			time.Sleep(pace / chunks)
		}
		r.copied <- nil
	}()
}

// waitDone waits until ingest has produced everything and the group has
// committed every partition to its end.
func (r *run) waitDone(timeout time.Duration) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	c := &kafka.Client{Addr: kafka.TCP(env.kafka.addr), Timeout: 5 * time.Second}
	copied := false
	for {
		select {
		case err := <-r.copied:
			if err != nil {
				r.t.Fatalf("copying the mentions into %s: %v", r.topic, err)
			}
			copied = true
		default:
		}
		if copied {
			if done, _ := r.committedToEnd(ctx, c); done {
				return
			}
		}
		select {
		case <-ctx.Done():
			_, why := r.committedToEnd(context.Background(), c)
			r.t.Fatalf("not done after %v: %s", timeout, why)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (r *run) committedToEnd(ctx context.Context, c *kafka.Client) (bool, string) {
	parts := []int{0, 1, 2, 3}
	reqs := make([]kafka.OffsetRequest, len(parts))
	for i, p := range parts {
		reqs[i] = kafka.LastOffsetOf(p)
	}
	lo, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{r.topic: reqs}})
	if err != nil {
		return false, err.Error()
	}
	of, err := c.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: r.group, Topics: map[string][]int{r.topic: parts}})
	if err != nil {
		return false, err.Error()
	}
	end := map[int]int64{}
	for _, p := range lo.Topics[r.topic] {
		end[p.Partition] = p.LastOffset
	}
	var why []string
	for _, p := range of.Topics[r.topic] {
		if p.CommittedOffset < end[p.Partition] {
			why = append(why, fmt.Sprintf("partition %d committed %d of %d", p.Partition, p.CommittedOffset, end[p.Partition]))
		}
	}
	if len(of.Topics[r.topic]) != len(parts) {
		why = append(why, fmt.Sprintf("%d partitions committed", len(of.Topics[r.topic])))
	}
	return len(why) == 0, strings.Join(why, "; ")
}

// finish checks that every detector still alive stayed up and stops on SIGTERM
// with status 0.
func (r *run) finish(killed ...*proc) {
	r.t.Helper()
	for _, d := range r.detectors {
		if slices.Contains(killed, d) {
			continue
		}
		if d.exited() {
			r.t.Errorf("%s exited during the run: %v", d.name, d.err)
			continue
		}
		waitLive(r.t, d) // its signal handler is installed
		if err := d.term(r.t); err != nil {
			r.t.Errorf("%s on SIGTERM: %v, want exit status 0", d.name, err)
		}
	}
}

// snapshot is what a run leaves: the incidents in Redis, the revisions on the
// Redis alert stream (in order) and those on the Kafka alerts topic (counted).
type snapshot struct {
	incidents map[string]string // id -> the incident's JSON, related links merged
	stream    map[string][]int
	kafka     map[string]map[int]int
}

func (r *run) snapshot() snapshot {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	st, err := store.Open(ctx, "redis://"+env.redis.addr+"/0", store.Config{Prefix: r.prefix})
	if err != nil {
		r.t.Fatal(err)
	}
	defer st.Close()
	s := snapshot{incidents: map[string]string{}, stream: map[string][]int{}, kafka: map[string]map[int]int{}}
	incs, err := st.Incidents(ctx, store.Query{Limit: 10000})
	if err != nil {
		r.t.Fatal(err)
	}
	for _, inc := range incs {
		b, _ := json.Marshal(inc)
		s.incidents[inc.ID] = string(b)
	}
	for after := "0"; ; {
		batch, err := st.AlertsAfter(ctx, after, 1000)
		if err != nil {
			r.t.Fatal(err)
		}
		if len(batch) == 0 {
			break
		}
		for _, a := range batch {
			s.stream[a.Alert.Incident.ID] = append(s.stream[a.Alert.Incident.ID], a.Alert.Incident.Revision)
		}
		after = batch[len(batch)-1].ID
	}
	r.readKafkaAlerts(ctx, s.kafka)
	return s
}

func (r *run) readKafkaAlerts(ctx context.Context, into map[string]map[int]int) {
	r.t.Helper()
	c := &kafka.Client{Addr: kafka.TCP(env.kafka.addr), Timeout: 5 * time.Second}
	md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{r.alerts}})
	if err != nil || len(md.Topics) != 1 {
		r.t.Fatalf("alerts topic %s: %v", r.alerts, err)
	}
	for _, p := range md.Topics[0].Partitions {
		lo, err := c.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{r.alerts: {kafka.LastOffsetOf(p.ID)}}})
		if err != nil {
			r.t.Fatal(err)
		}
		end := lo.Topics[r.alerts][0].LastOffset
		if end == 0 {
			continue
		}
		rd := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{env.kafka.addr}, Topic: r.alerts, Partition: p.ID, MaxWait: 100 * time.Millisecond})
		for {
			m, err := rd.ReadMessage(ctx)
			if err != nil {
				rd.Close()
				r.t.Fatalf("read alerts %s/%d: %v", r.alerts, p.ID, err)
			}
			var a downwatch.Alert
			if err := json.Unmarshal(m.Value, &a); err != nil {
				r.t.Fatalf("alert on Kafka is not JSON: %v", err)
			}
			if into[a.Incident.ID] == nil {
				into[a.Incident.ID] = map[int]int{}
			}
			into[a.Incident.ID][a.Incident.Revision]++
			if m.Offset+1 >= end {
				break
			}
		}
		rd.Close()
	}
}

var baseline struct {
	once sync.Once
	snap snapshot
	err  string
}

// undisturbed returns the snapshot of a run with one detector and no fault.
func undisturbed(t *testing.T) snapshot {
	t.Helper()
	baseline.once.Do(func() {
		r := newRun(t, "undisturbed")
		r.detect()
		r.startIngest()
		r.waitDone(90 * time.Second)
		r.finish()
		baseline.snap = r.snapshot()
		if len(baseline.snap.incidents) == 0 {
			baseline.err = "the undisturbed run stored no incident"
		}
	})
	if baseline.err != "" {
		t.Fatal(baseline.err)
	}
	return baseline.snap
}

// compare checks got against the undisturbed run: the same incidents, each
// revision on the Redis stream once and in order, each on Kafka at least once.
func compare(t *testing.T, want, got snapshot) {
	t.Helper()
	for id, w := range want.incidents {
		if g, ok := got.incidents[id]; !ok {
			t.Errorf("incident %s missing", id)
		} else if g != w {
			t.Errorf("incident %s differs:\n got %s\nwant %s", id, g, w)
		}
	}
	for id := range got.incidents {
		if _, ok := want.incidents[id]; !ok {
			t.Errorf("incident %s is not in the undisturbed run", id)
		}
	}
	for id, w := range want.stream {
		if g := got.stream[id]; !slices.Equal(g, w) {
			t.Errorf("Redis stream revisions of %s: got %v, want %v (each once)", id, g, w)
		}
		for _, rev := range w {
			if got.kafka[id][rev] == 0 {
				t.Errorf("Kafka alerts: revision %d of %s missing", rev, id)
			}
		}
	}
	for id := range got.stream {
		if _, ok := want.stream[id]; !ok {
			t.Errorf("Redis stream carries %s, which the undisturbed run has not", id)
		}
	}
}

// at returns a random point in [lo, hi), logged so a failure can be replayed.
func at(t *testing.T, what string, lo, hi time.Duration) time.Duration {
	d := lo + time.Duration(rand.Int64N(int64(hi-lo)))
	t.Logf("%s after %v", what, d.Round(time.Millisecond))
	return d
}

// waitLive waits until detector p answers /livez.
func waitLive(t *testing.T, p *proc) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if resp, err := http.Get("http://" + p.metrics + "/livez"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
	}
	t.Fatalf("%s does not answer /livez", p.name)
}

// waitWorking waits until detector p holds partitions. (Not until it has
// processed records: while r.feed is held there may be none left to read, when
// the killed detector had checkpointed everything fed so far.)
func waitWorking(t *testing.T, p *proc, timeout time.Duration) {
	t.Helper()
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get("http://" + p.metrics + "/metrics")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "downwatch_detect_partitions "); ok && v != "0" {
				return
			}
		}
	}
	t.Fatalf("%s holds no partition after %v", p.name, timeout)
}
