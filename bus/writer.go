package bus

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/segmentio/kafka-go"
)

// headerPartition pins a record to one partition (control records go to each).
// It is stripped by nothing: consumers ignore headers they do not know.
const headerPartition = "downwatch-partition"

// HeaderAccepted on a mention record carries when ingest accepted its post, as
// 8 bytes of big-endian Unix nanoseconds (latency measurement; optional).
const HeaderAccepted = "downwatch-accepted"

// balancer keys records with Murmur2 like the Java client, except records that carry
// headerPartition, which go to the partition named there.
type balancer struct{ murmur kafka.Murmur2Balancer }

func (b *balancer) Balance(msg kafka.Message, partitions ...int) int {
	for _, h := range msg.Headers {
		if h.Key == headerPartition && len(h.Value) == 4 {
			p := int(binary.BigEndian.Uint32(h.Value))
			for _, q := range partitions {
				if q == p {
					return p
				}
			}
		}
	}
	return b.murmur.Balance(msg, partitions...)
}

// WriterConfig configures a Writer. Zero values take the defaults named.
type WriterConfig struct {
	Brokers []string
	Topic   string
	// BatchSize records per produce request; default 256. kafka-go makes room
	// for this many records in every partition's batch, however few arrive:
	// 1000 made a sparse 72k-post replay allocate 860 MB, 256 makes it 360 MB,
	// with the same replay and firehose times (go test -bench Pipeline/full
	// -benchmem ./replay/; DOWNWATCH_FIREHOSE=1000000 go test -run
	// BenchFirehose -v ./replay/).
	BatchSize int
	// BatchTimeout before a partial batch is sent; default 1ms. Callers batch
	// themselves (one Write per batch), so a long timeout only adds latency.
	BatchTimeout time.Duration
	// Security of the connections; zero = plaintext.
	Security Security
}

// Writer produces keyed JSON records to one topic with acks=all.
type Writer struct {
	w  *kafka.Writer
	tr *kafka.Transport // its own, when secured (kafka-go's shared one otherwise)
}

// NewWriter returns a Writer; it connects lazily.
func NewWriter(cfg WriterConfig) *Writer {
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 256
	}
	if cfg.BatchTimeout <= 0 {
		cfg.BatchTimeout = time.Millisecond
	}
	kw := &kafka.Writer{
		Addr:                   kafka.TCP(cfg.Brokers...),
		Topic:                  cfg.Topic,
		Balancer:               &balancer{},
		RequiredAcks:           kafka.RequireAll,
		BatchSize:              cfg.BatchSize,
		BatchBytes:             8 << 20,
		BatchTimeout:           cfg.BatchTimeout,
		AllowAutoTopicCreation: true,
	}
	w := &Writer{w: kw}
	if cfg.Security.secured() {
		w.tr = cfg.Security.Transport()
		kw.Transport = w.tr
	}
	return w
}

// Write produces msgs and returns when the broker has acknowledged them all.
func (w *Writer) Write(ctx context.Context, msgs ...kafka.Message) error {
	if err := w.w.WriteMessages(ctx, msgs...); err != nil {
		return fmt.Errorf("bus: produce %d records to %s: %w", len(msgs), w.w.Topic, err)
	}
	return nil
}

// WriteControl writes one control record (ControlWatermark or ControlEnd)
// carrying event time at to every partition in parts.
func (w *Writer) WriteControl(ctx context.Context, kind string, at time.Time, parts []int) error {
	return w.Write(ctx, ControlRecords(kind, at, parts)...)
}

// Stats returns the writer's counters since the last call.
func (w *Writer) Stats() kafka.WriterStats { return w.w.Stats() }

// Close flushes pending records and closes the writer (and the connections of
// its own transport: kafka-go's Writer leaves a given transport's open).
func (w *Writer) Close() error {
	err := w.w.Close()
	if w.tr != nil {
		w.tr.CloseIdleConnections()
	}
	return err
}
