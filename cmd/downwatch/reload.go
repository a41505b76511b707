package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/downwatch/downwatch/catalog"
)

// catalogWatcher rebuilds the matcher of a running process from its --catalog
// file on SIGHUP and whenever the file's modification time or size changes.
type catalogWatcher struct {
	path  string
	every time.Duration // poll interval; 0: SIGHUP only
	log   *slog.Logger
	out   io.Writer // where a successful reload is said, in one line
	// apply receives each new matcher, built off the hot path.
	apply func(*catalog.Matcher)
}

type fileStamp struct {
	mod  time.Time
	size int64
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.ModTime(), fi.Size()}
}

// start watches until ctx is done; SIGHUP is caught from when it returns. A file
// that does not load keeps the matcher in use and is reported once (the error
// names file and line) until it changes again.
func (w *catalogWatcher) start(ctx context.Context) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go w.run(ctx, hup)
}

func (w *catalogWatcher) run(ctx context.Context, hup chan os.Signal) {
	defer signal.Stop(hup)
	var poll <-chan time.Time
	if w.every > 0 {
		t := time.NewTicker(w.every)
		defer t.Stop()
		poll = t.C
	}
	// A change is loaded once the file has stayed the same for one poll, so that
	// a file caught half written is not reported as broken.
	seen := stampOf(w.path)
	pending := seen
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			seen = stampOf(w.path)
			pending = seen
			w.reload("SIGHUP")
		case <-poll:
			now := stampOf(w.path)
			if now != seen && now == pending {
				seen = now
				w.reload("file changed")
			}
			pending = now
		}
	}
}

func (w *catalogWatcher) reload(why string) {
	start := time.Now()
	cat, err := catalog.Load(w.path)
	var m *catalog.Matcher
	if err == nil {
		m, err = catalog.NewMatcher(cat)
	}
	if err != nil {
		w.log.Error("catalog not reloaded; still matching with the previous one. Fix the file and save it again (or send SIGHUP)", "why", why, "err", err)
	} else {
		n := len(cat.ServiceIDs())
		w.apply(m)
		// The old matcher is garbage now; return its memory at once rather than
		// let the heap double (10,000 services: about 100 MiB).
		fitGC()
		fmt.Fprintf(w.out, "ingest: catalog reloaded from %s (%s): %d services, built in %v\n", w.path, why, n, time.Since(start).Round(time.Millisecond))
	}
}
