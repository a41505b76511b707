package ingest

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// conn is one open HTTP stream (X, Mastodon): its body, the cancel of its
// request, and a watchdog that closes it when nothing arrives for stall.
type conn struct {
	body    io.ReadCloser
	cancel  context.CancelFunc
	r       *bufio.Reader
	stall   time.Duration
	dog     *time.Timer
	stalled atomic.Bool
	once    sync.Once
}

func newConn(body io.ReadCloser, cancel context.CancelFunc, stall time.Duration) *conn {
	c := &conn{body: body, cancel: cancel, r: bufio.NewReaderSize(body, 64<<10), stall: stall}
	c.dog = time.AfterFunc(stall, func() {
		c.stalled.Store(true)
		c.close()
	})
	return c
}

// close ends the request; the watchdog calls it too.
func (c *conn) close() {
	c.once.Do(func() {
		c.cancel()
		c.body.Close()
	})
}

// stop stops the watchdog and closes; for the goroutines that own c.
func (c *conn) stop() {
	c.dog.Stop()
	c.close()
}

// line returns the next line without its end of line; any line, blank keep-alives
// included, feeds the watchdog. A line longer than max is consumed and returned
// as tooLong. Errors wrap ErrReconnect (the connection is gone), or are ctx's.
func (c *conn) line(ctx context.Context, max int) (line []byte, tooLong bool, err error) {
	var buf []byte
	for {
		chunk, err := c.r.ReadSlice('\n')
		if len(buf)+len(chunk) > max {
			tooLong, buf = true, buf[:0]
		} else if !tooLong {
			buf = append(buf, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil, false, ctx.Err()
			}
			if c.stalled.Load() {
				return nil, false, fmt.Errorf("%w: no data or keep-alive for %v", ErrReconnect, c.stall)
			}
			if errors.Is(err, io.EOF) {
				return nil, false, fmt.Errorf("%w: server closed the stream", ErrReconnect)
			}
			return nil, false, fmt.Errorf("%w: %v", ErrReconnect, err)
		}
		c.dog.Reset(c.stall)
		return bytes.TrimRight(buf, "\r\n"), tooLong, nil
	}
}

// httpStatusError describes a refused streaming or polling request.
func httpStatusError(what string, resp *http.Response) error {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	msg := strings.TrimSpace(string(b))
	if msg != "" {
		msg = ": " + msg
	}
	return fmt.Errorf("%s: HTTP %s%s", what, resp.Status, msg)
}
