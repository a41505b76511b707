package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// jetServer replays the Jetstream fixture over WebSocket, from the requested
// cursor on (as Jetstream does). The first connection is cut after cut messages.
type jetServer struct {
	*httptest.Server
	mu      sync.Mutex
	queries []string
}

func newJetServer(t *testing.T, cut int) *jetServer {
	return newJetServerFrom(t, "jetstream/events.jsonl", cut)
}

// newJetServerFrom replays the fixture name; its lines starting with # are notes.
func newJetServerFrom(t *testing.T, name string, cut int) *jetServer {
	var events [][]byte
	for _, l := range lines(fixture(t, name)) {
		if !bytes.HasPrefix(l, []byte("#")) {
			events = append(events, l)
		}
	}
	s := &jetServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.queries = append(s.queries, r.URL.RawQuery)
		n := len(s.queries)
		s.mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		cursor, _ := strconv.ParseInt(r.URL.Query().Get("cursor"), 10, 64)
		ctx := r.Context()
		for i, e := range events {
			if n == 1 && cut > 0 && i == cut {
				return // connection dropped mid-stream
			}
			var head struct {
				TimeUS int64 `json:"time_us"`
			}
			if json.Unmarshal(e, &head) == nil && head.TimeUS < cursor {
				continue
			}
			if err := c.Write(ctx, websocket.MessageText, []byte(strings.TrimSpace(string(e)))); err != nil {
				return
			}
		}
		<-ctx.Done()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jetServer) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/subscribe" }

func TestJetstreamMapsPosts(t *testing.T) {
	srv := newJetServer(t, 0)
	js, err := NewJetstream(JetstreamConfig{URL: srv.wsURL()})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipe(t, js)
	got := pp.rec.waitFor(t, 3, 10*time.Second)
	did1, did2 := "did:plc:eygmaihciaxprqvxpfvl6flk", "did:plc:z72i7hdynmk6r22z27h6tvur"
	want := []downwatch.Post{
		{ID: did1 + "/3jmwdtdl4xs2a", Source: "bluesky", Author: did1, Lang: "en", Text: "is whatsapp down for everyone? messages stuck on one tick",
			CreatedAt: time.UnixMicro(1666681803000000).UTC(), URL: "https://bsky.app/profile/" + did1 + "/post/3jmwdtdl4xs2a"},
		// time_us, not the client's createdAt of 2030 (DESIGN-NOTES 4).
		{ID: did2 + "/3jmwdtxyz1k2c", Source: "bluesky", Author: did2, Lang: "pt", Text: "WhatsApp caiu aqui também, não envia mensagem",
			CreatedAt: time.UnixMicro(1666681807000000).UTC(), ReplyTo: did1 + "/3jmwdtdl4xs2a", URL: "https://bsky.app/profile/" + did2 + "/post/3jmwdtxyz1k2c"},
		{ID: did1 + "/3jmwdu0000000", Source: "bluesky", Author: did1, Lang: "en", Text: "instagram not working either, feed won't load",
			CreatedAt: time.UnixMicro(1666681809000000).UTC(), URL: "https://bsky.app/profile/" + did1 + "/post/3jmwdu0000000"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("post %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if r := pp.p.Stats.Rejected.Load(); r != 1 {
		t.Errorf("got %d rejected, want 1 (MALFORMED)", r)
	}
	if q := srv.queries[0]; !strings.Contains(q, "wantedCollections=app.bsky.feed.post") || strings.Contains(q, "cursor") {
		t.Errorf("first query %q: want wantedCollections and no cursor", q)
	}
}

func TestJetstreamResumesFromCursorAfterDisconnect(t *testing.T) {
	srv := newJetServer(t, 2) // cut after the first post and the identity event
	js, _ := NewJetstream(JetstreamConfig{URL: srv.wsURL(), Rewind: 2 * time.Second})
	pp := runPipe(t, js)
	got := pp.rec.waitFor(t, 3, 10*time.Second)
	seen := map[string]int{}
	for _, p := range got {
		seen[p.ID]++
	}
	if len(seen) != 3 || len(got) != 3 {
		t.Errorf("got %v, want 3 distinct posts once each", ids(got))
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if len(srv.queries) < 2 {
		t.Fatalf("got %d connections, want a reconnect", len(srv.queries))
	}
	// Last event before the cut: identity at 1666681804000000, minus 2s.
	if want := "cursor=1666681802000000"; !strings.Contains(srv.queries[1], want) {
		t.Errorf("resume query %q, want %s", srv.queries[1], want)
	}
}

type memCursors struct {
	mu sync.Mutex
	m  map[string]string
}

func (c *memCursors) LoadCursor(_ context.Context, name string) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[name], nil
}
func (c *memCursors) SaveCursor(_ context.Context, name, v string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.m[name] = v
	return nil
}

func TestJetstreamCursorSurvivesRestart(t *testing.T) {
	srv := newJetServer(t, 0)
	cur := &memCursors{m: map[string]string{}}
	js, _ := NewJetstream(JetstreamConfig{URL: srv.wsURL(), Cursors: cur})
	ctx := context.Background()
	if err := js.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := js.Read(ctx); err != nil && !isReject(err) {
			t.Fatal(err)
		}
	}
	js.Close(ctx)
	if got := cur.m["bluesky"]; got == "" {
		t.Fatal("cursor not saved on Close")
	}
	saved := cur.m["bluesky"]
	js2, _ := NewJetstream(JetstreamConfig{URL: srv.wsURL(), Cursors: cur})
	if err := js2.Connect(ctx); err != nil {
		t.Fatal(err)
	}
	defer js2.Close(ctx)
	c, _ := strconv.ParseInt(saved, 10, 64)
	want := fmt.Sprintf("cursor=%d", c-5_000_000)
	if q := srv.queries[len(srv.queries)-1]; !strings.Contains(q, want) {
		t.Errorf("restart query %q, want %s", q, want)
	}
}

func isReject(err error) bool {
	var re *downwatch.RejectError
	return errors.As(err, &re)
}

// testRedis connects to the real Redis the tests run against (REDIS_URL, default
// 127.0.0.1:6379) under a fresh prefix, removed afterwards. Skips without one.
func testRedis(t *testing.T) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		t.Fatal(err)
	}
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		c.Close()
		t.Skipf("no Redis at %s: %v", url, err)
	}
	prefix := fmt.Sprintf("dwtest:%d:", rand.Uint64())
	t.Cleanup(func() {
		ctx := context.Background()
		iter := c.Scan(ctx, 0, prefix+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
		c.Close()
	})
	return c, prefix
}

func TestRedisStateCursorAndSeen(t *testing.T) {
	c, prefix := testRedis(t)
	st := store.New(c, store.Config{Prefix: prefix}).IngestState()
	ctx := context.Background()
	if v, err := st.LoadCursor(ctx, "bluesky"); err != nil || v != "" {
		t.Fatalf("empty cursor: got %q, %v", v, err)
	}
	if err := st.SaveCursor(ctx, "bluesky", "1666681809000000"); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.LoadCursor(ctx, "bluesky"); v != "1666681809000000" {
		t.Errorf("got cursor %q", v)
	}
	if ttl := c.TTL(ctx, prefix+"cursor:bluesky").Val(); ttl <= 0 {
		t.Errorf("cursor key has no expiry (ttl %v)", ttl)
	}
	st.MaxSeen = 3
	for i, tc := range []struct {
		id   string
		seen bool
	}{{"a", false}, {"b", false}, {"a", true}, {"c", false}, {"d", false}} {
		got, err := st.MarkSeen(ctx, "x", tc.id)
		if err != nil || got != tc.seen {
			t.Errorf("step %d MarkSeen(%s): got %v, %v; want %v", i, tc.id, got, err, tc.seen)
		}
	}
	// A restarted ingester with the same state skips what was read before.
	srv := newJetServer(t, 0)
	js, _ := NewJetstream(JetstreamConfig{URL: srv.wsURL()}) // no cursor: replay all
	r := &Remembered{Source: js, Seen: st}
	if r.Name() != "bluesky" {
		t.Errorf("got name %q", r.Name())
	}
	st.MarkSeen(ctx, "bluesky", "did:plc:eygmaihciaxprqvxpfvl6flk/3jmwdtdl4xs2a")
	pp := runPipe(t, r)
	got := pp.rec.waitFor(t, 2, 10*time.Second)
	if got[0].ID != "did:plc:z72i7hdynmk6r22z27h6tvur/3jmwdtxyz1k2c" || r.Skipped.Load() != 1 {
		t.Errorf("got %v (skipped %d), want the seen post skipped", ids(got), r.Skipped.Load())
	}
}

// TestJetstreamIdentityEventNamesAnOfficialAuthor: an identity event (the
// fixture's shape is Jetstream's) gives a wanted handle to its DID; other
// authors stay DIDs.
func TestJetstreamIdentityEventNamesAnOfficialAuthor(t *testing.T) {
	srv := newJetServer(t, 0)
	api := httptest.NewServer(http.NotFoundHandler())
	defer api.Close()
	js, err := NewJetstream(JetstreamConfig{URL: srv.wsURL(), Handles: []string{"@Alice.bsky.social", "WhatsApp"}, HandleAPI: api.URL, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipe(t, js)
	got := pp.rec.waitFor(t, 3, 10*time.Second)
	if got[1].Author != "alice.bsky.social" {
		t.Errorf("after its identity event: author %q, want alice.bsky.social", got[1].Author)
	}
	if got[0].Author != "did:plc:eygmaihciaxprqvxpfvl6flk" || got[2].Author != "did:plc:eygmaihciaxprqvxpfvl6flk" {
		t.Errorf("an account not wanted: authors %q, %q, want its DID", got[0].Author, got[2].Author)
	}
}

// TestJetstreamResolvesWantedHandles: the handle resolution API (base URL
// configurable) names the DIDs of the wanted handles.
func TestJetstreamResolvesWantedHandles(t *testing.T) {
	var asked atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if r.URL.Path != "/xrpc/com.atproto.identity.resolveHandle" || r.URL.Query().Get("handle") != "bsky.app" {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"error":"InvalidRequest","message":"Unable to resolve handle"}`)
			return
		}
		io.WriteString(w, `{"did":"did:plc:z72i7hdynmk6r22z27h6tvur"}`)
	}))
	defer api.Close()
	js, err := NewJetstream(JetstreamConfig{Handles: []string{"bsky.app", "gone.example.com"}, HandleAPI: api.URL, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	js.startResolving(context.Background())
	deadline := time.Now().Add(5 * time.Second)
	for js.author("did:plc:z72i7hdynmk6r22z27h6tvur") != "bsky.app" {
		if time.Now().After(deadline) {
			t.Fatal("bsky.app was not resolved to its DID")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if a := js.author("did:plc:other"); a != "did:plc:other" {
		t.Errorf("an unknown DID became %q", a)
	}
	if n := asked.Load(); n != 2 {
		t.Errorf("asked %d times, want once per wanted handle (2)", n)
	}
	js.startResolving(context.Background()) // only the unresolved one is asked again
	for deadline := time.Now().Add(5 * time.Second); asked.Load() < 3 && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	if n := asked.Load(); n != 3 {
		t.Errorf("after a reconnect: asked %d times in all, want 3", n)
	}
}
