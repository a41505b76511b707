package ingest

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// marks records the watermarks a pipeline sends.
type marks struct{ c chan time.Time }

func (m *marks) Write(context.Context, []downwatch.Mention) error { return nil }
func (m *marks) Watermark(_ context.Context, at time.Time) error {
	select {
	case m.c <- at:
	default:
	}
	return nil
}
func (m *marks) End(context.Context, time.Time) error { return nil }
func (m *marks) Close() error                         { return nil }

type noMatch struct{}

func (noMatch) Match(*downwatch.Post, []catalog.Hit) []catalog.Hit { return nil }

// silent is connected and never says anything; down never connects.
type silent struct{ connect error }

func (s *silent) Name() string { return "silent" }
func (s *silent) Connect(context.Context) error {
	return s.connect
}
func (s *silent) Read(ctx context.Context) (downwatch.Post, error) {
	<-ctx.Done()
	return downwatch.Post{}, ctx.Err()
}
func (s *silent) Close(context.Context) error { return nil }

func TestLiveWatermarksFollowSourceHealth(t *testing.T) {
	tests := []struct {
		name      string
		src       *silent
		wantMarks bool
	}{
		{"connected and silent: the wall clock moves time on", &silent{}, true},
		{"disconnected: time waits for the source", &silent{connect: ErrReconnect}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &marks{c: make(chan time.Time, 1)}
			p := New(Config{Live: true, FlushEvery: 5 * time.Millisecond, WatermarkEvery: 5 * time.Millisecond,
				MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}, noMatch{}, out)
			done := make(chan error, 1)
			go func() { done <- p.Run(ctx, tt.src) }()
			select {
			case at := <-out.c:
				if !tt.wantMarks {
					t.Fatalf("got a watermark at %v while the source was down", at)
				}
				if d := time.Since(at); d < 0 || d > time.Minute {
					t.Errorf("watermark %v is not the wall clock", at)
				}
			case <-time.After(300 * time.Millisecond):
				if tt.wantMarks {
					t.Fatal("no watermark from a connected, silent source")
				}
			}
			cancel()
			if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
				t.Fatal(err)
			}
		})
	}
}

func TestClampLoneOutlierButFollowJumps(t *testing.T) {
	base := time.Date(2022, 10, 25, 7, 0, 0, 0, time.UTC)
	p := New(Config{}, noMatch{}, &marks{c: make(chan time.Time, 1)})
	at := func(d time.Duration) time.Time {
		post := downwatch.Post{CreatedAt: base.Add(d)}
		p.clamp(&post)
		return post.CreatedAt
	}
	at(0)
	at(time.Minute)
	if got := at(100 * 365 * 24 * time.Hour); !got.Equal(base.Add(time.Minute)) {
		t.Errorf("a lone far-future post: got %v, want it clamped to %v", got, base.Add(time.Minute))
	}
	if got := at(2 * time.Minute); !got.Equal(base.Add(2 * time.Minute)) {
		t.Errorf("the stream goes on: got %v", got)
	}
	// A gap of ten hours in a replayed stream: posts that agree with each other win.
	gap := 10 * time.Hour
	for i := 0; i < 5; i++ {
		at(gap + time.Duration(i)*time.Second)
	}
	if !p.newest.Equal(base.Add(gap + 4*time.Second)) {
		t.Errorf("after a gap: event time %v, want %v", p.newest, base.Add(gap+4*time.Second))
	}
}
