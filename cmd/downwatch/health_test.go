package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestDetectWaitsForRedis starts detect against a Redis that does not answer:
// it must stay up, serve /livez, say "degraded" naming Redis on /readyz, log
// the wait once, and return nil on cancellation (a signal).
func TestDetectWaitsForRedis(t *testing.T) {
	metrics, deadRedis := freeAddr(t), freeAddr(t)
	var errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runDetect(ctx, &cliEnv{stdout: io.Discard, stderr: &errb}, []string{"--redis", "redis://" + deadRedis, "--kafka", freeAddr(t), "--metrics", metrics})
	}()
	get := func(path string) (int, string) {
		for range 100 {
			resp, err := http.Get("http://" + metrics + path)
			if err != nil {
				time.Sleep(20 * time.Millisecond)
				continue
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			return resp.StatusCode, string(b)
		}
		t.Fatalf("metrics address never answered; stderr:\n%s", errb.String())
		return 0, ""
	}
	if code, body := get("/livez"); code != 200 {
		t.Errorf("/livez: got %d %q, want 200", code, body)
	}
	var code int
	var body string
	for range 100 {
		if code, body = get("/readyz"); strings.Contains(body, "redis: waiting") {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if code != 503 || !strings.HasPrefix(body, "degraded") || !strings.Contains(body, "redis: waiting") {
		t.Errorf("/readyz with Redis down: got %d %q, want 503 degraded naming redis", code, body)
	}
	time.Sleep(700 * time.Millisecond) // several retries
	select {
	case err := <-done:
		t.Fatalf("detect exited while Redis was down: %v\n%s", err, errb.String())
	default:
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("detect after a signal: got %v, want nil", err)
	}
	if n := strings.Count(errb.String(), "waiting for Redis"); n != 1 {
		t.Errorf("got %d 'waiting for Redis' lines, want 1:\n%s", n, errb.String())
	}
}

// TestIngestWaitsForRedis: a live source keeps its cursor and seen set in Redis;
// with Redis down at start, ingest waits (logging it once) instead of exiting,
// and a signal ends it cleanly.
func TestIngestWaitsForRedis(t *testing.T) {
	deadRedis := freeAddr(t)
	var errb syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- runIngest(ctx, &cliEnv{stdout: io.Discard, stderr: &errb}, []string{"--source", "bluesky", "--jetstream-url", "ws://" + freeAddr(t), "--redis", "redis://" + deadRedis, "--kafka", freeAddr(t)})
	}()
	for i := 0; i < 200 && !strings.Contains(errb.String(), "waiting for Redis"); i++ {
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(time.Second) // more retries
	select {
	case err := <-done:
		t.Fatalf("ingest exited while Redis was down: %v\n%s", err, errb.String())
	default:
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ingest after a signal: got %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ingest did not stop within 10s of a signal")
	}
	if n := strings.Count(errb.String(), "waiting for Redis"); n != 1 {
		t.Errorf("got %d 'waiting for Redis' lines, want 1:\n%s", n, errb.String())
	}
}
