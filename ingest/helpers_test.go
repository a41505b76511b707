package ingest

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// everything matches every post, so an output sees each post the pipeline passes.
type everything struct{}

func (everything) Match(p *downwatch.Post, dst []catalog.Hit) []catalog.Hit {
	return append(dst, catalog.Hit{Service: "test", Kind: downwatch.KindComplaint})
}

// recorder is an Output that keeps the posts and signals each batch; retract
// mentions are kept apart.
type recorder struct {
	mu       sync.Mutex
	posts    []downwatch.Post
	retracts []downwatch.Mention
	ch       chan struct{}
}

func newRecorder() *recorder { return &recorder{ch: make(chan struct{}, 1)} }

func (r *recorder) Write(_ context.Context, ms []downwatch.Mention) error {
	r.mu.Lock()
	for _, m := range ms {
		if m.Kind == downwatch.KindRetract {
			r.retracts = append(r.retracts, m)
			continue
		}
		r.posts = append(r.posts, m.Post)
	}
	r.mu.Unlock()
	select {
	case r.ch <- struct{}{}:
	default:
	}
	return nil
}
func (r *recorder) Watermark(context.Context, time.Time) error { return nil }
func (r *recorder) End(context.Context, time.Time) error       { return nil }
func (r *recorder) Close() error                               { return nil }

func (r *recorder) snapshot() []downwatch.Post {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]downwatch.Post(nil), r.posts...)
}

func (r *recorder) retracted() []downwatch.Mention {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]downwatch.Mention(nil), r.retracts...)
}

// waitForRetracts blocks until the recorder holds n retract mentions (or the
// deadline passes).
func (r *recorder) waitForRetracts(t *testing.T, n int, within time.Duration) []downwatch.Mention {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		if got := r.retracted(); len(got) >= n {
			return got
		}
		select {
		case <-r.ch:
		case <-deadline.C:
			t.Fatalf("got %d retracts within %v, want %d", len(r.retracted()), within, n)
			return nil
		}
	}
}

// waitFor blocks until the recorder holds n posts (or the deadline passes).
func (r *recorder) waitFor(t *testing.T, n int, within time.Duration) []downwatch.Post {
	t.Helper()
	deadline := time.NewTimer(within)
	defer deadline.Stop()
	for {
		if got := r.snapshot(); len(got) >= n {
			return got
		}
		select {
		case <-r.ch:
		case <-deadline.C:
			got := r.snapshot()
			t.Fatalf("got %d posts within %v, want %d: %+v", len(got), within, n, ids(got))
			return nil
		}
	}
}

func ids(ps []downwatch.Post) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// pipe runs src in a pipeline feeding a recorder, until the test ends.
type pipe struct {
	p    *Pipeline
	rec  *recorder
	dl   *syncBuffer
	err  chan error
	stop context.CancelFunc
}

func runPipe(t *testing.T, src Source) *pipe {
	t.Helper()
	return runPipeMatch(t, src, everything{})
}

func runPipeMatch(t *testing.T, src Source, m Matcher) *pipe {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rec := newRecorder()
	dl := &syncBuffer{}
	p := New(Config{Live: true, FlushEvery: 5 * time.Millisecond, MinBackoff: 5 * time.Millisecond, MaxBackoff: 20 * time.Millisecond,
		DeadLetter: dl, Logger: slog.New(slog.DiscardHandler), MaxSkew: 100 * 365 * 24 * time.Hour}, m, rec)
	pp := &pipe{p: p, rec: rec, dl: dl, err: make(chan error, 1), stop: cancel}
	go func() { pp.err <- p.Run(ctx, src) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-pp.err:
		case <-time.After(10 * time.Second):
			t.Error("pipeline did not stop within 10s of cancel")
		}
	})
	return pp
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// lines splits a fixture into its lines, keeping each line's end.
func lines(b []byte) [][]byte {
	var out [][]byte
	r := bufio.NewReader(bytes.NewReader(b))
	for {
		l, err := r.ReadBytes('\n')
		if len(l) > 0 {
			out = append(out, l)
		}
		if err == io.EOF {
			return out
		}
	}
}

var t2022 = time.Date(2022, 10, 25, 9, 0, 0, 0, time.UTC)

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }
