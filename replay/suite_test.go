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
// meeting every target, so that the list only shrinks. The detector and matcher rewrites
// of issue 8 must empty it.
//
//   - real-icloud-keynote: dozens of false alarms on the two days after the keynote,
//     whose complaints stay about 3 times their weekend level (the baseline does not
//     learn the new level), and on the storm's other-subject posts.
//   - real-gmail-weekly-low: the weekly-low outage detected after 7 minutes, a second
//     incident for it, and false alarms on the power cut's other-subject posts.
//   - real-spotify-slow-burn: false alarms on the heavy-tailed background, on the price
//     rise's jokes and on the storm's other-subject posts.
//   - real-signal-small: false alarms on the WhatsApp power-cut posts and on Signal
//     chatter the matcher takes for complaints.
//   - real-netflix-level-shift: false alarms for two days after the level shift and on
//     the news spikes' loose outage words; resolution 18 minutes after the true end.
var knownFailing = []string{
	"real-icloud-keynote",
	"real-gmail-weekly-low",
	"real-spotify-slow-burn",
	"real-signal-small",
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
