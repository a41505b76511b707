package securetest

import (
	"bytes"
	"fmt"
	"net"
	"os/exec"
	"strconv"
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
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	plain, tlsAddr = fmt.Sprintf("127.0.0.1:%d", port), fmt.Sprintf("127.0.0.1:%d", tport)
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", tlsAddr)
		if err == nil {
			c.Close()
			return plain, tlsAddr
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server did not listen on %s: %v\n%s", tlsAddr, err, out.String())
		}
		time.Sleep(20 * time.Millisecond) // waiting for another process to listen
	}
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
