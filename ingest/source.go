package ingest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

// Source is the one contract every input follows. Connect opens it, Read returns the
// next post, Close releases it. Read returns:
//   - io.EOF when the source is finished (a file); the pipeline ends;
//   - an error wrapping ErrReconnect when the connection is lost; the pipeline
//     closes, backs off and connects again, and the source resumes from its cursor;
//   - a *downwatch.RejectError for one bad record; the pipeline dead-letters it and
//     reads on;
//   - a *Retraction when the upstream deleted or edited a post; the pipeline
//     writes a retract mention for each service the post matched and, for an
//     edit, matches the new text as a new post.
//
// Every blocking call returns when ctx is done.
type Source interface {
	Name() string
	Connect(ctx context.Context) error
	Read(ctx context.Context) (downwatch.Post, error)
	Close(ctx context.Context) error
}

// Drainer is a source that holds records it has already acknowledged (the push
// endpoint's queue, answered 200). When the pipeline stops it closes the source,
// so nothing new is acknowledged, then takes what is left through Drain, which
// calls yield with each held record (err as Read would return it) until there
// are none or yield returns false.
type Drainer interface {
	Drain(yield func(downwatch.Post, error) bool)
}

// ErrReconnect says the source lost its connection and should be connected again.
var ErrReconnect = errors.New("ingest: connection lost, reconnect")

// Retraction says a post the source delivered earlier was deleted (Edited nil)
// or edited (Edited holds the post with its new text, same Source and ID). Read
// returns it as its error; it is not a failure, and the source reads on.
type Retraction struct {
	Source, ID string
	At         time.Time // when the upstream deleted or edited it; zero: when it was received
	Edited     *downwatch.Post
}

func (r *Retraction) Error() string {
	if r.Edited != nil {
		return "ingest: " + r.Source + " post " + r.ID + " edited"
	}
	return "ingest: " + r.Source + " post " + r.ID + " deleted"
}

// ErrFatal wraps errors after which retrying cannot help (bad credentials, a
// missing endpoint); the pipeline stops with the error instead of reconnecting.
var ErrFatal = errors.New("ingest: fatal source error")

// RetryError is a reconnect request that carries how long to wait before the next
// connection attempt: a rate limit's reset time (HTTP 429 with x-rate-limit-reset
// or Retry-After), or the source's own backoff policy (X asks for a linear backoff
// on network errors and an exponential one on HTTP errors). The pipeline waits
// exactly After, plus a little jitter, instead of its own backoff. It matches
// ErrReconnect with errors.Is.
type RetryError struct {
	After time.Duration
	Err   error
}

func (e *RetryError) Error() string {
	return fmt.Sprintf("%v (retry in %v)", e.Err, e.After.Round(time.Millisecond))
}

// Unwrap returns ErrReconnect and the cause.
func (e *RetryError) Unwrap() []error { return []error{ErrReconnect, e.Err} }

// retryAfter parses a Retry-After header (seconds or an HTTP date) or X's
// x-rate-limit-reset (Unix seconds) into a wait from now; ok is false when
// neither is present or usable.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := strings.TrimSpace(h.Get("x-rate-limit-reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s > 0 {
			return max(time.Unix(s, 0).Sub(now), 0), true
		}
	}
	return 0, false
}

// fatalError reads as its cause alone and matches ErrFatal.
type fatalError struct{ err error }

func (e *fatalError) Error() string   { return e.err.Error() }
func (e *fatalError) Unwrap() []error { return []error{ErrFatal, e.err} }

func fatalf(format string, args ...any) error {
	return &fatalError{fmt.Errorf(format, args...)}
}
