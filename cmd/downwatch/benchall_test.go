package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch/replay"
)

// benchAllRows names each figure row of `bench --all`, in order, by a piece of
// its first column.
var benchAllRows = []string{
	"replay, 0.5 days, 14 services (",
	"replay, 0.5 days, 14 services: embedded Redis against real redis-server",
	"replay, 0.05 days, 56 services (",
	"replay, 0.05 days, 56 services: embedded Redis against real redis-server",
	"ceiling: raw kafka-go produce + consume of the 0.05-day stream",
	"replay, one-hour firehose (",
	"1000 generated services: parse the catalog and build the matcher",
	"1000 generated services: match the firehose mix",
	"ingest --source http --catalog of 1000 generated services, RSS",
	"detector, 1000 services fed 0.1 days of complaints",
	"detector: one partition's checkpoint",
	"detector: encode that checkpoint",
	"live, 10000 posts/s: p99 accepted by ingest -> counted by detect",
	"live, 10000 posts/s: p99 alert decided -> stored and published",
	"live: ingest RSS",
	"live: detect RSS",
	"live: lag",
}

// TestBenchAllTiny runs `bench --all` in a tiny configuration (half a day of
// 14 services, 0.05 days of the catalog, a firehose of 2,000 posts, 1,000
// generated services, a tenth of a day of their complaints, live for 20 s) on
// the real Redis at 127.0.0.1:6379 (DB 14) and checks the table: every figure
// row in order, each marked, the last line counting the rows that hold, and
// the exit status 1 exactly when one misses. A 20-s live run decides no alert
// (its warmup is a minute), so that row must say no.
func TestBenchAllTiny(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every bench stage, about 40 s; skipped with -short")
	}
	if c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second); err != nil {
		if os.Getenv("DOWNWATCH_CI") != "" {
			t.Fatal("no Redis at 127.0.0.1:6379, and CI (DOWNWATCH_CI) must not skip this test")
		}
		t.Skip("no Redis at 127.0.0.1:6379; skipping")
	} else {
		c.Close()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "downwatch")
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.CommandContext(ctx, bin, "bench", "--all", "--short-days", "0.5", "--days", "0.05", "--firehose", "2000",
		"--services", "1000", "--detector-days", "0.1", "--ingest-posts", "5000", "--live-duration", "20s",
		"--redis", "redis://127.0.0.1:6379/14")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("bench --all: %v\n%s", err, stderr.String())
	}
	t.Logf("\n%s", stdout.String())
	held, missed := checkBenchTable(t, stdout.String(), benchAllRows)
	if !strings.Contains(stderr.String(), "bench: detectors of 1000 services") {
		t.Errorf("stderr has no progress line of the detector stage:\n%s", stderr.String())
	}
	if strings.Contains(stdout.String(), "; 0 mentions produced") {
		t.Errorf("the ingest stage measured before its mentions were produced")
	}
	if missed == 0 {
		t.Errorf("no row misses; want at least the alert row (no alert in 20 s)")
	}
	if code := cmd.ProcessState.ExitCode(); (code != 0) != (missed > 0) || code > 1 {
		t.Errorf("exit status %d with %d of %d rows holding, want 1 exactly when one misses\n%s", code, held, held+missed, stderr.String())
	}
}

// checkBenchTable checks that table has the rows, in order, each marked yes or
// **no**, and a last line counting those that hold; it returns the counts.
func checkBenchTable(t *testing.T, table string, rows []string) (held, missed int) {
	t.Helper()
	var got []string
	for line := range strings.Lines(table) {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| figure |") {
			got = append(got, strings.TrimSpace(line))
		}
	}
	if len(got) != len(rows) {
		t.Fatalf("got %d rows, want %d", len(got), len(rows))
	}
	for i, r := range got {
		if !strings.HasPrefix(r, "| "+rows[i]) {
			t.Errorf("row %d is %q, want it to start with %q", i+1, r, rows[i])
		}
		switch {
		case strings.HasSuffix(r, "| yes |"):
			held++
		case strings.HasSuffix(r, "| **no** |"):
			missed++
		default:
			t.Errorf("row %d %q ends in neither yes nor **no**", i+1, r)
		}
	}
	if want := fmt.Sprintf("\n%d of %d figures hold\n", held, len(rows)); !strings.HasSuffix(table, want) {
		t.Errorf("the table does not end in %q", want)
	}
	return held, missed
}

// TestPrintFigures: the table marks each figure, counts those that hold, and
// errs exactly when one misses.
func TestPrintFigures(t *testing.T) {
	a := replay.Figure{What: "a", Target: "< 1", Measured: "0.5", Compared: "c", Holds: true}
	b := replay.Figure{What: "b", Target: "< 1", Measured: "2", Compared: "c"}
	for _, tc := range []struct {
		name    string
		figs    []replay.Figure
		rows    []string
		wantErr bool
	}{
		{"all hold", []replay.Figure{a, a}, []string{"a", "a"}, false},
		{"one misses", []replay.Figure{a, b}, []string{"a", "b"}, true},
		{"none hold", []replay.Figure{b}, []string{"b"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			err := printFigures(&out, tc.figs, true)
			if (err != nil) != tc.wantErr {
				t.Errorf("printFigures: got error %v, want an error: %v", err, tc.wantErr)
			}
			held, missed := checkBenchTable(t, out.String(), tc.rows)
			if missed > 0 != tc.wantErr || held+missed != len(tc.figs) {
				t.Errorf("got %d held and %d missed, want %d rows, misses: %v", held, missed, len(tc.figs), tc.wantErr)
			}
		})
	}
}

// TestLiveFigures: the live rows hold or miss by their targets.
func TestLiveFigures(t *testing.T) {
	first := liveSample{at: time.Minute, countP99: 0.075, pubP99: math.NaN(), ingestRSS: 80e6, detRSS: 30e6, lag: 0}
	last := liveSample{at: 5 * time.Minute, countP99: 0.1, pubP99: 0.025, published: 1, counted: 1e5, ingestRSS: 84e6, detRSS: 39e6, lag: 50}
	for _, tc := range []struct {
		name       string
		first, end liveSample
		want       []bool // latency, publish, ingest RSS, detect RSS, lag
	}{
		{"detect RSS grows 30%", first, last, []bool{true, true, true, false, true}},
		{"no alert, slow, lagging", first, liveSample{countP99: 0.75, ingestRSS: 90e6, detRSS: 31e6, lag: 200}, []bool{false, false, false, true, false}},
		{"nothing counted", first, liveSample{countP99: math.NaN(), ingestRSS: 80e6, detRSS: 30e6}, []bool{false, false, true, true, true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			figs := liveResult{first: tc.first, last: tc.end}.figures(10000)
			if len(figs) != len(tc.want) {
				t.Fatalf("got %d figures, want %d", len(figs), len(tc.want))
			}
			for i, f := range figs {
				if f.Holds != tc.want[i] {
					t.Errorf("%s: holds %v, want %v (measured %s)", f.What, f.Holds, tc.want[i], f.Measured)
				}
			}
		})
	}
}
