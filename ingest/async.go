package ingest

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/downwatch/downwatch"
)

// asyncOutput makes an Output's calls on a goroutine of its own, in the order
// they were made, so that a replay goes on reading, decoding and matching while
// the broker acknowledges the last batch (it used to wait, and on a busy machine
// each acknowledgement took a scheduling round of the broker's goroutines).
// Writes waiting in its queue go out as one, so the slower the broker, the
// larger its batches. Replays only: live, a batch is produced before more is
// read, so what a source acknowledged is never only in a queue.
//
// Write takes a copy of its mentions. The first error ends the goroutine;
// every later call returns it, and wait returns it once the queue is done.
type asyncOutput struct {
	out   Output
	ops   chan outOp
	free  chan []downwatch.Mention
	exit  chan struct{}
	err   error // set before exit is closed
	ctx   atomic.Pointer[context.Context]
	stats *Stats // Mentions counts what the broker acknowledged
	max   int    // mentions in one merged write at most
}

// outOp is one call: a Write (ms, possibly none), a Watermark (mark) or an End.
type outOp struct {
	ms   []downwatch.Mention
	at   time.Time
	kind opKind
}

type opKind uint8

const (
	opWrite opKind = iota
	opMark
	opEnd
)

func newAsyncOutput(ctx context.Context, out Output, stats *Stats, batch int) *asyncOutput {
	a := &asyncOutput{out: out, ops: make(chan outOp, 4), free: make(chan []downwatch.Mention, 6),
		exit: make(chan struct{}), stats: stats, max: 8 * batch}
	a.setContext(ctx)
	go a.run()
	return a
}

// setContext makes ctx the context of the calls made from now on, queued ones
// included (a drain's, once the run's is done).
func (a *asyncOutput) setContext(ctx context.Context) { a.ctx.Store(&ctx) }

func (a *asyncOutput) context() context.Context { return *a.ctx.Load() }

func (a *asyncOutput) send(op outOp) error {
	select {
	case a.ops <- op:
		return nil
	case <-a.exit:
		return a.err
	}
}

// Write implements Output: it queues a copy of ms.
func (a *asyncOutput) Write(_ context.Context, ms []downwatch.Mention) error {
	var cp []downwatch.Mention
	if len(ms) > 0 {
		select {
		case cp = <-a.free:
		default:
		}
		cp = append(cp[:0], ms...)
	}
	return a.send(outOp{kind: opWrite, ms: cp})
}

// Watermark implements Output.
func (a *asyncOutput) Watermark(_ context.Context, at time.Time) error {
	return a.send(outOp{kind: opMark, at: at})
}

// End implements Output.
func (a *asyncOutput) End(_ context.Context, at time.Time) error {
	return a.send(outOp{kind: opEnd, at: at})
}

// Close implements Output; it is wait (the output underneath stays open).
func (a *asyncOutput) Close() error { return a.wait() }

// wait closes the queue and returns, once every call in it is made, the first
// error. Call it once, after the last call.
func (a *asyncOutput) wait() error {
	close(a.ops)
	<-a.exit
	return a.err
}

func (a *asyncOutput) run() {
	defer close(a.exit)
	var merged []downwatch.Mention
	var held *outOp
	for {
		var op outOp
		if held != nil {
			op, held = *held, nil
		} else {
			var ok bool
			if op, ok = <-a.ops; !ok {
				return
			}
		}
		var err error
		switch op.kind {
		case opMark:
			// The write that follows is the watermark's own: the watermark goes
			// after its mentions, so nothing later joins it.
			if err = a.out.Watermark(a.context(), op.at); err == nil {
				held, err = a.writeNext()
			}
		case opEnd:
			err = a.out.End(a.context(), op.at)
		case opWrite:
			merged, held, err = a.merge(append(merged[:0], op.ms...), op.ms)
			if err == nil {
				err = a.out.Write(a.context(), merged)
			}
			if err == nil {
				a.stats.Mentions.Add(int64(len(merged)))
			}
		}
		if err != nil {
			a.err = err
			return
		}
	}
}

// writeNext makes the next call if it is a write, as it is, and otherwise
// returns it as held.
func (a *asyncOutput) writeNext() (*outOp, error) {
	op, ok := <-a.ops
	if !ok {
		return nil, nil
	}
	if op.kind != opWrite {
		return &op, nil
	}
	err := a.out.Write(a.context(), op.ms)
	if err == nil {
		a.stats.Mentions.Add(int64(len(op.ms)))
	}
	a.recycle(op.ms)
	return nil, err
}

// merge appends to ms the writes waiting in the queue, recycling their slices
// (and first's), up to max mentions. A watermark waiting among them goes out
// after the mentions of the write that follows it (Output), which the pipeline
// always makes next: so it is made at once, that write joins ms, and the merge
// ends there, the watermark still after the mentions before it and before
// those after it. The first call it does not merge is returned as held.
func (a *asyncOutput) merge(ms, first []downwatch.Mention) ([]downwatch.Mention, *outOp, error) {
	a.recycle(first)
	for len(ms) < a.max {
		var op outOp
		select {
		case o, ok := <-a.ops:
			if !ok {
				return ms, nil, nil
			}
			op = o
		default:
			return ms, nil, nil
		}
		switch op.kind {
		case opMark:
			// Made before the merged write, it follows all of it: so the
			// watermark's own write, which it follows, ends the merge.
			if err := a.out.Watermark(a.context(), op.at); err != nil {
				return ms, nil, err
			}
			next, ok := <-a.ops
			if !ok {
				return ms, nil, nil
			}
			if next.kind != opWrite {
				return ms, &next, nil
			}
			ms = append(ms, next.ms...)
			a.recycle(next.ms)
			return ms, nil, nil
		case opWrite:
			ms = append(ms, op.ms...)
			a.recycle(op.ms)
		default:
			return ms, &op, nil
		}
	}
	return ms, nil, nil
}

func (a *asyncOutput) recycle(ms []downwatch.Mention) {
	if cap(ms) == 0 {
		return
	}
	clear(ms)
	select {
	case a.free <- ms[:0]:
	default:
	}
}
