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
// of issue 8 must empty it. On seed 0, with the detector and matcher of main at 16f2026:
//
//   - real-icloud-keynote: 43 false alarms. 41 on the background alone, from Monday
//     morning to Wednesday: complaints 2-3 times what the baseline expects, because it
//     expects the weekend's level at each hour and does not follow the news day's
//     (about 3.8 times Sunday's); a few of them with loose outage words of the keynote
//     chatter; one on the storm's other-subject posts.
//   - real-gmail-weekly-low: the weekly-low outage detected after 7m06s and resolved 23
//     minutes after its end, with a second incident inside it; a regional (DE) false
//     alarm on the power cut's other-subject posts; two on the background.
//   - real-spotify-slow-burn: 14 false alarms: 3 on the price rise's jokes, 2 on the
//     storm's other-subject posts, the rest on the heavy-tailed background.
//   - real-signal-small: 2 false alarms: WhatsApp on the power cuts' other-subject posts,
//     and Signal on chatter the matcher takes for complaints ("manda no signal app").
//   - real-netflix-level-shift: 24 false alarms besides the 4 tolerated within 3 hours of
//     the level shift: 21 on the background for two days after it (the new normal is not
//     learnt), 2 on the loose outage words of the chatter bursts, 1 on the UK
//     other-subject posts; resolution 18 minutes after the true end.
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
