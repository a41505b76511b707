package bus

import (
	"crypto/tls"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/secure"
)

// SecurityConfig says how to reach a Kafka behind TLS, SASL, or both. The zero
// value is plaintext without authentication.
type SecurityConfig struct {
	TLS secure.TLSFiles
	// SASLMechanism is "plain", "scram-sha-256" or "scram-sha-512" (any case);
	// "" = no SASL. PLAIN sends the password as it is: use it with TLS only.
	SASLMechanism string
	SASLUser      string
	SASLPassword  string
}

// Security is a built SecurityConfig: what every connection this package makes
// (Dialer, Transport, Reader, ConsumerGroup, admin Conn) carries. The zero value
// is plaintext.
type Security struct {
	TLS  *tls.Config
	SASL sasl.Mechanism
	user string // for error messages; never the password
}

// NewSecurity reads the TLS files and prepares the SASL mechanism.
func NewSecurity(cfg SecurityConfig) (Security, error) {
	var s Security
	t, err := cfg.TLS.Config()
	if err != nil {
		return s, fmt.Errorf("bus: Kafka TLS: %w", err)
	}
	s.TLS, s.user = t, cfg.SASLUser
	mech := strings.ToLower(cfg.SASLMechanism)
	if mech == "" {
		if cfg.SASLUser != "" || cfg.SASLPassword != "" {
			return s, errors.New("bus: a Kafka SASL user or password is set but no mechanism: set --kafka-sasl-mechanism (plain, scram-sha-256 or scram-sha-512)")
		}
		return s, nil
	}
	if cfg.SASLUser == "" || cfg.SASLPassword == "" {
		return s, fmt.Errorf("bus: Kafka SASL %s needs a user and a password: set --kafka-sasl-user and --kafka-sasl-password-file (or DOWNWATCH_KAFKA_SASL_PASSWORD)", mech)
	}
	switch mech {
	case "plain":
		s.SASL = plain.Mechanism{Username: cfg.SASLUser, Password: cfg.SASLPassword}
	case "scram-sha-256", "scram-sha-512":
		algo := scram.SHA256
		if mech == "scram-sha-512" {
			algo = scram.SHA512
		}
		if s.SASL, err = scram.Mechanism(algo, cfg.SASLUser, cfg.SASLPassword); err != nil {
			return s, fmt.Errorf("bus: Kafka SASL %s for user %q: %w", mech, cfg.SASLUser, err)
		}
	default:
		return s, fmt.Errorf("bus: unknown Kafka SASL mechanism %q (want plain, scram-sha-256 or scram-sha-512)", cfg.SASLMechanism)
	}
	return s, nil
}

// secured reports whether s has TLS or SASL.
func (s Security) secured() bool { return s.TLS != nil || s.SASL != nil }

// Dialer returns a kafka-go Dialer that connects with s, for Conn, Reader and
// ConsumerGroup: kafka-go's default dialer (10s timeout) with s's TLS and SASL.
func (s Security) Dialer() *kafka.Dialer {
	d := *kafka.DefaultDialer
	d.TLS, d.SASLMechanism = s.TLS, s.SASL
	return &d
}

// Transport returns a kafka-go Transport that connects with s, for Writer.
func (s Security) Transport() *kafka.Transport {
	return &kafka.Transport{DialTimeout: 10 * time.Second, TLS: s.TLS, SASL: s.SASL}
}

// explain turns a refused login or handshake into one line that says what to
// check, marked permanent (health.Retry returns it at once: retrying cannot fix
// a wrong password). It never holds the password.
func (s Security) explain(brokers []string, err error) error {
	if errors.Is(err, kafka.SASLAuthenticationFailed) || errors.Is(err, kafka.IllegalSASLState) || errors.Is(err, kafka.UnsupportedSASLMechanism) {
		return health.Permanent(fmt.Errorf("bus: Kafka at %v refused the SASL %s login of user %q: check --kafka-sasl-user, the password (--kafka-sasl-password-file or DOWNWATCH_KAFKA_SASL_PASSWORD) and --kafka-sasl-mechanism", brokers, mechName(s.SASL), s.user))
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return health.Permanent(fmt.Errorf("bus: the TLS certificate of Kafka at %v is not trusted (%v): check --kafka-tls-ca and --kafka-tls-server-name", brokers, cv.Err))
	}
	return nil
}

func mechName(m sasl.Mechanism) string {
	if m == nil {
		return "(none)"
	}
	return m.Name()
}
