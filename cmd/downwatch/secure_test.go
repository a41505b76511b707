package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/bus/broker"
	"github.com/downwatch/downwatch/scenario"
	"github.com/downwatch/downwatch/secure"
	"github.com/downwatch/downwatch/secure/securetest"
)

var (
	kafkaFlags = []string{"kafka-tls-ca", "kafka-tls-cert", "kafka-tls-key", "kafka-tls-server-name", "kafka-sasl-mechanism", "kafka-sasl-user", "kafka-sasl-password-file"}
	redisFlags = []string{"redis-tls-ca", "redis-tls-cert", "redis-tls-key", "redis-user", "redis-password-file", "redis-sentinel-master", "redis-sentinels"}
)

// TestSecureFlagsEveryRole proves every role that talks to Kafka or Redis has
// the same security flags, and that --help never shows a password given in the
// environment.
func TestSecureFlagsEveryRole(t *testing.T) {
	t.Setenv(envKafkaPassword, "kafka-secret-in-env")
	t.Setenv(envRedisPassword, "redis-secret-in-env")
	for _, tc := range []struct {
		role  string
		flags []string
	}{
		{"replay", append(kafkaFlags, redisFlags...)},
		{"ingest", append(kafkaFlags, redisFlags...)},
		{"detect", append(kafkaFlags, redisFlags...)},
		{"serve", redisFlags},
		{"incidents", redisFlags},
	} {
		_, _, help := runCLI(t, "", tc.role, "--help")
		for _, f := range tc.flags {
			if !strings.Contains(help, "  -"+f+" ") {
				t.Errorf("%s --help has no --%s", tc.role, f)
			}
		}
		if strings.Contains(help, "secret-in-env") {
			t.Errorf("%s --help shows a password from the environment", tc.role)
		}
	}
}

// TestReplaySecure runs replay, then incidents, against a broker that wants
// SCRAM-SHA-512 over TLS with a client certificate and a Redis that wants a
// password over TLS with a client certificate, the passwords from a file and
// the environment; then with a wrong password, which must end at once with one
// line naming what to check. No output ever holds a password.
func TestReplaySecure(t *testing.T) {
	certs := securetest.New(t)
	_, redisTLS := securetest.StartRedis(t, certs)
	const kafkaPwd, redisPwd = "kafka-pw-0d1e", "default-pw"
	b, err := broker.Start(broker.Config{
		Users: []broker.User{{Mechanism: "scram-sha-512", Name: "replayer", Password: kafkaPwd}},
		TLS:   certs.ServerTLS(t, true),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	dir := t.TempDir()
	pwdFile := filepath.Join(dir, "kafka-password")
	os.WriteFile(pwdFile, []byte(kafkaPwd+"\n"), 0o600)
	t.Setenv(envRedisPassword, redisPwd)
	s, _ := scenario.ByName("cold-start")
	var posts bytes.Buffer
	scenario.WriteJSONL(&posts, s)
	args := func(report string) []string {
		return []string{"replay", "--input", "-", "--report", report, "-v",
			"--kafka", b.Addrs()[0], "--kafka-tls-ca", certs.CA, "--kafka-tls-cert", certs.ClientCert, "--kafka-tls-key", certs.ClientKey,
			"--kafka-sasl-mechanism", "scram-sha-512", "--kafka-sasl-user", "replayer", "--kafka-sasl-password-file", pwdFile,
			"--redis", "redis://" + redisTLS + "/0", "--prefix", "downwatch:replay:securetest:",
			"--redis-tls-ca", certs.CA, "--redis-tls-cert", certs.ClientCert, "--redis-tls-key", certs.ClientKey}
	}
	report := filepath.Join(dir, "r.json")
	code, out, stderr := runCLI(t, posts.String(), args(report)...)
	if code != 0 {
		t.Fatalf("replay exited %d: %s", code, stderr)
	}
	var rep struct{ Incidents []json.RawMessage }
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &rep) != nil || len(rep.Incidents) == 0 {
		t.Fatalf("report: got %d incidents (%v), want some", len(rep.Incidents), err)
	}
	code, list, stderr2 := runCLI(t, "", "incidents", "--json", "--redis", "redis://"+redisTLS, "--prefix", "downwatch:replay:securetest:",
		"--redis-tls-ca", certs.CA, "--redis-tls-cert", certs.ClientCert, "--redis-tls-key", certs.ClientKey)
	var got struct{ Incidents []json.RawMessage }
	if code != 0 || json.Unmarshal([]byte(list), &got) != nil || len(got.Incidents) != len(rep.Incidents) {
		t.Fatalf("incidents over TLS: exit %d, got %d incidents, want %d: %s", code, len(got.Incidents), len(rep.Incidents), stderr2)
	}

	os.WriteFile(pwdFile, []byte("wrong-kafka-pw\n"), 0o600)
	code, out2, stderr3 := runCLI(t, posts.String(), args(filepath.Join(dir, "r2.json"))...)
	last := strings.TrimSpace(stderr3)
	if code == 0 || strings.Count(last, "\n") != 0 || !strings.Contains(last, "--kafka-sasl-password-file") {
		t.Errorf("wrong Kafka password: exit %d, got %q, want one line naming --kafka-sasl-password-file", code, last)
	}
	t.Logf("refused Kafka login: %s", last)
	t.Setenv(envRedisPassword, "wrong-redis-pw")
	code, _, stderr4 := runCLI(t, "", "detect", "--kafka", b.Addrs()[0], "--redis", "redis://"+redisTLS,
		"--redis-tls-ca", certs.CA, "--redis-tls-cert", certs.ClientCert, "--redis-tls-key", certs.ClientKey)
	if code == 0 || !strings.Contains(stderr4, "--redis-password-file") {
		t.Errorf("wrong Redis password: detect exited %d with %q, want an error naming --redis-password-file at once", code, stderr4)
	}
	t.Logf("refused Redis login: %s", stderr4)
	for _, o := range []string{out, stderr, list, stderr2, out2, stderr3, stderr4} {
		for _, secret := range []string{kafkaPwd, redisPwd, "wrong-kafka-pw", "wrong-redis-pw"} {
			if strings.Contains(o, secret) {
				t.Errorf("output holds the password %q:\n%s", secret, o)
			}
		}
	}
}

// TestDevKafkaSecure proves dev-kafka serves SASL over TLS when asked: a client
// with the right password and CA gets in, a wrong password is refused, and the
// broker's output holds no password.
func TestDevKafkaSecure(t *testing.T) {
	certs := securetest.New(t)
	dir := t.TempDir()
	pwdFile := filepath.Join(dir, "pw")
	os.WriteFile(pwdFile, []byte("dev-pw-93\n"), 0o600)
	addr := freeAddr(t)
	var out syncBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- runDevKafka(ctx, &cliEnv{stdout: &out, stderr: &out}, []string{"--listen", addr,
			"--sasl-mechanism", "scram-sha-256", "--sasl-user", "dev", "--sasl-password-file", pwdFile,
			"--tls-cert", certs.ServerCert, "--tls-key", certs.ServerKey})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("dev-kafka: %v", err)
		}
	}()
	try := func(pwd string) error {
		sec, err := bus.NewSecurity(bus.SecurityConfig{TLS: secure.TLSFiles{CA: certs.CA}, SASLMechanism: "scram-sha-256", SASLUser: "dev", SASLPassword: pwd})
		if err != nil {
			t.Fatal(err)
		}
		tctx, tcancel := context.WithTimeout(ctx, 10*time.Second)
		defer tcancel()
		for {
			err := sec.EnsureTopics(tctx, []string{addr}, 1, "dev.t")
			if err == nil || !strings.Contains(err.Error(), "no Kafka broker answered") || tctx.Err() != nil {
				return err
			}
			time.Sleep(20 * time.Millisecond) // dev-kafka is still starting
		}
	}
	if err := try("dev-pw-93"); err != nil {
		t.Fatalf("right password: %v\n%s", err, out.String())
	}
	if err := try("wrong-dev-pw"); err == nil || !strings.Contains(err.Error(), "refused the SASL") {
		t.Errorf("wrong password: got %v, want the login refused", err)
	}
	if strings.Contains(out.String(), "dev-pw-93") {
		t.Errorf("dev-kafka printed the password:\n%s", out.String())
	}
}
