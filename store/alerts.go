package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// ErrBusy is returned by Publish when another writer is publishing one of the
// revisions (two detectors on one partition during a rebalance); retry later.
var ErrBusy = errors.New("store: another writer is publishing this incident revision")

// claimLease bounds how long a writer that died while publishing keeps others
// from publishing the revision it claimed.
const claimLease = 5 * time.Second

// Publish puts each alert on the alert channel and stream (the Redis alert
// sink; store the incidents with Save first).
//
// Each revision of an incident is published once, whoever publishes it and
// however often: a script hands the publishing of a revision to one caller (a
// claim with a 5s lease, so a writer that dies holding it delays the revision
// rather than losing it) and skips revisions at or below the newest one
// published. On a single Redis the stream entry, the message and the
// "published" mark are one MULTI/EXEC; on Redis Cluster they span slots and go
// in one pipeline instead, so a crash between them can publish a revision
// twice. Returns an error wrapping ErrBusy when another writer holds a claim.
func (r *Redis) Publish(ctx context.Context, alerts []downwatch.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	claims := make([]*redis.Cmd, len(alerts))
	pipe := r.c.Pipeline()
	for i, al := range alerts {
		claims[i] = claimScript.Eval(ctx, pipe, r.incidentKeys(al.Incident.ID)[3:5], al.Incident.Revision, r.token, claimLease.Milliseconds())
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: claim %d alerts for publishing: %w", len(alerts), err)
	}
	busy := 0
	for i, al := range alerts {
		switch res, _ := claims[i].Int(); res {
		case -1:
			busy++
		case 2:
			if err := r.publish(ctx, al); err != nil {
				return err
			}
		}
	}
	if busy > 0 {
		return fmt.Errorf("%w (%d of %d alerts); retrying", ErrBusy, busy, len(alerts))
	}
	return nil
}

// publish puts al on the stream and the channel and marks its revision
// published, in one MULTI/EXEC where the client allows it.
func (r *Redis) publish(ctx context.Context, al downwatch.Alert) error {
	a, err := json.Marshal(al)
	if err != nil {
		return fmt.Errorf("store: encode alert for %s: %w", al.Incident.ID, err)
	}
	var pipe redis.Pipeliner
	if _, single := r.c.(*redis.Client); single {
		pipe = r.c.TxPipeline()
	} else {
		pipe = r.c.Pipeline()
	}
	inc := al.Incident
	pipe.XAdd(ctx, &redis.XAddArgs{Stream: r.StreamKey(), MaxLen: r.cfg.StreamLen, Approx: true, Values: []any{"alert", a}})
	pipe.Publish(ctx, r.Channel(), a)
	keys := r.incidentKeys(inc.ID)
	publishedScript.Eval(ctx, pipe, keys[3:5], inc.Revision, r.expiryMS(inc), r.token)
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: publish %s revision %d: %w", inc.ID, inc.Revision, err)
	}
	return nil
}

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
