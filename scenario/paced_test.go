package scenario

import (
	"context"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestPaced(t *testing.T) {
	s := Demo()
	want := 0
	s.Generate(func(downwatch.Post) error { want++; return nil })
	// Paced from past the end: every post as fast as it is taken, in order.
	got, last := 0, time.Time{}
	for p := range s.Paced(context.Background(), s.Start.Add(s.Duration+time.Hour), 1) {
		if p.CreatedAt.Before(last.Add(-time.Hour)) {
			t.Fatalf("post %s at %v after one at %v", p.ID, p.CreatedAt, last)
		}
		last = p.CreatedAt
		got++
	}
	if got != want {
		t.Errorf("Paced gave %d posts, Generate %d", got, want)
	}
	// Paced from the start at real time: after a cancel the channel closes at once.
	ctx, cancel := context.WithCancel(context.Background())
	ch := s.Paced(ctx, s.Start, 1)
	<-ch
	cancel()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case _, ok := <-ch:
			if !ok {
				return
			}
		case <-deadline:
			t.Fatal("the channel stayed open 5s after cancel")
		}
	}
}
