package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch/scenario"
	"github.com/downwatch/downwatch/store/storetest"
)

// runCLI runs the downwatch command line in-process.
func runCLI(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestReplayContract checks `downwatch replay` against docs/CONTRACT.md §2–3 as a user sees
// it: the report file's shape, required fields, omitted optional ones, and the same
// incidents on a second run.
func TestReplayContract(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "posts.jsonl")
	s, _ := scenario.ByName("cold-start")
	f, _ := os.Create(in)
	truth, err := scenario.WriteJSONL(f, s)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	// One malformed line in the middle must be reported, never fatal.
	data, _ := os.ReadFile(in)
	lines := bytes.SplitAfter(data, []byte("\n"))
	lines = append(lines[:100], append([][]byte{[]byte("{\"id\": 7}\n")}, lines[100:]...)...)
	os.WriteFile(in, bytes.Join(lines, nil), 0o644)

	var reports [2]map[string]any
	for i := range reports {
		rep := filepath.Join(dir, fmt.Sprintf("report%d.json", i))
		code, _, stderr := runCLI(t, "", "replay", "--input", in, "--report", rep)
		if code != 0 {
			t.Fatalf("replay exited %d: %s", code, stderr)
		}
		b, err := os.ReadFile(rep)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte("0001-01-01")) {
			t.Errorf("report holds a zero time: optional times must be omitted")
		}
		if err := json.Unmarshal(b, &reports[i]); err != nil {
			t.Fatalf("report is not JSON: %v", err)
		}
	}
	r := reports[0]
	stats, _ := r["stats"].(map[string]any)
	for _, k := range []string{"posts", "rejected", "mentions", "incidents"} {
		if _, ok := stats[k].(float64); !ok {
			t.Errorf("stats.%s missing or not a number: %v", k, stats)
		}
	}
	if stats["rejected"] != 1.0 {
		t.Errorf("stats.rejected = %v, want 1 (the malformed line)", stats["rejected"])
	}
	incs, _ := r["incidents"].([]any)
	if len(incs) != len(truth.Outages) {
		t.Fatalf("got %d incidents, want %d", len(incs), len(truth.Outages))
	}
	inc := incs[0].(map[string]any)
	for _, k := range []string{"id", "service", "state", "started_at", "detected_at", "peak_per_min", "mentions", "authors", "languages", "countries", "symptoms", "sample_posts"} {
		if _, ok := inc[k]; !ok {
			t.Errorf("incident lacks %q", k)
		}
	}
	if inc["service"] != truth.Outages[0].Service || inc["state"] != "resolved" {
		t.Errorf("incident %v %v, want %s resolved", inc["service"], inc["state"], truth.Outages[0].Service)
	}
	if n := len(inc["sample_posts"].([]any)); n == 0 || n > 10 {
		t.Errorf("%d sample posts, want 1..10", n)
	}
	for _, k := range []string{"started_at", "detected_at", "resolved_at", "acknowledged_at"} {
		v, _ := inc[k].(string)
		if at, err := time.Parse(time.RFC3339, v); err != nil || at.Location() != time.UTC {
			t.Errorf("%s = %q: want an RFC 3339 UTC time", k, v)
		}
	}
	a, _ := json.Marshal(reports[0]["incidents"])
	b, _ := json.Marshal(reports[1]["incidents"])
	if !bytes.Equal(a, b) {
		t.Error("two replays of one file gave different incidents")
	}
}

// TestIncidentsCommand replays into the real Redis under a fresh prefix and reads the
// incidents back with `downwatch incidents`, as a table and as JSON.
func TestIncidentsCommand(t *testing.T) {
	prefix := storetest.Open(t).Prefix()
	s, _ := scenario.ByName("cold-start")
	var posts bytes.Buffer
	scenario.WriteJSONL(&posts, s)
	if code, _, stderr := runCLI(t, posts.String(), "replay", "--input", "-", "--report", filepath.Join(t.TempDir(), "r.json"),
		"--redis", redisURL(), "--prefix", prefix); code != 0 {
		t.Fatalf("replay exited %d: %s", code, stderr)
	}
	code, out, stderr := runCLI(t, "", "incidents", "--redis", redisURL(), "--prefix", prefix, "--json")
	if code != 0 {
		t.Fatalf("incidents exited %d: %s", code, stderr)
	}
	var got struct {
		Incidents []struct {
			ID, Service, State string
		} `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Incidents) != 1 || got.Incidents[0].Service != "discord" {
		t.Fatalf("incidents --json: %v %s", err, out)
	}
	code, out, _ = runCLI(t, "", "incidents", "--redis", redisURL(), "--prefix", prefix)
	if code != 0 || !strings.Contains(out, got.Incidents[0].ID) || !strings.Contains(out, "STATE") {
		t.Errorf("incidents table: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "", "incidents", "--redis", redisURL(), "--prefix", prefix, "--active")
	if code != 0 || !strings.Contains(out, "no active incidents") {
		t.Errorf("incidents --active with none active: exit %d\n%s", code, out)
	}
}

// TestBacktestCommand: one line per opened incident, the timestamp exactly as written.
func TestBacktestCommand(t *testing.T) {
	var csv strings.Builder
	csv.WriteString("timestamp,value\n")
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 3*288; i++ {
		v := r.IntN(5) + 8 // 8..12 a bucket
		if i >= 600 && i < 606 {
			v = 120
		}
		fmt.Fprintf(&csv, "%s,%d\n", start.Add(time.Duration(i)*5*time.Minute).Format("2006-01-02 15:04:05"), v)
	}
	code, out, stderr := runCLI(t, csv.String(), "backtest", "--series", "-")
	if code != 0 {
		t.Fatalf("backtest exited %d: %s", code, stderr)
	}
	want := start.Add(600*5*time.Minute).Format("2006-01-02 15:04:05") + "\n"
	if out != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if code, _, stderr := runCLI(t, "time,count\n1,2\n", "backtest", "--series", "-"); code == 0 || !strings.Contains(stderr, "line 1") {
		t.Errorf("a bad header: exit %d, %q; want an error naming line 1", code, stderr)
	}
}
