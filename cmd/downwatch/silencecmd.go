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

// silenceAbout is silence's --help text.
const silenceAbout = `Silences keep webhook and Slack receivers from being told about the incidents
they match, for a maintenance window or a known outage. Silenced incidents are still
detected, stored and published on Kafka and Redis, marked "silenced" with the
silence's id. A silence ends by itself at its end time.

  add --match service=whatsapp [--match region=IN] [--match 'symptom=~login|connect']
      [--from TIME] --for 2h | --until TIME --comment WHY [--by NAME]
  list [--all] [--json]     the current silences (with --all, also those ended in the last 7 days)
  expire ID [--by NAME]     end one now

A matcher is NAME=VALUE (exact) or NAME=~REGEXP (the whole value), NAME one of
service, region (empty for a global incident) or symptom; all must match. TIME
is RFC 3339 (2026-12-03T22:00:00Z).`

func runSilence(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "silence", "add|list|expire [ID] [flags]", silenceAbout)
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	prefix := fs.String("prefix", store.DefaultPrefix, "Redis key prefix")
	var matches listFlag
	fs.Var(&matches, "match", "add: NAME=VALUE or NAME=~REGEXP (repeatable)")
	from := fs.String("from", "", "add: when it starts, RFC 3339 (default now)")
	dur := fs.Duration("for", 0, "add: how long it lasts, e.g. 2h")
	until := fs.String("until", "", "add: when it ends, RFC 3339 (instead of --for)")
	comment := fs.String("comment", "", "add: why (a maintenance ticket, a known outage)")
	by := fs.String("by", "", "who adds or ends it (default $USER)")
	all := fs.Bool("all", false, "list: also the silences that ended in the last 7 days")
	asJSON := fs.Bool("json", false, "print JSON")
	var rsec redisSecurityFlags
	rsec.register(fs)
	var pos []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && len(pos) < 2 {
		pos, args = append(pos, args[0]), args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	verb := first(pos)
	if (verb != "add" && verb != "list" && verb != "expire") || (verb == "expire") != (len(pos) == 2) {
		fmt.Fprintln(env.stderr, "want add, list or expire ID, e.g. downwatch silence add --match service=whatsapp --for 2h --comment \"planned maintenance\"")
		return errUsage
	}
	if *by == "" {
		*by = currentUser()
	}
	st, err := rsec.open(ctx, *redisURL, *prefix)
	if err != nil {
		return err
	}
	defer st.Close()
	now := time.Now().UTC().Truncate(time.Second)
	switch verb {
	case "add":
		s, err := newSilence(matches, *from, *until, *dur, *by, *comment, now)
		if err != nil {
			return err
		}
		if s, err = st.AddSilence(ctx, s); err != nil {
			return err
		}
		return printSilences(env, []downwatch.Silence{s}, now, *asJSON)
	case "expire":
		s, err := st.ExpireSilence(ctx, pos[1], *by, now)
		if err != nil {
			return err
		}
		return printSilences(env, []downwatch.Silence{s}, now, *asJSON)
	}
	list, err := st.Silences(ctx, now, *all)
	if err != nil {
		return err
	}
	return printSilences(env, list, now, *asJSON)
}

// newSilence builds a silence from silence add's flags.
func newSilence(matches []string, from, until string, dur time.Duration, by, comment string, now time.Time) (downwatch.Silence, error) {
	s := downwatch.Silence{By: by, Comment: comment, StartsAt: now, CreatedAt: now}
	for _, m := range matches {
		pm, err := downwatch.ParseMatcher(m)
		if err != nil {
			return s, fmt.Errorf("--match: %w", err)
		}
		s.Matchers = append(s.Matchers, pm)
	}
	var err error
	if from != "" {
		if s.StartsAt, err = time.Parse(time.RFC3339, from); err != nil {
			return s, fmt.Errorf("--from %q: want RFC 3339 such as 2026-12-03T22:00:00Z", from)
		}
	}
	switch {
	case until != "" && dur != 0:
		return s, fmt.Errorf("give --for or --until, not both")
	case until != "":
		if s.EndsAt, err = time.Parse(time.RFC3339, until); err != nil {
			return s, fmt.Errorf("--until %q: want RFC 3339 such as 2026-12-04T02:00:00Z", until)
		}
	case dur > 0:
		s.EndsAt = s.StartsAt.Add(dur)
	default:
		return s, fmt.Errorf("say how long it lasts: --for 2h or --until TIME")
	}
	return s, s.Check()
}

func printSilences(env *cliEnv, list []downwatch.Silence, now time.Time, asJSON bool) error {
	if list == nil {
		list = []downwatch.Silence{}
	}
	if asJSON {
		return writeJSON("-", env.stdout, map[string]any{"silences": list})
	}
	if len(list) == 0 {
		fmt.Fprintln(env.stdout, "no silences")
		return nil
	}
	tw := tabwriter.NewWriter(env.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tMATCHERS\tFROM (UTC)\tUNTIL (UTC)\tBY\tCOMMENT")
	for _, s := range list {
		state := "active"
		switch {
		case now.Before(s.StartsAt):
			state = "pending"
		case !now.Before(s.EndsAt):
			state = "expired"
		}
		var ms []string
		for _, m := range s.Matchers {
			ms = append(ms, m.String())
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.ID, state, strings.Join(ms, ","), s.StartsAt.Format("2006-01-02 15:04"),
			s.EndsAt.Format("2006-01-02 15:04"), s.By, s.Comment)
	}
	return tw.Flush()
}
