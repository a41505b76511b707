package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"

	"github.com/segmentio/kafka-go"
)

// EnsureTopics is Security{}.EnsureTopics: plaintext, no authentication.
func EnsureTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	return Security{}.EnsureTopics(ctx, brokers, partitions, topics...)
}

// Partitions is Security{}.Partitions: plaintext, no authentication.
func Partitions(ctx context.Context, brokers []string, topic string) ([]int, error) {
	return Security{}.Partitions(ctx, brokers, topic)
}

// EnsureTopics creates each topic with the given number of partitions where it does
// not exist yet. Existing topics are left as they are.
func (s Security) EnsureTopics(ctx context.Context, brokers []string, partitions int, topics ...string) error {
	if partitions <= 0 {
		partitions = 4
	}
	conn, err := s.dial(ctx, brokers)
	if err != nil {
		return err
	}
	defer conn.Close()
	ctl, err := conn.Controller()
	if err != nil {
		return fmt.Errorf("bus: find controller via %v: %w", brokers, err)
	}
	cc, err := s.Dialer().DialContext(ctx, "tcp", net.JoinHostPort(ctl.Host, strconv.Itoa(ctl.Port)))
	if err != nil {
		return fmt.Errorf("bus: dial controller %s:%d: %w", ctl.Host, ctl.Port, err)
	}
	defer cc.Close()
	cfgs := make([]kafka.TopicConfig, 0, len(topics))
	for _, t := range topics {
		cfgs = append(cfgs, kafka.TopicConfig{Topic: t, NumPartitions: partitions, ReplicationFactor: -1})
	}
	if err := cc.CreateTopics(cfgs...); err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		// ReplicationFactor -1 (broker default) needs Kafka 2.4+; retry with 1 for older brokers.
		for i := range cfgs {
			cfgs[i].ReplicationFactor = 1
		}
		if err2 := cc.CreateTopics(cfgs...); err2 != nil && !errors.Is(err2, kafka.TopicAlreadyExists) {
			return fmt.Errorf("bus: create topics %v: %w", topics, err)
		}
	}
	return nil
}

// Partitions returns the partition ids of topic in ascending order.
func (s Security) Partitions(ctx context.Context, brokers []string, topic string) ([]int, error) {
	conn, err := s.dial(ctx, brokers)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	ps, err := conn.ReadPartitions(topic)
	if err != nil {
		return nil, fmt.Errorf("bus: read partitions of %s: %w", topic, err)
	}
	ids := make([]int, 0, len(ps))
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	// Sorted, as kafka-go's Writer sorts them before balancing: a balancer
	// handed this list picks the partition the writer picks.
	slices.Sort(ids)
	return ids, nil
}

func (s Security) dial(ctx context.Context, brokers []string) (*kafka.Conn, error) {
	var last error
	for _, b := range brokers {
		c, err := s.Dialer().DialContext(ctx, "tcp", b)
		if err == nil {
			return c, nil
		}
		if e := s.explain(brokers, err); e != nil {
			return nil, e
		}
		last = err
	}
	return nil, fmt.Errorf("bus: no Kafka broker answered at %v (is it running? start one with `downwatch dev-kafka`): %w", brokers, last)
}
