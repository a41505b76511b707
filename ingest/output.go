package ingest

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/health"
)

// Output receives the pipeline's mentions and event-time marks.
type Output interface {
	Write(ctx context.Context, ms []downwatch.Mention) error
	// Watermark says no mention older than at is expected any more, after the
	// mentions of the next Write (which may carry none): outputs send it with them.
	Watermark(ctx context.Context, at time.Time) error
	// End says the input is complete at event time at.
	End(ctx context.Context, at time.Time) error
	Close() error
}

// AcceptedWriter is an Output that can also carry when each mention's post was
// accepted (Unix nanoseconds, 0: unknown), for latency measurement downstream.
type AcceptedWriter interface {
	WriteAccepted(ctx context.Context, ms []downwatch.Mention, accepted []int64) error
}

// KafkaOutput produces mentions to the mentions topic, keyed by service, and control
// records to every partition.
type KafkaOutput struct {
	w     *bus.Writer
	parts []int
	buf   []bus.Message
	arena []byte        // keys and values of buf, back to back
	spans []span        // where each message's key and value lie in arena
	hdrs  []bus.Header  // the accepted headers of buf, one per mention
	marks []bus.Message // watermark records waiting for the next Write
	wait  *health.Waiter
}

// span is a message's key arena[k0:k1], value arena[k1:v1] and accepted
// header value arena[v1:h1] (empty: none).
type span struct{ k0, k1, v1, h1 int }

// NewKafkaOutput creates the topic where missing (with partitions) and returns an
// output producing to it, connecting with sec.
func NewKafkaOutput(ctx context.Context, sec bus.Security, brokers []string, topic string, partitions int) (*KafkaOutput, error) {
	if topic == "" {
		topic = downwatch.TopicMentions
	}
	if err := sec.EnsureTopics(ctx, brokers, partitions, topic); err != nil {
		return nil, err
	}
	parts, err := sec.Partitions(ctx, brokers, topic)
	if err != nil {
		return nil, err
	}
	return &KafkaOutput{
		w:     bus.NewWriter(bus.WriterConfig{Brokers: brokers, Topic: topic, Security: sec}),
		parts: parts,
		wait:  &health.Waiter{What: fmt.Sprintf("Kafka at %v to produce to %s", brokers, topic), Dep: "kafka"},
	}, nil
}

// Report sends the output's view of Kafka to h (dependency "kafka") and its
// "waiting for Kafka" and "answers again" lines to log.
func (k *KafkaOutput) Report(h *health.Health, log *slog.Logger) {
	k.wait.Health, k.wait.Log = h, log
}

// Write produces ms, followed by any watermarks given since the last Write, and
// returns when the broker has acknowledged them all (acks=all). Watermarks ride
// with the mentions they follow, so they cost no round trip of their own.
//
// While Kafka does not answer, Write keeps retrying what the broker has not
// acknowledged (capped, jittered backoff; one log line per outage) until it has
// or ctx is done: the pipeline stops reading meanwhile, so the sources and the
// push queue hold what is not produced yet. A record may be produced twice when
// an acknowledgement was lost (at least once).
func (k *KafkaOutput) Write(ctx context.Context, ms []downwatch.Mention) error {
	return k.WriteAccepted(ctx, ms, nil)
}

// WriteAccepted is Write with the time each mention's post was accepted
// (accepted[i] for ms[i]; nil or 0: unknown), sent in the header
// bus.HeaderAccepted as 8 bytes of big-endian Unix nanoseconds.
func (k *KafkaOutput) WriteAccepted(ctx context.Context, ms []downwatch.Mention, accepted []int64) error {
	k.buf = k.buf[:0]
	k.hdrs = k.hdrs[:0]
	// One arena holds every key and value of the batch: kafka-go is done with
	// them when Write returns, so the next batch reuses it.
	k.arena = k.arena[:0]
	k.spans = k.spans[:0]
	for i := range ms {
		k0 := len(k.arena)
		k.arena = append(k.arena, ms[i].Service...)
		k1 := len(k.arena)
		k.arena = bus.AppendMention(k.arena, &ms[i])
		v1 := len(k.arena)
		if i < len(accepted) && accepted[i] != 0 {
			k.arena = binary.BigEndian.AppendUint64(k.arena, uint64(accepted[i]))
		}
		k.spans = append(k.spans, span{k0, k1, v1, len(k.arena)})
	}
	for _, sp := range k.spans {
		msg := bus.Message{Key: k.arena[sp.k0:sp.k1:sp.k1], Value: k.arena[sp.k1:sp.v1:sp.v1]}
		if sp.h1 > sp.v1 {
			k.hdrs = append(k.hdrs, bus.Header{Key: bus.HeaderAccepted, Value: k.arena[sp.v1:sp.h1:sp.h1]})
		}
		k.buf = append(k.buf, msg)
	}
	// Headers are sliced out only now: hdrs no longer grows, so they stay put.
	h := 0
	for i, sp := range k.spans {
		if sp.h1 > sp.v1 {
			k.buf[i].Headers = k.hdrs[h : h+1 : h+1]
			h++
		}
	}
	k.buf = append(k.buf, k.marks...)
	k.marks = k.marks[:0]
	if len(k.buf) == 0 {
		return nil
	}
	return k.produce(ctx, k.buf)
}

// produce writes msgs until the broker has acknowledged every one or ctx is done.
func (k *KafkaOutput) produce(ctx context.Context, msgs []bus.Message) error {
	var backoff health.Backoff
	for {
		err := k.w.Write(ctx, msgs...)
		if err == nil {
			k.wait.OK()
			return nil
		}
		if ctx.Err() != nil {
			return err
		}
		var failed bus.WriteErrors
		if errors.As(err, &failed) && len(failed) == len(msgs) {
			// Keep only what the broker has not acknowledged. Write does not run
			// concurrently with itself, so msgs may be compacted in place.
			n := 0
			for i := range msgs {
				if failed[i] != nil {
					msgs[n] = msgs[i]
					n++
				}
			}
			msgs = msgs[:n]
		}
		k.wait.Fail(err)
		if !health.Sleep(ctx, backoff.Next()) {
			return err
		}
	}
}

// Watermark implements Output: it is sent with the next Write.
func (k *KafkaOutput) Watermark(ctx context.Context, at time.Time) error {
	k.marks = append(k.marks[:0], bus.ControlRecords(bus.ControlWatermark, at, k.parts)...)
	return nil
}

// End implements Output.
func (k *KafkaOutput) End(ctx context.Context, at time.Time) error {
	k.marks = append(k.marks[:0], bus.ControlRecords(bus.ControlEnd, at, k.parts)...)
	return k.Write(ctx, nil)
}

// Close implements Output.
func (k *KafkaOutput) Close() error { return k.w.Close() }

// JSONLOutput prints mentions as JSON lines (`--out -`); it keeps no state anywhere.
type JSONLOutput struct {
	mu sync.Mutex
	w  *bufio.Writer
}

// NewJSONLOutput writes to w.
func NewJSONLOutput(w io.Writer) *JSONLOutput { return &JSONLOutput{w: bufio.NewWriter(w)} }

// Write implements Output.
func (j *JSONLOutput) Write(ctx context.Context, ms []downwatch.Mention) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	enc := json.NewEncoder(j.w)
	enc.SetEscapeHTML(false)
	for i := range ms {
		if err := enc.Encode(&ms[i]); err != nil {
			return err
		}
	}
	return j.w.Flush()
}

// Watermark implements Output; JSON lines carry no marks.
func (j *JSONLOutput) Watermark(context.Context, time.Time) error { return nil }

// End implements Output.
func (j *JSONLOutput) End(context.Context, time.Time) error { return nil }

// Close implements Output.
func (j *JSONLOutput) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.w.Flush()
}
