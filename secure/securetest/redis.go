package securetest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// StartRedis starts a redis-server of its own (skipping the test where none is
// installed) with the password default-pw, an ACL user alice (password
// alice-pw), a plaintext port and a TLS port that requires a client certificate.
func StartRedis(t *testing.T, certs Certs) (plain, tlsAddr string) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	port, tport := freePort(t), freePort(t)
	cmd := exec.Command(bin, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--requirepass", "default-pw", "--user", "alice", "on", ">alice-pw", "~*", "&*", "+@all",
		"--tls-port", strconv.Itoa(tport), "--tls-cert-file", certs.ServerCert, "--tls-key-file", certs.ServerKey,
		"--tls-ca-cert-file", certs.CA, "--tls-auth-clients", "yes", "--dir", t.TempDir())
	plain, tlsAddr = fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", tport)
	start(t, cmd, tlsAddr)
	return plain, tlsAddr
}

// start runs cmd until the test ends and waits until it listens on addr.
func start(t *testing.T, cmd *exec.Cmd, addr string) {
	t.Helper()
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s did not listen on %s: %v\n%s", cmd.Path, addr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond) // waiting for another process to listen
	}
}

// syncBuffer is a bytes.Buffer safe to write from the process's copier while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartSentinel starts a Redis Sentinel of its own that watches the master at
// masterAddr as "mymaster" (logging in with password) and returns its address.
func StartSentinel(t *testing.T, masterAddr, password string) string {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not installed")
	}
	host, port, _ := net.SplitHostPort(masterAddr)
	sport := freePort(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "sentinel.conf")
	body := fmt.Sprintf("port %d\nbind 127.0.0.1\ndir %s\nsentinel monitor mymaster %s %s 1\nsentinel auth-pass mymaster %s\n", sport, dir, host, port, password)
	if err := os.WriteFile(conf, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := fmt.Sprintf("127.0.0.1:%d", sport)
	start(t, exec.Command(bin, conf, "--sentinel"), addr)
	return addr
}
