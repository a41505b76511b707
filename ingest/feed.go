package ingest

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/text/encoding/ianaindex"

	"github.com/downwatch/downwatch"
)

// FeedConfig configures the RSS/Atom source. Zero values take the defaults named.
type FeedConfig struct {
	// URLs of RSS 2.0 or Atom feeds; at least one.
	URLs []string
	// Interval between polls of each feed; default 2m.
	Interval time.Duration
	// MaxBytes of one feed document; default 16 MiB.
	MaxBytes int64
	Client   *http.Client
	Logger   *slog.Logger
	Now      func() time.Time
}

// Feed polls RSS 2.0 and Atom feeds with conditional GETs (If-None-Match,
// If-Modified-Since) and turns each new item into a post of source "rss"
// (the matcher reads rss posts as news): id = guid/id (the link when there is
// none), text = title and description with HTML removed, created_at =
// pubDate/updated/published (the poll time when absent or unreadable), author =
// the feed's host. Items already handed out are remembered per feed for as long
// as the feed lists them; a failing feed is logged and retried at the next poll,
// the other feeds go on.
type Feed struct {
	cfg   FeedConfig
	feeds []*feedState
	poller
}

type feedState struct {
	url, host          string
	etag, lastModified string
	seen               map[string]bool // ids in the last document
}

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
		return nil, err
	}
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

// feedItem is an RSS item or an Atom entry, reduced to what a Post needs.
type feedItem struct {
	id, link, title, body, date string
}

func (it feedItem) post(host string, now time.Time) (downwatch.Post, bool) {
	id := strings.TrimSpace(it.id)
	if id == "" {
		id = strings.TrimSpace(it.link)
	}
	title, body := htmlText(it.title), htmlText(it.body)
	if id == "" {
		if title == "" {
			return downwatch.Post{}, false
		}
		id = host + ":" + title
	}
	if !strings.Contains(id, "://") && !strings.HasPrefix(id, "urn:") && !strings.HasPrefix(id, "tag:") {
		id = host + ":" + id
	}
	text := title
	if body != "" && body != title {
		if text != "" {
			text += "\n"
		}
		text += body
	}
	at, ok := parseFeedTime(it.date)
	if !ok {
		at = now
	}
	return downwatch.Post{ID: id, Source: "rss", Author: host, Text: downwatch.CleanText(text), CreatedAt: at, URL: strings.TrimSpace(it.link)}, true
}

var feedTimeLayouts = []string{
	time.RFC1123Z, time.RFC1123, time.RFC3339Nano,
	"Mon, 2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, _2 Jan 2006 15:04:05 -0700", "Mon, 2 Jan 2006 15:04 -0700", "Mon, 2 Jan 06 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700", "2 Jan 2006 15:04:05 MST", "Mon, 02 Jan 2006 15:04:05 Z",
	"2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02",
}

// parseFeedTime reads the dates feeds write (RFC 822 in its variants, RFC 3339).
func parseFeedTime(s string) (time.Time, bool) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return time.Time{}, false
	}
	for _, l := range feedTimeLayouts {
		if t, err := time.Parse(l, s); err == nil && t.Year() >= 1970 && t.Year() <= 9999 {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

type rssDoc struct {
	Channel struct {
		Items []struct {
			Title       string `xml:"title"`
			Link        string `xml:"link"`
			Description string `xml:"description"`
			GUID        string `xml:"guid"`
			PubDate     string `xml:"pubDate"`
			Date        string `xml:"http://purl.org/dc/elements/1.1/ date"`
		} `xml:"item"`
	} `xml:"channel"`
}

type atomDoc struct {
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Summary string `xml:"summary"`
		Content string `xml:"content"`
		Updated string `xml:"updated"`
		Publ    string `xml:"published"`
		Links   []struct {
			Href string `xml:"href,attr"`
			Rel  string `xml:"rel,attr"`
		} `xml:"link"`
	} `xml:"entry"`
}

// parseFeed reads an RSS 2.0 (or 0.9x) or Atom 1.0 document. A document that is
// neither is a *downwatch.RejectError.
func parseFeed(data []byte) ([]feedItem, error) {
	dec := newXMLDecoder(data)
	var root xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "not an RSS or Atom document: " + err.Error()}
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	var items []feedItem
	switch root.Name.Local {
	case "rss", "RDF":
		var doc rssDoc
		if err := dec.DecodeElement(&doc, &root); err != nil {
			return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "RSS: " + err.Error()}
		}
		for _, it := range doc.Channel.Items {
			items = append(items, feedItem{id: it.GUID, link: it.Link, title: it.Title, body: it.Description, date: cmpOr(it.PubDate, it.Date)})
		}
	case "feed":
		var doc atomDoc
		if err := dec.DecodeElement(&doc, &root); err != nil {
			return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: "Atom: " + err.Error()}
		}
		for _, e := range doc.Entries {
			it := feedItem{id: e.ID, title: e.Title, body: cmpOr(e.Summary, e.Content), date: cmpOr(e.Publ, e.Updated)}
			for _, l := range e.Links {
				if l.Rel == "" || l.Rel == "alternate" {
					it.link = l.Href
					break
				}
			}
			items = append(items, it)
		}
	default:
		return nil, &downwatch.RejectError{Reason: "bad-feed", Detail: fmt.Sprintf("root element <%s> is neither <rss> nor <feed>", truncate(root.Name.Local, 32))}
	}
	return items, nil
}

func newXMLDecoder(data []byte) *xml.Decoder {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = false
	dec.Entity = xml.HTMLEntity
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		enc, err := ianaindex.IANA.Encoding(label)
		if err != nil || enc == nil {
			return nil, fmt.Errorf("unknown charset %q", label)
		}
		return enc.NewDecoder().Reader(r), nil
	}
	return dec
}
