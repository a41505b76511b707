package ingest

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/downwatch/downwatch"
)

// scripted is a source whose connects fail with the given errors, then which
// serves posts and ends.
type scripted struct {
	mu       sync.Mutex
	connects []error
	at       []time.Time
	posts    []downwatch.Post
}

func (s *scripted) Name() string { return "scripted" }
func (s *scripted) Connect(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.at = append(s.at, time.Now())
	if len(s.connects) > 0 {
		err := s.connects[0]
		s.connects = s.connects[1:]
		return err
	}
	return nil
}
func (s *scripted) Read(ctx context.Context) (downwatch.Post, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.posts) == 0 {
		return downwatch.Post{}, io.EOF
	}
	p := s.posts[0]
	s.posts = s.posts[1:]
	return p, nil
}
func (s *scripted) Close(context.Context) error { return nil }

func TestPipelineHonoursRetryAfter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &scripted{
			connects: []error{&RetryError{After: 90 * time.Second, Err: errors.New("HTTP 429")}, ErrReconnect},
			posts:    []downwatch.Post{{ID: "1", Source: "s", Author: "a", Text: "t", CreatedAt: t2022}},
		}
		rec := newRecorder()
		p := New(Config{Logger: discard()}, everything{}, rec)
		if err := p.Run(context.Background(), src); err != nil {
			t.Fatal(err)
		}
		if d := src.at[1].Sub(src.at[0]); d < 90*time.Second || d > 91*time.Second {
			t.Errorf("waited %v after a 429 asking for 90s", d)
		}
		if d := src.at[2].Sub(src.at[1]); d < 125*time.Millisecond || d > 375*time.Millisecond {
			t.Errorf("waited %v after a plain reconnect, want 250ms±50%%", d)
		}
		if p.Stats.Errors.Load() != 2 || p.Stats.Reconnects.Load() != 2 || len(rec.snapshot()) != 1 {
			t.Errorf("got %d errors, %d reconnects, %d posts; want 2, 2, 1", p.Stats.Errors.Load(), p.Stats.Reconnects.Load(), len(rec.snapshot()))
		}
	})
}

func TestPipelineFatalStopsWithoutRetry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		src := &scripted{connects: []error{ErrReconnect, fatalf("HTTP 401: set X_BEARER_TOKEN")}}
		p := New(Config{Logger: discard()}, everything{}, newRecorder())
		err := p.Run(context.Background(), src)
		if !errors.Is(err, ErrFatal) || !strings.Contains(err.Error(), "X_BEARER_TOKEN") {
			t.Errorf("got %v, want the fatal error", err)
		}
		if len(src.at) != 2 {
			t.Errorf("got %d connects, want 2 (no retry after the fatal one)", len(src.at))
		}
	})
}

func TestPipelineGracefulShutdownAndMetrics(t *testing.T) {
	ch := make(chan downwatch.Post)
	reg := prometheus.NewRegistry()
	rec := newRecorder()
	now := t2022.Add(time.Minute)
	p := New(Config{Live: true, Registerer: reg, Logger: discard(), Now: func() time.Time { return now }}, everything{}, rec)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() { done <- p.Run(ctx, &Chan{C: ch}) }()
	ch <- downwatch.Post{ID: "1", Source: "s", Author: "a", Text: "t", CreatedAt: t2022}
	rec.waitFor(t, 1, 10*time.Second)
	mfs, err := reg.Gather()
	if err != nil || len(mfs) != 8 {
		t.Errorf("got %d metric families (%v), want 8", len(mfs), err)
	}
	for _, mf := range mfs {
		if mf.GetName() == "downwatch_ingest_posts_total" {
			if m := mf.GetMetric()[0]; m.GetCounter().GetValue() != 1 || m.GetLabel()[0].GetValue() != "chan" {
				t.Errorf("posts metric: got %v", m)
			}
		}
	}
	if lag := p.Stats.Lag(now); lag != time.Minute {
		t.Errorf("got lag %v, want 1m", lag)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("got %v, want context.Canceled", err)
	}
	if mfs, _ := reg.Gather(); len(mfs) != 0 {
		t.Errorf("got %d metric families after Run, want them unregistered", len(mfs))
	}
}

// sequence records what an output was asked to write, in the order a consumer
// would read it: a watermark after the mentions of the next Write (Output).
type sequence struct {
	mu   sync.Mutex
	log  []string
	mark string
}

func (s *sequence) Write(_ context.Context, ms []downwatch.Mention) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, m := range ms {
		s.log = append(s.log, "post "+m.Post.ID+" "+m.Post.CreatedAt.Format(time.RFC3339))
	}
	if s.mark != "" {
		s.log, s.mark = append(s.log, s.mark), ""
	}
	return nil
}
func (s *sequence) Watermark(_ context.Context, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.mark = "watermark " + at.Format(time.RFC3339)
	return nil
}
func (s *sequence) End(context.Context, time.Time) error { return nil }
func (s *sequence) Close() error                         { return nil }

// TestSparseReplayMarksTheGapFirst: after a gap the watermark precedes the post,
// so a detector reads the gap as time passing and keeps the post's own time.
func TestSparseReplayMarksTheGapFirst(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 27, 10, m, 0, 0, time.UTC) }
	post := func(id string, m int) downwatch.Post {
		return downwatch.Post{ID: id, Source: "s", Author: id, Text: "t", CreatedAt: at(m)}
	}
	src := &scripted{posts: []downwatch.Post{post("a", 0), post("b", 30), post("c", 59), post("late", 10)}}
	out := &sequence{}
	if err := New(Config{Logger: discard()}, everything{}, out).Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"watermark 2026-11-27T10:00:00Z", "post a 2026-11-27T10:00:00Z",
		"watermark 2026-11-27T10:30:00Z", "post b 2026-11-27T10:30:00Z",
		"watermark 2026-11-27T10:59:00Z", "post c 2026-11-27T10:59:00Z",
		"post late 2026-11-27T10:10:00Z",
	}
	if strings.Join(out.log, "\n") != strings.Join(want, "\n") {
		t.Errorf("wrote\n%s\nwant\n%s", strings.Join(out.log, "\n"), strings.Join(want, "\n"))
	}
}
