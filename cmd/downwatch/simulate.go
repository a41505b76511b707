package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/downwatch/downwatch/scenario"
)

func runSimulate(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "simulate", "[--scenario NAME] [--out FILE] [--truth FILE] [--list]",
		`Writes a realistic synthetic post stream (JSONL) with its ground truth: daily cycles,
ordinary chatter, outages of various sizes in many languages, and traps that must
raise nothing. The same scenario always writes the same bytes.`)
	name := fs.String("scenario", "whatsapp-2022", "scenario name (see --list)")
	out := fs.String("out", "-", "where to write the posts, - for stdout")
	truth := fs.String("truth", "", "where to write the ground truth JSON")
	list := fs.Bool("list", false, "list the scenarios and exit")
	seed := fs.Int64("seed", 0, "add this to the scenario's seed: the same outages and traps with other random posts")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *list {
		for _, s := range scenario.Suite() {
			fmt.Fprintf(env.stdout, "%-22s %s\n", s.Name, s.Description)
		}
		return nil
	}
	s, ok := scenario.ByName(*name)
	if !ok {
		return fmt.Errorf("no scenario %q; there are: %s", *name, strings.Join(scenario.Names(), ", "))
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
