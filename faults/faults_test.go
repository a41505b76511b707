package faults

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault suite runs processes; skipped under -short")
	}
}

// TestKill9Detector kills the only detector with SIGKILL at random points,
// twice, restarting it each time: it resumes from its checkpoints.
func TestKill9Detector(t *testing.T) {
	skipShort(t)
	want := undisturbed(t)
	r := newRun(t, "kill9")
	d := r.detect()
	r.startIngest()
	time.Sleep(at(t, "first kill -9", time.Second, pace/2))
	// The input waits while the group notices the death, so the second kill
	// also lands mid-stream.
	r.feed.Lock()
	d.kill9()
	d = r.detect()
	waitWorking(t, d, 30*time.Second)
	r.feed.Unlock()
	time.Sleep(at(t, "second kill -9", 0, 2*time.Second))
	d.kill9()
	r.detect()
	r.waitDone(120 * time.Second)
	r.finish(r.detectors[0], r.detectors[1])
	compare(t, want, r.snapshot())
}

// TestThreeDetectorsOneKilled runs three detectors in one group and kills one
// with SIGKILL: the others take its partitions over.
func TestThreeDetectorsOneKilled(t *testing.T) {
	skipShort(t)
	want := undisturbed(t)
	r := newRun(t, "three")
	r.detect()
	victim := r.detect()
	r.detect()
	r.startIngest()
	time.Sleep(at(t, "kill -9 of detector #2", time.Second, pace))
	victim.kill9()
	r.waitDone(120 * time.Second)
	r.finish(victim)
	compare(t, want, r.snapshot())
}

// TestRedisStopped10s stops Redis for 10 seconds under a working detector.
func TestRedisStopped10s(t *testing.T) {
	skipShort(t)
	want := undisturbed(t)
	r := newRun(t, "redis")
	d := r.detect()
	r.startIngest()
	time.Sleep(at(t, "Redis stopped", time.Second, pace/2))
	env.redis.stop()
	time.Sleep(3 * time.Second)
	readyz := get(t, "http://"+d.metrics+"/readyz")
	metrics := get(t, "http://"+d.metrics+"/metrics")
	time.Sleep(7 * time.Second)
	if err := env.redis.start(); err != nil {
		t.Fatal(err)
	}
	r.waitDone(120 * time.Second)
	r.finish()
	if !strings.HasPrefix(readyz, "degraded") || !strings.Contains(readyz, "redis: waiting") {
		t.Errorf("/readyz with Redis down: got %q, want degraded naming redis", readyz)
	}
	if !strings.Contains(metrics, `downwatch_dependency_up{dependency="redis"} 0`) {
		t.Errorf("metrics with Redis down lack downwatch_dependency_up{dependency=\"redis\"} 0")
	}
	compare(t, want, r.snapshot())
}

// get returns the body at url ("" when it does not answer).
func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// TestBrokerRestart stops the broker under a working detector and starts it
// again on the same port and data. (The mentions copy pauses meanwhile, so the
// input stays record for record the undisturbed run's; the ingester's own side
// of a broker outage is ingest's TestKafkaOutputRidesOutBrokerOutage.)
func TestBrokerRestart(t *testing.T) {
	skipShort(t)
	want := undisturbed(t)
	r := newRun(t, "broker")
	r.detect()
	r.startIngest()
	time.Sleep(at(t, "broker stopped", time.Second, pace/2))
	r.feed.Lock()
	env.kafka.stop()
	time.Sleep(3 * time.Second)
	err := env.kafka.start()
	r.feed.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	r.waitDone(120 * time.Second)
	r.finish()
	compare(t, want, r.snapshot())
}

// TestRebalanceMidBatch makes the group rebalance twice while partitions are
// mid-batch: a second detector joins, then leaves on SIGTERM.
func TestRebalanceMidBatch(t *testing.T) {
	skipShort(t)
	want := undisturbed(t)
	r := newRun(t, "rebalance")
	r.detect()
	r.startIngest()
	time.Sleep(at(t, "second detector joins", 500*time.Millisecond, pace/2))
	second := r.detect()
	waitWorking(t, second, 30*time.Second)
	time.Sleep(at(t, "second detector leaves", 0, time.Second))
	if err := second.term(t); err != nil {
		t.Errorf("the second detector on SIGTERM: %v", err)
	}
	r.waitDone(120 * time.Second)
	r.finish(second)
	compare(t, want, r.snapshot())
}
