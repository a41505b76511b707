package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

// testStore is a real Redis under a fresh prefix (storetest).
func testStore(t *testing.T) *store.Redis { return storetest.Open(t) }

var t0 = time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)

func alert(typ string, rev int) downwatch.Alert {
	inc := downwatch.Incident{
		ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateOpen,
		StartedAt: t0, DetectedAt: t0.Add(3 * time.Minute), PeakPerMin: 41, Mentions: 63, Authors: 58,
		Languages: map[string]int{"en": 21, "hi": 17}, Countries: map[string]int{"IN": 31, "IT": 6},
		Symptoms: []string{"send-messages"}, Revision: rev, UpdatedAt: t0.Add(time.Duration(rev) * time.Minute),
		Evidence: &downwatch.Evidence{Window: "2m", Observed: 37, Expected: 1.8, PValue: 3.2e-31, Baseline: 0.9},
		SamplePosts: []downwatch.Post{{ID: "1", Source: "x", Author: "mallory", CreatedAt: t0,
			Text: "<!channel> <https://evil.example|click> & whatsapp down"}},
	}
	if typ == downwatch.AlertResolved {
		inc.State = downwatch.StateResolved
		r := t0.Add(2 * time.Hour)
		inc.ResolvedAt = &r
	}
	return downwatch.Alert{Type: typ, At: inc.UpdatedAt, Incident: inc}
}

// receiver is a webhook endpoint that records requests and answers from a script.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []request
	status []int // answers in order; 200 once exhausted
	header http.Header
	reply  string // the body of every answer
	seen   chan request
}

type request struct {
	body   []byte
	header http.Header
}

func newReceiver(t *testing.T, status ...int) *receiver {
	r := &receiver{status: status, seen: make(chan request, 100)}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		code := http.StatusOK
		if len(r.got) < len(r.status) {
			code = r.status[len(r.got)]
		}
		rq := request{b, req.Header.Clone()}
		r.got = append(r.got, rq)
		h, reply := r.header, r.reply
		r.mu.Unlock()
		for k, v := range h {
			w.Header()[k] = v
		}
		w.WriteHeader(code)
		io.WriteString(w, reply)
		if code/100 == 2 {
			r.seen <- rq
		}
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

// wait returns the next successfully answered request.
func (r *receiver) wait(t *testing.T) request {
	t.Helper()
	select {
	case rq := <-r.seen:
		return rq
	case <-time.After(10 * time.Second):
		t.Fatal("no delivery within 10s")
		return request{}
	}
}

// waitCursor waits until every sink of d has handled the alert with stream id.
func waitCursor(t *testing.T, d *Dispatcher, st *store.Redis, id string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		ok := true
		for _, s := range d.sinks {
			got, _ := st.Client().Get(context.Background(), st.Prefix()+"notify:"+s.hash+":cursor").Result()
			if got != id {
				ok = false
			}
		}
		if ok {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("cursor did not reach %s", id)
}

// start runs a dispatcher until the returned stop is called, and waits until
// every sink has its cursor, so alerts saved afterwards are delivered.
func start(t *testing.T, st *store.Redis, cfg Config) *running {
	t.Helper()
	if cfg.InitialBackoff == 0 {
		cfg.InitialBackoff = time.Millisecond
	}
	d, err := New(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var waits []time.Duration
	var mu sync.Mutex
	d.sleep = func(ctx context.Context, dur time.Duration) error {
		mu.Lock()
		waits = append(waits, dur)
		mu.Unlock()
		return sleepCtx(ctx, min(dur, 5*time.Millisecond))
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { d.Run(ctx); close(done) }()
	for _, s := range d.sinks {
		deadline := time.Now().Add(5 * time.Second)
		for st.Client().Exists(ctx, st.Prefix()+"notify:"+s.hash+":cursor").Val() == 0 {
			if time.Now().After(deadline) {
				t.Fatal("dispatcher did not store its cursor")
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
	r := &running{Dispatcher: d, stop: func() { cancel(); <-done }}
	r.waits = func() []time.Duration { mu.Lock(); defer mu.Unlock(); return append([]time.Duration(nil), waits...) }
	t.Cleanup(r.stop)
	return r
}

// running is a dispatcher started by start.
type running struct {
	*Dispatcher
	stop  func()
	waits func() []time.Duration // the backoffs it asked for
}

func save(t *testing.T, st *store.Redis, as ...downwatch.Alert) string {
	t.Helper()
	if err := storetest.Alerts(context.Background(), st, as...); err != nil {
		t.Fatal(err)
	}
	id, err := st.LastAlertID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSignedJSONBody(t *testing.T) {
	st := testStore(t)
	rcv := newReceiver(t)
	start(t, st, Config{Sinks: []Sink{{URL: rcv.URL + "/hook", Secret: "s3cret"}}})
	a := alert(downwatch.AlertOpened, 1)
	save(t, st, a)
	rq := rcv.wait(t)

	if got, want := rq.header.Get(HeaderSignature), Sign("s3cret", rq.body); got != want {
		t.Errorf("signature: got %q, want %q", got, want)
	}
	if !Verify("s3cret", rq.body, rq.header.Get(HeaderSignature)) {
		t.Error("Verify rejects the signature it made")
	}
	if Verify("other", rq.body, rq.header.Get(HeaderSignature)) {
		t.Error("Verify accepts a signature made with another secret")
	}
	for h, want := range map[string]string{
		HeaderEvent: "incident.opened", HeaderDelivery: "whatsapp.20221025T0705Z@1", "Content-Type": "application/json",
	} {
		if got := rq.header.Get(h); got != want {
			t.Errorf("header %s: got %q, want %q", h, got, want)
		}
	}
	var got downwatch.Alert
	if err := json.Unmarshal(rq.body, &got); err != nil {
		t.Fatalf("body is not alert JSON: %v\n%s", err, rq.body)
	}
	if got.Type != a.Type || got.Incident.ID != a.Incident.ID || got.Incident.Revision != 1 || !got.At.Equal(a.At) {
		t.Errorf("body: got %s %s rev %d, want %s %s rev 1", got.Type, got.Incident.ID, got.Incident.Revision, a.Type, a.Incident.ID)
	}
}

func TestKnownSignature(t *testing.T) {
	// The value any HMAC-SHA256 implementation gives (RFC 4231 style check).
	got := Sign("key", []byte("The quick brown fox jumps over the lazy dog"))
	want := "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
	if got != want {
		t.Errorf("Sign: got %s, want %s", got, want)
	}
}

func TestRetries(t *testing.T) {
	st := testStore(t)
	rcv := newReceiver(t, 500, 500, 200)
	d := start(t, st, Config{Sinks: []Sink{{URL: rcv.URL}}, InitialBackoff: 100 * time.Millisecond})
	save(t, st, alert(downwatch.AlertOpened, 1))
	rcv.wait(t)
	if got := rcv.count(); got != 3 {
		t.Errorf("attempts: got %d, want 3 (500, 500, 200)", got)
	}
	waits := d.waits()
	want := []time.Duration{100 * time.Millisecond, 200 * time.Millisecond}
	if fmt.Sprint(waits) != fmt.Sprint(want) {
		t.Errorf("backoff: got %v, want %v", waits, want)
	}
}

func TestRetryAfter(t *testing.T) {
	st := testStore(t)
	rcv := newReceiver(t, 429, 200)
	rcv.header = http.Header{"Retry-After": {"7"}}
	d := start(t, st, Config{Sinks: []Sink{{URL: rcv.URL}}})
	save(t, st, alert(downwatch.AlertOpened, 1))
	rcv.wait(t)
	if got := d.waits(); len(got) != 1 || got[0] != 7*time.Second {
		t.Errorf("waits: got %v, want [7s] from Retry-After", got)
	}
}

func TestGiveUp(t *testing.T) {
	tests := []struct {
		name         string
		status       []int
		wantAttempts int
	}{
		{"permanent 400 is not retried", []int{400}, 1},
		{"bounded attempts on 503", []int{503, 503, 503, 503, 503}, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := testStore(t)
			rcv := newReceiver(t, tc.status...)
			d := start(t, st, Config{Sinks: []Sink{{URL: rcv.URL}}, MaxAttempts: 3})
			id := save(t, st, alert(downwatch.AlertOpened, 1))
			waitCursor(t, d.Dispatcher, st, id)
			if got := rcv.count(); got != tc.wantAttempts {
				t.Errorf("attempts: got %d, want %d", got, tc.wantAttempts)
			}
			// The next change of the incident is delivered as usual.
			save(t, st, alert(downwatch.AlertUpdated, 2))
			if rq := rcv.wait(t); rq.header.Get(HeaderDelivery) != "whatsapp.20221025T0705Z@2" {
				t.Errorf("next delivery: got %s, want revision 2", rq.header.Get(HeaderDelivery))
			}
		})
	}
}

func TestDedupAndRestart(t *testing.T) {
	st := testStore(t)
	rcv := newReceiver(t)
	cfg := Config{Sinks: []Sink{{URL: rcv.URL}}}
	d := start(t, st, cfg)

	// The same revision published twice is delivered once.
	save(t, st, alert(downwatch.AlertOpened, 1))
	id := save(t, st, alert(downwatch.AlertOpened, 1))
	waitCursor(t, d.Dispatcher, st, id)
	if got := rcv.count(); got != 1 {
		t.Fatalf("deliveries of one revision published twice: got %d, want 1", got)
	}
	<-rcv.seen

	// A restarted dispatcher delivers nothing again...
	d.stop()
	d = start(t, st, cfg)
	id = save(t, st, alert(downwatch.AlertOpened, 1))
	waitCursor(t, d.Dispatcher, st, id)
	if got := rcv.count(); got != 1 {
		t.Fatalf("deliveries after a restart: got %d, want still 1", got)
	}
	d.stop()

	// ...and catches up with what was published while it was down, in order.
	save(t, st, alert(downwatch.AlertAcknowledged, 2))
	id = save(t, st, alert(downwatch.AlertResolved, 3))
	d = start(t, st, cfg)
	for _, want := range []string{"whatsapp.20221025T0705Z@2", "whatsapp.20221025T0705Z@3"} {
		if got := rcv.wait(t).header.Get(HeaderDelivery); got != want {
			t.Errorf("catch-up delivery: got %s, want %s", got, want)
		}
	}
	waitCursor(t, d.Dispatcher, st, id)
	// The notification log holds the delivered changes with a wall-clock TTL.
	key := st.Prefix() + "notify:" + SinkHash(rcv.URL)
	if got := st.Client().ZCard(context.Background(), key).Val(); got != 3 {
		t.Errorf("notification log entries: got %d, want 3", got)
	}
	if ttl := st.Client().TTL(context.Background(), key).Val(); ttl < 6*24*time.Hour {
		t.Errorf("notification log TTL: got %v, want about 7 days", ttl)
	}
}

func TestEventsFilterAndIndependentSinks(t *testing.T) {
	st := testStore(t)
	all, opened := newReceiver(t), newReceiver(t)
	d := start(t, st, Config{Sinks: []Sink{
		{URL: all.URL},
		{URL: opened.URL, Events: []string{downwatch.AlertOpened}},
	}})
	save(t, st, alert(downwatch.AlertOpened, 1))
	id := save(t, st, alert(downwatch.AlertUpdated, 2))
	waitCursor(t, d.Dispatcher, st, id)
	if all.count() != 2 || opened.count() != 1 {
		t.Errorf("deliveries: got all=%d opened-only=%d, want 2 and 1", all.count(), opened.count())
	}
}

func TestSlackBody(t *testing.T) {
	st := testStore(t)
	rcv := newReceiver(t)
	start(t, st, Config{
		Sinks:        []Sink{{URL: rcv.URL, Format: FormatSlack}},
		DashboardURL: "https://dw.example.com/",
		ServiceName:  func(string) string { return "WhatsApp" },
	})
	save(t, st, alert(downwatch.AlertOpened, 1))
	rq := rcv.wait(t)
	var msg struct {
		Text   string           `json:"text"`
		Blocks []map[string]any `json:"blocks"`
	}
	if err := json.Unmarshal(rq.body, &msg); err != nil {
		t.Fatalf("Slack body is not JSON: %v", err)
	}
	for _, want := range []string{"WhatsApp incident opened (global)", "58 people complaining", "<https://dw.example.com/incidents/whatsapp.20221025T0705Z|details>"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("text %q lacks %q", msg.Text, want)
		}
	}
	types := []string{}
	for _, b := range msg.Blocks {
		types = append(types, b["type"].(string))
	}
	if got, want := strings.Join(types, ","), "header,section,section,context,actions"; got != want {
		t.Errorf("block types: got %s, want %s", got, want)
	}
	body := string(rq.body)
	if strings.Contains(body, `\u003c`) {
		t.Errorf("Slack body has HTML-escaped JSON; want plain characters: %s", body)
	}
	if strings.Contains(body, "<!channel>") || strings.Contains(body, "<https://evil") {
		t.Errorf("post text reached Slack unescaped: %s", body)
	}
	if !strings.Contains(body, "&lt;!channel&gt;") {
		t.Errorf("post text not escaped for mrkdwn: %s", body)
	}
	if !strings.Contains(body, "37 distinct complainers in 2m") {
		t.Errorf("no evidence in Slack message: %s", body)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no sinks", Config{}, "no sinks"},
		{"not http", Config{Sinks: []Sink{{URL: "ftp://x"}}}, "not an http(s) URL"},
		{"bad format", Config{Sinks: []Sink{{URL: "http://x", Format: "xml"}}}, "unknown format"},
		{"bad event", Config{Sinks: []Sink{{URL: "http://x", Events: []string{"opened"}}}}, "unknown event"},
		{"twice", Config{Sinks: []Sink{{URL: "http://x"}, {URL: "http://x"}}}, "given twice"},
		{"secret path not echoed", Config{Sinks: []Sink{{URL: "https://hooks.slack.com/services/SECRET", Format: "x"}}}, "https://hooks.slack.com/…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), "SECRET") {
				t.Errorf("error reveals the URL's secret path: %v", err)
			}
		})
	}
}

func TestRetryAfterParse(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"3", 3 * time.Second}, {"-1", 0}, {"soon", 0},
		{"Wed, 01 Jan 2025 00:00:30 GMT", 30 * time.Second},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.in, now); got != tc.want {
			t.Errorf("retryAfter(%q): got %v, want %v", tc.in, got, tc.want)
		}
	}
}
