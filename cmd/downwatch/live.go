package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/detect/runner"
	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/sink"
	"github.com/downwatch/downwatch/store"
)

func (c *commonFlags) brokers() []string {
	if len(c.kafka) == 0 {
		return []string{"127.0.0.1:9092"}
	}
	return c.kafka
}

func runDetect(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "detect", "[--kafka ADDRS] [--redis URL] [flags]",
		`Consumes mentions in the consumer group, counts distinct complaining authors per
service per minute against a learned baseline, opens, acknowledges and resolves
incidents, stores them in Redis and publishes alerts (Redis channel and stream, Kafka
alerts topic). Run several for more throughput: partitions are shared in the group.
State is checkpointed in Redis with the offsets it covers.`)
	var c commonFlags
	c.register(fs, false)
	c.registerDetect(fs)
	topic := fs.String("topic", "downwatch.mentions", "mentions topic")
	alerts := fs.String("alerts-topic", "downwatch.alerts", "alerts topic")
	group := fs.String("group", "downwatch-detector", "consumer group id")
	metrics := fs.String("metrics", "", "serve Prometheus metrics (records, alerts, skipped records) at http://ADDR/metrics")
	profiles := fs.Bool("pprof", false, "also serve Go's profiles (heap, CPU, goroutines) at http://ADDR/debug/pprof/ on the --metrics address; keep that address private")
	if err := parse(fs, args); err != nil {
		return err
	}
	dcfg, err := c.loadDetect()
	if err != nil {
		return err
	}
	prefix := c.prefix
	if prefix == "" {
		prefix = store.DefaultPrefix
	}
	log := logger(env.stderr, c.verbose)
	h := health.New(nil)
	stats := &runner.Stats{}
	// Metrics and probes first: they answer (degraded) while Redis or Kafka is awaited.
	reg, _, stopMetrics, err := serveMetrics(env, *metrics, h, *profiles)
	if err != nil {
		return err
	}
	defer stopMetrics()
	if reg != nil {
		registerDetectMetrics(reg, stats)
	}
	ksec, scfg, err := c.connections(prefix)
	if err != nil {
		return err
	}
	st, err := openStore(ctx, env, c.redis, scfg, h)
	if err != nil {
		return quietOnSignal(ctx, err)
	}
	defer st.Close()
	brokers := c.brokers()
	kafkaWait := &health.Waiter{What: fmt.Sprintf("Kafka at %v", brokers), Dep: "kafka", Log: log, Health: h}
	if err := health.Retry(ctx, kafkaWait, func(ctx context.Context) error {
		return ksec.EnsureTopics(ctx, brokers, c.parts, *topic, *alerts)
	}); err != nil {
		return quietOnSignal(ctx, err)
	}
	sinks := sink.Open(sink.Config{Redis: st, Brokers: brokers, Topic: *alerts, Security: ksec})
	defer sinks.Close()
	fmt.Fprintf(env.stderr, "detect: consuming %s on %v as group %s; incidents in Redis under %q\n", *topic, brokers, *group, prefix)
	err = runner.Run(ctx, runner.Config{Brokers: brokers, Security: ksec, Topic: *topic, Group: *group, Logger: log, Stats: stats, Health: h}, *dcfg, st, sinks)
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func registerDetectMetrics(reg *prometheus.Registry, stats *runner.Stats) {
	for _, m := range []struct {
		name, help string
		v          *atomic.Int64
	}{
		{"downwatch_detect_records_total", "Mention records processed.", &stats.Records},
		{"downwatch_detect_skipped_total", "Records on the mentions topic that were not a mention.", &stats.Bad},
		{"downwatch_detect_alerts_total", "Alerts stored and published.", &stats.Alerts},
		{"downwatch_detect_late_total", "Complaints that arrived after their minute was final (detect lateness) and were not counted.", &stats.Late},
	} {
		reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: m.name, Help: m.help}, func() float64 { return float64(m.v.Load()) }))
	}
	reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "downwatch_detect_partitions", Help: "Partitions of the mentions topic this detector holds now."},
		func() float64 { return float64(stats.Partitions.Load()) }))
	buckets := []float64{.001, .0025, .005, .01, .025, .05, .075, .1, .15, .2, .3, .5, .75, 1, 1.5, 2, 5, 10}
	ingestToCount := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "downwatch_detect_ingest_to_count_seconds",
		Help: "Seconds from ingest accepting a post to its mention being counted by the detector.", Buckets: buckets})
	decisionToPublish := prometheus.NewHistogram(prometheus.HistogramOpts{Name: "downwatch_detect_decision_to_publish_seconds",
		Help: "Seconds from the detector deciding an alert to the alert being stored and published.", Buckets: buckets})
	reg.MustRegister(ingestToCount, decisionToPublish)
	stats.IngestToCount, stats.DecisionToPublish = ingestToCount, decisionToPublish
}

// quietOnSignal returns nil when ctx is done (a signal during a wait), else err.
func quietOnSignal(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return nil
	}
	return err
}

func runDevKafka(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "dev-kafka", "[--listen ADDR] [--data DIR]",
		`Runs kfake, an in-process Kafka-protocol broker, as a standalone process for local
multi-process setups and tests. NOT FOR PRODUCTION: it is a test double of Kafka.
Production runs on Apache Kafka (see deployments/).`)
	listen := fs.String("listen", "127.0.0.1:9092", "address to listen on (host:port; the port is what matters)")
	data := fs.String("data", "", "keep the log in this directory so a restarted broker has its data (default: memory)")
	parts := fs.Int("partitions", 4, "partitions of auto-created topics")
	var sec devKafkaSecurity
	sec.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	port := 0
	if _, err := fmt.Sscanf(portOf(*listen), "%d", &port); err != nil {
		return fmt.Errorf("--listen %q: want host:port", *listen)
	}
	cfg := broker.Config{Port: port, DataDir: *data, Partitions: *parts}
	if err := sec.apply(&cfg); err != nil {
		return err
	}
	b, err := broker.Start(cfg)
	if err != nil {
		return err
	}
	defer b.Close()
	fmt.Fprintf(env.stdout, "dev-kafka: embedded Kafka-protocol broker (kfake) listening on %v — for development and tests, not production\n", b.Addrs())
	if f, ok := env.stdout.(*os.File); ok {
		f.Sync()
	}
	<-ctx.Done()
	return nil
}

func portOf(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}

// ingestOutput returns where ingest sends mentions: stdout for "-", else Kafka,
// waiting (and saying so once) for a broker that does not answer yet.
func ingestOutput(ctx context.Context, env *cliEnv, c *commonFlags, out, topic string, h *health.Health, log *slog.Logger) (ingest.Output, error) {
	if out == "-" {
		return ingest.NewJSONLOutput(env.stdout), nil
	}
	if out != "" && out != "kafka" {
		return nil, fmt.Errorf("--out %q: want - (print mentions) or kafka", out)
	}
	sec, err := c.kafkaSec.security()
	if err != nil {
		return nil, err
	}
	var ko *ingest.KafkaOutput
	w := &health.Waiter{What: fmt.Sprintf("Kafka at %v", c.brokers()), Dep: "kafka", Log: log, Health: h}
	err = health.Retry(ctx, w, func(ctx context.Context) (err error) {
		ko, err = ingest.NewKafkaOutput(ctx, sec, c.brokers(), topic, c.parts)
		return err
	})
	if err != nil {
		return nil, err
	}
	ko.Report(h, log)
	return ko, nil
}
