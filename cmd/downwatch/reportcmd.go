package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// reportAbout is report's --help text.
const reportAbout = `Says how often downwatch was right, from the outcomes of the incidents that started
in the window: confirmed (the company, or a news agency quoting it, acknowledged
it), marked a false alarm by a person, or unconfirmed; precision = confirmed /
(confirmed + false alarms); lead = the median time from detection to the
official acknowledgement (negative: the company spoke first). Per service and
over all; incidents merged into another count once, as the survivor.`

func runReport(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "report", "[--since 30d] [--json] [--redis URL]", reportAbout)
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	prefix := fs.String("prefix", store.DefaultPrefix, "Redis key prefix (replays into a real Redis use downwatch:replay:)")
	since := fs.String("since", "30d", "the window, back from --until: days (30d) or a duration (36h)")
	until := fs.String("until", "", "the window's end, RFC 3339 (default now; a replay of 2022 needs e.g. 2022-10-26T00:00:00Z)")
	asJSON := fs.Bool("json", false, `print {"from","to","precision":[...]}`)
	var rsec redisSecurityFlags
	rsec.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	d, err := downwatch.ParseSince(*since)
	if err != nil {
		return fmt.Errorf("--since: %w", err)
	}
	to := time.Now().UTC()
	if *until != "" {
		if to, err = time.Parse(time.RFC3339, *until); err != nil {
			return fmt.Errorf("--until %q: want RFC 3339 such as 2022-10-26T00:00:00Z", *until)
		}
	}
	st, err := rsec.open(ctx, *redisURL, *prefix)
	if err != nil {
		return err
	}
	defer st.Close()
	from := to.Add(-d)
	incs, err := st.IncidentsStartedBetween(ctx, from, to)
	if err != nil {
		return err
	}
	rows := downwatch.PrecisionOf(incs)
	if *asJSON {
		return writeJSON("-", env.stdout, map[string]any{"from": from, "to": to, "precision": rows})
	}
	fmt.Fprintf(env.stdout, "incidents started %s to %s UTC\n", from.Format("2006-01-02 15:04"), to.Format("2006-01-02 15:04"))
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SERVICE\tINCIDENTS\tCONFIRMED\tFALSE ALARMS\tUNCONFIRMED\tPRECISION\tLEAD OVER ACK (median)")
	for _, r := range rows {
		name := r.Service
		if name == "" {
			name = "all"
		}
		prec, lead := "-", "-"
		if r.Precision != nil {
			prec = fmt.Sprintf("%.0f%%", 100**r.Precision)
		}
		if r.LeadSeconds != nil {
			lead = (time.Duration(*r.LeadSeconds) * time.Second).String()
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\t%s\n", name, r.Incidents, r.Confirmed, r.FalseAlarms, r.Unconfirmed, prec, lead)
	}
	return tw.Flush()
}
