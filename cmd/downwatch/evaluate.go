package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/downwatch/downwatch/replay"
	"github.com/downwatch/downwatch/scenario"
)

func runEvaluate(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "evaluate", "[--scenario NAME]... [--seed N | --seeds LIST] [--full] [--json]",
		`Generates each scenario of the suite (outages with known ground truth, and traps that
must raise nothing), replays it, and reports per scenario: outages found, false
alarms, time to detect (event time from onset to detected_at), resolution error,
acknowledgements attached. With --seeds it runs every scenario once per seed and
reports each scenario over all its runs. Exits 1 when a target is missed. By default
the replay runs the ingest and detect code in one process; --full goes through Kafka
and Redis too.`)
	var names listFlag
	fs.Var(&names, "scenario", "scenario to run (repeatable; default: the whole suite)")
	full := fs.Bool("full", false, "replay through embedded Kafka and Redis (slower, same decisions)")
	asJSON := fs.Bool("json", false, "print the scores as JSON (with --seeds, one per run)")
	seed := fs.Int64("seed", 0, "add this to every scenario's seed: the same outages and traps with other random posts")
	seedList := fs.String("seeds", "", "run with each of these seed offsets, e.g. 0-7, and report over all runs")
	var c commonFlags
	c.registerCatalog(fs)
	c.registerDetect(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	seeds := []int64{*seed}
	if *seedList != "" {
		if *seed != 0 {
			return fmt.Errorf("--seed and --seeds: give one of them")
		}
		var err error
		if seeds, err = scenario.ParseSeeds(*seedList); err != nil {
			return err
		}
	}
	cat, m, err := c.loadMatcher()
	if err != nil {
		return err
	}
	dcfg, err := c.loadDetect()
	if err != nil {
		return err
	}
	suite, err := scenario.Select(names...)
	if err != nil {
		return err
	}
	runs, err := replay.EvaluateSeeds(ctx, suite, seeds, m, *dcfg, *full, replay.Options{Catalog: cat}, func(ev *replay.Evaluation) {
		sc := ev.Score
		fmt.Fprintf(env.stderr, "%-26s seed %-2d %7d posts  found %d/%d  false alarms %d %v  tolerated %d\n", sc.Scenario, sc.Seed, ev.Report.Stats.Posts,
			sc.Found, sc.Outages, len(sc.FalseAlarms), sc.FalseAlarms, len(sc.Tolerated))
	})
	if err != nil {
		return err
	}
	scores := runs
	if len(seeds) > 1 {
		scores = scenario.Combine(runs)
	}
	if *asJSON {
		if err := writeJSON("-", env.stdout, runs); err != nil {
			return err
		}
	} else {
		fmt.Fprint(env.stdout, scenario.Table(scores))
	}
	if fails := scenario.DefaultTargets().Check(scores); len(fails) > 0 {
		fmt.Fprintf(env.stderr, "\ntargets missed:\n  %s\n", strings.Join(fails, "\n  "))
		return fmt.Errorf("%d targets missed", len(fails))
	}
	fmt.Fprintln(env.stderr, "\nall targets met")
	return nil
}
