package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch/health"
)

// ConsumerConfig configures a consumer-group member. Zero values take the defaults named.
type ConsumerConfig struct {
	Brokers []string
	Topic   string
	// GroupID of the consumer group; default "downwatch-detector".
	GroupID string
	// MaxWait for a fetch to fill; default 250ms. (kafka-go's own default of 10s
	// stalls the end of a replay.)
	MaxWait time.Duration
	// Logger; default slog.Default().
	Logger *slog.Logger
	// Health, when set, is told whether the group answers (dependency "kafka").
	Health *health.Health
	// Security of the group's and the readers' connections; zero = plaintext.
	Security Security
}

// Partition is one partition assigned to this member for one group generation.
// Its handler reads from it and commits what it has durably processed.
type Partition struct {
	ID int
	// Committed is the group's committed offset, or kafka.FirstOffset when none.
	Committed int64

	topic  string
	gen    *kafka.Generation
	reader *kafka.Reader
	cfg    ConsumerConfig
	// progressed is set by a successful Commit: the handler's retry backoff
	// starts again from its minimum after a run that got work done.
	progressed bool
	wait       *health.Waiter
}

// Start positions the partition's reader at offset (an offset, kafka.FirstOffset
// or kafka.LastOffset). It must be called once before Fetch.
func (p *Partition) Start(offset int64) error {
	p.reader = kafka.NewReader(kafka.ReaderConfig{
		Brokers:   p.cfg.Brokers,
		Topic:     p.topic,
		Partition: p.ID,
		MinBytes:  1,
		MaxBytes:  16 << 20,
		MaxWait:   p.cfg.MaxWait,
		Dialer:    p.cfg.Security.Dialer(),
	})
	if err := p.reader.SetOffset(offset); err != nil {
		return fmt.Errorf("bus: seek %s/%d to %d: %w", p.topic, p.ID, offset, err)
	}
	return nil
}

// Fetch returns the next record. It blocks until one arrives or ctx is done.
func (p *Partition) Fetch(ctx context.Context) (kafka.Message, error) {
	return p.reader.FetchMessage(ctx)
}

// Commit records next (the offset of the first record not yet processed) as the
// group's position for this partition.
func (p *Partition) Commit(next int64) error {
	if err := p.gen.CommitOffsets(map[string]map[int]int64{p.topic: {p.ID: next}}); err != nil {
		return fmt.Errorf("bus: commit %s/%d at %d: %w", p.topic, p.ID, next, err)
	}
	p.progressed = true
	if p.wait != nil {
		p.wait.OK()
	}
	return nil
}

func (p *Partition) close() {
	if p.reader != nil {
		p.reader.Close()
		p.reader = nil
	}
}

// Consume joins the consumer group and, in each generation, runs handle once per
// assigned partition, each in its own goroutine. When the group rebalances, the
// handlers' context is cancelled; they must return, and are run again for the
// partitions of the next generation. Consume returns nil when ctx is done, and an
// error only for a configuration the group refuses (no brokers, no topic).
//
// Transient trouble never ends it: an error from the group (a rebalance in
// progress, the coordinator moving, the broker refusing connections) is logged
// once per outage and retried with capped, jittered backoff, as kafka-go expects
// of ConsumerGroup.Next's callers; a handler that fails is run again from its
// last checkpoint with its own backoff, which starts again from the minimum after
// a run that committed something.
//
// A handler returning nil means "this partition is finished" (a replay's end
// record); Consume returns once every partition handler of a generation returned
// nil and done reports true.
func Consume(ctx context.Context, cfg ConsumerConfig, handle func(ctx context.Context, p *Partition) error, done func() bool) error {
	if cfg.GroupID == "" {
		cfg.GroupID = "downwatch-detector"
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	group, err := kafka.NewConsumerGroup(kafka.ConsumerGroupConfig{
		ID:                     cfg.GroupID,
		Brokers:                cfg.Brokers,
		Topics:                 []string{cfg.Topic},
		StartOffset:            kafka.FirstOffset,
		HeartbeatInterval:      time.Second,
		SessionTimeout:         10 * time.Second,
		RebalanceTimeout:       10 * time.Second,
		JoinGroupBackoff:       500 * time.Millisecond,
		WatchPartitionChanges:  true,
		PartitionWatchInterval: 5 * time.Second,
		Timeout:                10 * time.Second,
		Dialer:                 cfg.Security.Dialer(),
	})
	if err != nil {
		return fmt.Errorf("bus: join group %s on %v: %w", cfg.GroupID, cfg.Brokers, err)
	}
	defer group.Close()
	wait := &health.Waiter{What: fmt.Sprintf("consumer group %s on %v", cfg.GroupID, cfg.Brokers), Dep: "kafka", Log: cfg.Logger, Health: cfg.Health}
	var backoff health.Backoff
	for {
		// Say what a slow join waits for, once, and only when it is slow.
		var waited atomic.Bool
		slow := time.AfterFunc(2*time.Second, func() {
			waited.Store(true)
			cfg.Logger.Warn("waiting for the group to assign partitions (after a member stopped, the group waits for its 10s session timeout)", "group", cfg.GroupID)
		})
		gen, err := group.Next(ctx)
		slow.Stop()
		if err == nil && waited.Load() {
			cfg.Logger.Warn("partitions assigned; working", "group", cfg.GroupID, "partitions", len(gen.Assignments[cfg.Topic]))
		}
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, kafka.ErrGroupClosed) {
				return nil
			}
			wait.Fail(fmt.Errorf("bus: next generation of group %s: %w", cfg.GroupID, err))
			if !health.Sleep(ctx, backoff.Next()) {
				return nil
			}
			continue
		}
		wait.OK()
		backoff.Reset()
		runGeneration(ctx, cfg, gen, handle)
		if ctx.Err() != nil {
			return nil
		}
		if done != nil && done() {
			return nil
		}
	}
}

// runGeneration runs handle for each partition of gen and returns when all have.
func runGeneration(ctx context.Context, cfg ConsumerConfig, gen *kafka.Generation, handle func(ctx context.Context, p *Partition) error) {
	var wg sync.WaitGroup
	assigned := gen.Assignments[cfg.Topic]
	cfg.Logger.Info("partitions assigned", "group", cfg.GroupID, "generation", gen.ID, "partitions", len(assigned))
	for _, a := range assigned {
		p := &Partition{ID: a.ID, Committed: a.Offset, topic: cfg.Topic, gen: gen, cfg: cfg}
		wg.Add(1)
		gen.Start(func(genCtx context.Context) {
			defer wg.Done()
			// The handler stops when the generation ends (rebalance) or when the
			// caller's ctx is done, whichever comes first.
			gctx, cancel := context.WithCancel(ctx)
			defer cancel()
			stop := context.AfterFunc(genCtx, cancel)
			defer stop()
			runHandler(gctx, cfg, p, handle)
		})
	}
	wg.Wait()
}

// runHandler runs handle for p until it returns nil or ctx is done, retrying
// failures (Redis or Kafka unreachable) with backoff: the handler restarts from
// its last checkpoint, so nothing is lost or counted twice.
func runHandler(ctx context.Context, cfg ConsumerConfig, p *Partition, handle func(ctx context.Context, p *Partition) error) {
	backoff := health.Backoff{Min: 200 * time.Millisecond, Max: 5 * time.Second}
	wait := &health.Waiter{What: fmt.Sprintf("partition %d's handler (Redis, Kafka)", p.ID), Log: cfg.Logger}
	p.wait = wait
	for {
		p.progressed = false
		err := handle(ctx, p)
		p.close()
		if err == nil || ctx.Err() != nil {
			return
		}
		if p.progressed {
			backoff.Reset()
		}
		wait.Fail(err)
		if !health.Sleep(ctx, backoff.Next()) {
			return
		}
		p.reader = nil
	}
}
