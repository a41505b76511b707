package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/downwatch/downwatch/scenario"
)

// TestEvaluateSeeds runs one scenario with two seeds: the table has one row over both
// runs, the JSON one score per run, and --seed with --seeds is refused.
func TestEvaluateSeeds(t *testing.T) {
	code, out, stderr := runCLI(t, "", "evaluate", "--scenario", "cold-start", "--seeds", "0-1")
	if !strings.Contains(out, "| cold-start | 2 / 2 |") || strings.Count(out, "| cold-start |") != 1 {
		t.Errorf("exit %d, table:\n%s\nwant one cold-start row with 2 / 2 outages found\n%s", code, out, stderr)
	}
	if !strings.Contains(stderr, "cold-start                 seed 0 ") || !strings.Contains(stderr, "cold-start                 seed 1 ") {
		t.Errorf("stderr lacks a line per seed:\n%s", stderr)
	}
	_, out, stderr = runCLI(t, "", "evaluate", "--scenario", "cold-start", "--seeds", "0,1", "--json")
	var runs []scenario.Score
	if err := json.Unmarshal([]byte(out), &runs); err != nil || len(runs) != 2 || runs[0].Seed != 0 || runs[1].Seed != 1 {
		t.Errorf("--json: got %d runs (%v), want seeds 0 and 1\n%s\n%s", len(runs), err, out, stderr)
	}
	if code, _, stderr := runCLI(t, "", "evaluate", "--seed", "1", "--seeds", "0-1"); code == 0 || !strings.Contains(stderr, "--seeds") {
		t.Errorf("--seed with --seeds: exit %d, stderr %q; want a refusal", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "evaluate", "--seeds", "7-0"); code == 0 || !strings.Contains(stderr, "7-0") {
		t.Errorf("--seeds 7-0: exit %d, stderr %q; want a refusal", code, stderr)
	}
}
