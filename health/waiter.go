package health

import (
	"log/slog"
	"sync"
	"time"
)

// Waiter tracks one dependency as a loop sees it and logs its changes once: the
// first failure after a success logs "waiting for WHAT", the first success
// after failures logs that it answers again and after how long. It also reports
// the state to a Health, when one is set. It is safe for concurrent use.
type Waiter struct {
	What   string       // what is waited for, e.g. "Kafka at 127.0.0.1:9092"
	Dep    string       // dependency name in /readyz and the metric, e.g. "kafka"
	Log    *slog.Logger // default slog.Default()
	Health *Health      // optional

	mu    sync.Mutex
	since time.Time // start of the current outage; zero while up
	tries int
}

// Fail records a failed attempt; it logs only the first of an outage.
func (w *Waiter) Fail(err error) {
	w.mu.Lock()
	first := w.since.IsZero()
	if first {
		w.since = time.Now()
	}
	w.tries++
	w.mu.Unlock()
	if w.Health != nil {
		w.Health.Set(w.Dep, err)
	}
	if first {
		w.log().Warn("waiting for "+w.What+"; retrying with backoff", "err", err)
	}
}

// OK records a success; it logs only the first after an outage.
func (w *Waiter) OK() {
	w.mu.Lock()
	since, tries := w.since, w.tries
	w.since, w.tries = time.Time{}, 0
	w.mu.Unlock()
	if w.Health != nil {
		w.Health.Set(w.Dep, nil)
	}
	if !since.IsZero() {
		w.log().Warn(w.What+" answers again", "after", time.Since(since).Round(time.Millisecond), "attempts", tries)
	}
}

// Down reports whether the last attempt failed.
func (w *Waiter) Down() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.since.IsZero()
}

func (w *Waiter) log() *slog.Logger {
	if w.Log == nil {
		return slog.Default()
	}
	return w.Log
}
