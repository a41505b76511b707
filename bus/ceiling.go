package bus

import (
	"context"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// RawRoundTrip is the ceiling the benchmarks compare against: plain kafka-go
// producing every line to topic (keyed over 60 services, batches of 1000, the
// writer of NewWriter) and reading every partition back to its end, doing
// nothing else. It returns how long that took.
func RawRoundTrip(ctx context.Context, brokers []string, topic string, lines [][]byte) (time.Duration, error) {
	began := time.Now()
	w := NewWriter(WriterConfig{Brokers: brokers, Topic: topic})
	batch := make([]kafka.Message, 0, 1000)
	for i, l := range lines {
		batch = append(batch, kafka.Message{Key: []byte(fmt.Sprint("svc", i%60)), Value: l})
		if len(batch) == cap(batch) || i == len(lines)-1 {
			if err := w.Write(ctx, batch...); err != nil {
				w.Close()
				return 0, fmt.Errorf("bus: raw kafka-go produce: %w", err)
			}
			batch = batch[:0]
		}
	}
	if err := w.Close(); err != nil {
		return 0, err
	}
	total, err := consumeAll(ctx, brokers, topic)
	if err != nil {
		return 0, err
	}
	if total != len(lines) {
		return 0, fmt.Errorf("bus: raw kafka-go consumed %d of %d records", total, len(lines))
	}
	return time.Since(began), nil
}

// consumeAll reads every partition of topic to its end, one reader each, and
// returns how many records it read.
func consumeAll(ctx context.Context, brokers []string, topic string) (int, error) {
	parts, err := Partitions(ctx, brokers, topic)
	if err != nil {
		return 0, err
	}
	type result struct {
		n   int
		err error
	}
	got := make(chan result, len(parts))
	for _, p := range parts {
		go func(p int) {
			conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, p)
			if err != nil {
				got <- result{err: err}
				return
			}
			last, err := conn.ReadLastOffset()
			conn.Close()
			if err != nil {
				got <- result{err: err}
				return
			}
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p, MaxWait: 50 * time.Millisecond, MaxBytes: 16 << 20})
			defer r.Close()
			k := 0
			for int64(k) < last {
				if _, err := r.ReadMessage(ctx); err != nil {
					got <- result{n: k, err: err}
					return
				}
				k++
			}
			got <- result{n: k}
		}(p)
	}
	total := 0
	for range parts {
		r := <-got
		if r.err != nil {
			return 0, fmt.Errorf("bus: raw kafka-go consume: %w", r.err)
		}
		total += r.n
	}
	return total, nil
}
