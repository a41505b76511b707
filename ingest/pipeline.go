package ingest

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/health"
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
	// MaxSkew: a post more than this ahead of the wall clock is clamped (live, to
	// the receive time); default 5m.
	MaxSkew time.Duration
	// ReplaySkew (not live): a post more than this ahead of the newest event time
	// seen is a bad clock unless the next post agrees with it; default 24h.
	ReplaySkew time.Duration
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
	// MinBackoff is the first wait before reconnecting a source that lost its
	// connection; it doubles (with jitter) on every failed attempt up to
	// MaxBackoff and resets when a post arrives. Defaults 250ms and 1m. A source
	// that knows better (a rate limit's reset time) returns a *RetryError.
	MinBackoff, MaxBackoff time.Duration
	// DrainTimeout bounds how long Run spends, once ctx is done, producing what it
	// has already read (graceful shutdown); default 5s.
	DrainTimeout time.Duration
	// Registerer, when set, gets the pipeline's per-source metrics
	// (downwatch_ingest_*{source="..."}) while Run runs. No global registry is used.
	Registerer prometheus.Registerer
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
	Reconnects atomic.Int64 // connection attempts after a lost connection or failed connect
	Errors     atomic.Int64 // failed connects and lost connections
	Clamped    atomic.Int64 // posts whose event time was clamped
	Retracted  atomic.Int64 // deletes and edits read (each writes a retract per service matched)
	// Newest is the newest event time seen, in Unix nanoseconds (0: none yet).
	Newest atomic.Int64

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

// Lag is how far the newest event time seen is behind now (0 before the first post).
func (s *Stats) Lag(now time.Time) time.Duration {
	n := s.Newest.Load()
	if n == 0 {
		return 0
	}
	return now.Sub(time.Unix(0, n))
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
	m     atomic.Pointer[matcherRef] // swapped by SetMatcher between chunks of posts
	out   Output
	Stats Stats

	dedup *dedup
	// matched remembers the services recent posts matched, so that a delete or
	// edit retracts the post where it was counted.
	matched *matchedMemory
	newest  time.Time
	// ahead: the last post was more than ReplaySkew ahead of newest, at aheadAt.
	ahead   bool
	aheadAt time.Time
	// connected is set while the source is connected. Only then does the wall
	// clock move watermarks on: silence because a source is down is not recovery.
	connected atomic.Bool
	srcName   string    // of the source Run reads
	wall      time.Time // the wall clock when the current chunk was taken
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
	if cfg.ReplaySkew <= 0 {
		cfg.ReplaySkew = 24 * time.Hour
	}
	if cfg.DedupSize <= 0 {
		cfg.DedupSize = 200000
	}
	if cfg.MinBackoff <= 0 {
		cfg.MinBackoff = 250 * time.Millisecond
	}
	if cfg.MaxBackoff <= 0 {
		cfg.MaxBackoff = time.Minute
	}
	if cfg.MaxBackoff < cfg.MinBackoff {
		cfg.MaxBackoff = cfg.MinBackoff
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	p := &Pipeline{cfg: cfg, out: out, dedup: newDedup(cfg.DedupSize), matched: newMatchedMemory(matchedSize)}
	if cfg.Live {
		// A live process takes the memory its bounded sets will fill at once
		// (about 16 MB), so that its size stays flat while they fill.
		p.dedup.pretouch()
		p.matched.pretouch()
	}
	p.SetMatcher(m)
	return p
}

// matcherRef boxes a Matcher so that it can be swapped atomically.
type matcherRef struct{ Matcher }

// SetMatcher makes m the matcher of every post read from now on (a catalog
// reload). It is safe to call while Run runs: posts already being matched finish
// with the matcher they started with. Build m before calling: this only swaps.
func (p *Pipeline) SetMatcher(m Matcher) { p.m.Store(&matcherRef{m}) }

type readResult struct {
	post downwatch.Post
	err  error
	hits []catalog.Hit // set by the match stage
	// retract is set for a delete or an edit; post is then the edited post
	// (matched) or empty (a delete, not matched).
	retract *Retraction
	// accepted is when the pipeline took the post from its source, in Unix
	// nanoseconds (live only; 0 in replays).
	accepted int64
	// reject is set for a line of a file the worker could not decode.
	reject *downwatch.RejectError
	// key is the post's dedup hash, set by the match stage.
	key uint64
}

// Run reads src until it ends (io.EOF) or ctx is done, reconnecting with
// exponential backoff and jitter when the source asks to. It returns nil at the end
// of the input and ctx's error when cancelled.
//
// Shutdown is graceful: when ctx is done the source is closed, the posts already
// read are matched and produced (for at most DrainTimeout), and Run returns only
// after the source has been closed.
func (p *Pipeline) Run(parent context.Context, src Source) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	if p.cfg.Registerer != nil {
		c := &statsCollector{source: src.Name(), s: &p.Stats, now: p.cfg.Now}
		if err := p.cfg.Registerer.Register(c); err != nil {
			return fmt.Errorf("ingest: register metrics of %s: %w", src.Name(), err)
		}
		defer p.cfg.Registerer.Unregister(c)
	}
	p.srcName = src.Name()
	posts, stopStages := p.startStages(ctx, src)
	defer func() { cancel(); stopStages() }()
	var drainCancel context.CancelFunc
	defer func() {
		if drainCancel != nil {
			drainCancel()
		}
	}()
	drainCtx := func() context.Context {
		var dctx context.Context
		dctx, drainCancel = context.WithTimeout(context.WithoutCancel(ctx), p.cfg.DrainTimeout)
		return dctx
	}

	pr := &producer{p: p, octx: ctx, out: p.out, batch: make([]downwatch.Mention, 0, p.cfg.BatchSize),
		accepted: make([]int64, 0, p.cfg.BatchSize), lastMarkWall: p.cfg.Now()}
	if p.cfg.Live {
		pr.stamped, _ = p.out.(AcceptedWriter)
	} else {
		pr.async = newAsyncOutput(ctx, p.out, &p.Stats, p.cfg.BatchSize)
		pr.out = pr.async
		defer func() {
			if pr.async != nil { // an early return: what is queued is given up
				cancel()
				pr.async.wait()
			}
		}()
	}
	err := pr.run(ctx, posts, drainCtx)
	if pr.async != nil {
		err = cmp.Or(err, pr.async.wait())
		pr.async = nil
	}
	if err == nil && pr.cancelled {
		return parent.Err()
	}
	return err
}

// startStages starts reading src and matching what it reads, and returns the
// matched chunks in order and a function that stops both and waits for the
// reader.
func (p *Pipeline) startStages(ctx context.Context, src Source) (<-chan *chunk, func()) {
	read := make(chan readResult, 4096)
	chunks := make(chan *chunk, 4)
	readerDone, chunkerDone := make(chan struct{}), make(chan struct{})
	stop := make(chan struct{})
	go func() {
		defer close(readerDone)
		p.read(ctx, src, read, chunks)
	}()
	go func() {
		defer close(chunkerDone)
		chunkPosts(read, chunks, stop)
	}()
	go func() { // both write to chunks: it closes when both are done
		<-readerDone
		<-chunkerDone
		close(chunks)
	}()
	return p.matchStage(chunks, stop), func() { close(stop); <-readerDone }
}

// run produces the matched chunks until there are no more (the end of the
// input, or ctx done and what was read drained: cancelled is then set).
func (pr *producer) run(ctx context.Context, posts <-chan *chunk, drainCtx func() context.Context) error {
	p := pr.p
	done := ctx.Done()
	tick := time.NewTicker(p.cfg.FlushEvery)
	defer tick.Stop()
	for {
		select {
		case <-done:
			// Drain: the reader stops and closes posts; produce what it has read.
			done = nil
			pr.setContext(drainCtx())
		case <-tick.C:
			if err := pr.flush(); err != nil {
				return err
			}
			if err := pr.mark(false); err != nil {
				return err
			}
		case c, ok := <-posts:
			if !ok {
				if done != nil && ctx.Err() != nil {
					done = nil
					pr.setContext(drainCtx())
				}
				if err := pr.flush(); err != nil {
					return err
				}
				if done == nil {
					pr.cancelled = true
					return nil
				}
				if p.cfg.EndOnEOF && !p.newest.IsZero() {
					return pr.out.End(pr.octx, p.newest)
				}
				return nil
			}
			if err := pr.addChunk(c); err != nil {
				return err
			}
		}
	}
}

// setContext makes ctx the context of output calls from now on.
func (pr *producer) setContext(ctx context.Context) {
	pr.octx = ctx
	if pr.async != nil {
		pr.async.setContext(ctx)
	}
}

// addChunk takes the results of a chunk, in order, and releases it.
func (pr *producer) addChunk(c *chunk) error {
	defer c.release()
	pr.p.wall = pr.p.cfg.Now()
	var t uint64
	for i := range c.rs {
		t ^= pr.p.dedup.touch(c.rs[i].key)
	}
	pr.touched = t
	for i := range c.rs {
		if err := pr.add(&c.rs[i]); err != nil {
			return err
		}
	}
	return nil
}

// producer batches the mentions of a Run and places its watermarks.
type producer struct {
	p     *Pipeline
	octx  context.Context // of output writes; outlives Run's context while draining
	out   Output          // p.out, or in a replay async in front of it
	async *asyncOutput
	// cancelled: Run's context was done, and what was read has been produced.
	cancelled bool
	batch     []downwatch.Mention
	accepted  []int64 // of each mention in batch
	stamped   AcceptedWriter
	lastMark  time.Time // event time of the last watermark
	// lastMarkWall is the wall-clock time of the last watermark.
	lastMarkWall time.Time
	touched      uint64 // what dedup.touch read, kept so that the compiler keeps the reads
}

// add takes one matched post (or retraction) into the batch.
func (pr *producer) add(r *readResult) error {
	p := pr.p
	if r.err != nil {
		if errors.Is(r.err, io.EOF) {
			return nil
		}
		return r.err
	}
	if r.reject != nil {
		p.deadLetter(p.srcName, r.reject)
		return nil
	}
	if r.retract != nil {
		pr.batch = p.retract(r, pr.batch)
		pr.accepted = stampTo(pr.accepted, len(pr.batch), 0)
		if len(pr.batch) >= p.cfg.BatchSize {
			return pr.flush()
		}
		return nil
	}
	post := r.post
	if !p.dedup.add(r.key) {
		p.Stats.Duplicates.Add(1)
		return nil
	}
	p.clamp(&post)
	if !p.cfg.Live && post.CreatedAt.Sub(pr.lastMark) > gapMark {
		// A sparse stream moved on: the watermark goes before the post, so
		// the detector reads the gap as time passing, not as a clock ahead.
		if err := pr.flush(); err != nil {
			return err
		}
		if err := pr.mark(false); err != nil {
			return err
		}
	}
	pr.batch = p.mentions(pr.batch, &post, r.hits)
	pr.accepted = stampTo(pr.accepted, len(pr.batch), r.accepted)
	if len(pr.batch) >= p.cfg.BatchSize {
		if err := pr.flush(); err != nil {
			return err
		}
	}
	return pr.mark(false)
}

// flush writes the batch.
func (pr *producer) flush() error {
	if len(pr.batch) == 0 {
		return nil
	}
	var err error
	if pr.stamped != nil {
		err = pr.stamped.WriteAccepted(pr.octx, pr.batch, pr.accepted)
	} else {
		err = pr.out.Write(pr.octx, pr.batch)
	}
	if err != nil {
		return err
	}
	if pr.async == nil { // async counts them once acknowledged
		pr.p.Stats.Mentions.Add(int64(len(pr.batch)))
	}
	pr.batch, pr.accepted = pr.batch[:0], pr.accepted[:0]
	return nil
}

// mark sends a watermark when one is due (force: now): from a file when event
// time enters a new minute, live every WatermarkEvery.
func (pr *producer) mark(force bool) error {
	p := pr.p
	at := p.newest
	if p.cfg.Live && p.connected.Load() {
		// Live: while a connected source is silent the wall clock still moves
		// time on; while it is disconnected, time waits for it.
		if w := p.cfg.Now().Add(-5 * time.Second).UTC(); w.After(at) {
			at = w
		}
	}
	if at.IsZero() {
		return nil
	}
	due := at.Truncate(time.Minute).After(pr.lastMark.Truncate(time.Minute))
	if p.cfg.Live {
		due = p.cfg.Now().Sub(pr.lastMarkWall) >= p.cfg.WatermarkEvery
	}
	if !due && !force {
		return nil
	}
	pr.lastMark, pr.lastMarkWall = at, p.cfg.Now()
	if err := pr.out.Watermark(pr.octx, at); err != nil {
		return err
	}
	if !p.cfg.Live {
		// From a file the watermark goes exactly here, after the mentions read
		// so far and before the next: where it falls among late posts decides
		// whether they count, and that must not depend on a flush timer.
		if len(pr.batch) == 0 {
			return pr.out.Write(pr.octx, nil)
		}
		return pr.flush()
	}
	if len(pr.batch) == 0 {
		// Nothing to ride with: send the watermark on its own.
		return pr.out.Write(pr.octx, nil)
	}
	return nil // it follows the batch's mentions in the next flush
}

// stampTo extends accepted, the accept time of each mention of a batch, to n
// entries of at.
func stampTo(accepted []int64, n int, at int64) []int64 {
	for len(accepted) < n {
		accepted = append(accepted, at)
	}
	return accepted
}

// mentions appends a mention of post for each hit and remembers the services.
func (p *Pipeline) mentions(batch []downwatch.Mention, post *downwatch.Post, hits []catalog.Hit) []downwatch.Mention {
	if len(hits) == 0 {
		return batch
	}
	p.Stats.Matched.Add(1)
	for _, h := range hits {
		batch = append(batch, downwatch.Mention{Service: h.Service, Kind: h.Kind, Symptoms: h.Symptoms, Ack: h.Ack, Resolved: h.Resolved, Post: *post})
	}
	p.matched.add(post.Source, post.ID, hits)
	return batch
}

// retract appends a retract mention for each service the retracted post
// matched (docs/CONTRACT.md §5), keyed by service like the mention it
// retracts, so it lands on the same partition after it. An edit then counts as
// a new post for what its new text matches. A post matched longer ago than the
// memory reaches (matchedSize posts) is not retracted.
func (p *Pipeline) retract(r *readResult, batch []downwatch.Mention) []downwatch.Mention {
	rt := r.retract
	p.Stats.Retracted.Add(1)
	stub := downwatch.Post{ID: rt.ID, Source: rt.Source, CreatedAt: rt.At.UTC()}
	if rt.At.IsZero() { // the upstream gives no time: the receive time, or in a file the newest seen
		stub.CreatedAt = p.newest
		if p.cfg.Live || stub.CreatedAt.IsZero() {
			stub.CreatedAt = p.cfg.Now().UTC()
		}
	}
	p.clamp(&stub)
	for _, svc := range p.matched.take(rt.Source, rt.ID) {
		batch = append(batch, downwatch.Mention{Service: svc, Kind: downwatch.KindRetract, Post: stub})
	}
	if rt.Edited == nil {
		return batch
	}
	post := r.post
	p.clamp(&post)
	return p.mentions(batch, &post, r.hits)
}

// gapMark: a post further than this past the last watermark (file mode) has its
// watermark written first. The detector takes a mention more than its own skew
// (default 5m) ahead of its clock for a bad clock; a watermark it takes as time.
const gapMark = 2 * time.Minute

// clamp bounds a post's event time (docs/CONTRACT.md §1). Only times in the future are
// clamped; late and sparse posts keep their own times, and the detector's
// lateness rule decides what is too late.
//
// Live, the reference is the receive time: a post more than MaxSkew ahead of
// the wall clock gets the wall clock. A file is history with no receive time,
// so two bounds stand in: nothing can be ahead of the wall clock (a post beyond
// it by MaxSkew gets the newest event time seen, or the wall clock before the
// first), and a post more than ReplaySkew ahead of the newest event time seen
// is a bad clock unless the next post agrees with it (a real gap between two
// recordings): the first of such a pair gets the newest time. A clamped post
// never moves the newest event time.
func (p *Pipeline) clamp(post *downwatch.Post) {
	t := post.CreatedAt
	if p.cfg.Live {
		now := p.cfg.Now()
		if t.After(now.Add(p.cfg.MaxSkew)) {
			p.Stats.Clamped.Add(1)
			post.CreatedAt = now.UTC()
			t = post.CreatedAt
		}
		p.advanceNewest(t)
		return
	}
	now := p.wall // a file's bound: read once a chunk, not once a post
	if now.IsZero() {
		now = p.cfg.Now()
	}
	wallAhead := t.After(now.Add(p.cfg.MaxSkew))
	jumpAhead := !p.newest.IsZero() && t.After(p.newest.Add(p.cfg.ReplaySkew))
	if jumpAhead && !wallAhead {
		if p.ahead && t.Sub(p.aheadAt).Abs() <= p.cfg.ReplaySkew {
			jumpAhead = false // two in a row agree: a jump in time, not a bad clock
		} else {
			p.ahead, p.aheadAt = true, t
		}
	}
	if wallAhead || jumpAhead {
		p.Stats.Clamped.Add(1)
		post.CreatedAt = p.newest
		if p.newest.IsZero() {
			post.CreatedAt = now.UTC()
		}
		return
	}
	p.ahead = false
	p.advanceNewest(t)
}

func (p *Pipeline) advanceNewest(t time.Time) {
	if t.After(p.newest) {
		p.newest = t
		p.Stats.Newest.Store(t.UnixNano())
	}
}

// read runs the source: connect, read until the end, reconnect on ErrReconnect
// after a backoff (the source's own wait when it returns a *RetryError). A
// rawSource's lines go to chunks, anything else to out one at a time.
func (p *Pipeline) read(ctx context.Context, src Source, out chan<- readResult, chunks chan<- *chunk) {
	defer close(out)
	send := func(r readResult) bool {
		select {
		case out <- r:
			return true
		case <-ctx.Done():
			return false
		}
	}
	backoff := p.cfg.MinBackoff
	for attempt := 0; ; attempt++ {
		if attempt > 0 {
			p.Stats.Reconnects.Add(1)
		}
		err := src.Connect(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			if errors.Is(err, ErrFatal) || (!errors.Is(err, ErrReconnect) && attempt == 0) {
				send(readResult{err: fmt.Errorf("source %s: %w", src.Name(), err)})
				return
			}
			p.Stats.Errors.Add(1)
		} else {
			p.connected.Store(true)
			var held *downwatch.Post
			if rs, ok := src.(rawSource); ok {
				err = p.readRaw(ctx, rs, chunks)
			} else {
				held, err = p.readConnected(ctx, src, send, &backoff)
			}
			p.connected.Store(false)
			src.Close(context.Background())
			if ctx.Err() != nil {
				p.drainSource(src, held, out)
				return
			}
			if err == nil {
				return
			}
			if errors.Is(err, ErrFatal) || !errors.Is(err, ErrReconnect) {
				send(readResult{err: fmt.Errorf("source %s: %w", src.Name(), err)})
				return
			}
			p.Stats.Errors.Add(1)
		}
		wait := jitter(backoff)
		if re := (*RetryError)(nil); errors.As(err, &re) {
			wait = re.After + time.Duration(rand.Int64N(int64(p.cfg.MinBackoff)))
		} else {
			backoff = min(backoff*2, p.cfg.MaxBackoff)
		}
		p.cfg.Logger.Warn("source disconnected; reconnecting", "source", src.Name(), "err", err, "in", wait.Round(time.Millisecond))
		if !health.Sleep(ctx, wait) {
			return
		}
	}
}

// drainSource passes on, once the source is closed, the records it had already
// acknowledged (Drainer), each within DrainTimeout of the last: Run is still
// reading out while it drains, and produces them with the rest.
// held is a post read but not yet passed on when the pipeline stopped.
func (p *Pipeline) drainSource(src Source, held *downwatch.Post, out chan<- readResult) {
	d, ok := src.(Drainer)
	if !ok {
		return
	}
	timer := time.NewTimer(p.cfg.DrainTimeout)
	defer timer.Stop()
	n := 0
	pass := func(post downwatch.Post) bool {
		select {
		case out <- readResult{post: post}:
			n++
			return true
		case <-timer.C:
			p.cfg.Logger.Error("shutdown: gave up passing on acknowledged records", "source", src.Name(), "passed", n, "after", p.cfg.DrainTimeout)
			return false
		}
	}
	if held != nil && !pass(*held) {
		return
	}
	d.Drain(func(post downwatch.Post, err error) bool {
		p.Stats.Posts.Add(1)
		if re := (*downwatch.RejectError)(nil); errors.As(err, &re) {
			p.deadLetter(src.Name(), re)
			return true
		}
		return pass(post)
	})
}

// readConnected reads a connected source until it ends (nil) or fails. A post
// read but not passed on because ctx is done is returned as held.
func (p *Pipeline) readConnected(ctx context.Context, src Source, send func(readResult) bool, backoff *time.Duration) (held *downwatch.Post, err error) {
	for {
		post, err := src.Read(ctx)
		if err == nil {
			*backoff = p.cfg.MinBackoff
			p.Stats.Posts.Add(1)
			r := readResult{post: post}
			if p.cfg.Live {
				r.accepted = time.Now().UnixNano()
			}
			if !send(r) {
				return &post, nil
			}
			continue
		}
		var rt *Retraction
		if errors.As(err, &rt) {
			r := readResult{retract: rt}
			if rt.Edited != nil {
				r.post = *rt.Edited
			}
			if !send(r) {
				return nil, nil // a retraction is not an acknowledged post: it is not held
			}
			continue
		}
		var re *downwatch.RejectError
		if errors.As(err, &re) {
			p.Stats.Posts.Add(1)
			p.deadLetter(src.Name(), re)
			continue
		}
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
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

// dedup remembers the last n (source, id) pairs in two generations, so memory
// stays bounded and a duplicate within the last n to 2n posts is dropped.
type dedup struct {
	n        int
	seed     maphash.Seed
	cur, old hashSet
}

func newDedup(n int) *dedup {
	return &dedup{n: n, seed: maphash.MakeSeed()}
}

// pretouch makes both generations their full size and writes every slot, so
// that the memory they are bounded by is resident from the start.
func (d *dedup) pretouch() {
	for _, s := range []*hashSet{&d.cur, &d.old} {
		s.reserve(d.n)
		s.reset()
	}
}

// key is the hash add takes for the pair. It is safe for concurrent use (the
// match workers call it).
func (d *dedup) key(source, id string) uint64 {
	var h maphash.Hash
	h.SetSeed(d.seed)
	h.WriteString(source)
	h.WriteByte(0)
	h.WriteString(id)
	return h.Sum64()
}

// add reports whether the pair of key k is new. Pairs are kept as 64-bit hashes:
// no allocation per post, and a collision (about one in 10^13 at this size) drops
// one post at most.
func (d *dedup) add(k uint64) bool {
	if d.cur.has(k) || d.old.has(k) {
		return false
	}
	if d.cur.len() >= d.n {
		d.old, d.cur = d.cur, d.old
		d.cur.reset()
	}
	d.cur.insert(k)
	return true
}

// touch reads the slots where add will look k up first and returns what it
// read. Touched for a whole chunk before its posts are added, the reads are
// independent of each other, so the processor overlaps their cache misses
// (the sets of a million posts are far larger than its caches), where add,
// one post after the other, waited for each in turn.
func (d *dedup) touch(k uint64) uint64 { return d.cur.touch(k) ^ d.old.touch(k) }

// hashSet is a set of 64-bit hashes: open addressing with linear probing in one
// array, at most half full, which grows by doubling. A lookup touches one or two
// cache lines where a map, for this, spent more time finding its group; the
// pipeline looks every post up in two of them.
type hashSet struct {
	slots []uint64 // 0 is an empty slot; key 0 is stored as 1
	n     int
}

func (s *hashSet) len() int { return s.n }

func (s *hashSet) has(k uint64) bool {
	if s.n == 0 {
		return false
	}
	_, ok := s.slot(k)
	return ok
}

// slot is where k is (ok), or the empty slot where it would go. s must have
// slots.
func (s *hashSet) slot(k uint64) (i uint64, ok bool) {
	k = max(k, 1)
	mask := uint64(len(s.slots) - 1)
	for i = k & mask; ; i = (i + 1) & mask {
		switch s.slots[i] {
		case k:
			return i, true
		case 0:
			return i, false
		}
	}
}

// touch reads the slot where a lookup of k starts (touch).
func (s *hashSet) touch(k uint64) uint64 {
	if len(s.slots) == 0 {
		return 0
	}
	return s.slots[max(k, 1)&uint64(len(s.slots)-1)]
}

// insert adds k, which must not be in s yet.
func (s *hashSet) insert(k uint64) {
	if 2*(s.n+1) > len(s.slots) {
		s.grow()
	}
	i, _ := s.slot(k)
	s.slots[i] = max(k, 1)
	s.n++
}

func (s *hashSet) grow() {
	old := s.slots
	s.slots, s.n = make([]uint64, max(1024, 2*len(old))), 0
	for _, k := range old {
		if k != 0 {
			s.insert(k)
		}
	}
}

// reserve gives the empty s room for n keys at once: it does not grow until
// it holds more.
func (s *hashSet) reserve(n int) {
	size := 1024
	for size < 2*n+2 {
		size *= 2
	}
	if len(s.slots) < size {
		s.slots = make([]uint64, size)
	}
}

// reset empties s and keeps its array.
func (s *hashSet) reset() {
	clear(s.slots)
	s.n = 0
}

// matchedSize is how many matched posts the pipeline remembers for retractions.
const matchedSize = 100000

// matchedMemory maps recent matched posts, by a hash of (source, id), to the
// services they matched, in two generations of n like dedup: bounded memory,
// and a post among the last n to 2n matched can still be retracted. A
// generation is a hashSet of the posts' keys with their values beside it
// (matchedGen): 16 bytes a slot, about 40 a post when full, and no
// allocation per post, where a map of service lists took about 60 and one.
type matchedMemory struct {
	n        int
	seed     maphash.Seed
	cur, old matchedGen
	names    []string          // service ids by index; a packed value holds index+1
	index    map[string]uint16 // the inverse of names
}

// matchedGen is one generation. Its set is made at the size of a whole
// generation and never grows, so a key keeps its slot, and vals[slot] is its
// value: up to four service indices of 16 bits (0: none; all 0: the post was
// taken). A post of more services, or of a service past the 65,535th, is kept
// in over.
type matchedGen struct {
	set  hashSet
	vals []uint64
	over map[uint64][]string
}

func newMatchedMemory(n int) *matchedMemory {
	m := &matchedMemory{n: n, seed: maphash.MakeSeed(), index: map[string]uint16{}}
	for _, g := range []*matchedGen{&m.cur, &m.old} {
		g.set.reserve(n)
		g.vals = make([]uint64, len(g.set.slots))
	}
	return m
}

// pretouch writes every slot once, so that the memory the two generations are
// bounded by is resident from the start (a live process's memory then stays
// flat instead of growing over the minutes they take to fill).
func (m *matchedMemory) pretouch() {
	m.cur.reset()
	m.old.reset()
}

func (m *matchedMemory) key(source, id string) uint64 {
	var h maphash.Hash
	h.SetSeed(m.seed)
	h.WriteString(source)
	h.WriteByte(0)
	h.WriteString(id)
	return h.Sum64()
}

// add remembers the services of hits for the post.
func (m *matchedMemory) add(source, id string, hits []catalog.Hit) {
	if m.cur.set.len() >= m.n {
		m.old, m.cur = m.cur, m.old
		m.cur.reset()
	}
	k := m.key(source, id)
	var v uint64
	if len(hits) <= 4 {
		for i, h := range hits {
			x, ok := m.index[h.Service]
			if !ok {
				if len(m.names) >= 1<<16-1 {
					v = 0
					break
				}
				m.names = append(m.names, h.Service)
				x = uint16(len(m.names))
				m.index[h.Service] = x
			}
			v |= uint64(x) << (16 * i)
		}
	}
	if v == 0 && len(hits) > 0 { // too many services, or an index past 16 bits
		if m.cur.over == nil {
			m.cur.over = map[uint64][]string{}
		}
		svcs := make([]string, len(hits))
		for i, h := range hits {
			svcs[i] = h.Service
		}
		m.cur.over[k] = svcs
	}
	m.cur.put(k, v)
}

// take returns the services the post matched and forgets it.
func (m *matchedMemory) take(source, id string) []string {
	k := m.key(source, id)
	for _, g := range []*matchedGen{&m.cur, &m.old} {
		if svcs, ok := g.over[k]; ok {
			delete(g.over, k)
			g.put(k, 0)
			return svcs
		}
		if v := g.take(k); v != 0 {
			var svcs []string
			for ; v != 0; v >>= 16 {
				svcs = append(svcs, m.names[v&0xffff-1])
			}
			return svcs
		}
	}
	return nil
}

// put sets k's value, adding k when it is new.
func (g *matchedGen) put(k, v uint64) {
	i, ok := g.set.slot(k)
	if !ok {
		g.set.slots[i] = max(k, 1)
		g.set.n++
	}
	g.vals[i] = v
}

// take returns k's value and sets it to 0 (k stays, taken).
func (g *matchedGen) take(k uint64) uint64 {
	i, ok := g.set.slot(k)
	if !ok {
		return 0
	}
	v := g.vals[i]
	g.vals[i] = 0
	return v
}

func (g *matchedGen) reset() {
	g.set.reset()
	clear(g.vals)
	g.over = nil
}
