package ingest

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
)

// Output receives the pipeline's mentions and event-time marks.
type Output interface {
	Write(ctx context.Context, ms []downwatch.Mention) error
	// Watermark says no mention older than at is expected any more.
	Watermark(ctx context.Context, at time.Time) error
	// End says the input is complete at event time at.
	End(ctx context.Context, at time.Time) error
	Close() error
}

// KafkaOutput produces mentions to the mentions topic, keyed by service, and control
// records to every partition.
type KafkaOutput struct {
	w     *bus.Writer
	parts []int
	buf   []kafka.Message
	enc   []byte
}

// NewKafkaOutput creates the topic where missing (with partitions) and returns an
// output producing to it.
func NewKafkaOutput(ctx context.Context, brokers []string, topic string, partitions int) (*KafkaOutput, error) {
	if topic == "" {
		topic = downwatch.TopicMentions
	}
	if err := bus.EnsureTopics(ctx, brokers, partitions, topic); err != nil {
		return nil, err
	}
	parts, err := bus.Partitions(ctx, brokers, topic)
	if err != nil {
		return nil, err
	}
	return &KafkaOutput{w: bus.NewWriter(bus.WriterConfig{Brokers: brokers, Topic: topic}), parts: parts}, nil
}

// Write produces ms and returns when the broker has acknowledged them (acks=all).
func (k *KafkaOutput) Write(ctx context.Context, ms []downwatch.Mention) error {
	k.buf = k.buf[:0]
	for i := range ms {
		v, err := json.Marshal(&ms[i])
		if err != nil {
			return fmt.Errorf("ingest: encode mention: %w", err)
		}
		k.buf = append(k.buf, kafka.Message{Key: []byte(ms[i].Service), Value: v})
	}
	return k.w.Write(ctx, k.buf...)
}

// Watermark implements Output.
func (k *KafkaOutput) Watermark(ctx context.Context, at time.Time) error {
	return k.w.WriteControl(ctx, downwatch.ControlWatermark, at, k.parts)
}

// End implements Output.
func (k *KafkaOutput) End(ctx context.Context, at time.Time) error {
	return k.w.WriteControl(ctx, downwatch.ControlEnd, at, k.parts)
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
