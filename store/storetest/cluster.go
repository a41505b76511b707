package storetest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// Cluster starts a Redis Cluster of three masters (no replicas) from
// `redis-server --cluster-enabled yes` on loopback ports, joins it with
// `redis-cli --cluster create`, waits until it reports cluster_state:ok and
// returns its addresses. The servers are stopped when the test ends. Without
// redis-server or redis-cli on PATH the test is skipped, saying so (CI installs
// them).
func Cluster(t testing.TB) []string {
	t.Helper()
	for _, bin := range []string{"redis-server", "redis-cli"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("the Redis Cluster test needs %s on PATH (apt-get install redis-server redis-tools; .ci/run installs it): %v", bin, err)
		}
	}
	dir := t.TempDir()
	addrs := make([]string, 3)
	for i := range addrs {
		port := freePort(t)
		addrs[i] = "127.0.0.1:" + strconv.Itoa(port)
		cmd := exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1",
			"--cluster-enabled", "yes", "--cluster-config-file", fmt.Sprintf("nodes-%d.conf", port),
			"--cluster-node-timeout", "5000", "--dir", dir, "--save", "", "--appendonly", "no")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatalf("start redis-server on %s: %v", addrs[i], err)
		}
		t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		waitPing(t, addrs[i], &out)
	}
	args := append([]string{"--cluster", "create"}, addrs...)
	args = append(args, "--cluster-replicas", "0", "--cluster-yes")
	if out, err := exec.Command("redis-cli", args...).CombinedOutput(); err != nil {
		t.Fatalf("redis-cli --cluster create %v: %v\n%s", addrs, err, out)
	}
	for _, a := range addrs {
		waitClusterOK(t, a)
	}
	return addrs
}

// freePort returns a loopback port that is free, and whose cluster bus port
// (port+10000) is free too.
func freePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if port+10000 > 65535 {
			continue
		}
		bus, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port+10000))
		if err != nil {
			continue
		}
		bus.Close()
		return port
	}
	t.Fatal("no free loopback port pair for a cluster node")
	return 0
}

func waitPing(t testing.TB, addr string, log *bytes.Buffer) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	deadline := time.Now().Add(10 * time.Second)
	for c.Ping(context.Background()).Err() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer in 10s:\n%s", addr, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func waitClusterOK(t testing.TB, addr string) {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	deadline := time.Now().Add(30 * time.Second)
	for {
		info, err := c.ClusterInfo(context.Background()).Result()
		if err == nil && strings.Contains(info, "cluster_state:ok") {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("cluster node %s not ok after 30s: %v\n%s", addr, err, info)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
