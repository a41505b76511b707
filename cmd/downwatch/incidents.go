package main

import (
	"context"
	"fmt"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/store"
)

func runIncidents(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "incidents", "[--redis URL] [--active] [--service ID] [--json]",
		"Lists incidents stored in Redis, newest first: a table, or docs/CONTRACT.md §3 JSON with --json.")
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	prefix := fs.String("prefix", store.DefaultPrefix, "Redis key prefix (replays into a real Redis use downwatch:replay:)")
	active := fs.Bool("active", false, "only open and acknowledged incidents")
	service := fs.String("service", "", "only this service (catalog id)")
	asJSON := fs.Bool("json", false, `print {"incidents":[...]}`)
	limit := fs.Int("limit", 100, "at most this many")
	var rsec redisSecurityFlags
	rsec.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := rsec.open(ctx, *redisURL, *prefix)
	if err != nil {
		return err
	}
	defer st.Close()
	incs, err := st.Incidents(ctx, store.Query{Active: *active, Service: *service, Limit: *limit})
	if err != nil {
		return err
	}
	if incs == nil {
		incs = []downwatch.Incident{}
	}
	if *asJSON {
		return writeJSON("-", env.stdout, map[string]any{"incidents": incs})
	}
	if len(incs) == 0 {
		what := "incidents"
		if *active {
			what = "active incidents"
		}
		fmt.Fprintf(env.stdout, "no %s under prefix %q\n", what, *prefix)
		return nil
	}
	return notify.WriteIncidentTable(env.stdout, incs)
}
