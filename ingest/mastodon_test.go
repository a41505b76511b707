package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/downwatch/downwatch"
)

// mastoServer replays the SSE fixture. The first stream connection ends after
// cut bytes of events (0: never); the REST timeline answers with the fixture
// page (what a client missed).
type mastoServer struct {
	*httptest.Server
	conns    atomic.Int32
	mu       sync.Mutex
	sinceIDs []string
	paths    []string
	token    string
}

func newMastoServer(t *testing.T, cutAfter string) *mastoServer {
	return newMastoServerFrom(t, "mastodon/public.sse", cutAfter)
}

func newMastoServerFrom(t *testing.T, name, cutAfter string) *mastoServer {
	sse := string(fixture(t, name))
	s := &mastoServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"The access token is invalid"}`)
			return
		}
		s.mu.Lock()
		s.paths = append(s.paths, r.URL.RequestURI())
		s.mu.Unlock()
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v1/timelines/"):
			s.mu.Lock()
			s.sinceIDs = append(s.sinceIDs, r.URL.Query().Get("since_id"))
			s.mu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.Write(fixture(t, "mastodon/timeline.json"))
		case strings.HasPrefix(r.URL.Path, "/api/v1/streaming/"):
			n := s.conns.Add(1)
			w.Header().Set("Content-Type", "text/event-stream")
			body := sse
			if n == 1 && cutAfter != "" {
				body = body[:strings.Index(body, cutAfter)+len(cutAfter)]
				io.WriteString(w, body)
				return
			}
			if n > 1 {
				body = ":)\n\n" // later connections: only heartbeats; the gap fill brings the rest
			}
			io.WriteString(w, body)
			w.(http.Flusher).Flush()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
					io.WriteString(w, ":thump\n\n")
					w.(http.Flusher).Flush()
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestMastodonMapsStatuses(t *testing.T) {
	srv := newMastoServer(t, "")
	m, err := NewMastodon(MastodonConfig{BaseURL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipe(t, m)
	got := pp.rec.waitFor(t, 5, 10*time.Second)
	bob := downwatch.Post{ID: "109250000000000002", Source: "mastodon", Author: "bob", Lang: "en", AuthorFollowers: 7, ReplyTo: "109250000000000001",
		Text: "WhatsApp not working here either\nBerlin", CreatedAt: time.Date(2022, 10, 25, 7, 10, 20, 0, time.UTC), URL: "https://mastodon.example/@bob/109250000000000002"}
	want := []downwatch.Post{
		{ID: "109250000000000001", Source: "mastodon", Author: "anna@mastodon.example", Lang: "en", AuthorFollowers: 54,
			Text:      "Is #WhatsApp down? I can't send messages & calls fail.\nAnyone else?",
			CreatedAt: time.Date(2022, 10, 25, 7, 10, 11, 0, time.UTC), URL: "https://mastodon.example/@anna@mastodon.example/109250000000000001"},
		bob,
		{ID: "109250000000000003", Source: "mastodon", Author: "carol@fosstodon.org", Lang: "en", AuthorFollowers: 900, RepostOf: "109250000000000001",
			Text:      "Is #WhatsApp down? I can't send messages & calls fail.\nAnyone else?",
			CreatedAt: time.Date(2022, 10, 25, 7, 10, 30, 0, time.UTC), URL: "https://mastodon.example/@anna@mastodon.example/109250000000000001"},
		bob, // its status.update: retracted, then counted again as edited
		{ID: "109250000000000004", Source: "mastodon", Author: "dave", Lang: "en", AuthorFollowers: 3,
			Text: "Instagram is down again 🙄", CreatedAt: time.Date(2022, 10, 25, 7, 11, 0, 0, time.UTC), URL: "https://mastodon.example/@dave/109250000000000004"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("post %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if r := pp.p.Stats.Rejected.Load(); r != 1 {
		t.Errorf("got %d rejected, want 1 (the broken update)", r)
	}
	if rs := pp.rec.retracted(); len(rs) != 1 || rs[0].Post.ID != bob.ID {
		t.Errorf("retracts %v, want one of %s (its edit; the delete names a status never seen)", retractsOf(rs), bob.ID)
	}
}

func TestMastodonReconnectFillsTheGap(t *testing.T) {
	// The first stream ends right after the second status; the third and fourth
	// come from the timeline after the reconnect.
	srv := newMastoServer(t, `"109250000000000002"`+strings.Repeat("", 0))
	m, _ := NewMastodon(MastodonConfig{BaseURL: srv.URL, Hashtags: []string{"#WhatsApp"}})
	pp := runPipe(t, m)
	got := pp.rec.waitFor(t, 3, 10*time.Second)
	want := []string{"109250000000000001", "109250000000000003", "109250000000000004"}
	if strings.Join(ids(got), ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", ids(got), want)
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.sinceIDs) != 1 || srv.sinceIDs[0] != "109250000000000001" {
		t.Errorf("gap fill since_id: got %v, want [109250000000000001]", srv.sinceIDs)
	}
	if !strings.HasPrefix(srv.paths[0], "/api/v1/streaming/hashtag?tag=WhatsApp") {
		t.Errorf("first request %q, want the hashtag stream", srv.paths[0])
	}
}

func TestMastodonUnauthorizedIsFatal(t *testing.T) {
	srv := newMastoServer(t, "")
	srv.token = "right"
	for _, token := range []string{"", "wrong"} {
		m, _ := NewMastodon(MastodonConfig{BaseURL: srv.URL, Token: token})
		p := New(Config{Logger: discard()}, everything{}, newRecorder())
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := p.Run(ctx, m)
		cancel()
		if !errors.Is(err, ErrFatal) || !strings.Contains(err.Error(), "MASTODON_ACCESS_TOKEN") {
			t.Errorf("token %q: got %v, want a fatal error naming MASTODON_ACCESS_TOKEN", token, err)
		}
	}
	if n := srv.conns.Load(); n != 0 {
		t.Errorf("got %d accepted streams, want 0", n)
	}
}

func TestSSEParser(t *testing.T) {
	var p sseParser
	var got []string
	for _, l := range strings.Split("event: update\ndata: a\ndata: b\n\n:thump\n\ndata:c\n\nevent: delete\ndata: 1\n\n", "\n") {
		if ev, data, ok := p.feed([]byte(l)); ok {
			got = append(got, ev+"="+string(data))
		}
	}
	want := []string{"update=a\nb", "message=c", "delete=1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestHTMLText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<p>Hello <b>world</b></p><p>Two</p>", "Hello world\nTwo"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"x &lt; y &amp;&amp; &#39;q&#39; &quot;", `x < y && 'q' "`},
		{"<script>alert(1)</script>ok<style>p{}</style>", "ok"},
		{"3 < 4 and 5 > 2", "3 < 4 and 5 > 2"},
		{"plain", "plain"},
		{"<!-- c -->t", "t"},
	} {
		if got := htmlText(tc.in); got != tc.want {
			t.Errorf("htmlText(%q): got %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMastodonWebSocket: the same events over the WebSocket streaming API, in
// its documented message shape {"stream":[...],"event":...,"payload":"..."}
// (docs.joinmastodon.org/methods/streaming/#websocket), built from public.sse.
func TestMastodonWebSocket(t *testing.T) {
	var msgs [][]byte
	var sse sseParser
	for _, l := range bytes.Split(fixture(t, "mastodon/public.sse"), []byte("\n")) {
		if ev, data, ok := sse.feed(bytes.TrimRight(l, "\r")); ok {
			m, _ := json.Marshal(map[string]any{"stream": []string{"public"}, "event": ev, "payload": string(data)})
			msgs = append(msgs, m)
		}
	}
	var query atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		query.Store(r.URL.Path + "?" + r.URL.RawQuery)
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for _, m := range msgs {
			if c.Write(r.Context(), websocket.MessageText, m) != nil {
				return
			}
		}
		c.Write(r.Context(), websocket.MessageText, []byte("not json"))
		c.Read(r.Context()) // answers pings until the client goes
	}))
	defer srv.Close()
	m, err := NewMastodon(MastodonConfig{BaseURL: srv.URL, WebSocket: true, StallTimeout: 300 * time.Millisecond, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipe(t, m)
	got := pp.rec.waitFor(t, 5, 10*time.Second)
	ids := []string{"109250000000000001", "109250000000000002", "109250000000000003", "109250000000000002", "109250000000000004"}
	for i, id := range ids {
		if got[i].ID != id || got[i].Source != "mastodon" {
			t.Errorf("post %d: %+v, want status %s", i, got[i], id)
		}
	}
	if got[1].Author != "bob" || got[2].RepostOf != "109250000000000001" {
		t.Errorf("posts not mapped as over SSE: %+v, %+v", got[1], got[2])
	}
	time.Sleep(time.Second) // pings keep a quiet stream alive
	if q, _ := query.Load().(string); q != "/api/v1/streaming?stream=public" {
		t.Errorf("asked %q, want /api/v1/streaming?stream=public", q)
	}
	if r := pp.p.Stats.Rejected.Load(); r != 2 {
		t.Errorf("got %d rejected, want 2 (the broken update, the message that is not JSON)", r)
	}
	if n := pp.p.Stats.Reconnects.Load(); n != 0 {
		t.Errorf("%d reconnects on a quiet stream that answers pings, want 0", n)
	}
}
