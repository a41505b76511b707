package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/alicebob/miniredis/v2"

	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/store"
)

// TestReplayTwiceIntoSameRedis: two replays of one file on the embedded broker
// into one real Redis under one prefix give the same report; the second does not
// restore the first one's checkpoints (whose offsets belong to a broker that is
// gone), and neither touches a key outside its prefix.
func TestReplayTwiceIntoSameRedis(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	path, _ := writeScenario(t, "cold-start")
	base := freshPrefix(t)
	prefix := base + "replay:"
	c := redisClient(t)
	live := base + "{whatsapp}:incident:whatsapp.20221025T0705Z"
	if err := c.Set(ctx, live, "live", 0).Err(); err != nil {
		t.Fatal(err)
	}
	var reports [][]byte
	for run := 0; run < 2; run++ {
		rep, err := Run(ctx, Options{Source: ingest.NewFile(path), Redis: redisURL(), Prefix: prefix})
		if err != nil {
			t.Fatalf("run %d: %v", run+1, err)
		}
		if len(rep.Incidents) == 0 {
			t.Fatalf("run %d found no incident", run+1)
		}
		b, _ := json.Marshal(rep.Incidents)
		reports = append(reports, b)
	}
	if !bytes.Equal(reports[0], reports[1]) {
		t.Errorf("second replay into the same Redis differs:\n got %s\nwant %s", reports[1], reports[0])
	}
	if v, err := c.Get(ctx, live).Result(); err != nil || v != "live" {
		t.Errorf("a key outside the replay's prefix: got %q, %v; want it untouched", v, err)
	}
}

// TestReplayRefusesLivePrefix: a replay into a real Redis never writes under the
// live prefix.
func TestReplayRefusesLivePrefix(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	src := ingest.NewFile("-")
	src.Stdin = strings.NewReader("")
	_, err := Run(ctx, Options{Source: src, Redis: redisURL(), Prefix: store.DefaultPrefix})
	if err == nil || !strings.Contains(err.Error(), "live keys") {
		t.Fatalf("replay under %q: got %v, want a refusal naming the live keys", store.DefaultPrefix, err)
	}
}

// TestReplayFailingStoreGivesUp: a replay whose Redis goes away ends with an
// error, in one line, once the store has failed for StallAfter, instead of
// retrying forever.
func TestReplayFailingStoreGivesUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, _ := writeScenario(t, "cold-start")
	mr := miniredis.NewMiniRedis()
	if err := mr.Start(); err != nil {
		t.Fatal(err)
	}
	defer mr.Close()
	const bound = 2 * time.Second
	began := time.Now()
	_, err := Run(ctx, Options{
		Source: ingest.NewFile(path), Redis: "redis://" + mr.Addr(), StallAfter: bound,
		OnStart: func(*Env) { mr.Close() }, // every store call fails from now on
	})
	took := time.Since(began)
	if err == nil {
		t.Fatal("replay with a dead Redis: got no error, want one")
	}
	if msg := err.Error(); !strings.Contains(msg, "store") || strings.Contains(msg, "\n") {
		t.Errorf("error %q: want one line that names the store", msg)
	}
	if ctx.Err() != nil || took > bound+45*time.Second {
		t.Errorf("gave up after %v, want soon after %v", took, bound)
	}
}

// TestReplayFailingBrokerGivesUp: a replay whose Kafka broker goes away ends with
// an error in bounded time instead of waiting forever.
func TestReplayFailingBrokerGivesUp(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	path, _ := writeScenario(t, "cold-start")
	b, err := broker.Start(broker.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const bound = 2 * time.Second
	began := time.Now()
	_, err = Run(ctx, Options{
		Source: ingest.NewFile(path), Kafka: b.Addrs(), StallAfter: bound,
		OnStart: func(*Env) { b.Close() }, // every produce and fetch fails from now on
	})
	took := time.Since(began)
	if err == nil {
		t.Fatal("replay with a dead broker: got no error, want one")
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q: want one line", err)
	}
	if ctx.Err() != nil || took > bound+45*time.Second {
		t.Errorf("gave up after %v, want soon after %v", took, bound)
	}
	t.Logf("gave up after %v: %v", took, err)
}
