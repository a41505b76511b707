package bus

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// TestProduceConsumeGroup proves the round trip this package exists for: keyed
// records and control records through an embedded broker into a consumer group,
// with every record of a key on one partition and an end record on every partition.
func TestProduceConsumeGroup(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	b, err := StartEmbedded(EmbeddedConfig{Partitions: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	const topic = "test.mentions"
	if err := EnsureTopics(ctx, b.Addrs(), 3, topic); err != nil {
		t.Fatal(err)
	}
	parts, err := Partitions(ctx, b.Addrs(), topic)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 {
		t.Fatalf("got %d partitions, want 3", len(parts))
	}
	w := NewWriter(WriterConfig{Brokers: b.Addrs(), Topic: topic})
	var msgs []kafka.Message
	keys := []string{"whatsapp", "gmail", "x", "github", "slack"}
	for i := 0; i < 500; i++ {
		msgs = append(msgs, kafka.Message{Key: []byte(keys[i%len(keys)]), Value: []byte(fmt.Sprint(i))})
	}
	if err := w.Write(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	end := time.Date(2022, 10, 25, 9, 0, 0, 0, time.UTC)
	if err := w.WriteControl(ctx, ControlEnd, end, parts); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	var mu sync.Mutex
	keyPart := map[string]int{}
	var got, ends atomic.Int64
	handle := func(ctx context.Context, p *Partition) error {
		if err := p.Start(p.Committed); err != nil {
			return err
		}
		for {
			m, err := p.Fetch(ctx)
			if err != nil {
				return err
			}
			if kind, at, ok := Control(m); ok {
				if kind != ControlEnd || !at.Equal(end) {
					t.Errorf("got control %q at %v, want end at %v", kind, at, end)
				}
				ends.Add(1)
				return p.Commit(m.Offset + 1)
			}
			got.Add(1)
			mu.Lock()
			if q, seen := keyPart[string(m.Key)]; seen && q != p.ID {
				t.Errorf("key %s on partitions %d and %d", m.Key, q, p.ID)
			}
			keyPart[string(m.Key)] = p.ID
			mu.Unlock()
		}
	}
	err = Consume(ctx, ConsumerConfig{Brokers: b.Addrs(), Topic: topic, GroupID: "t"}, handle, func() bool { return ends.Load() == 3 })
	if err != nil {
		t.Fatal(err)
	}
	if got.Load() != 500 || ends.Load() != 3 {
		t.Fatalf("got %d records and %d end records, want 500 and 3", got.Load(), ends.Load())
	}
	want := (&kafka.Murmur2Balancer{}).Balance(kafka.Message{Key: []byte("whatsapp")}, parts...)
	if keyPart["whatsapp"] != want {
		t.Errorf("whatsapp on partition %d, want %d (murmur2)", keyPart["whatsapp"], want)
	}
}
