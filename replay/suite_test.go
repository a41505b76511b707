package replay

import (
	"context"
	"flag"
	"slices"
	"strings"
	"testing"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/scenario"
)

var suiteSeeds = flag.String("seeds", "0", "TestSuite: seed offsets to run the suite with, e.g. 0-7 (downwatch evaluate --seeds)")

// knownFailing lists the scenarios the detector and matcher of main do not yet handle:
// TestSuite reports their misses without failing, and fails if one of them starts
// meeting every target, so that the list only shrinks. On seed 0 every scenario meets its
// own targets (slow-burn, real-gmail-weekly-low and real-netflix-level-shift left the list
// when the baseline stopped following slow ramps).
var knownFailing = []string{}

// knownMissed lists suite-wide targets main misses, by the start of the message
// Targets.Check gives: reported without failing, and an error once met, so the list
// only shrinks. On seed 0 the median time to detect is 1m04s against a target of 60 s:
// small, regional and night-time outages take 1m15s-1m40s to reach 1e-6 in any window.
var knownMissed = []string{"median time to detect"}

// TestSuite replays every scenario of the suite through the matcher and detector and
// checks the project's detection targets against each scenario's ground truth:
// every outage found, no false alarm (traps included), median time to detect at
// most 60 s and none over 5 minutes, resolution within 15 minutes of the true end,
// every acknowledgement attached. The table in the README comes from
// `downwatch evaluate`, which runs the same code. -seeds runs it with other seeds.
func TestSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("the suite replays about two million posts")
	}
	seeds, err := scenario.ParseSeeds(*suiteSeeds)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	m, err := catalog.NewMatcher(cat)
	if err != nil {
		t.Fatal(err)
	}
	runs, err := EvaluateSeeds(context.Background(), scenario.Suite(), seeds, m, detect.DefaultConfig(), false, Options{}, func(ev *Evaluation) {
		sc := ev.Score
		t.Logf("%-26s seed %d: found %d/%d, false alarms %d, tolerated %d, detect %v, resolve %v",
			sc.Scenario, sc.Seed, sc.Found, sc.Outages, len(sc.FalseAlarms), len(sc.Tolerated), sc.Detect, sc.Resolve)
	})
	if err != nil {
		t.Fatal(err)
	}
	scores := scenario.Combine(runs)
	tg := scenario.DefaultTargets()
	var held []scenario.Score
	for _, s := range scores {
		if !slices.Contains(knownFailing, s.Scenario) {
			held = append(held, s)
			continue
		}
		if fails := tg.Check([]scenario.Score{s}); len(fails) > 0 {
			t.Logf("known failing, %d targets missed:\n  %s", len(fails), strings.Join(fails[:min(len(fails), 5)], "\n  "))
		} else {
			t.Errorf("%s meets every target now: remove it from knownFailing", s.Scenario)
		}
	}
	fails := tg.Check(held)
	for _, k := range knownMissed {
		if !slices.ContainsFunc(fails, func(f string) bool { return strings.HasPrefix(f, k) }) {
			t.Errorf("the suite meets %q now: remove it from knownMissed", k)
		}
	}
	fails = slices.DeleteFunc(fails, func(f string) bool {
		return slices.ContainsFunc(knownMissed, func(k string) bool { return strings.HasPrefix(f, k) })
	})
	if len(fails) > 0 {
		t.Errorf("targets missed:\n  %s\n%s", strings.Join(fails, "\n  "), scenario.Table(scores))
	}
	t.Logf("over all scenarios, known failing included:\n%s", scenario.Table(scores))
}
