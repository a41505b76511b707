package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/downwatch/downwatch"
)

// chunk is a run of consecutive read results that moves through the pipeline as
// one: read, matched on a worker, produced in order. Handing chunks on instead of
// posts keeps channel operations off the per-post path. From a file (rawSource)
// the reader fills lines only, and the worker decodes them too, so that decoding,
// the largest cost, runs on every core.
type chunk struct {
	rs []readResult
	// lines[i], when not nil, is the raw line of rs[i], number nums[i] of its
	// file, still to be decoded into rs[i] by the worker.
	lines [][]byte
	nums  []int
	arena []byte // backs lines
	done  chan struct{}
}

// chunkSize is how many posts a chunk holds at most.
const chunkSize = 512

var chunkPool = sync.Pool{New: func() any {
	return &chunk{rs: make([]readResult, 0, chunkSize), arena: make([]byte, 0, 128<<10)}
}}

func newChunk() *chunk {
	c := chunkPool.Get().(*chunk)
	c.done = make(chan struct{})
	return c
}

// release returns c to the pool once nothing refers to its results any more.
func (c *chunk) release() {
	clear(c.rs)
	clear(c.lines)
	c.rs, c.lines, c.nums, c.arena = c.rs[:0], c.lines[:0], c.nums[:0], c.arena[:0]
	chunkPool.Put(c)
}

// addLine appends a raw line, copied, to be decoded by the worker.
func (c *chunk) addLine(line []byte, num int) {
	if len(c.arena)+len(line) > cap(c.arena) {
		// Earlier lines keep the old array; the new one takes the rest.
		c.arena = make([]byte, 0, max(cap(c.arena), 2*len(line)))
	}
	a := len(c.arena)
	c.arena = append(c.arena, line...)
	for len(c.lines) < len(c.rs) {
		c.lines, c.nums = append(c.lines, nil), append(c.nums, 0)
	}
	c.lines, c.nums = append(c.lines, c.arena[a:len(c.arena):len(c.arena)]), append(c.nums, num)
	c.rs = append(c.rs, readResult{})
}

// rawSource is a source of raw JSONL lines (File): the pipeline reads them in
// chunks and decodes them on its match workers (decodeLine). readLines appends up
// to max lines to c and returns io.EOF when the input is done and c got none.
type rawSource interface {
	readLines(ctx context.Context, c *chunk, max int) error
}

// decodeLine decodes the raw line of a file into r: a post, a rejection
// (reject) or, for an error that is not a post's fault, err.
func decodeLine(r *readResult, line []byte, num int) {
	p, err := decodeFileLine(line, num)
	var re *downwatch.RejectError
	switch {
	case err == nil:
		r.post = p
	case errors.As(err, &re):
		r.reject = re
	default:
		r.err = fmt.Errorf("source file: %w", err)
	}
}

// readRaw reads a connected rawSource in chunks until it ends (nil) or fails;
// each chunk goes to out whole. Its posts count as read when the chunk is.
func (p *Pipeline) readRaw(ctx context.Context, src rawSource, out chan<- *chunk) error {
	for {
		c := newChunk()
		err := src.readLines(ctx, c, chunkSize)
		if n := len(c.rs); n > 0 {
			p.Stats.Posts.Add(int64(n))
			select {
			case out <- c:
			case <-ctx.Done():
				return nil
			}
		} else {
			c.release()
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// chunkPosts groups the posts of a source read one at a time into chunks of
// whatever is waiting, up to chunkSize, until in is closed.
func chunkPosts(in <-chan readResult, out chan<- *chunk, stop <-chan struct{}) {
	for {
		r, ok := <-in
		if !ok {
			return
		}
		c := newChunk()
		c.rs = append(c.rs, r)
	fill:
		for len(c.rs) < chunkSize {
			select {
			case r, ok := <-in:
				if !ok {
					break fill
				}
				c.rs = append(c.rs, r)
			default:
				break fill
			}
		}
		select {
		case out <- c:
		case <-stop:
			return
		}
	}
}

// work decodes (from a file) and matches the posts of c, and hashes each post's
// (source, id) for dedup.
func (p *Pipeline) work(c *chunk) {
	m := p.m.Load().Matcher
	for i := range c.rs {
		r := &c.rs[i]
		if i < len(c.lines) && c.lines[i] != nil {
			decodeLine(r, c.lines[i], c.nums[i])
		}
		if r.err != nil || r.reject != nil {
			continue
		}
		if r.retract == nil || r.retract.Edited != nil {
			r.hits = m.Match(&r.post, nil)
		}
		if r.retract == nil {
			r.key = p.dedup.key(r.post.Source, r.post.ID)
		}
	}
	close(c.done)
}

// matchStage runs work on a pool of workers, one per core, and hands the
// chunks on in the order they were read: a chunk goes to a free worker, and
// chunks are passed on in order as they finish. It closes its output when in is
// closed, and stops when stop is closed.
func (p *Pipeline) matchStage(in <-chan *chunk, stop <-chan struct{}) <-chan *chunk {
	out := make(chan *chunk, 8)
	workers := max(1, runtime.GOMAXPROCS(0))
	work := make(chan *chunk, workers)
	order := make(chan *chunk, 2*workers)
	for range workers {
		go func() {
			for c := range work {
				p.work(c)
			}
		}()
	}
	go func() { // dispatch
		defer close(work)
		defer close(order)
		for c := range in {
			select {
			case order <- c:
			case <-stop:
				return
			}
			select {
			case work <- c:
			case <-stop:
				return
			}
		}
	}()
	go func() { // collect, in order
		defer close(out)
		for c := range order {
			select {
			case <-c.done:
			case <-stop:
				return
			}
			select {
			case out <- c:
			case <-stop:
				return
			}
		}
	}()
	return out
}
