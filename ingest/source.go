package ingest

import (
	"context"
	"errors"

	"github.com/downwatch/downwatch"
)

// Source is the one contract every input follows. Connect opens it, Read returns the
// next post, Close releases it. Read returns:
//   - io.EOF when the source is finished (a file); the pipeline ends;
//   - an error wrapping ErrReconnect when the connection is lost; the pipeline
//     closes, backs off and connects again, and the source resumes from its cursor;
//   - a *downwatch.RejectError for one bad record; the pipeline dead-letters it and
//     reads on.
//
// Every blocking call returns when ctx is done.
type Source interface {
	Name() string
	Connect(ctx context.Context) error
	Read(ctx context.Context) (downwatch.Post, error)
	Close(ctx context.Context) error
}

// ErrReconnect says the source lost its connection and should be connected again.
var ErrReconnect = errors.New("ingest: connection lost, reconnect")
