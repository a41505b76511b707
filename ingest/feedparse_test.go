package ingest

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestFeedFormatsInTheWild reads one fixture per documented format variant
// (each fixture says where its shape comes from).
func TestFeedFormatsInTheWild(t *testing.T) {
	utc := func(d, h, m int) time.Time { return time.Date(2022, 10, d, h, m, 0, 0, time.UTC) }
	type want struct {
		id, text string
		at       time.Time
	}
	cases := []struct {
		file string
		want []want
	}{
		{"feed/rss1-rdf.xml", []want{
			{"http://xml.com/pub/2022/10/25/whatsapp.html", "WhatsApp down for users worldwide\nUsers say they cannot send messages; Meta says it is working to restore the service.", utc(25, 7, 20)},
			{"http://xml.com/pub/2022/10/24/tools.html", "Putting RDF to Work\nTools that make RDF useful.", utc(24, 12, 0)},
		}},
		{"feed/rss2-description-only.xml", []want{
			{"", "Is Gmail down for anyone else? Mail will not load here since 9.", utc(25, 7, 30)},                     // PDT = -7
			{"feed.example:note-2", "Google says it is aware of the Gmail outage and working on a fix.", utc(25, 9, 0)}, // EST = -5
		}},
		{"feed/atom-xhtml.xml", []want{
			{"tag:example.org,2003:3.2397", "Signal outage\n[Update: Signal says it is working to restore service.]\nSignal is down for many users.", utc(25, 12, 29).Add(29 * time.Second)},
		}},
		{"feed/atom03.xml", []want{
			{"tag:diveintomark.org,2022:3.2397", "Discord not working\nDiscord not working for thousands.", utc(25, 12, 29).Add(29 * time.Second)},
		}},
		{"feed/jsonfeed.json", []want{
			{"feed.example:2", "Slack is down: messages are not sending for many workspaces.", utc(25, 9, 0)},
			{"feed.example:1", "Hello, world!", utc(24, 9, 0)},
		}},
		{"feed/cp1252-undeclared.xml", []want{
			{"https://desk.example/wa", "\u201cWhatsApp down\u201d: outage hits millions\nShares fell \u20ac2 as users said WhatsApp was not working.", utc(25, 8, 10)},
		}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			items, err := parseFeed(fixture(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(items) != len(c.want) {
				t.Fatalf("got %d items, want %d", len(items), len(c.want))
			}
			for i, w := range c.want {
				p, ok := items[i].post("feed.example", t2022)
				if !ok {
					t.Fatalf("item %d dropped", i)
				}
				if w.id == "" { // no guid and no link: named by its text, once
					if !strings.HasPrefix(p.ID, "feed.example:text-") || strings.Count(p.ID, "feed.example") != 1 {
						t.Errorf("item %d: id %q, want feed.example:text-<hash>", i, p.ID)
					}
				} else if p.ID != w.id {
					t.Errorf("item %d: id %q, want %q", i, p.ID, w.id)
				}
				if p.Text != w.text {
					t.Errorf("item %d: text %q, want %q", i, p.Text, w.text)
				}
				if !p.CreatedAt.Equal(w.at) {
					t.Errorf("item %d: created_at %v, want %v", i, p.CreatedAt, w.at)
				}
			}
		})
	}
}

func TestFeedTimeZoneNames(t *testing.T) {
	for in, want := range map[string]time.Time{
		"Tue, 25 Oct 2022 00:30:00 PDT":  time.Date(2022, 10, 25, 7, 30, 0, 0, time.UTC),
		"Tue, 25 Oct 2022 04:00:00 EST":  time.Date(2022, 10, 25, 9, 0, 0, 0, time.UTC),
		"Tue, 25 Oct 2022 09:00:00 GMT":  time.Date(2022, 10, 25, 9, 0, 0, 0, time.UTC),
		"Tue, 25 Oct 2022 10:00:00 CEST": time.Date(2022, 10, 25, 8, 0, 0, 0, time.UTC),
	} {
		if got, ok := parseFeedTime(in); !ok || !got.Equal(want) {
			t.Errorf("%q: got %v %v, want %v", in, got, ok, want)
		}
	}
	if _, ok := parseFeedTime("Tue, 25 Oct 2022 09:00:00 XYZT"); ok {
		t.Errorf("an unknown zone name was read as a time")
	}
}

func TestUnreadableFeedReportedOncePerChange(t *testing.T) {
	var body atomic.Value
	body.Store("<html>maintenance</html>")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body.Load().(string)) }))
	defer srv.Close()
	f, err := NewFeed(FeedConfig{URLs: []string{srv.URL}, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	reports := 0
	poll := func() {
		res, err := f.pollAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if r.err != nil {
				reports++
			}
		}
	}
	poll()
	poll()
	poll()
	if reports != 1 {
		t.Errorf("the same unreadable document reported %d times over 3 polls, want once", reports)
	}
	body.Store("<html>still maintenance</html>")
	poll()
	if reports != 2 {
		t.Errorf("a changed unreadable document: %d reports, want 2", reports)
	}
}
