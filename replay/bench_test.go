package replay

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/scenario"
)

// BenchmarkPipeline measures posts per second through the whole pipeline and,
// in the same run and on the same kind of embedded broker, the ceiling: raw
// kafka-go producing and consuming as many records of the same size as the
// pipeline produced mentions. Machines here are noisy; compare the two lines of
// one run, not numbers across runs.
//
//	go test -run '^$' -bench Pipeline -benchtime 3x ./replay/
func BenchmarkPipeline(b *testing.B) {
	s, _ := scenario.ByName("whatsapp-2022")
	var buf bytes.Buffer
	if _, err := scenario.WriteJSONL(&buf, s); err != nil {
		b.Fatal(err)
	}
	input := buf.Bytes()
	posts := bytes.Count(input, []byte("\n"))
	cat, _ := catalog.Default()
	m, _ := catalog.NewMatcher(cat)
	ctx := context.Background()
	var mentions int64

	b.Run("full:kafka+redis", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			src := ingest.NewFile("-")
			src.Stdin = bytes.NewReader(input)
			rep, err := Run(ctx, Options{Source: src, Catalog: cat})
			if err != nil {
				b.Fatal(err)
			}
			mentions = rep.Stats.Mentions
		}
		b.ReportMetric(float64(posts)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	})
	b.Run("in-process:match+detect", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			src := ingest.NewFile("-")
			src.Stdin = bytes.NewReader(input)
			if _, err := Direct(ctx, src, m, detect.DefaultConfig()); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(posts)*float64(b.N)/b.Elapsed().Seconds(), "posts/s")
	})
	b.Run("ceiling:raw-kafka-go", func(b *testing.B) {
		if mentions == 0 {
			mentions = int64(posts) / 3
		}
		value := bytes.Repeat([]byte("x"), len(input)/posts+60) // a mention is a post plus ~60 bytes
		for b.Loop() {
			rawKafka(b, int(mentions), value)
		}
		b.ReportMetric(float64(mentions)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
	})
}

// rawKafka produces n records with kafka-go in batches of 1000 and consumes them
// back with one reader per partition: what the pipeline's Kafka legs cost at least.
func rawKafka(b *testing.B, n int, value []byte) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	br, err := broker.Start(broker.Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer br.Close()
	if err := bus.EnsureTopics(ctx, br.Addrs(), 4, "ceiling"); err != nil {
		b.Fatal(err)
	}
	w := bus.NewWriter(bus.WriterConfig{Brokers: br.Addrs(), Topic: "ceiling"})
	batch := make([]kafka.Message, 0, 1000)
	for i := 0; i < n; i++ {
		batch = append(batch, kafka.Message{Key: []byte(fmt.Sprint("svc", i%60)), Value: value})
		if len(batch) == cap(batch) || i == n-1 {
			if err := w.Write(ctx, batch...); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	w.Close()
	parts, _ := bus.Partitions(ctx, br.Addrs(), "ceiling")
	got := make(chan int, len(parts))
	for _, p := range parts {
		go func(p int) {
			conn, err := kafka.DialLeader(ctx, "tcp", br.Addrs()[0], "ceiling", p)
			if err != nil {
				got <- 0
				return
			}
			last, _ := conn.ReadLastOffset()
			conn.Close()
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: br.Addrs(), Topic: "ceiling", Partition: p, MaxWait: 50 * time.Millisecond, MaxBytes: 16 << 20})
			defer r.Close()
			k := 0
			for int64(k) < last {
				if _, err := r.ReadMessage(ctx); err != nil {
					break
				}
				k++
			}
			got <- k
		}(p)
	}
	total := 0
	for range parts {
		total += <-got
	}
	if total != n {
		b.Fatalf("consumed %d of %d records", total, n)
	}
}
