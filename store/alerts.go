package store

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/downwatch/downwatch"
)

// Subscribe returns the alerts published from now on, until ctx is done. Pub/sub
// drops messages while nobody listens; use AlertsAfter to catch up.
func (r *Redis) Subscribe(ctx context.Context) (<-chan downwatch.Alert, error) {
	sub := r.c.Subscribe(ctx, r.Channel())
	if _, err := sub.Receive(ctx); err != nil {
		sub.Close()
		return nil, fmt.Errorf("store: subscribe to %s: %w", r.Channel(), err)
	}
	out := make(chan downwatch.Alert, 64)
	go func() {
		defer close(out)
		defer sub.Close()
		ch := sub.Channel()
		for {
			select {
			case <-ctx.Done():
				return
			case m, ok := <-ch:
				if !ok {
					return
				}
				var a downwatch.Alert
				if json.Unmarshal([]byte(m.Payload), &a) != nil {
					continue
				}
				select {
				case out <- a:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// StreamAlert is an alert with its stream id.
type StreamAlert struct {
	ID    string
	Alert downwatch.Alert
}

// AlertsAfter returns up to count alerts from the stream after id ("0" = from the start).
func (r *Redis) AlertsAfter(ctx context.Context, id string, count int64) ([]StreamAlert, error) {
	if id == "" {
		id = "0"
	}
	msgs, err := r.c.XRangeN(ctx, r.StreamKey(), "("+id, "+", count).Result()
	if id == "0" && err == nil {
		msgs, err = r.c.XRangeN(ctx, r.StreamKey(), "-", "+", count).Result()
	}
	if err != nil {
		return nil, fmt.Errorf("store: read alert stream: %w", err)
	}
	out := make([]StreamAlert, 0, len(msgs))
	for _, m := range msgs {
		s, _ := m.Values["alert"].(string)
		var a downwatch.Alert
		if json.Unmarshal([]byte(s), &a) == nil {
			out = append(out, StreamAlert{ID: m.ID, Alert: a})
		}
	}
	return out, nil
}

// ActiveIncidents returns the open and acknowledged incidents.
func (r *Redis) ActiveIncidents(ctx context.Context) ([]downwatch.Incident, error) {
	return r.Incidents(ctx, Query{Active: true, Limit: 10000})
}
