package ingest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// feedServer serves a feed with an ETag and Last-Modified, answering 304 to a
// matching conditional GET.
type feedServer struct {
	*httptest.Server
	mu          sync.Mutex
	conditional []string
	body        []byte
}

func newFeedServer(t *testing.T, name string) *feedServer {
	s := &feedServer{body: fixture(t, name)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.conditional = append(s.conditional, r.Header.Get("If-None-Match")+"|"+r.Header.Get("If-Modified-Since"))
		body := s.body
		s.mu.Unlock()
		etag := `"v1"`
		if len(body) != len(fixture(t, name)) {
			etag = `"v2"`
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", etag)
		w.Header().Set("Last-Modified", "Tue, 25 Oct 2022 09:30:00 GMT")
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

func TestFeedRSSAndAtom(t *testing.T) {
	rss := newFeedServer(t, "feed/rss.xml")
	atom := newFeedServer(t, "feed/atom.xml")
	f, err := NewFeed(FeedConfig{URLs: []string{rss.URL + "/rss.xml", atom.URL + "/atom.xml"}, Now: func() time.Time { return t2022 }})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var got []downwatch.Post
	for range 5 {
		p, err := f.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, p)
	}
	host := "127.0.0.1"
	want := []downwatch.Post{
		{ID: "https://news.example.com/tech/63360000", Source: "rss", Author: host, Text: "New phones announced at autumn event",
			CreatedAt: time.Date(2022, 10, 24, 18, 0, 0, 0, time.UTC), URL: "https://news.example.com/tech/63360000"},
		{ID: host + ":news-63370000", Source: "rss", Author: host, Text: "WhatsApp down: users around the world unable to send messages\nMeta says it is \"working to restore\" WhatsApp & its messaging service.",
			CreatedAt: time.Date(2022, 10, 25, 7, 15, 0, 0, time.UTC), URL: "https://news.example.com/tech/63370000"},
		{ID: "https://news.example.com/tech/63380000", Source: "rss", Author: host, Text: "WhatsApp back up after outage hit millions of users\nService has been restored after a two-hour outage, Meta said.",
			CreatedAt: time.Date(2022, 10, 25, 9, 25, 0, 0, time.UTC), URL: "https://news.example.com/tech/63380000"},
		{ID: "tag:wire.example.org,2022:entry-1", Source: "rss", Author: host, Text: "Quarterly results beat expectations\nShares rose 3% in late trading.",
			CreatedAt: time.Date(2022, 10, 24, 20, 0, 0, 0, time.UTC), URL: "https://wire.example.org/2022/10/24/results"},
		{ID: "tag:wire.example.org,2022:entry-2", Source: "rss", Author: host, Text: "Instagram outage: feeds fail to load for thousands\nUsers report Instagram not working on iOS and Android.",
			CreatedAt: time.Date(2022, 10, 25, 8, 38, 0, 0, time.UTC), URL: "https://wire.example.org/2022/10/25/instagram-outage"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("post %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	// Second round: both feeds answer 304, nothing new; then the RSS feed gains
	// an item and only that one comes out.
	rss.mu.Lock()
	rss.body = []byte(strings.Replace(string(rss.body), "<item>", `<item><title>Gmail not working for some users</title><guid>news-63390000</guid><pubDate>Tue, 25 Oct 2022 09:40:00 GMT</pubDate></item><item>`, 1))
	rss.mu.Unlock()
	f.next = time.Time{} // poll now
	p, err := f.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != host+":news-63390000" {
		t.Errorf("after the change got %s, want only the new item", p.ID)
	}
	if len(f.queue) != 0 {
		t.Errorf("got %d more queued posts, want none", len(f.queue))
	}
	atom.mu.Lock()
	defer atom.mu.Unlock()
	if c := atom.conditional; len(c) != 2 || c[1] != `"v1"|Tue, 25 Oct 2022 09:30:00 GMT` {
		t.Errorf("atom requests' conditional headers: %q, want the second with If-None-Match and If-Modified-Since", c)
	}
}

func TestFeedMalformedIsDeadLetteredAndPollingGoesOn(t *testing.T) {
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html><body>not a feed</body></html>"))
	}))
	defer bad.Close()
	good := newFeedServer(t, "feed/atom.xml")
	f, _ := NewFeed(FeedConfig{URLs: []string{bad.URL, good.URL}, Interval: time.Hour})
	pp := runPipe(t, f)
	got := pp.rec.waitFor(t, 2, 10*time.Second)
	if len(got) != 2 || pp.p.Stats.Rejected.Load() != 1 || !strings.Contains(pp.dl.String(), "bad-feed") {
		t.Errorf("got %v posts, %d rejected, dead letters %q; want 2 posts and one bad-feed", ids(got), pp.p.Stats.Rejected.Load(), pp.dl.String())
	}
}

func TestParseFeedTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"Tue, 25 Oct 2022 09:25:00 GMT", time.Date(2022, 10, 25, 9, 25, 0, 0, time.UTC)},
		{"Tue, 25 Oct 2022 08:15:00 +0100", time.Date(2022, 10, 25, 7, 15, 0, 0, time.UTC)},
		{"Tue, 5 Oct 2022 08:15:00 -0400", time.Date(2022, 10, 5, 12, 15, 0, 0, time.UTC)},
		{"2022-10-25T08:38:00+00:00", time.Date(2022, 10, 25, 8, 38, 0, 0, time.UTC)},
		{"  Tue,  25 Oct 2022 09:25:00 GMT ", time.Date(2022, 10, 25, 9, 25, 0, 0, time.UTC)},
	} {
		got, ok := parseFeedTime(tc.in)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("parseFeedTime(%q): got %v %v, want %v", tc.in, got, ok, tc.want)
		}
	}
	if _, ok := parseFeedTime("yesterday"); ok {
		t.Error("parseFeedTime(yesterday) succeeded")
	}
}
