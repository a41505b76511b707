package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// TestKcatReadsAlerts is how a user subscribes to alerts without any downwatch
// code: Debian's kcat reads the alerts topic of a dev-kafka broker after a replay.
func TestKcatReadsAlerts(t *testing.T) {
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		if os.Getenv("DOWNWATCH_CI") != "" {
			t.Fatal("kcat is not installed, and CI (DOWNWATCH_CI) must not skip this test: apt-get install -y kcat")
		}
		t.Skip("kcat is not installed (apt-get install -y kcat); skipping")
	}
	if testing.Short() {
		t.Skip("builds the binary and runs a replay; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 80*time.Second)
	defer cancel()
	dir := t.TempDir()
	bin := filepath.Join(dir, "downwatch")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	// A free port for the broker.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	broker := exec.CommandContext(ctx, bin, "dev-kafka", "--listen", addr)
	stdout, err := broker.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var brokerErr bytes.Buffer
	broker.Stderr = &brokerErr
	if err := broker.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		broker.Process.Kill()
		broker.Wait()
	}()
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if strings.Contains(sc.Text(), "listening") {
				ready <- sc.Text()
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(20 * time.Second):
		t.Fatalf("dev-kafka did not start: %s", brokerErr.String())
	}

	posts, report := filepath.Join(dir, "posts.jsonl"), filepath.Join(dir, "report.json")
	for _, args := range [][]string{
		{"simulate", "--scenario", "cold-start", "--out", posts},
		{"replay", "--input", posts, "--report", report, "--kafka", addr},
	} {
		if out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput(); err != nil {
			t.Fatalf("downwatch %s: %v\n%s", args[0], err, out)
		}
	}

	out, err := exec.CommandContext(ctx, kcat, "-b", addr, "-t", downwatch.TopicAlerts, "-C", "-o", "beginning", "-e", "-J").Output()
	if err != nil {
		t.Fatalf("kcat: %v\n%s", err, out)
	}
	// kcat -J prints one JSON object per message: {"topic":..,"partition":..,"offset":..,"key":..,"payload":..}.
	var opened []downwatch.Alert
	lines := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var m struct {
			Topic   string  `json:"topic"`
			Key     *string `json:"key"`
			Payload string  `json:"payload"`
		}
		if json.Unmarshal([]byte(line), &m) != nil || m.Topic != downwatch.TopicAlerts {
			continue
		}
		lines++
		var a downwatch.Alert
		if err := json.Unmarshal([]byte(m.Payload), &a); err != nil {
			t.Errorf("payload is not alert JSON: %v: %s", err, m.Payload)
			continue
		}
		if m.Key == nil || *m.Key != a.Incident.ID {
			t.Errorf("record key: got %v, want the incident id %s", m.Key, a.Incident.ID)
		}
		if a.Type == downwatch.AlertOpened {
			opened = append(opened, a)
		}
	}
	if len(opened) == 0 {
		t.Fatalf("kcat saw %d alerts and no incident.opened:\n%s", lines, out)
	}
	a := opened[0]
	i := a.Incident
	if i.ID == "" || i.Service != "discord" || i.State != downwatch.StateOpen || i.StartedAt.IsZero() ||
		i.DetectedAt.IsZero() || a.At.IsZero() || i.Authors <= 0 || i.PeakPerMin <= 0 || i.Revision < 1 {
		t.Errorf("incident.opened carries an incomplete incident: %+v", i)
	}
	if !strings.HasPrefix(i.ID, i.Service+".") {
		t.Errorf("incident id %q does not start with its service %q", i.ID, i.Service)
	}
	t.Logf("kcat read %d alerts; first opened: %s at %s (peak %s/min)", lines, i.ID, a.At.Format(time.RFC3339), strconv.FormatFloat(i.PeakPerMin, 'f', 0, 64))
}
