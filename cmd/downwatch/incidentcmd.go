package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"os/user"
	"slices"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// incidentAbout is incident's --help text.
const incidentAbout = `Records what a person did to an incident, in Redis with who, when and why, and
publishes it as an alert (Redis channel and stream; the Kafka alerts topic too
with --kafka), as serve's POST /api/incidents/ID/ACTION does:

  acknowledge ID   someone is on it (distinct from the company's acknowledgement)
  resolve ID       it is over (the detector will not reopen it on the same burst)
  reopen ID        it is not over
  false-alarm ID   it was never an outage (--note gives the reason, required)
  merge ID --other ID2   ID2, of the same service, is the same outage: ID survives
                         and later updates of ID2 go to ID
  link ID --other ID2    ID2, of another service, shares the cause: related

The write is a compare-and-set on the incident's revision: --revision N refuses to
act if it changed since you saw revision N (default: the revision it has now).`

// incidentActions maps the command's verbs (and short forms) to action types.
var incidentActions = map[string]string{
	"acknowledge": downwatch.ActionAcknowledge, "ack": downwatch.ActionAcknowledge,
	"resolve": downwatch.ActionResolve, "reopen": downwatch.ActionReopen,
	"false-alarm": downwatch.ActionFalseAlarm, "merge": downwatch.ActionMerge, "link": downwatch.ActionLink,
}

func runIncident(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "incident", "acknowledge|resolve|reopen|false-alarm|merge|link ID [--by NAME] [--note TEXT] [--other ID] [--revision N] [flags]", incidentAbout)
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	prefix := fs.String("prefix", store.DefaultPrefix, "Redis key prefix (replays into a real Redis use downwatch:replay:)")
	by := fs.String("by", "", "who is acting (default $USER)")
	note := fs.String("note", "", "a note; for false-alarm, the reason")
	other := fs.String("other", "", "merge: the incident folded into ID; link: the related incident")
	rev := fs.Int("revision", 0, "act only if the incident is still at this revision (default: its revision now)")
	var actions actionSinkFlags
	actions.register(fs)
	asJSON := fs.Bool("json", false, "print the alerts published as JSON")
	var rsec redisSecurityFlags
	rsec.register(fs)
	var pos []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") && len(pos) < 2 {
		pos, args = append(pos, args[0]), args[1:]
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	typ, ok := incidentActions[first(pos)]
	if len(pos) != 2 || !ok {
		fmt.Fprintf(env.stderr, "want an action and an incident id, e.g. downwatch incident resolve whatsapp.20221025T0705Z --note \"Meta says fixed\" (actions: %s)\n",
			strings.Join(slices.Sorted(maps.Keys(incidentActions)), ", "))
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
	sinks, err := actions.open(st)
	if err != nil {
		return err
	}
	defer actions.close()
	a := downwatch.Action{Type: typ, By: *by, Note: *note, Other: *other, At: time.Now().UTC().Truncate(time.Second)}
	alerts, err := st.Act(ctx, pos[1], *rev, a)
	if err != nil {
		return err
	}
	if err := sinks.Publish(ctx, alerts); err != nil {
		return fmt.Errorf("recorded (%s revision %d), but publishing its alert failed: %w; subscribers will see the change with the incident's next alert", alerts[0].Incident.ID, alerts[0].Incident.Revision, err)
	}
	if *asJSON {
		return writeJSON("-", env.stdout, map[string]any{"alerts": alerts})
	}
	for _, al := range alerts {
		fmt.Fprintf(env.stdout, "%s %s: state %s, revision %d\n", al.Type, al.Incident.ID, al.Incident.State, al.Incident.Revision)
	}
	return nil
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// currentUser is the login name, for --by.
func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}
