package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/secure"
	"github.com/downwatch/downwatch/store"
)

// Environment variables that hold passwords, read when no password file is given.
const (
	envKafkaPassword = "DOWNWATCH_KAFKA_SASL_PASSWORD"
	envRedisPassword = "DOWNWATCH_REDIS_PASSWORD"
)

// kafkaSecurityFlags are the TLS and SASL flags of every command that talks to
// Kafka as a client. The password is never a flag: it comes from a file or the
// environment, so it shows neither in the process list nor in --help.
type kafkaSecurityFlags struct {
	tls                      secure.TLSFiles
	mechanism, user, pwdFile string
}

func (k *kafkaSecurityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&k.tls.CA, "kafka-tls-ca", "", "Kafka TLS: PEM file of the CAs to trust (setting any --kafka-tls-* turns TLS on; default roots: the system's)")
	fs.StringVar(&k.tls.Cert, "kafka-tls-cert", "", "Kafka TLS: client certificate PEM file, for brokers that require one (with --kafka-tls-key)")
	fs.StringVar(&k.tls.Key, "kafka-tls-key", "", "Kafka TLS: client private key PEM file")
	fs.StringVar(&k.tls.ServerName, "kafka-tls-server-name", "", "Kafka TLS: name to check the brokers' certificates for (default: the host dialled)")
	fs.BoolVar(&k.tls.InsecureSkipVerify, "kafka-tls-insecure-skip-verify", false, "Kafka TLS: INSECURE, for tests only: accept any broker certificate")
	fs.StringVar(&k.mechanism, "kafka-sasl-mechanism", "", "Kafka SASL: plain, scram-sha-256 or scram-sha-512 (default: no SASL)")
	fs.StringVar(&k.user, "kafka-sasl-user", "", "Kafka SASL: user name")
	fs.StringVar(&k.pwdFile, "kafka-sasl-password-file", "", "Kafka SASL: file holding the password (default $"+envKafkaPassword+")")
}

// security builds the flags into a bus.Security: the password from
// --kafka-sasl-password-file, else $DOWNWATCH_KAFKA_SASL_PASSWORD.
func (k *kafkaSecurityFlags) security() (bus.Security, error) {
	pwd, err := secure.Secret(k.pwdFile, envKafkaPassword, os.Getenv)
	if err != nil {
		return bus.Security{}, err
	}
	if k.mechanism == "" && k.user == "" {
		pwd = "" // a password in the environment alone does not turn SASL on
	}
	return bus.NewSecurity(bus.SecurityConfig{TLS: k.tls, SASLMechanism: k.mechanism, SASLUser: k.user, SASLPassword: pwd})
}

// redisSecurityFlags are the AUTH, TLS and Sentinel flags of every command that
// talks to Redis.
type redisSecurityFlags struct {
	tls           secure.TLSFiles
	user, pwdFile string
	master        string
	sentinels     listFlag
}

func (r *redisSecurityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&r.tls.CA, "redis-tls-ca", "", "Redis TLS: PEM file of the CAs to trust (setting any --redis-tls-* turns TLS on, as rediss:// does)")
	fs.StringVar(&r.tls.Cert, "redis-tls-cert", "", "Redis TLS: client certificate PEM file (with --redis-tls-key)")
	fs.StringVar(&r.tls.Key, "redis-tls-key", "", "Redis TLS: client private key PEM file")
	fs.StringVar(&r.tls.ServerName, "redis-tls-server-name", "", "Redis TLS: name to check the server's certificate for (default: the host of --redis)")
	fs.BoolVar(&r.tls.InsecureSkipVerify, "redis-tls-insecure-skip-verify", false, "Redis TLS: INSECURE, for tests only: accept any server certificate")
	fs.StringVar(&r.user, "redis-user", "", "Redis ACL user (default: the URL's, else default)")
	fs.StringVar(&r.pwdFile, "redis-password-file", "", "file holding the Redis password (default $"+envRedisPassword+", else the password in the --redis URL)")
	fs.StringVar(&r.master, "redis-sentinel-master", "", "Redis Sentinel: name of the master to follow (with --redis-sentinels; the --redis host is then not dialled)")
	fs.Var(&r.sentinels, "redis-sentinels", "Redis Sentinel: sentinel addresses host:port, comma-separated or repeated")
}

// conn builds the flags into a store.Conn: the password from
// --redis-password-file, else $DOWNWATCH_REDIS_PASSWORD, else the URL's.
func (r *redisSecurityFlags) conn() (store.Conn, error) {
	pwd, err := secure.Secret(r.pwdFile, envRedisPassword, os.Getenv)
	if err != nil {
		return store.Conn{}, err
	}
	return store.Conn{User: r.user, Password: pwd, TLS: r.tls, SentinelMaster: r.master, Sentinels: r.sentinels}, nil
}

// open connects to the store at url under prefix with these flags: what every
// command that reads or writes incidents starts with. Close it when done.
func (r *redisSecurityFlags) open(ctx context.Context, url, prefix string) (*store.Redis, error) {
	conn, err := r.conn()
	if err != nil {
		return nil, err
	}
	return store.Open(ctx, url, store.Config{Prefix: prefix, Conn: conn})
}

// devKafkaSecurity are dev-kafka's flags to serve SASL and TLS, so the clients'
// flags can be tried locally.
type devKafkaSecurity struct {
	mechanism, user, pwdFile string
	cert, key                string
}

func (d *devKafkaSecurity) register(fs *flag.FlagSet) {
	fs.StringVar(&d.mechanism, "sasl-mechanism", "", "require SASL: plain, scram-sha-256 or scram-sha-512, with --sasl-user (default: no SASL)")
	fs.StringVar(&d.user, "sasl-user", "", "the one SASL user the broker accepts")
	fs.StringVar(&d.pwdFile, "sasl-password-file", "", "file holding that user's password (default $"+envKafkaPassword+")")
	fs.StringVar(&d.cert, "tls-cert", "", "serve TLS only, with this server certificate PEM file (with --tls-key)")
	fs.StringVar(&d.key, "tls-key", "", "the server certificate's private key PEM file")
}

func (d *devKafkaSecurity) apply(cfg *broker.Config) error {
	if d.mechanism != "" || d.user != "" {
		pwd, err := secure.Secret(d.pwdFile, envKafkaPassword, os.Getenv)
		if err != nil {
			return err
		}
		switch m := strings.ToLower(d.mechanism); {
		case m != "plain" && m != "scram-sha-256" && m != "scram-sha-512":
			return fmt.Errorf("dev-kafka: --sasl-mechanism %q: want plain, scram-sha-256 or scram-sha-512", d.mechanism)
		case d.user == "" || pwd == "":
			return fmt.Errorf("dev-kafka: SASL needs --sasl-user and a password (--sasl-password-file or $%s)", envKafkaPassword)
		}
		cfg.Users = []broker.User{{Mechanism: d.mechanism, Name: d.user, Password: pwd}}
	}
	if d.cert == "" && d.key == "" {
		return nil
	}
	pair, err := tls.LoadX509KeyPair(d.cert, d.key)
	if err != nil {
		return fmt.Errorf("dev-kafka: load --tls-cert and --tls-key: %w", err)
	}
	cfg.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}
	return nil
}
