package ingest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// slowOutput takes its time over every batch, so posts wait in the push queue.
type slowOutput struct {
	mu  sync.Mutex
	ids map[string]bool
}

func (s *slowOutput) Write(_ context.Context, ms []downwatch.Mention) error {
	time.Sleep(20 * time.Millisecond)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		s.ids[m.Post.ID] = true
	}
	return nil
}
func (s *slowOutput) Watermark(context.Context, time.Time) error { return nil }
func (s *slowOutput) End(context.Context, time.Time) error       { return nil }
func (s *slowOutput) Close() error                               { return nil }

// TestShutdownProducesWhatPushAccepted: records answered 200 and still in the
// push queue when the ingester stops are produced before Run returns, not
// dropped with the queue.
func TestShutdownProducesWhatPushAccepted(t *testing.T) {
	listening := make(chan net.Addr, 1)
	push, _ := NewPush(PushConfig{Addr: "127.0.0.1:0", Logger: discard(), OnListen: func(a net.Addr) { listening <- a }})
	out := &slowOutput{ids: map[string]bool{}}
	p := New(Config{Live: true, BatchSize: 10, FlushEvery: time.Millisecond, DrainTimeout: 30 * time.Second,
		Logger: slog.New(slog.DiscardHandler), MaxSkew: 100 * 365 * 24 * time.Hour}, everything{}, out)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, push) }()
	addr := (<-listening).String()
	var body strings.Builder
	const n = 600
	for i := range n {
		fmt.Fprintf(&body, `{"id":"p%d","source":"http","author":"a%d","text":"x","created_at":"2026-11-27T10:00:00Z"}`+"\n", i, i)
	}
	resp, err := http.Post("http://"+addr+"/v1/posts", "application/x-ndjson", strings.NewReader(body.String()))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("push answered %d", resp.StatusCode)
	}
	cancel() // at once: most of the 600 are still queued
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Run did not return within 60s of cancel")
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.ids) != n {
		t.Errorf("produced %d of the %d records answered 200", len(out.ids), n)
	}
}
