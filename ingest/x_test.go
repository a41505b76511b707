package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// xServer replays the stream fixture. The first connection is cut after cut
// lines (0: never); later ones replay the whole fixture (overlap), then hold
// the connection open with keep-alives until the client goes.
type xServer struct {
	*httptest.Server
	streamConns atomic.Int32
	mu          sync.Mutex
	rulesPosts  []string
	status      int    // answer every stream request with this status (0: 200)
	header      string // extra header "k: v" with status
	addAnswer   []byte // the rules endpoint's answer to a POST (nil: all created)
	// compliance holds each compliance partition's lines, sent once release
	// is closed; complianceQueries the queries it was asked.
	compliance        map[string][]byte
	release           chan struct{}
	complianceStatus  int
	complianceQueries []string
}

func newXServer(t *testing.T, stream []byte, cut int) *xServer {
	s := &xServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer test-token" {
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"}`)
			return
		}
		switch r.URL.Path {
		case "/2/tweets/search/stream/rules":
			if r.Method == http.MethodGet {
				w.Write(fixture(t, "x/rules.json"))
				return
			}
			b, _ := io.ReadAll(r.Body)
			s.mu.Lock()
			s.rulesPosts = append(s.rulesPosts, string(b))
			s.mu.Unlock()
			if s.addAnswer != nil && strings.Contains(string(b), `"add"`) {
				w.Write(s.addAnswer)
				return
			}
			io.WriteString(w, `{"meta":{"sent":"2022-10-25T07:00:00.000Z","summary":{"created":1,"not_created":0,"valid":1,"invalid":0}}}`)
		case "/2/tweets/search/stream":
			if !strings.Contains(r.URL.RawQuery, "expansions=author_id") {
				t.Errorf("stream query %q lacks the expansions", r.URL.RawQuery)
			}
			n := s.streamConns.Add(1)
			if s.status != 0 {
				if k, v, ok := strings.Cut(s.header, ": "); ok {
					w.Header().Set(k, v)
				}
				w.WriteHeader(s.status)
				io.WriteString(w, `{"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429}`)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fl := w.(http.Flusher)
			for i, l := range lines(stream) {
				if n == 1 && cut > 0 && i == cut {
					return // drop the connection mid-stream
				}
				w.Write(l)
				fl.Flush()
			}
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
					io.WriteString(w, "\r\n")
					fl.Flush()
				}
			}
		case "/2/tweets/compliance/stream":
			s.mu.Lock()
			s.complianceQueries = append(s.complianceQueries, r.URL.RawQuery)
			body, status := s.compliance[r.URL.Query().Get("partition")], s.complianceStatus
			s.mu.Unlock()
			if status != 0 {
				w.WriteHeader(status)
				io.WriteString(w, `{"title":"Client Forbidden","detail":"This request must be made using an approved developer account","type":"https://api.twitter.com/2/problems/client-forbidden","reason":"client-not-enrolled"}`)
				return
			}
			fl := w.(http.Flusher)
			io.WriteString(w, "\r\n")
			fl.Flush()
			select {
			case <-s.release:
			case <-r.Context().Done():
				return
			}
			w.Write(body)
			fl.Flush()
			for {
				select {
				case <-r.Context().Done():
					return
				case <-time.After(20 * time.Millisecond):
					io.WriteString(w, "\r\n")
					fl.Flush()
				}
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

func TestXStreamMapsPosts(t *testing.T) {
	srv := newXServer(t, fixture(t, "x/stream.txt"), 0)
	x, err := NewX(XConfig{BaseURL: srv.URL, Token: "test-token"})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipe(t, x)
	got := pp.rec.waitFor(t, 4, 10*time.Second)
	want := []downwatch.Post{
		{ID: "1584800000000000001", Source: "x", Author: "priya_k", Lang: "en", Country: "IN", AuthorFollowers: 312,
			Text: "WhatsApp is down for me, can't send any messages #WhatsAppDown", CreatedAt: time.Date(2022, 10, 25, 7, 10, 3, 0, time.UTC),
			URL: "https://x.com/priya_k/status/1584800000000000001"},
		{ID: "1584800000000000002", Source: "x", Author: "tomr", Lang: "en", AuthorVerified: true, AuthorFollowers: 120, RepostOf: "1584800000000000001",
			Text: "RT @priya_k: WhatsApp is down for me, can't send any messages #WhatsAppDown", CreatedAt: time.Date(2022, 10, 25, 7, 10, 9, 0, time.UTC),
			URL: "https://x.com/tomr/status/1584800000000000002"},
		{ID: "1584800000000000003", Source: "x", Author: "ANI", Lang: "en", AuthorVerified: true, AuthorFollowers: 8500000,
			Text:      `#UPDATE | "We're aware that some people are currently having trouble sending messages and we're working to restore WhatsApp for everyone as quickly as possible," says Meta Company Spokesperson`,
			CreatedAt: time.Date(2022, 10, 25, 8, 5, 0, 0, time.UTC), URL: "https://x.com/ANI/status/1584800000000000003"},
		{ID: "1584800000000000004", Source: "x", Author: "priya_k", Lang: "en", AuthorFollowers: 312, ReplyTo: "1584800000000000002",
			Text: "@tomr same here, WhatsApp not working in Pune either", CreatedAt: time.Date(2022, 10, 25, 8, 6, 30, 0, time.UTC),
			URL: "https://x.com/priya_k/status/1584800000000000004"},
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("post %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
	if r := pp.p.Stats.Rejected.Load(); r != 1 {
		t.Errorf("got %d rejected, want 1 (the cut-off line)", r)
	}
	if !strings.Contains(pp.dl.String(), `"source":"x"`) {
		t.Errorf("dead letters %q lack the malformed line", pp.dl.String())
	}
}

func TestXReconnectsMidStreamWithoutLossOrDuplicates(t *testing.T) {
	srv := newXServer(t, fixture(t, "x/stream.txt"), 3)
	x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "test-token"})
	pp := runPipe(t, x)
	got := pp.rec.waitFor(t, 4, 10*time.Second)
	seen := map[string]int{}
	for _, p := range got {
		seen[p.ID]++
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("post %s delivered %d times, want once", id, n)
		}
	}
	if len(seen) != 4 {
		t.Errorf("got posts %v, want the 4 of the fixture", ids(got))
	}
	if n := srv.streamConns.Load(); n < 2 {
		t.Errorf("got %d stream connections, want a reconnect", n)
	}
	if pp.p.Stats.Reconnects.Load() < 1 || pp.p.Stats.Duplicates.Load() < 1 {
		t.Errorf("got %d reconnects, %d duplicates; want both > 0", pp.p.Stats.Reconnects.Load(), pp.p.Stats.Duplicates.Load())
	}
}

func TestXUnauthorizedIsFatalAndNamesTheVariable(t *testing.T) {
	srv := newXServer(t, fixture(t, "x/stream.txt"), 0)
	x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "wrong"})
	p := New(Config{Logger: discard()}, everything{}, newRecorder())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := p.Run(ctx, x)
	if err == nil || !errors.Is(err, ErrFatal) || !strings.Contains(err.Error(), "X_BEARER_TOKEN") {
		t.Fatalf("got %v, want a fatal error naming X_BEARER_TOKEN", err)
	}
	if n := srv.streamConns.Load(); n != 0 {
		t.Errorf("got %d stream requests after a 401 on rules, want none", n)
	}
	if _, err := NewX(XConfig{}); err == nil || !strings.Contains(err.Error(), "set X_BEARER_TOKEN") {
		t.Errorf("no token: got %v, want advice to set X_BEARER_TOKEN", err)
	}
}

func TestXRateLimitWaitsForReset(t *testing.T) {
	now := time.Unix(1666681800, 0)
	for _, tc := range []struct {
		name, header string
		want         time.Duration
	}{
		{"x-rate-limit-reset", fmt.Sprintf("x-rate-limit-reset: %d", now.Add(90*time.Second).Unix()), 90 * time.Second},
		{"Retry-After", "Retry-After: 30", 30 * time.Second},
		{"none", "", time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newXServer(t, nil, 0)
			srv.status, srv.header = http.StatusTooManyRequests, tc.header
			x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "test-token", Now: func() time.Time { return now }})
			err := x.Connect(context.Background())
			var re *RetryError
			if !errors.As(err, &re) || !errors.Is(err, ErrReconnect) {
				t.Fatalf("got %v, want a *RetryError", err)
			}
			if re.After != tc.want {
				t.Errorf("got wait %v, want %v", re.After, tc.want)
			}
		})
	}
}

func TestXServerErrorsBackOffExponentially(t *testing.T) {
	srv := newXServer(t, nil, 0)
	srv.status = http.StatusServiceUnavailable
	x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "test-token"})
	var waits []time.Duration
	for range 3 {
		var re *RetryError
		if err := x.Connect(context.Background()); !errors.As(err, &re) {
			t.Fatalf("got %v, want a *RetryError", err)
		}
		waits = append(waits, re.After)
	}
	want := []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second}
	for i := range want {
		if waits[i] != want[i] {
			t.Errorf("wait %d: got %v, want %v", i, waits[i], want[i])
		}
	}
}

func TestXStallIsADeadConnection(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		<-r.Context().Done() // never a byte, not even a keep-alive
	}))
	defer srv.Close()
	x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "t", StallTimeout: 50 * time.Millisecond})
	if err := x.Connect(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer x.Close(context.Background())
	_, err := x.Read(context.Background())
	if !errors.Is(err, ErrReconnect) || !strings.Contains(err.Error(), "no data or keep-alive") {
		t.Fatalf("got %v, want a reconnect after the stall", err)
	}
}

func TestXOperationalDisconnectReconnects(t *testing.T) {
	_, err := decodeXLine(fixture(t, "x/disconnect.txt"))
	if !errors.Is(err, errXDisconnect) {
		t.Fatalf("got %v, want errXDisconnect", err)
	}
}

func TestXRulesSync(t *testing.T) {
	srv := newXServer(t, nil, 0)
	x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "test-token", Rules: []XRule{
		{Value: "(#WhatsAppDown OR #FacebookDown)", Tag: "downwatch:whatsapp,facebook"},
	}})
	if err := x.SyncRules(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`{"delete":{"ids":["1585000000000000001"]}}`,
		`{"add":[{"value":"(#WhatsAppDown OR #FacebookDown)","tag":"downwatch:whatsapp,facebook"}]}`,
	}
	if fmt.Sprint(srv.rulesPosts) != fmt.Sprint(want) {
		t.Errorf("rule changes:\n got %v\nwant %v (the foreign rule untouched)", srv.rulesPosts, want)
	}
}

func TestXRulesFitTheLimits(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name           string
		rules, maxLen  int
		wantAllPresent bool
	}{
		{"basic", 25, 512, false},
		{"pro", 1000, 1024, true},
		{"tiny", 2, 120, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rules, dropped := XRules(cat, XRulesConfig{MaxRules: tc.rules, MaxLen: tc.maxLen})
			if len(rules) > tc.rules {
				t.Errorf("got %d rules, limit %d", len(rules), tc.rules)
			}
			all := ""
			for _, r := range rules {
				if n := len([]rune(r.Value)); n > tc.maxLen {
					t.Errorf("rule of %d chars over %d: %s", n, tc.maxLen, r.Value)
				}
				if !strings.HasPrefix(r.Tag, XRuleTagPrefix) {
					t.Errorf("tag %q lacks %q", r.Tag, XRuleTagPrefix)
				}
				if strings.Count(r.Value, `"`)%2 != 0 {
					t.Errorf("unbalanced quotes: %s", r.Value)
				}
				all += r.Value + "\n"
			}
			if !strings.Contains(all, "#WhatsAppDown") || !strings.Contains(all, "WhatsApp") {
				t.Errorf("rules lack WhatsApp:\n%s", all)
			}
			if tc.wantAllPresent && dropped != 0 {
				t.Errorf("got %d terms dropped with Pro limits, want 0", dropped)
			}
		})
	}
}

func TestXLineDecodeTable(t *testing.T) {
	for _, tc := range []struct {
		name, line, reason string
	}{
		{"not json", `{"data":`, "bad-json"},
		{"data array", `{"data":[{"id":"1","text":"x","created_at":"2022-10-25T07:00:00Z","author_id":"1"}]}`, "wrong-type"},
		{"no data", `{"includes":{}}`, "missing-field"},
		{"no id", `{"data":{"text":"x","created_at":"2022-10-25T07:00:00Z","author_id":"1"}}`, "missing-field"},
		{"bad time", `{"data":{"id":"1","text":"x","created_at":"yesterday","author_id":"1"}}`, "bad-time"},
		{"no author", `{"data":{"id":"1","text":"x","created_at":"2022-10-25T07:00:00Z"}}`, "missing-field"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeXLine([]byte(tc.line))
			var re *downwatch.RejectError
			if !errors.As(err, &re) || re.Reason != tc.reason {
				t.Errorf("got %v, want reason %s", err, tc.reason)
			}
			if err != nil && (strings.Contains(err.Error(), "struct") || strings.Contains(err.Error(), "Go ")) {
				t.Errorf("the reason names a Go type: %v", err)
			}
		})
	}
	var raw map[string]any
	if err := json.Unmarshal(fixture(t, "x/rules.json"), &raw); err != nil {
		t.Fatal(err)
	}
}

func TestXDuplicateRuleIsAdopted(t *testing.T) {
	srv := newXServer(t, nil, 0)
	srv.addAnswer = fixture(t, "x/rules-duplicate.json")
	x, _ := NewX(XConfig{BaseURL: srv.URL, Token: "test-token", Logger: discard(), Rules: []XRule{
		{Value: "(#WhatsAppDown OR #FacebookDown)", Tag: "downwatch:whatsapp,facebook"},
	}})
	if err := x.SyncRules(context.Background()); err != nil {
		t.Errorf("a DuplicateRule answer: %v, want the existing rule adopted", err)
	}
	srv.addAnswer = []byte(`{"meta":{"summary":{"created":0,"not_created":1,"invalid":1}},"errors":[{"value":"x","title":"RuleLengthExceeded","detail":"too long"}]}`)
	if err := x.SyncRules(context.Background()); !errors.Is(err, ErrFatal) {
		t.Errorf("any other refusal: %v, want it fatal", err)
	}
}

func TestXRetweetTextForm(t *testing.T) {
	for text, want := range map[string]string{
		"RT @WhatsApp: We're aware some people are having trouble": "@WhatsApp",
		"RT @a_b9: down":          "@a_b9",
		"RTs are down":            "",
		"RT @not a handle: x":     "",
		"WhatsApp down RT @x: no": "",
	} {
		line := fmt.Sprintf(`{"data":{"id":"1","text":%q,"created_at":"2022-10-25T07:00:00Z","author_id":"9"},"includes":{"users":[{"id":"9","username":"u"}]}}`, text)
		p, err := decodeXLine([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if p.RepostOf != want {
			t.Errorf("%q: repost_of %q, want %q", text, p.RepostOf, want)
		}
	}
}

// X's compliance events (testdata/x/compliance.txt, in the formats of X's
// "Compliance Data Objects": the v2 stream's {"data":{"delete":…}} and the
// compliance firehose's bare {"delete":…}) take posts back: a delete and a drop
// retract the post, a tweet_edit the earlier versions of its chain (the new
// version comes as a post of its own); undrop and withheld change nothing.
func TestXComplianceEventsRetract(t *testing.T) {
	srv := newXServer(t, fixture(t, "x/compliance.txt"), 0)
	x, err := NewX(XConfig{BaseURL: srv.URL, Token: "test-token"})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipeMatch(t, x, downMatcher{})
	got := pp.rec.waitFor(t, 5, 10*time.Second)
	if want := []string{"1585100000000000001", "1585100000000000002", "1585100000000000003", "1585100000000000005", "1585100000000000006"}; !slices.Equal(ids(got), want) {
		t.Errorf("posts %v, want %v", ids(got), want)
	}
	rs := pp.rec.retracted()
	want := []retracted{{"whatsapp", "1585100000000000001"}, {"instagram", "1585100000000000002"}, {"whatsapp", "1585100000000000003"}}
	if !slices.Equal(retractsOf(rs), want) {
		t.Fatalf("retracts %v, want %v", retractsOf(rs), want)
	}
	if at := rs[0].Post.CreatedAt; !at.Equal(time.Date(2022, 10, 25, 7, 20, 0, 123e6, time.UTC)) || rs[0].Post.Source != "x" || rs[0].Post.Author != "" {
		t.Errorf("delete retract %+v, want source x, no author, at the event_at", rs[0].Post)
	}
	if n := pp.p.Stats.Retracted.Load(); n != 4 {
		t.Errorf("%d retractions read, want 4 (two deletes, one edit, the drop of an unseen post)", n)
	}
	if r := pp.p.Stats.Rejected.Load(); r != 0 {
		t.Errorf("%d records rejected, want 0: %s", r, pp.dl.String())
	}
}

func TestXComplianceDecodeTable(t *testing.T) {
	for _, tc := range []struct {
		name, line string
		want       []string // ids taken back; nil: not a compliance event
		reject     string
	}{
		{"v2 delete", `{"data":{"delete":{"tweet":{"id":"1","author_id":"9"},"event_at":"2022-12-23T12:34:56.789Z"}}}`, []string{"1"}, ""},
		{"firehose delete", `{"delete":{"tweet":{"id":"2","author_id":"9"},"event_at":"2022-12-23T12:34:56.789Z"}}`, []string{"2"}, ""},
		{"drop", `{"data":{"drop":{"tweet":{"id":"3","author_id":"9"},"event_at":"2022-12-23T12:34:56.789Z"}}}`, []string{"3"}, ""},
		{"edit chain", `{"data":{"tweet_edit":{"tweet":{"id":"6","author_id":"9"},"initial_tweet_id":"4","edit_tweet_ids":["4","5","6"],"event_at":"2022-12-23T12:34:56.789Z"}}}`, []string{"4", "5"}, ""},
		{"undrop", `{"data":{"undrop":{"tweet":{"id":"3","author_id":"9"},"event_at":"2022-12-23T12:34:56.789Z"}}}`, []string{}, ""},
		{"no id", `{"data":{"delete":{"tweet":{"author_id":"9"},"event_at":"2022-12-23T12:34:56.789Z"}}}`, nil, "missing-field"},
		{"bad time", `{"delete":{"tweet":{"id":"1"},"event_at":"yesterday"}}`, nil, "bad-time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := decodeXLine([]byte(tc.line))
			var re *downwatch.RejectError
			if tc.reject != "" {
				if !errors.As(err, &re) || re.Reason != tc.reject {
					t.Fatalf("got %v, want a %s rejection", err, tc.reject)
				}
				return
			}
			rs, ok := err.(xRetractions)
			if !ok {
				t.Fatalf("got %v, want a compliance event", err)
			}
			got := []string{}
			for _, r := range rs {
				if r.Source != "x" || r.Edited != nil || r.At.IsZero() {
					t.Errorf("retraction %+v, want source x, a delete, at event_at", r)
				}
				got = append(got, r.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("took back %v, want %v", got, tc.want)
			}
		})
	}
}

// With XConfig.Compliance the source also reads those partitions of X's
// compliance stream (GET /2/tweets/compliance/stream?partition=N, asking for
// the last 5 minutes again), and what they take back is retracted.
func TestXCompliancePartitionsRetract(t *testing.T) {
	posts := bytes.Join(lines(fixture(t, "x/compliance.txt"))[:3], nil)
	srv := newXServer(t, posts, 0)
	srv.release = make(chan struct{})
	srv.compliance = map[string][]byte{
		"1": []byte(`{"data":{"delete":{"tweet":{"id":"1585100000000000001","author_id":"100"},"event_at":"2022-10-25T07:20:00.000Z"}}}` + "\n"),
		"2": []byte(`{"data":{"tweet_edit":{"tweet":{"id":"1585100000000000005","author_id":"300"},"initial_tweet_id":"1585100000000000003","edit_tweet_ids":["1585100000000000003","1585100000000000005"],"event_at":"2022-10-25T07:22:00.000Z"}}}` + "\n" +
			`{"data":{"undrop":{"tweet":{"id":"1585100000000000002","author_id":"200"},"event_at":"2022-10-25T07:23:00.000Z"}}}` + "\n"),
	}
	x, err := NewX(XConfig{BaseURL: srv.URL, Token: "test-token", Compliance: []int{1, 2}})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipeMatch(t, x, downMatcher{})
	pp.rec.waitFor(t, 3, 10*time.Second)
	close(srv.release) // the posts are read: now take two of them back
	rs := pp.rec.waitForRetracts(t, 2, 10*time.Second)
	got := retractsOf(rs)
	slices.SortFunc(got, func(a, b retracted) int { return strings.Compare(a.id, b.id) })
	if want := []retracted{{"whatsapp", "1585100000000000001"}, {"whatsapp", "1585100000000000003"}}; !slices.Equal(got, want) {
		t.Errorf("retracts %v, want %v", got, want)
	}
	srv.mu.Lock()
	qs := slices.Sorted(slices.Values(srv.complianceQueries))
	srv.mu.Unlock()
	if want := []string{"partition=1&backfill_minutes=5", "partition=2&backfill_minutes=5"}; !slices.Equal(qs, want) {
		t.Errorf("compliance queries %q, want %q", qs, want)
	}
}

// Without Enterprise access the compliance stream answers 403: fatal, saying so.
func TestXComplianceWithoutAccessIsFatal(t *testing.T) {
	srv := newXServer(t, fixture(t, "x/stream.txt"), 0)
	srv.complianceStatus = http.StatusForbidden
	x, err := NewX(XConfig{BaseURL: srv.URL, Token: "test-token", Compliance: []int{1}})
	if err != nil {
		t.Fatal(err)
	}
	err = x.Connect(context.Background())
	if !errors.Is(err, ErrFatal) || !strings.Contains(err.Error(), "Enterprise") {
		t.Errorf("got %v, want a fatal error naming Enterprise access", err)
	}
	if _, err := NewX(XConfig{Token: "t", Compliance: []int{5}}); err == nil {
		t.Error("partition 5 accepted; X has 1 to 4")
	}
}
