package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/redis/go-redis/v9"
)

// watchedBuffer is a concurrency-safe buffer that signals every write.
type watchedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	ch chan struct{}
}

func newWatched() *watchedBuffer { return &watchedBuffer{ch: make(chan struct{}, 1)} }

func (w *watchedBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	n, err := w.b.Write(p)
	w.mu.Unlock()
	select {
	case w.ch <- struct{}{}:
	default:
	}
	return n, err
}

func (w *watchedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// waitUntil blocks until cond holds for the buffer's content.
func (w *watchedBuffer) waitUntil(t *testing.T, what string, cond func(string) bool) {
	t.Helper()
	deadline := time.NewTimer(15 * time.Second)
	defer deadline.Stop()
	for !cond(w.String()) {
		select {
		case <-w.ch:
		case <-deadline.C:
			t.Fatalf("timed out waiting for %s; got:\n%s", what, w.String())
		}
	}
}

// liveIngest runs `downwatch ingest args...` in the background, as the binary
// does; stop sends SIGINT (which run's signal-aware context turns into a
// graceful stop) and returns the exit code.
func liveIngest(t *testing.T, args ...string) (stdout, stderr *watchedBuffer, stop func() int) {
	t.Helper()
	stdout, stderr = newWatched(), newWatched()
	// Keep SIGINT from killing the test binary whatever happens.
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	code := make(chan int, 1)
	go func() { code <- run(append([]string{"ingest"}, args...), strings.NewReader(""), stdout, stderr) }()
	stopped := false
	stop = func() int {
		t.Helper()
		defer signal.Stop(sig)
		stopped = true
		syscall.Kill(os.Getpid(), syscall.SIGINT)
		select {
		case c := <-code:
			return c
		case <-time.After(15 * time.Second):
			t.Fatalf("ingest did not stop on SIGINT; stderr:\n%s", stderr.String())
			return -1
		}
	}
	t.Cleanup(func() {
		if !stopped {
			stop()
		}
	})
	return stdout, stderr, stop
}

func testdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "ingest", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func hasMention(service, postID string) func(string) bool {
	return func(out string) bool {
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, `"service":"`+service+`"`) && strings.Contains(l, `"id":"`+postID+`"`) {
				return true
			}
		}
		return false
	}
}

// holdOpen keeps a streaming response open until the client leaves.
func holdOpen(w http.ResponseWriter, r *http.Request, keepAlive string) {
	w.(http.Flusher).Flush()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-time.After(50 * time.Millisecond):
			io.WriteString(w, keepAlive)
			w.(http.Flusher).Flush()
		}
	}
}

func TestIngestX(t *testing.T) {
	var mu sync.Mutex
	var rulePosts int
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer cmd-test" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch r.URL.Path {
		case "/2/tweets/search/stream/rules":
			if r.Method == http.MethodPost {
				mu.Lock()
				rulePosts++
				mu.Unlock()
				io.WriteString(w, `{"meta":{"summary":{"created":25}}}`)
				return
			}
			w.Write(testdata(t, "x/rules.json"))
		case "/2/tweets/search/stream":
			w.Write(testdata(t, "x/stream.txt"))
			holdOpen(w, r, "\r\n")
		}
	}))
	defer srv.Close()
	t.Setenv("X_BEARER_TOKEN", "cmd-test")
	stdout, _, stop := liveIngest(t, "--source", "x", "--x-url", srv.URL, "--out", "-")
	stdout.waitUntil(t, "the WhatsApp complaint and the news report", func(s string) bool {
		return hasMention("whatsapp", "1584800000000000001")(s) && hasMention("whatsapp", "1584800000000000003")(s)
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if !strings.Contains(stdout.String(), `"kind":"news"`) || !strings.Contains(stdout.String(), `"country":"IN"`) {
		t.Errorf("mentions lack the news kind or the country:\n%s", stdout)
	}
	if rulePosts != 2 {
		t.Errorf("got %d rule changes, want delete + add", rulePosts)
	}
}

func TestIngestXWithoutToken(t *testing.T) {
	t.Setenv("X_BEARER_TOKEN", "")
	var out, errb bytes.Buffer
	if c := run([]string{"ingest", "--source", "x", "--out", "-"}, strings.NewReader(""), &out, &errb); c != 1 {
		t.Errorf("exit code %d, want 1", c)
	}
	if !strings.Contains(errb.String(), "set X_BEARER_TOKEN to a bearer token") {
		t.Errorf("stderr %q does not say what to do", errb.String())
	}
}

func TestIngestXUnauthorized(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"title":"Unauthorized","status":401}`)
	}))
	defer srv.Close()
	t.Setenv("X_BEARER_TOKEN", "expired")
	var out, errb bytes.Buffer
	if c := run([]string{"ingest", "--source", "x", "--x-url", srv.URL, "--out", "-"}, strings.NewReader(""), &out, &errb); c != 1 {
		t.Errorf("exit code %d, want 1", c)
	}
	if !strings.Contains(errb.String(), "X_BEARER_TOKEN") || !strings.Contains(errb.String(), "401") {
		t.Errorf("stderr %q does not name the variable and the status", errb.String())
	}
}

func jetstreamServer(t *testing.T) (*httptest.Server, *[]string, *sync.Mutex) {
	return jetstreamServerFrom(t, "jetstream/events.jsonl")
}

// jetstreamServerFrom replays a fixture; its lines starting with # are notes.
func jetstreamServerFrom(t *testing.T, name string) (*httptest.Server, *[]string, *sync.Mutex) {
	var mu sync.Mutex
	var queries []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		for _, l := range bytes.Split(bytes.TrimSpace(testdata(t, name)), []byte("\n")) {
			if bytes.HasPrefix(l, []byte("#")) {
				continue
			}
			if c.Write(r.Context(), websocket.MessageText, l) != nil {
				return
			}
		}
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv, &queries, &mu
}

func TestIngestBluesky(t *testing.T) {
	srv, queries, mu := jetstreamServer(t)
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe"
	stdout, stderr, stop := liveIngest(t, "--source", "bluesky", "--jetstream-url", url, "--out", "-")
	stdout.waitUntil(t, "the Bluesky complaints", func(s string) bool {
		return hasMention("whatsapp", "did:plc:eygmaihciaxprqvxpfvl6flk/3jmwdtdl4xs2a")(s) && hasMention("instagram", "did:plc:eygmaihciaxprqvxpfvl6flk/3jmwdu0000000")(s)
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if !strings.Contains(stdout.String(), `"created_at":"2022-10-25T07:10:07Z"`) {
		t.Errorf("the reply's event time is not the relay's time_us:\n%s", stdout)
	}
	if !strings.Contains(stderr.String(), "1 rejected") {
		t.Errorf("stderr %q: want the malformed message counted", stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.Contains((*queries)[0], "wantedCollections=app.bsky.feed.post") {
		t.Errorf("query %q", (*queries)[0])
	}
}

// hasRetract reports a retract record of the post for the service.
func hasRetract(service, postID string) func(string) bool {
	return func(out string) bool {
		for _, l := range strings.Split(out, "\n") {
			if strings.HasPrefix(l, `{"service":"`+service+`","kind":"retract","post":{"id":"`+postID+`"`) {
				return true
			}
		}
		return false
	}
}

// Deletes and edits through the binary: the delete of a complaint and the
// edit that stops complaining print retract records (docs/CONTRACT.md §5).
func TestIngestBlueskyDeletesAndEdits(t *testing.T) {
	srv, _, _ := jetstreamServerFrom(t, "jetstream/deletes.jsonl")
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe"
	stdout, _, stop := liveIngest(t, "--source", "bluesky", "--jetstream-url", url, "--out", "-")
	did1, did2 := "did:plc:eygmaihciaxprqvxpfvl6flk", "did:plc:z72i7hdynmk6r22z27h6tvur"
	stdout.waitUntil(t, "the retracts and the last complaint", func(s string) bool {
		return hasRetract("whatsapp", did1+"/3jmwdtdl4xs2a")(s) && hasRetract("whatsapp", did2+"/3jmwdtxyz1k2c")(s) && hasMention("instagram", did1+"/3jmwdu0000000")(s)
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if strings.Contains(stdout.String(), "never mind") {
		t.Errorf("the edit that no longer complains was printed as a mention:\n%s", stdout)
	}
	if strings.Contains(stdout.String(), "3jmwdzzzzzzzz") {
		t.Errorf("the delete of a post never seen was printed:\n%s", stdout)
	}
}

func TestIngestBlueskyKeepsCursorInRedisWhenAsked(t *testing.T) {
	url := os.Getenv("REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, _ := redis.ParseURL(url)
	rc := redis.NewClient(opt)
	defer rc.Close()
	ctx := context.Background()
	if err := rc.Ping(ctx).Err(); err != nil {
		t.Skipf("no Redis at %s: %v", url, err)
	}
	prefix := fmt.Sprintf("dwtest:%d:", rand.Uint64())
	defer func() {
		keys, _ := rc.Keys(ctx, prefix+"*").Result()
		if len(keys) > 0 {
			rc.Del(ctx, keys...)
		}
	}()
	srv, _, _ := jetstreamServer(t)
	ws := "ws" + strings.TrimPrefix(srv.URL, "http") + "/subscribe"
	stdout, _, stop := liveIngest(t, "--source", "bluesky", "--jetstream-url", ws, "--out", "-", "--redis", url, "--prefix", prefix)
	stdout.waitUntil(t, "the last post", hasMention("instagram", "did:plc:eygmaihciaxprqvxpfvl6flk/3jmwdu0000000"))
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if v := rc.Get(ctx, prefix+"cursor:bluesky").Val(); v != "1666681809000000" {
		t.Errorf("cursor in Redis: got %q, want the last time_us", v)
	}
	if n := rc.ZCard(ctx, prefix+"ingest:seen:bluesky").Val(); n != 3 {
		t.Errorf("seen set holds %d ids, want 3", n)
	}
}

func TestIngestMastodon(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer masto-test" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/api/v1/streaming/hashtag" || r.URL.Query().Get("tag") != "WhatsApp" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write(testdata(t, "mastodon/public.sse"))
		holdOpen(w, r, ":thump\n\n")
	}))
	defer srv.Close()
	t.Setenv("MASTODON_ACCESS_TOKEN", "masto-test")
	stdout, _, stop := liveIngest(t, "--source", "mastodon", "--mastodon-url", srv.URL, "--mastodon-hashtag", "WhatsApp", "--out", "-")
	stdout.waitUntil(t, "the Mastodon complaints", func(s string) bool {
		return hasMention("whatsapp", "109250000000000002")(s) && hasMention("instagram", "109250000000000004")(s)
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if !strings.Contains(stdout.String(), `"repost_of":"109250000000000001"`) {
		t.Errorf("the boost is not a repost:\n%s", stdout)
	}
}

func TestIngestRSS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"1"`)
		if strings.HasSuffix(r.URL.Path, "atom.xml") {
			w.Write(testdata(t, "feed/atom.xml"))
			return
		}
		w.Write(testdata(t, "feed/rss.xml"))
	}))
	defer srv.Close()
	stdout, _, stop := liveIngest(t, "--source", "rss", "--feed", srv.URL+"/rss.xml", "--feed", srv.URL+"/atom.xml", "--out", "-")
	stdout.waitUntil(t, "the news mentions", func(s string) bool {
		return hasMention("whatsapp", "127.0.0.1:news-63370000")(s) && hasMention("instagram", "tag:wire.example.org,2022:entry-2")(s)
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if !strings.Contains(stdout.String(), `"kind":"news"`) || strings.Contains(stdout.String(), "Quarterly") {
		t.Errorf("want news mentions only for outage items:\n%s", stdout)
	}
}

func TestIngestStatuspage(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/summary.json" {
			http.NotFound(w, r)
			return
		}
		w.Write(testdata(t, "statuspage/summary.json"))
	}))
	defer srv.Close()
	stdout, _, stop := liveIngest(t, "--source", "statuspage", "--statuspage", srv.URL, "--out", "-")
	stdout.waitUntil(t, "the GitHub status posts", func(s string) bool {
		return hasMention("github", "kctbh9vrtdwd:p4r8kf2wq3xz/u2identified01")(s) && hasMention("github", "kctbh9vrtdwd:m7c2zq9bn5vd/a3resolved0001")(s)
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	out := stdout.String()
	if !strings.Contains(out, `"kind":"official"`) || !regexp.MustCompile(`"resolved":true[^\n]*a3resolved0001`).MatchString(out) {
		t.Errorf("want official mentions and the resolved one marked resolved:\n%s", out)
	}
}

func TestIngestHTTPPush(t *testing.T) {
	stdout, stderr, stop := liveIngest(t, "--source", "http", "--listen", "127.0.0.1:0", "--push-token", "tok", "--out", "-")
	re := regexp.MustCompile(`listening on (http://[0-9.:]+)`)
	stderr.waitUntil(t, "the listen address", re.MatchString)
	base := re.FindStringSubmatch(stderr.String())[1]
	body := `{"id":"h1","source":"http","author":"ops","text":"Slack is down for our whole team","created_at":"2022-10-25T07:10:00Z"}
{"id":"h2","source":"http","author":"ops","text":"no time"}
`
	req, _ := http.NewRequest(http.MethodPost, base+"/v1/posts", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	answer, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(answer), `"accepted":1`) || !strings.Contains(string(answer), `"line":2`) {
		t.Errorf("got %d %s, want 200 with line 2 rejected", resp.StatusCode, answer)
	}
	stdout.waitUntil(t, "the pushed complaint", hasMention("slack", "h1"))
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
}

// TestIngestRSSFormatsInTheWild: the documented feed variants of
// ingest/testdata/feed, through `downwatch ingest --source rss --out -`.
func TestIngestRSSFormatsInTheWild(t *testing.T) {
	files := []string{"rss1-rdf.xml", "rss2-description-only.xml", "atom-xhtml.xml", "atom03.xml", "jsonfeed.json", "cp1252-undeclared.xml"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(testdata(t, "feed/"+strings.TrimPrefix(r.URL.Path, "/")))
	}))
	defer srv.Close()
	args := []string{"--source", "rss", "--out", "-"}
	for _, f := range files {
		args = append(args, "--feed", srv.URL+"/"+f)
	}
	stdout, stderr, stop := liveIngest(t, args...)
	want := []func(string) bool{
		hasMention("whatsapp", "http://xml.com/pub/2022/10/25/whatsapp.html"),                     // RSS 1.0
		hasMention("gmail", "127.0.0.1:note-2"),                                                   // RSS 2.0, description only, EST
		hasMention("discord", "tag:diveintomark.org,2022:3.2397"),                                 // Atom 0.3
		hasMention("slack", "127.0.0.1:2"),                                                        // JSON Feed
		hasMention("whatsapp", "https://desk.example/wa"),                                         // windows-1252, undeclared
		func(s string) bool { return strings.Contains(s, `"created_at":"2022-10-25T07:30:00Z"`) }, // PDT read as -7
	}
	stdout.waitUntil(t, "a mention from every feed format", func(s string) bool {
		for _, ok := range want {
			if !ok(s) {
				return false
			}
		}
		return true
	})
	if c := stop(); c != 0 {
		t.Errorf("exit code %d, want 0", c)
	}
	if strings.Contains(stderr.String(), "bad-feed") || strings.Contains(stdout.String(), "127.0.0.1:127.0.0.1") {
		t.Errorf("a feed was unreadable or an id carries the host twice:\n%s\n%s", stderr, stdout)
	}
}
