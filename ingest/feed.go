package ingest

import (
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

// FeedConfig configures the RSS/Atom source. Zero values take the defaults named.
type FeedConfig struct {
	// URLs of RSS, Atom or JSON feeds; at least one.
	URLs []string
	// Interval between polls of each feed; default 2m.
	Interval time.Duration
	// MaxBytes of one feed document; default 16 MiB.
	MaxBytes int64
	Client   *http.Client
	Logger   *slog.Logger
	Now      func() time.Time
}

// Feed polls RSS (0.9x, 1.0, 2.0), Atom (0.3, 1.0) and JSON Feed documents
// (feedparse.go) with conditional GETs (If-None-Match, If-Modified-Since) and
// turns each new item into a post of source "rss" (the matcher reads rss posts
// as news): id = guid/id/rdf:about (the link when there is none, a hash of the
// text when there is neither), text = title and description with HTML removed,
// created_at = pubDate/dc:date/published/updated (the poll time when absent or
// unreadable), author = the feed's host. Items already handed out are remembered
// per feed for as long as the feed lists them; an unreadable document is
// dead-lettered once, and again only when it changes; a failing feed is logged
// and retried at the next poll, the other feeds go on.
type Feed struct {
	cfg   FeedConfig
	feeds []*feedState
	poller
}

type feedState struct {
	url, host          string
	etag, lastModified string
	seen               map[string]bool // ids in the last document
	bad                uint64          // hash of the last document, when it was unreadable
}

var feedSeed = maphash.MakeSeed()

// NewFeed returns a feed source.
func NewFeed(cfg FeedConfig) (*Feed, error) {
	if len(cfg.URLs) == 0 {
		return nil, fatalf("--source rss needs at least one --feed URL")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = 2 * time.Minute
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = 16 << 20
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: time.Minute}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f := &Feed{cfg: cfg}
	for _, raw := range cfg.URLs {
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fatalf("--feed %q: want an http(s) URL", raw)
		}
		f.feeds = append(f.feeds, &feedState{url: raw, host: strings.TrimPrefix(u.Hostname(), "www.")})
	}
	f.poller = poller{interval: cfg.Interval, now: cfg.Now, poll: f.pollAll}
	return f, nil
}

// Name implements Source.
func (f *Feed) Name() string { return "rss" }

func (f *Feed) pollAll(ctx context.Context) ([]readResult, error) {
	return pollEach(ctx, f.cfg.Logger, "feed", f.feeds, func(fs *feedState) string { return fs.url },
		func(ctx context.Context, fs *feedState) ([]readResult, error) {
			posts, err := f.pollOne(ctx, fs)
			res := make([]readResult, len(posts))
			for i, p := range posts {
				res[i] = readResult{post: p}
			}
			return res, err
		})
}

func (f *Feed) pollOne(ctx context.Context, fs *feedState) ([]downwatch.Post, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fs.url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "downwatch")
	req.Header.Set("Accept", "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.8, */*;q=0.1")
	if fs.etag != "" {
		req.Header.Set("If-None-Match", fs.etag)
	}
	if fs.lastModified != "" {
		req.Header.Set("If-Modified-Since", fs.lastModified)
	}
	resp, err := f.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotModified {
		return nil, nil
	}
	if resp.StatusCode != http.StatusOK {
		return nil, httpStatusError("GET "+fs.url, resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.cfg.MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > f.cfg.MaxBytes {
		return nil, fmt.Errorf("feed is over %d bytes", f.cfg.MaxBytes)
	}
	items, err := parseFeed(data)
	if err != nil {
		// An unreadable document is reported once; again only when it changes.
		h := maphash.Bytes(feedSeed, data)
		if fs.bad == h {
			return nil, nil
		}
		fs.bad = h
		return nil, err
	}
	fs.bad = 0
	fs.etag, fs.lastModified = resp.Header.Get("ETag"), resp.Header.Get("Last-Modified")
	now := f.cfg.Now().UTC()
	seen := make(map[string]bool, len(items))
	var out []downwatch.Post
	// Feeds list newest first; hand out oldest first.
	for i := len(items) - 1; i >= 0; i-- {
		p, ok := items[i].post(fs.host, now)
		if !ok || seen[p.ID] {
			continue
		}
		seen[p.ID] = true
		if !fs.seen[p.ID] {
			out = append(out, p)
		}
	}
	fs.seen = seen
	return out, nil
}
