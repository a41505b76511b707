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
// meeting every target, so that the list only shrinks. On seed 0:
//
//   - slow-burn: detected 5m39s after the onset; the first five minutes of the climb
//     hold too few complaints (0, 0, 3, 3, 4 a minute against 0.7) for a tail
//     probability of 1e-6 in any window.
//   - real-gmail-weekly-low: one false alarm on a chance cluster of genuine-looking
//     complaints in the background (33 distinct authors in 10 minutes where 8.7 were
//     expected, on a Friday morning).
//   - real-netflix-level-shift: one false alarm on a background cluster of genuine-looking
//     complaints late on Sunday (13 distinct authors in 10 minutes where 1.3 were
//     expected), after the evening's other-subject posts.
var knownFailing = []string{
	"slow-burn",
	"real-gmail-weekly-low",
	"real-netflix-level-shift",
}

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
	if fails := tg.Check(held); len(fails) > 0 {
		t.Errorf("targets missed:\n  %s\n%s", strings.Join(fails, "\n  "), scenario.Table(scores))
	}
	t.Logf("over all scenarios, known failing included:\n%s", scenario.Table(scores))
}
