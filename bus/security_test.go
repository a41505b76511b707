package bus

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch/secure"
	"github.com/downwatch/downwatch/secure/securetest"
)

// TestSecureRoundTrip proves every kafka-go connection this package makes (admin
// Conn and controller, Writer's Transport, ConsumerGroup and Reader) logs in with
// each SASL mechanism and speaks TLS with a CA file and a client certificate:
// the broker refuses anything else, so a path left plaintext fails the test.
func TestSecureRoundTrip(t *testing.T) {
	certs := securetest.New(t)
	clientTLS := secure.TLSFiles{CA: certs.CA, Cert: certs.ClientCert, Key: certs.ClientKey, ServerName: "localhost"}
	for _, tc := range []struct {
		name string
		mech string
		tls  bool
	}{
		{"plain over TLS", "plain", true},
		{"scram-sha-256", "scram-sha-256", false},
		{"scram-sha-512 over TLS", "SCRAM-SHA-512", true},
		{"TLS alone", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ecfg := EmbeddedConfig{Partitions: 2}
			cfg := SecurityConfig{SASLMechanism: tc.mech}
			if tc.mech != "" {
				ecfg.Users = []User{{Mechanism: tc.mech, Name: "ingester", Password: "s3cret-pw"}}
				cfg.SASLUser, cfg.SASLPassword = "ingester", "s3cret-pw"
			}
			if tc.tls {
				ecfg.TLS = certs.ServerTLS(t, true)
				cfg.TLS = clientTLS
			}
			b, err := StartEmbedded(ecfg)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			sec, err := NewSecurity(cfg)
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, sec, b.Addrs())
		})
	}
}

func roundTrip(t *testing.T, sec Security, brokers []string) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	const topic, n = "secure.mentions", 50
	if err := sec.EnsureTopics(ctx, brokers, 2, topic); err != nil {
		t.Fatal(err)
	}
	parts, err := sec.Partitions(ctx, brokers, topic)
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter(WriterConfig{Brokers: brokers, Topic: topic, Security: sec})
	msgs := make([]kafka.Message, n)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprint("svc", i%7)), Value: []byte(fmt.Sprint(i))}
	}
	if err := w.Write(ctx, msgs...); err != nil {
		t.Fatal(err)
	}
	if err := w.WriteControl(ctx, ControlEnd, time.Unix(0, 0), parts); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
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
			if _, _, ok := Control(m); ok {
				ends.Add(1)
				return p.Commit(m.Offset + 1)
			}
			got.Add(1)
		}
	}
	done := func() bool { return ends.Load() == int64(len(parts)) }
	if err := Consume(ctx, ConsumerConfig{Brokers: brokers, Topic: topic, GroupID: "secure", Security: sec}, handle, done); err != nil {
		t.Fatal(err)
	}
	if got.Load() != n || ends.Load() != int64(len(parts)) {
		t.Fatalf("got %d records and %d end records, want %d and %d", got.Load(), ends.Load(), n, len(parts))
	}
}

// TestSecureRefused proves a wrong password, a wrong mechanism and an untrusted
// certificate are refused with one line that says what to check and never holds
// the password.
func TestSecureRefused(t *testing.T) {
	certs := securetest.New(t)
	b, err := StartEmbedded(EmbeddedConfig{
		Users: []User{{Mechanism: "scram-sha-512", Name: "detector", Password: "right-pw"}, {Mechanism: "plain", Name: "ingester", Password: "right-pw"}},
		TLS:   certs.ServerTLS(t, false),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	trusted := secure.TLSFiles{CA: certs.CA}
	for _, tc := range []struct {
		name string
		cfg  SecurityConfig
		want string
	}{
		{"scram wrong password", SecurityConfig{TLS: trusted, SASLMechanism: "scram-sha-512", SASLUser: "detector", SASLPassword: "wrong-pw-1"}, "--kafka-sasl-password-file"},
		{"plain wrong password", SecurityConfig{TLS: trusted, SASLMechanism: "plain", SASLUser: "ingester", SASLPassword: "wrong-pw-2"}, "--kafka-sasl-password-file"},
		{"wrong mechanism", SecurityConfig{TLS: trusted, SASLMechanism: "scram-sha-256", SASLUser: "detector", SASLPassword: "right-pw"}, "--kafka-sasl-mechanism"},
		{"untrusted certificate", SecurityConfig{TLS: secure.TLSFiles{CA: certs.OtherCA}, SASLMechanism: "plain", SASLUser: "ingester", SASLPassword: "right-pw"}, "--kafka-tls-ca"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			sec, err := NewSecurity(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = sec.Partitions(ctx, b.Addrs(), "any")
			if err == nil {
				t.Fatal("got no error, want the broker to refuse")
			}
			msg := err.Error()
			if !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") || strings.Contains(msg, tc.cfg.SASLPassword) {
				t.Errorf("got %q, want one line naming %s and not the password", msg, tc.want)
			}
		})
	}
}

// TestNewSecurityRejects proves contradictory settings are refused before any
// connection is tried.
func TestNewSecurityRejects(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  SecurityConfig
		want string
	}{
		{"unknown mechanism", SecurityConfig{SASLMechanism: "gssapi", SASLUser: "u", SASLPassword: "p"}, "unknown Kafka SASL mechanism"},
		{"no password", SecurityConfig{SASLMechanism: "plain", SASLUser: "u"}, "needs a user and a password"},
		{"password without mechanism", SecurityConfig{SASLUser: "u", SASLPassword: "p"}, "no mechanism"},
		{"cert without key", SecurityConfig{TLS: secure.TLSFiles{Cert: "c.pem"}}, "both its certificate and its key"},
		{"missing CA file", SecurityConfig{TLS: secure.TLSFiles{CA: "/nonexistent/ca.pem"}}, "read CA file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewSecurity(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
