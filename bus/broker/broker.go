// Package broker is the embedded Kafka-protocol broker (kfake) that demo, replay,
// dev-kafka and tests run in-process. It is never for production. It is the only
// package that imports kfake, and it imports nothing of downwatch.
package broker

import (
	"crypto/tls"
	"fmt"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"
)

// Embedded is an in-process Kafka-protocol broker (kfake). It is for demos, replays
// and tests, never for production: it keeps data in memory unless given a data
// directory, and implements only what Kafka clients need to talk to it.
type Embedded struct {
	cluster *kfake.Cluster
}

// Config configures an embedded broker. The zero value listens on a random
// loopback port and keeps everything in memory.
type Config struct {
	// Port to listen on; 0 picks a free one.
	Port int
	// DataDir keeps the log on disk so a restarted broker has the same data; "" = memory.
	DataDir string
	// Partitions of auto-created topics; default 4.
	Partitions int
	// Users, when any, turn on SASL: every client must log in as one of them.
	Users []User
	// TLS, when set, serves TLS only (it must hold the server's certificate).
	TLS *tls.Config
}

// User is a SASL login the embedded broker accepts.
type User struct {
	// Mechanism is "plain", "scram-sha-256" or "scram-sha-512" (any case).
	Mechanism      string
	Name, Password string
}

// Start starts a broker listening on 127.0.0.1.
func Start(cfg Config) (*Embedded, error) {
	parts := cfg.Partitions
	if parts <= 0 {
		parts = 4
	}
	opts := []kfake.Opt{
		kfake.NumBrokers(1),
		kfake.AllowAutoTopicCreation(),
		kfake.DefaultNumPartitions(parts),
		kfake.Ports(cfg.Port),
	}
	if cfg.DataDir != "" {
		opts = append(opts, kfake.DataDir(cfg.DataDir))
	}
	if len(cfg.Users) > 0 {
		opts = append(opts, kfake.EnableSASL())
	}
	for _, u := range cfg.Users {
		opts = append(opts, kfake.Superuser(strings.ToUpper(u.Mechanism), u.Name, u.Password))
	}
	if cfg.TLS != nil {
		opts = append(opts, kfake.TLS(cfg.TLS))
	}
	c, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("broker: start embedded broker on port %d: %w", cfg.Port, err)
	}
	return &Embedded{cluster: c}, nil
}

// Addrs returns the broker addresses ("127.0.0.1:PORT").
func (e *Embedded) Addrs() []string { return e.cluster.ListenAddrs() }

// Close stops the broker.
func (e *Embedded) Close() { e.cluster.Close() }
