// Package sink decides where alerts go: a list of sinks (the Redis channel and
// stream, the Kafka alerts topic, ...) that a detector publishes every alert
// to, after the alert's incident is stored. Open is the one place the list is
// chosen, for `downwatch detect` and replay alike: a new sink is one line there.
//
// It imports the root package, store and bus; detect takes the list through its
// own AlertSink interface and never imports this package.
package sink

import (
	"context"
	"errors"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/store"
)

// Sink receives alerts, in order per incident. Publish returns when the sink
// has them all; an error makes the detector retry the whole batch later, so a
// sink must take the same revision twice gracefully (skip it, as the Redis sink
// does, or let its consumers deduplicate by incident id and revision, as on
// Kafka).
type Sink interface {
	Publish(ctx context.Context, alerts []downwatch.Alert) error
}

// List publishes to each of its sinks in turn.
type List []Sink

// Publish gives alerts to every sink in order and returns the first error (each
// sink's errors name it: "store: ...", "bus: ..."); the caller retries the
// batch, and the sinks that already took it skip or deduplicate it.
func (l List) Publish(ctx context.Context, alerts []downwatch.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	for _, s := range l {
		if err := s.Publish(ctx, alerts); err != nil {
			return err
		}
	}
	return nil
}

// Close closes the sinks that hold connections of their own (the Kafka writer).
func (l List) Close() error {
	var errs []error
	for _, s := range l {
		if c, ok := s.(interface{ Close() error }); ok {
			errs = append(errs, c.Close())
		}
	}
	return errors.Join(errs...)
}

// Config says which sinks Open builds. Zero values leave a sink out.
type Config struct {
	// Redis publishes on its alert channel and stream (store.Redis.Publish:
	// each revision once); nil: no Redis sink.
	Redis *store.Redis
	// Brokers of the Kafka alerts topic (key = incident id, at least once);
	// empty: no Kafka sink.
	Brokers []string
	// Topic of alerts; default downwatch.alerts.
	Topic string
	// Security of the Kafka connection; zero = plaintext.
	Security bus.Security
}

// Open returns the sinks cfg names, in the order alerts reach them: Redis
// first (the dashboard and subscribers), then Kafka. Close the list when done.
func Open(cfg Config) List {
	var l List
	if cfg.Redis != nil {
		l = append(l, cfg.Redis)
	}
	if len(cfg.Brokers) > 0 {
		l = append(l, bus.NewAlertWriter(cfg.Brokers, cfg.Topic, cfg.Security))
	}
	return l
}
