package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// Matcher finds the services a post complains about (catalog.Matcher satisfies it).
type Matcher interface {
	Match(p *downwatch.Post, dst []catalog.Hit) []catalog.Hit
}

// Config configures a Pipeline. Zero values take the defaults named.
type Config struct {
	// BatchSize mentions per produce call; default 1000.
	BatchSize int
	// FlushEvery bounds how long a mention waits in a partial batch; default 50ms.
	FlushEvery time.Duration
	// WatermarkEvery wall-clock interval between watermarks in live mode; default 1s.
	// Replays write one whenever event time enters a new minute.
	WatermarkEvery time.Duration
	// MaxSkew: a post more than this ahead of the newest event time seen (or, live,
	// of the wall clock) gets that time instead; default 5m.
	MaxSkew time.Duration
	// Live: event time is also bounded by the wall clock, and watermarks follow it
	// while the source is silent.
	Live bool
	// EndOnEOF writes an end record to every partition when the source is done (replay).
	EndOnEOF bool
	// DedupSize is how many recent (source, id) pairs are remembered to drop
	// duplicates; default 200000.
	DedupSize int
	// DeadLetter receives rejected records (nil: logged only).
	DeadLetter io.Writer
	Logger     *slog.Logger
	Now        func() time.Time
}

// Stats counts what a pipeline did. Safe to read while it runs.
type Stats struct {
	Posts      atomic.Int64 // records read (accepted + rejected)
	Rejected   atomic.Int64 // records dead-lettered
	Duplicates atomic.Int64 // posts dropped as already seen
	Matched    atomic.Int64 // posts that produced at least one mention
	Mentions   atomic.Int64 // mentions produced
	Reconnects atomic.Int64
	Clamped    atomic.Int64 // posts whose event time was clamped

	mu      sync.Mutex
	reasons map[string]int64
}

// Reasons returns rejected counts by reason.
func (s *Stats) Reasons() map[string]int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int64, len(s.reasons))
	for k, v := range s.reasons {
		out[k] = v
	}
	return out
}

func (s *Stats) reject(reason string) {
	s.Rejected.Add(1)
	s.mu.Lock()
	if s.reasons == nil {
		s.reasons = map[string]int64{}
	}
	s.reasons[reason]++
	s.mu.Unlock()
}

// Pipeline moves posts from one source through the matcher to an output.
type Pipeline struct {
	cfg   Config
	m     Matcher
	out   Output
	Stats Stats

	dedup  *dedup
	newest time.Time
}

// New returns a pipeline.
func New(cfg Config, m Matcher, out Output) *Pipeline {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 1000
	}
	if cfg.FlushEvery <= 0 {
		cfg.FlushEvery = 50 * time.Millisecond
	}
	if cfg.WatermarkEvery <= 0 {
		cfg.WatermarkEvery = time.Second
	}
	if cfg.MaxSkew <= 0 {
		cfg.MaxSkew = 5 * time.Minute
	}
	if cfg.DedupSize <= 0 {
		cfg.DedupSize = 200000
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Pipeline{cfg: cfg, m: m, out: out, dedup: newDedup(cfg.DedupSize)}
}

type readResult struct {
	post downwatch.Post
	err  error
}

// Run reads src until it ends (io.EOF) or ctx is done, reconnecting with
// exponential backoff and jitter when the source asks to. It returns nil at the end
// of the input and ctx's error when cancelled.
func (p *Pipeline) Run(ctx context.Context, src Source) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	posts := make(chan readResult, 4096)
	go p.read(ctx, src, posts)

	batch := make([]downwatch.Mention, 0, p.cfg.BatchSize)
	hits := make([]catalog.Hit, 0, 4)
	tick := time.NewTicker(p.cfg.FlushEvery)
	defer tick.Stop()
	var lastMark time.Time // event time of the last watermark
	lastMarkWall := p.cfg.Now()
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		if err := p.out.Write(ctx, batch); err != nil {
			return err
		}
		p.Stats.Mentions.Add(int64(len(batch)))
		batch = batch[:0]
		return nil
	}
	mark := func(force bool) error {
		at := p.newest
		if p.cfg.Live {
			// Live: while a source is silent the wall clock still moves time on.
			if w := p.cfg.Now().Add(-5 * time.Second).UTC(); w.After(at) {
				at = w
			}
		}
		if at.IsZero() {
			return nil
		}
		due := at.Truncate(time.Minute).After(lastMark.Truncate(time.Minute))
		if p.cfg.Live {
			due = p.cfg.Now().Sub(lastMarkWall) >= p.cfg.WatermarkEvery
		}
		if !due && !force {
			return nil
		}
		if err := flush(); err != nil {
			return err
		}
		lastMark, lastMarkWall = at, p.cfg.Now()
		return p.out.Watermark(ctx, at)
	}
	for {
		select {
		case <-ctx.Done():
			flush()
			return ctx.Err()
		case <-tick.C:
			if err := flush(); err != nil {
				return err
			}
			if err := mark(false); err != nil {
				return err
			}
		case r, ok := <-posts:
			if !ok {
				if err := flush(); err != nil {
					return err
				}
				if p.cfg.EndOnEOF && !p.newest.IsZero() {
					if err := p.out.End(ctx, p.newest); err != nil {
						return err
					}
				}
				return nil
			}
			if r.err != nil {
				if errors.Is(r.err, io.EOF) {
					continue
				}
				return r.err
			}
			post := r.post
			if !p.dedup.add(post.Source, post.ID) {
				p.Stats.Duplicates.Add(1)
				continue
			}
			p.clamp(&post)
			hits = p.m.Match(&post, hits[:0])
			if len(hits) > 0 {
				p.Stats.Matched.Add(1)
			}
			for _, h := range hits {
				batch = append(batch, downwatch.Mention{Service: h.Service, Kind: h.Kind, Symptoms: h.Symptoms, Ack: h.Ack, Resolved: h.Resolved, Post: post})
			}
			if len(batch) >= p.cfg.BatchSize {
				if err := flush(); err != nil {
					return err
				}
			}
			if err := mark(false); err != nil {
				return err
			}
		}
	}
}

// clamp bounds a post's event time (CONTRACT §1): far ahead of the newest event
// time seen it gets that time and does not move it.
func (p *Pipeline) clamp(post *downwatch.Post) {
	t := post.CreatedAt
	limit := p.newest.Add(p.cfg.MaxSkew)
	if p.cfg.Live {
		if w := p.cfg.Now().Add(p.cfg.MaxSkew); p.newest.IsZero() || w.Before(limit) {
			limit = w
		}
	}
	if !limit.IsZero() && (!p.newest.IsZero() || p.cfg.Live) && t.After(limit) {
		p.Stats.Clamped.Add(1)
		if p.newest.IsZero() {
			post.CreatedAt = p.cfg.Now().UTC()
		} else {
			post.CreatedAt = p.newest
		}
		return
	}
	if t.After(p.newest) {
		p.newest = t
	}
}

// read runs the source: connect, read until the end, reconnect on ErrReconnect.
func (p *Pipeline) read(ctx context.Context, src Source, out chan<- readResult) {
	defer close(out)
	send := func(r readResult) bool {
		select {
		case out <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	backoff := 250 * time.Millisecond
	for attempt := 0; ; attempt++ {
		if err := src.Connect(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			if !errors.Is(err, ErrReconnect) && attempt == 0 {
				send(readResult{err: fmt.Errorf("ingest: connect %s: %w", src.Name(), err)})
				return
			}
			p.cfg.Logger.Warn("connect failed; retrying", "source", src.Name(), "err", err, "in", backoff)
			if !sleep(ctx, jitter(backoff)) {
				return
			}
			backoff = min(backoff*2, time.Minute)
			continue
		}
		for {
			post, err := src.Read(ctx)
			if err == nil {
				backoff = 250 * time.Millisecond
				p.Stats.Posts.Add(1)
				if !send(readResult{post: post}) {
					src.Close(context.Background())
					return
				}
				continue
			}
			var re *downwatch.RejectError
			if errors.As(err, &re) {
				p.Stats.Posts.Add(1)
				p.deadLetter(src.Name(), re)
				continue
			}
			src.Close(context.Background())
			if errors.Is(err, io.EOF) || ctx.Err() != nil {
				return
			}
			if !errors.Is(err, ErrReconnect) {
				send(readResult{err: fmt.Errorf("ingest: read %s: %w", src.Name(), err)})
				return
			}
			p.Stats.Reconnects.Add(1)
			p.cfg.Logger.Warn("source disconnected; reconnecting", "source", src.Name(), "err", err, "in", backoff)
			if !sleep(ctx, jitter(backoff)) {
				return
			}
			backoff = min(backoff*2, time.Minute)
			break
		}
	}
}

func (p *Pipeline) deadLetter(source string, re *downwatch.RejectError) {
	p.Stats.reject(re.Reason)
	if p.cfg.DeadLetter == nil {
		p.cfg.Logger.Debug("record rejected", "source", source, "reason", re.Reason, "detail", re.Detail)
		return
	}
	b, _ := json.Marshal(map[string]string{"source": source, "reason": re.Reason, "detail": re.Detail})
	p.cfg.DeadLetter.Write(append(b, '\n'))
}

func jitter(d time.Duration) time.Duration {
	return d/2 + time.Duration(rand.Int64N(int64(d)))
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// dedup remembers the last n (source, id) pairs in two generations, so memory
// stays bounded and a duplicate within the last n to 2n posts is dropped.
type dedup struct {
	n        int
	cur, old map[string]struct{}
}

func newDedup(n int) *dedup {
	return &dedup{n: n, cur: make(map[string]struct{}, 1024), old: map[string]struct{}{}}
}

// add reports whether the pair is new.
func (d *dedup) add(source, id string) bool {
	k := source + "\x00" + id
	if _, ok := d.cur[k]; ok {
		return false
	}
	if _, ok := d.old[k]; ok {
		return false
	}
	if len(d.cur) >= d.n {
		d.old, d.cur = d.cur, make(map[string]struct{}, d.n)
	}
	d.cur[k] = struct{}{}
	return true
}
