package replay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/detect/runner"
)

// A replay is finite, so a store or broker that keeps failing must end it rather
// than be retried forever (a long-running detect process retries: that is the
// consumer's business). The guard ends the run, with the error in one line, when
// the store has failed without a success in between for StallAfter, or when
// nothing at all has moved (posts read, mentions detected, store writes) for
// StallAfter, quoting the last error logged.

// guardedStore passes every call through to the store and notices when it keeps
// failing.
type guardedStore struct {
	runner.Store
	g *guard
}

func (s guardedStore) Save(ctx context.Context, a []downwatch.Alert) error {
	return s.g.store(s.Store.Save(ctx, a))
}

func (s guardedStore) AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error {
	return s.g.store(s.Store.AppendSeries(ctx, pts))
}

func (s guardedStore) SaveCheckpoint(ctx context.Context, name string, data []byte) error {
	return s.g.store(s.Store.SaveCheckpoint(ctx, name, data))
}

func (s guardedStore) LoadCheckpoint(ctx context.Context, name string) ([]byte, error) {
	b, err := s.Store.LoadCheckpoint(ctx, name)
	return b, s.g.store(err)
}

func (s guardedStore) Link(ctx context.Context, a, b string) error {
	return s.g.store(s.Store.Link(ctx, a, b))
}

func (s guardedStore) IncidentsStartedBetween(ctx context.Context, from, to time.Time) ([]downwatch.Incident, error) {
	incs, err := s.Store.IncidentsStartedBetween(ctx, from, to)
	return incs, s.g.store(err)
}

// guardedSink passes alerts to the sinks and notices when they keep failing.
type guardedSink struct {
	sinks runner.AlertSink
	g     *guard
}

func (s guardedSink) Publish(ctx context.Context, a []downwatch.Alert) error {
	return s.g.outcome("the alert sinks", s.sinks.Publish(ctx, a))
}

// guard ends a run (abort) that is stuck.
type guard struct {
	bound time.Duration
	abort context.CancelCauseFunc
	moves atomic.Int64 // successful store and sink calls

	mu       sync.Mutex
	failing  *time.Timer // set while the store or the sinks fail
	failWhat string      // which of them failed last ("the store")
	storeErr string      // the last error the store or the sinks returned
	lastErr  string      // the last error the store returned or the run logged
}

func newGuard(bound time.Duration, abort context.CancelCauseFunc) *guard {
	return &guard{bound: bound, abort: abort}
}

// store notes the outcome of a store call and returns err unchanged.
func (g *guard) store(err error) error { return g.outcome("the store", err) }

// outcome notes the outcome of a call to what (the store, the alert sinks) and
// returns err unchanged.
func (g *guard) outcome(what string, err error) error {
	if err == nil {
		g.moves.Add(1)
		g.mu.Lock()
		if g.failing != nil {
			g.failing.Stop()
			g.failing = nil
		}
		g.mu.Unlock()
		return nil
	}
	if errors.Is(err, context.Canceled) {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.storeErr, g.failWhat = oneLineErr(err), what
	g.lastErr = g.storeErr
	if g.failing == nil {
		var t *time.Timer
		t = time.AfterFunc(g.bound, func() {
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.failing == t {
				g.abort(fmt.Errorf("replay: %s kept failing for %v, giving up: %s", g.failWhat, g.bound, g.storeErr))
			}
		})
		g.failing = t
	}
	return err
}

// logged records the text of an error the run logged (a partition handler that
// failed, for instance), for the stall message.
func (g *guard) logged(msg string) {
	g.mu.Lock()
	g.lastErr = msg
	g.mu.Unlock()
}

// watch ends the run when the sum that progress returns has not changed for the
// bound, until stop is closed.
func (g *guard) watch(progress func() int64, stop <-chan struct{}) {
	tick := time.NewTicker(min(time.Second, g.bound/4))
	defer tick.Stop()
	last, since := progress()+g.moves.Load(), time.Now()
	for {
		select {
		case <-stop:
			return
		case now := <-tick.C:
			if p := progress() + g.moves.Load(); p != last {
				last, since = p, now
				continue
			}
			if now.Sub(since) >= g.bound {
				g.mu.Lock()
				why := g.lastErr
				g.mu.Unlock()
				if why == "" {
					why = "no error was reported"
				}
				g.abort(fmt.Errorf("replay: no progress for %v, giving up; last error: %s", g.bound, why))
				return
			}
		}
	}
}

func (g *guard) stop() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.failing != nil {
		g.failing.Stop()
		g.failing = nil
	}
}

func oneLineErr(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// errorLog is a slog.Handler that hands the text of every error-level record to
// the guard before passing it on.
type errorLog struct {
	next slog.Handler
	g    *guard
}

func (h errorLog) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelError || h.next.Enabled(ctx, l)
}

func (h errorLog) Handle(ctx context.Context, r slog.Record) error {
	if r.Level >= slog.LevelError {
		var b strings.Builder
		b.WriteString(r.Message)
		r.Attrs(func(a slog.Attr) bool {
			if a.Key == "err" {
				b.WriteString(": " + a.Value.String())
			}
			return true
		})
		h.g.logged(strings.Join(strings.Fields(b.String()), " "))
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h errorLog) WithAttrs(as []slog.Attr) slog.Handler {
	return errorLog{next: h.next.WithAttrs(as), g: h.g}
}

func (h errorLog) WithGroup(name string) slog.Handler {
	return errorLog{next: h.next.WithGroup(name), g: h.g}
}
