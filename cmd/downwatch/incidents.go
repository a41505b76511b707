package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

func runIncidents(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "incidents", "[--redis URL] [--active] [--service ID] [--json]",
		"Lists incidents stored in Redis, newest first: a table, or CONTRACT §3 JSON with --json.")
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
	conn, err := rsec.conn()
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, *redisURL, store.Config{Prefix: *prefix, Conn: conn})
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
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSTARTED (UTC)\tDURATION\tPEAK/MIN\tAUTHORS\tACK\tREGIONS\tLANGUAGES\tSYMPTOMS")
	for _, i := range incs {
		end := i.UpdatedAt
		if i.ResolvedAt != nil {
			end = *i.ResolvedAt
		}
		ack := "-"
		if i.AcknowledgedAt != nil {
			ack = i.AcknowledgedAt.Format("15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f\t%d\t%s\t%s\t%s\t%s\n", i.ID, i.State, i.StartedAt.Format("2006-01-02 15:04"),
			end.Sub(i.StartedAt).Round(time.Minute), i.PeakPerMin, i.Authors, ack, top(i.Countries, 4), top(i.Languages, 4), orDash(strings.Join(i.Symptoms, ",")))
	}
	return tw.Flush()
}

// top lists the n largest entries of a count map, "IN,GB,TR".
func top(m map[string]int, n int) string {
	keys := sortedKeys(m)
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && m[keys[j]] > m[keys[j-1]]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	if len(keys) > n {
		keys = append(keys[:n], "…")
	}
	return orDash(strings.Join(keys, ","))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
