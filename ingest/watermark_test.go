package ingest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// kafkaOrder is an Output that records what a consumer of the mentions topic
// would read, in order: watermarks queue and follow the next Write's mentions,
// as KafkaOutput sends them.
type kafkaOrder struct {
	mu      sync.Mutex
	records []string
	marks   []string
}

func (s *kafkaOrder) Write(_ context.Context, ms []downwatch.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		s.records = append(s.records, "mention "+m.Post.ID)
	}
	s.records = append(s.records, s.marks...)
	s.marks = s.marks[:0]
	return nil
}

func (s *kafkaOrder) Watermark(_ context.Context, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.marks = append(s.marks[:0], "watermark "+at.Format(time.RFC3339))
	return nil
}

func (s *kafkaOrder) End(context.Context, time.Time) error { return nil }
func (s *kafkaOrder) Close() error                         { return nil }

// TestWatermarksFallWhereTheStreamPutsThem: from a file, where a watermark
// falls among late posts decides whether they count, so it must not depend on
// when a flush timer happens to fire. The same posts, read slowly, give the same
// record kafkaOrder whether the pipeline flushes every microsecond or never.
func TestWatermarksFallWhereTheStreamPutsThem(t *testing.T) {
	base := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	var posts []downwatch.Post
	for i := range 240 {
		at := base.Add(time.Duration(i) * 2 * time.Second)
		if i%7 == 3 {
			at = at.Add(-50 * time.Second) // late, across a minute boundary
		}
		posts = append(posts, downwatch.Post{ID: fmt.Sprint(i), Source: "s", Author: fmt.Sprint("a", i), Text: "down", CreatedAt: at})
	}
	run := func(flush time.Duration) []string {
		ch := make(chan downwatch.Post)
		go func() {
			defer close(ch)
			for i, p := range posts {
				if i%10 == 0 {
					time.Sleep(200 * time.Microsecond) // let a short flush timer fire mid-stream
				}
				ch <- p
			}
		}()
		out := &kafkaOrder{}
		p := New(Config{Logger: discard(), FlushEvery: flush, BatchSize: 1000}, everything{}, out)
		if err := p.Run(context.Background(), &Chan{C: ch}); err != nil {
			t.Fatal(err)
		}
		return out.records
	}
	never, often := run(time.Hour), run(time.Microsecond)
	marks := 0
	for _, r := range never {
		if r[0] == 'w' {
			marks++
		}
	}
	if marks < 7 {
		t.Fatalf("%d watermarks over 8 minutes of posts, want one a minute", marks)
	}
	if !slices.Equal(never, often) {
		t.Errorf("the record kafkaOrder depends on the flush timer:\nflush never: %v\nflush often: %v", never, often)
	}
}
