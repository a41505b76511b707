package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/health"
)

type lockedBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuf) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuf) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestKafkaOutputRidesOutBrokerOutage stops the broker, writes a batch (which
// must wait, not fail: kafka-go alone gives up after about 7s), restarts the
// broker on the same port and data after 9s, and checks that every mention is
// on the topic, that Write returned nil, and that the wait was logged once.
func TestKafkaOutputRidesOutBrokerOutage(t *testing.T) {
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
	brokers := b.Addrs()
	const topic = "test.output"
	out, err := NewKafkaOutput(ctx, bus.Security{}, brokers, topic, 2)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	var logs lockedBuf
	h := health.New(nil)
	out.Report(h, slog.New(slog.NewTextHandler(&logs, nil)))
	batch := func(from, n int) []downwatch.Mention {
		ms := make([]downwatch.Mention, n)
		for i := range ms {
			ms[i] = downwatch.Mention{Service: fmt.Sprint("svc", i%5), Kind: downwatch.KindComplaint,
				Post: downwatch.Post{ID: fmt.Sprint(from + i), Source: "test", Author: "a", Text: "down", CreatedAt: time.Date(2022, 10, 25, 7, 0, 0, 0, time.UTC)}}
		}
		return ms
	}
	if err := out.Write(ctx, batch(0, 50)); err != nil {
		t.Fatal(err)
	}
	b.Close()
	restarted := make(chan struct{})
	go func() {
		defer close(restarted)
		time.Sleep(9 * time.Second)
		nb, err := broker.Start(broker.Config{Port: port, DataDir: dir, Partitions: 2})
		if err != nil {
			t.Error(err)
			return
		}
		b = nb
	}()
	if err := out.Write(ctx, batch(50, 50)); err != nil {
		t.Fatalf("Write across a 9s broker outage: got %v, want nil", err)
	}
	<-restarted
	defer b.Close()
	if st := h.Status(ctx); st["kafka"] != nil {
		t.Errorf("health after the outage: got %v, want ok", st["kafka"])
	}
	total := int64(0)
	for _, p := range []int{0, 1} {
		conn, err := kafka.DialLeader(ctx, "tcp", brokers[0], topic, p)
		if err != nil {
			t.Fatal(err)
		}
		last, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		total += last
	}
	if total < 100 {
		t.Errorf("got %d records on the topic, want at least the 100 written", total)
	}
	if n := strings.Count(logs.String(), "waiting for Kafka"); n != 1 {
		t.Errorf("got %d 'waiting for Kafka' lines, want 1:\n%s", n, logs.String())
	}
}
