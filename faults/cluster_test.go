package faults

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go"
)

// env is what TestMain sets up once: the binary, the scenario's posts, and a
// redis-server and dev-kafka that the tests stop and start again.
var env struct {
	bin     string
	records [][]kafka.Message // per partition, the mentions topic as ingest wrote it
	redis   *service
	kafka   *service
}

func TestMain(m *testing.M) {
	flag.Parse()
	if testing.Short() {
		os.Exit(m.Run()) // every test skips
	}
	code, err := setUp(m)
	if err != nil {
		fmt.Fprintln(os.Stderr, "faults:", err)
		os.Exit(1)
	}
	os.Exit(code)
}

func setUp(m *testing.M) (int, error) {
	dir, err := os.MkdirTemp("", "downwatch-faults-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	env.bin = filepath.Join(dir, "downwatch")
	build := exec.Command("go", "build", "-o", env.bin, "github.com/downwatch/downwatch/cmd/downwatch")
	if out, err := build.CombinedOutput(); err != nil {
		return 0, fmt.Errorf("build the binary: %v\n%s", err, out)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		return 0, fmt.Errorf("the fault suite needs redis-server on PATH (apt-get install redis-server): %w", err)
	}
	rport, kport := freePort(), freePort()
	rdir := filepath.Join(dir, "redis")
	os.Mkdir(rdir, 0o755)
	env.redis = &service{name: "redis-server", addr: fmt.Sprintf("127.0.0.1:%d", rport), log: filepath.Join(dir, "redis.log"),
		args: []string{"redis-server", "--port", fmt.Sprint(rport), "--bind", "127.0.0.1", "--dir", rdir,
			"--appendonly", "yes", "--appendfsync", "always", "--save", "", "--protected-mode", "no"}}
	env.kafka = &service{name: "dev-kafka", addr: fmt.Sprintf("127.0.0.1:%d", kport), log: filepath.Join(dir, "kafka.log"),
		args: []string{env.bin, "dev-kafka", "--listen", fmt.Sprintf("127.0.0.1:%d", kport), "--data", filepath.Join(dir, "kafka"), "--partitions", "4"}}
	for _, s := range []*service{env.redis, env.kafka} {
		if err := s.start(); err != nil {
			return 0, err
		}
		defer s.stop()
	}
	if err := ingestOnce(); err != nil {
		return 0, err
	}
	return m.Run(), nil
}

// ingestOnce runs `simulate --scenario cdn-upstream | ingest` into a topic of its
// own and keeps every record of it, per partition, for the runs to copy.
func ingestOnce() error {
	const topic = "f.source.mentions"
	sh := exec.Command("sh", "-c", fmt.Sprintf("%q simulate --scenario cdn-upstream | %q ingest --kafka %s --topic %s --partitions %d",
		env.bin, env.bin, env.kafka.addr, topic, partitions))
	if out, err := sh.CombinedOutput(); err != nil {
		return fmt.Errorf("ingest the scenario: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	env.records = make([][]kafka.Message, partitions)
	for p := range partitions {
		conn, err := kafka.DialLeader(ctx, "tcp", env.kafka.addr, topic, p)
		if err != nil {
			return err
		}
		end, err := conn.ReadLastOffset()
		conn.Close()
		if err != nil {
			return err
		}
		rd := kafka.NewReader(kafka.ReaderConfig{Brokers: []string{env.kafka.addr}, Topic: topic, Partition: p, MaxWait: 100 * time.Millisecond})
		for int64(len(env.records[p])) < end {
			m, err := rd.ReadMessage(ctx)
			if err != nil {
				rd.Close()
				return fmt.Errorf("read back %s/%d: %w", topic, p, err)
			}
			env.records[p] = append(env.records[p], kafka.Message{Key: m.Key, Value: m.Value, Headers: m.Headers})
		}
		rd.Close()
	}
	return nil
}

func freePort() int {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// service is a redis-server or dev-kafka process that can be stopped and
// started again on the same port and data.
type service struct {
	name, addr, log string
	args            []string
	mu              sync.Mutex
	cmd             *exec.Cmd
}

func (s *service) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := os.OpenFile(s.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.args[0], s.args[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	go func() { cmd.Wait(); f.Close() }()
	s.cmd = cmd
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
			c.Close()
			if s.name != "redis-server" || redis.NewClient(&redis.Options{Addr: s.addr}).Ping(context.Background()).Err() == nil {
				return nil
			}
		}
	}
	return fmt.Errorf("%s did not listen on %s within 20s (log %s)", s.name, s.addr, s.log)
}

// stop ends the process with SIGTERM (Redis writes its AOF, kfake its log) and
// waits for the port to be free.
func (s *service) stop() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if syscall.Kill(s.cmd.Process.Pid, 0) != nil {
			break
		}
		if c, err := net.DialTimeout("tcp", s.addr, 200*time.Millisecond); err != nil {
			break
		} else {
			c.Close()
		}
	}
	s.cmd.Process.Kill()
	s.cmd = nil
}

// proc is a downwatch role run by a test, its output kept for the failure report.
type proc struct {
	name    string
	metrics string // detectors: the --metrics address
	cmd     *exec.Cmd
	out     *bytes.Buffer
	mu      *sync.Mutex
	done    chan struct{}
	err     error
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func startProc(t *testing.T, name string, stdin *os.File, args ...string) *proc {
	t.Helper()
	p := &proc{name: name, out: &bytes.Buffer{}, mu: &sync.Mutex{}, done: make(chan struct{})}
	p.cmd = exec.Command(env.bin, args...)
	w := lockedWriter{p.mu, p.out}
	p.cmd.Stdout, p.cmd.Stderr = w, w
	if stdin != nil {
		p.cmd.Stdin = stdin
	}
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.cmd.Process.Kill()
		<-p.done
		if t.Failed() {
			p.mu.Lock()
			t.Logf("--- %s output:\n%s", p.name, tail(p.out.String(), 3000))
			p.mu.Unlock()
		}
	})
	return p
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// kill9 kills the process the hard way and waits for it.
func (p *proc) kill9() {
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// term asks the process to stop (as a signal from an operator would) and
// reports its exit error.
func (p *proc) term(t *testing.T) error {
	t.Helper()
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(20 * time.Second):
		return fmt.Errorf("%s did not stop within 20s of SIGTERM", p.name)
	}
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}
