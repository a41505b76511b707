package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/store"
)

// forgetAbout is forget's --help text.
const forgetAbout = `Removes an author's posts from everything downwatch stores (README "Privacy"):
the sample posts and acknowledgements of every incident in Redis, active or not,
and the alerts on the Redis alert stream that carried them. Each incident changed
gets a new revision and is published as incident.updated (Redis channel and
stream; the Kafka alerts topic too with --kafka), so subscribers replace what
they hold. Its statistics (mentions, authors, languages, countries) and
acknowledged_at stay: they hold no post.

--author is the handle or account id as the source gives it (X username,
Mastodon account, Bluesky DID), compared without case or a leading "@"; reposts
of the author in the text form ("RT @author: ...") go too. With --kafka, a
retract record for each post removed is also produced to the mentions topic, so
a running detector drops the posts from what it holds at once (docs/CONTRACT.md
§5); without it, it drops them before it next writes the incident. Running it
again removes nothing more.`

func runForget(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "forget", "--author HANDLE [--source S] [--redis URL] [--prefix P] [--kafka ADDRS]", forgetAbout)
	author := fs.String("author", "", "the author whose posts are removed (required)")
	source := fs.String("source", "", "only the author's posts on this source (x, bluesky, mastodon, ...; default: every source)")
	redisURL := fs.String("redis", "redis://127.0.0.1:6379/0", "Redis URL")
	prefix := fs.String("prefix", store.DefaultPrefix, "Redis key prefix (replays into a real Redis use downwatch:replay:)")
	mentionsTopic := fs.String("mentions-topic", downwatch.TopicMentions, "Kafka topic the retract records go to (with --kafka)")
	asJSON := fs.Bool("json", false, "print what was removed as JSON")
	var actions actionSinkFlags
	actions.register(fs)
	var rsec redisSecurityFlags
	rsec.register(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimPrefix(strings.TrimSpace(*author), "@") == "" {
		fmt.Fprintln(env.stderr, "want --author HANDLE, e.g. downwatch forget --author priya_k --source x")
		return errUsage
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
	now := time.Now().UTC().Truncate(time.Second)
	res, err := st.Forget(ctx, strings.TrimSpace(*author), *source, now)
	if err != nil {
		return err
	}
	if err := sinks.Publish(ctx, res.Alerts); err != nil {
		return fmt.Errorf("removed, but publishing the %d changed incidents failed: %w; subscribers will see the change with each incident's next alert", len(res.Alerts), err)
	}
	if actions.kafka != "" {
		if err := produceRetracts(ctx, &actions, *mentionsTopic, res.Posts, now); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON("-", env.stdout, map[string]any{"alerts": res.Alerts, "posts": res.Refs(), "stream_entries": res.StreamEntries})
	}
	printForgotten(env, *author, res)
	return nil
}

// forgottenPosts lists the removed posts by incident, source and id only: the
// text is not printed again.
func printForgotten(env *cliEnv, author string, res store.Removed) {
	if len(res.Alerts) == 0 && res.StreamEntries == 0 {
		fmt.Fprintf(env.stdout, "nothing stored of %s\n", author)
		return
	}
	for _, al := range res.Alerts {
		var ids []string
		for _, p := range res.Posts {
			if p.Incident == al.Incident.ID {
				ids = append(ids, p.Post.Source+"/"+p.Post.ID)
			}
		}
		fmt.Fprintf(env.stdout, "%s: removed %s; revision %d published\n", al.Incident.ID, strings.Join(ids, ", "), al.Incident.Revision)
	}
	fmt.Fprintf(env.stdout, "removed %d posts of %s from %d incidents and %d alerts from the alert stream\n", len(res.Posts), author, len(res.Alerts), res.StreamEntries)
}

// produceRetracts writes a retract record (docs/CONTRACT.md §5) for each post
// removed, keyed by the service of the incident it left, so that a detector
// holding it drops it.
func produceRetracts(ctx context.Context, k *actionSinkFlags, topic string, ps []store.RemovedPost, now time.Time) error {
	var ms []downwatch.Mention
	seen := map[string]bool{}
	for _, p := range ps {
		svc := store.ServiceOf(p.Incident)
		if key := svc + "\x00" + p.Post.Source + "\x00" + p.Post.ID; !seen[key] {
			seen[key] = true
			ms = append(ms, downwatch.Mention{Service: svc, Kind: downwatch.KindRetract, Post: downwatch.Post{ID: p.Post.ID, Source: p.Post.Source, CreatedAt: now}})
		}
	}
	if len(ms) == 0 {
		return nil
	}
	sec, err := k.sec.security()
	if err != nil {
		return err
	}
	out, err := ingest.NewKafkaOutput(ctx, sec, strings.Split(k.kafka, ","), topic, 1)
	if err != nil {
		return fmt.Errorf("removed from Redis, but the retract records for running detectors could not be produced: %w", err)
	}
	defer out.Close()
	if err := out.Write(ctx, ms); err != nil {
		return fmt.Errorf("removed from Redis, but producing %d retract records failed: %w", len(ms), err)
	}
	return nil
}
