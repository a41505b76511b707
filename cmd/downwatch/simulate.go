package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/scenario"
)

func runSimulate(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "simulate", "[--scenario NAME | --days N | --firehose N] [--services N] [--out FILE] [--truth FILE] [--list]",
		`Writes a realistic synthetic post stream (JSONL) with its ground truth: daily cycles,
ordinary chatter, outages of various sizes in many languages, and traps that must
raise nothing. The same scenario always writes the same bytes.

--firehose N writes one hour of about N posts at full rate instead (most of them
naming no service, a tenth complaints): the throughput measurement of bench.

--days writes a long history instead: days to weeks over the catalog's services
(all of them, or the first --services), one outage a day; 7 days over the 56
services of the built-in catalog is about a million posts.`)
	name := fs.String("scenario", "whatsapp-2022", "scenario name (see --list)")
	out := fs.String("out", "-", "where to write the posts, - for stdout")
	truth := fs.String("truth", "", "where to write the ground truth JSON")
	list := fs.Bool("list", false, "list the scenarios and exit")
	seed := fs.Int64("seed", 0, "add this to the scenario's seed: the same outages and traps with other random posts")
	days := fs.Float64("days", 0, "write a long history of this many days (e.g. 7) instead of a scenario")
	nsvc := fs.Int("services", 0, "with --days or --firehose: the first N services of the catalog (default all)")
	start := fs.String("start", "2024-03-04T00:00:00Z", "with --days or --firehose: event time of the first minute (RFC 3339)")
	firehose := fs.Int("firehose", 0, "write one hour of a firehose of about this many posts (e.g. 1000000: 80% chatter naming no service, 10% about the catalog's services, 10% complaints) instead of a scenario")
	genCatalog := fs.Int("catalog-services", 0, "write a generated --catalog file of N services to --out instead of posts (scale measurements)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *genCatalog > 0 {
		return writeOut(*out, env.stdout, func(w io.Writer) error { return writeScaleCatalog(w, *genCatalog) })
	}
	if *list {
		for _, s := range scenario.Suite() {
			fmt.Fprintf(env.stdout, "%-22s %s\n", s.Name, s.Description)
		}
		return nil
	}
	s, err := pickScenario(*name, *days, *firehose, *nsvc, *start)
	if err != nil {
		return err
	}
	s.Seed += *seed
	var w io.Writer = env.stdout
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	bw := bufio.NewWriterSize(w, 1<<20)
	t, err := scenario.WriteJSONL(bw, s)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if *truth != "" {
		return writeJSON(*truth, env.stdout, t)
	}
	return nil
}

// pickScenario returns the named scenario, or with days > 0 a long history (with
// firehose > 0 an hour of that many posts) over the first nsvc services of the
// built-in catalog (all when nsvc is 0).
func pickScenario(name string, days float64, firehose, nsvc int, start string) (scenario.Scenario, error) {
	if days <= 0 && firehose <= 0 {
		s, ok := scenario.ByName(name)
		if !ok {
			return s, fmt.Errorf("no scenario %q; there are: %s", name, strings.Join(scenario.Names(), ", "))
		}
		return s, nil
	}
	t0, err := time.Parse(time.RFC3339, start)
	if err != nil {
		return scenario.Scenario{}, fmt.Errorf("--start %q: want an RFC 3339 time such as 2024-03-04T00:00:00Z", start)
	}
	cat, err := catalog.Default()
	if err != nil {
		return scenario.Scenario{}, err
	}
	ids := cat.ServiceIDs()
	if nsvc < 0 || nsvc > len(ids) {
		return scenario.Scenario{}, fmt.Errorf("--services %d: the catalog has %d services", nsvc, len(ids))
	}
	if nsvc > 0 {
		ids = ids[:nsvc]
	}
	if firehose > 0 {
		return scenario.Firehose(t0, firehose, ids)
	}
	return scenario.LongHistory(t0, days, ids)
}

// writeOut calls write with the file named out (created), or stdout for "-".
func writeOut(out string, stdout io.Writer, write func(io.Writer) error) error {
	if out == "-" {
		return write(stdout)
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
