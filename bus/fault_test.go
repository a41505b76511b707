package bus

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch/bus/broker"
)

// TestConsumeRidesOutBrokerRestart stops the broker under a running group member
// and starts it again on the same port and data: Consume must not return, and
// every record written before and after must reach the handler.
func TestConsumeRidesOutBrokerRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("restarts a broker")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	dir := t.TempDir()
	b, err := broker.Start(broker.Config{Port: port, DataDir: dir, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	const topic = "test.restart"
	if err := EnsureTopics(ctx, b.Addrs(), 2, topic); err != nil {
		t.Fatal(err)
	}
	brokers := b.Addrs()
	write := func(from, to int) {
		w := NewWriter(WriterConfig{Brokers: brokers, Topic: topic})
		defer w.Close()
		var msgs []kafka.Message
		for i := from; i < to; i++ {
			msgs = append(msgs, kafka.Message{Key: []byte(fmt.Sprint(i % 7)), Value: []byte(fmt.Sprint(i))})
		}
		if err := w.Write(ctx, msgs...); err != nil {
			t.Fatal(err)
		}
	}
	write(0, 100)

	var mu sync.Mutex
	seen := map[string]bool{}
	progress := make(chan int, 1000)
	handle := func(ctx context.Context, p *Partition) error {
		if err := p.Start(p.Committed); err != nil {
			return err
		}
		for {
			m, err := p.Fetch(ctx)
			if err != nil {
				return err
			}
			mu.Lock()
			seen[string(m.Value)] = true
			n := len(seen)
			mu.Unlock()
			if err := p.Commit(m.Offset + 1); err != nil {
				return err
			}
			progress <- n
		}
	}
	cctx, stop := context.WithCancel(ctx)
	consumed := make(chan error, 1)
	go func() {
		consumed <- Consume(cctx, ConsumerConfig{Brokers: brokers, Topic: topic, GroupID: "restart"}, handle, nil)
	}()
	waitFor := func(n int) {
		for {
			select {
			case got := <-progress:
				if got >= n {
					return
				}
			case err := <-consumed:
				t.Fatalf("Consume returned during the test: %v", err)
			case <-ctx.Done():
				mu.Lock()
				defer mu.Unlock()
				t.Fatalf("saw %d distinct records, want %d", len(seen), n)
			}
		}
	}
	waitFor(100)
	b.Close()
	select {
	case err := <-consumed:
		t.Fatalf("Consume returned with the broker down: %v", err)
	case <-time.After(3 * time.Second):
	}
	b, err = broker.Start(broker.Config{Port: port, DataDir: dir, Partitions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	write(100, 200)
	waitFor(200)
	stop()
	if err := <-consumed; err != nil {
		t.Fatalf("Consume after cancel: got %v, want nil", err)
	}
}
