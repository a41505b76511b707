package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/health"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/store"
)

// liveFlags are the flags of the live sources (docs/CONTRACT.md §6).
type liveFlags struct {
	fs           *flag.FlagSet
	xURL         string
	xMaxRules    int
	xMaxRuleLen  int
	xCompliance  string
	jetstreamURL string
	handleAPI    string
	mastodonURL  string
	mastodonWS   bool
	hashtags     multiFlag
	feeds        multiFlag
	statusPages  multiFlag
	listen       string
	pushToken    string
	pollInterval time.Duration
}

// multiFlag is a repeatable flag; unlike listFlag it does not split on commas,
// which URLs may hold.
type multiFlag []string

func (m *multiFlag) String() string { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error {
	if v = strings.TrimSpace(v); v != "" {
		*m = append(*m, v)
	}
	return nil
}

func registerLiveFlags(fs *flag.FlagSet) *liveFlags {
	lf := &liveFlags{fs: fs}
	fs.StringVar(&lf.xURL, "x-url", "https://api.x.com", "x: X API base URL (token from X_BEARER_TOKEN)")
	fs.IntVar(&lf.xMaxRules, "x-max-rules", 25, "x: most filtered-stream rules to create (Basic 25, Pro 1000)")
	fs.IntVar(&lf.xMaxRuleLen, "x-max-rule-len", 512, "x: longest rule in characters (Basic 512, Pro 1024)")
	fs.StringVar(&lf.xCompliance, "x-compliance", "", "x: also read these partitions of X's post compliance stream (comma-separated, 1 to 4; Enterprise access): their deletes and edits retract posts")
	fs.StringVar(&lf.jetstreamURL, "jetstream-url", ingest.DefaultJetstreamURL, "bluesky: Jetstream subscribe URL")
	fs.StringVar(&lf.handleAPI, "bluesky-handle-api", ingest.DefaultHandleAPI, "bluesky: XRPC base URL that resolves the catalog's official handles to DIDs")
	fs.StringVar(&lf.mastodonURL, "mastodon-url", "", "mastodon: instance URL, e.g. https://mastodon.social (token from MASTODON_ACCESS_TOKEN)")
	fs.BoolVar(&lf.mastodonWS, "mastodon-websocket", false, "mastodon: stream over a WebSocket (/api/v1/streaming) instead of server-sent events")
	fs.Var(&lf.hashtags, "mastodon-hashtag", "mastodon: follow this hashtag instead of the public timeline (repeatable)")
	fs.Var(&lf.feeds, "feed", "rss: RSS or Atom feed URL (repeatable)")
	fs.Var(&lf.statusPages, "statuspage", "statuspage: Statuspage base URL, or ID=URL to name the catalog service (repeatable)")
	fs.StringVar(&lf.listen, "listen", "", "http: address to accept POST /v1/posts on, e.g. :8080")
	fs.StringVar(&lf.pushToken, "push-token", "", "http: bearer token clients must send (default $DOWNWATCH_PUSH_TOKEN; none: open)")
	fs.DurationVar(&lf.pollInterval, "poll-interval", 2*time.Minute, "rss, statuspage: time between polls")
	return lf
}

// redisGiven reports whether --redis was on the command line.
func (lf *liveFlags) redisGiven() bool {
	given := false
	lf.fs.Visit(func(f *flag.Flag) {
		if f.Name == "redis" {
			given = true
		}
	})
	return given
}

// liveSource builds the source named by --source. State (the seen set and the
// Bluesky cursor in Redis) is kept when --redis was given or mentions go to Kafka;
// with --out - and no --redis nothing is kept anywhere (docs/CONTRACT.md §6).
func liveSource(ctx context.Context, env *cliEnv, name string, lf *liveFlags, cat *catalog.Catalog, c *commonFlags, stateless bool, h *health.Health) (ingest.Source, error) {
	log := logger(env.stderr, c.verbose)
	var state *store.IngestState
	if !stateless || lf.redisGiven() {
		scfg, err := c.storeConfig(c.prefix)
		if err != nil {
			return nil, err
		}
		// Waits (saying so once) while Redis does not answer, like every role.
		r, err := openStore(ctx, env, c.redis, scfg, h)
		if err != nil {
			return nil, (fmt.Errorf("%w (ingest keeps its seen set and cursors there; with --out - and no --redis it keeps none)", err))
		}
		state = r.IngestState()
	}
	var src ingest.Source
	var err error
	switch name {
	case "x":
		token := os.Getenv("X_BEARER_TOKEN")
		if token == "" {
			return nil, fmt.Errorf("X_BEARER_TOKEN is not set: set X_BEARER_TOKEN to a bearer token of an X app with filtered-stream access (developer.x.com, Basic tier or above)")
		}
		rules, dropped := ingest.XRules(cat, ingest.XRulesConfig{MaxRules: lf.xMaxRules, MaxLen: lf.xMaxRuleLen})
		if dropped > 0 {
			log.Warn("X rule limits leave some catalog terms out; raise --x-max-rules / --x-max-rule-len if your tier allows", "dropped", dropped, "rules", len(rules))
		}
		parts, perr := compliancePartitions(lf.xCompliance)
		if perr != nil {
			return nil, perr
		}
		src, err = ingest.NewX(ingest.XConfig{BaseURL: lf.xURL, Token: token, Rules: rules, Compliance: parts, Logger: log})
	case "bluesky":
		cfg := ingest.JetstreamConfig{URL: lf.jetstreamURL, HandleAPI: lf.handleAPI, Handles: officialHandles(cat), Logger: log}
		if state != nil {
			cfg.Cursors = state
		}
		src, err = ingest.NewJetstream(cfg)
	case "mastodon":
		src, err = ingest.NewMastodon(ingest.MastodonConfig{BaseURL: lf.mastodonURL, Hashtags: lf.hashtags, WebSocket: lf.mastodonWS, Token: os.Getenv("MASTODON_ACCESS_TOKEN"), Logger: log})
	case "rss":
		src, err = ingest.NewFeed(ingest.FeedConfig{URLs: lf.feeds, Interval: lf.pollInterval, Logger: log})
	case "statuspage":
		var pages []ingest.StatusPageTarget
		for _, s := range lf.statusPages {
			t, perr := ingest.ParseStatusPageTarget(s)
			if perr != nil {
				return nil, perr
			}
			pages = append(pages, t)
		}
		src, err = ingest.NewStatusPage(ingest.StatusPageConfig{Pages: pages, Catalog: cat, Interval: lf.pollInterval, Logger: log})
	case "http":
		token := lf.pushToken
		if token == "" {
			token = os.Getenv("DOWNWATCH_PUSH_TOKEN")
		}
		return ingest.NewPush(ingest.PushConfig{Addr: lf.listen, Token: token, Logger: log, OnListen: func(a net.Addr) {
			fmt.Fprintf(env.stderr, "ingest: listening on http://%s (POST /v1/posts, GET /healthz)\n", a)
		}})
	default:
		return nil, fmt.Errorf("--source %q: want x, bluesky, mastodon, rss, statuspage, file or http", name)
	}
	if err != nil {
		return nil, err
	}
	if state != nil {
		return &ingest.Remembered{Source: src, Seen: state, Logger: log}, nil
	}
	return src, nil
}

// officialHandles lists the catalog's official accounts that can be Bluesky
// handles (domain names).
func officialHandles(cat *catalog.Catalog) []string {
	var out []string
	for _, id := range cat.ServiceIDs() {
		svc, _ := cat.Service(id)
		for _, h := range svc.Official {
			if strings.Contains(h, ".") {
				out = append(out, h)
			}
		}
	}
	return out
}

// compliancePartitions reads --x-compliance ("1,2,3,4").
func compliancePartitions(v string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(v, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 4 {
			return nil, fmt.Errorf("--x-compliance %q: want partitions 1 to 4, comma-separated, e.g. 1,2,3,4", v)
		}
		out = append(out, n)
	}
	return out, nil
}
