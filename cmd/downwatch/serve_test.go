package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

func TestServeRefusesOpenNonLoopback(t *testing.T) {
	t.Setenv("DOWNWATCH_AUTH_TOKEN", "")
	var out, errb bytes.Buffer
	code := run([]string{"serve", "--http", "0.0.0.0:0"}, nil, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "--insecure-no-auth") {
		t.Errorf("serve on 0.0.0.0 without a token: exit %d, stderr %q; want 1 and the reason", code, errb.String())
	}
}

// syncBuffer is a bytes.Buffer safe for one writer and one reader.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func redisURL() string { return storetest.URL() }

// testPrefix returns a fresh key prefix on the real Redis, removed after the test.
func testPrefix(t *testing.T) (string, *store.Redis) {
	t.Helper()
	st := storetest.Open(t)
	return st.Prefix(), st
}

// TestServeEndToEnd runs `downwatch serve` with a token and a signed webhook,
// saves an alert, and sees it in the API, in Slack format at the webhook, and
// in the metrics.
func TestServeEndToEnd(t *testing.T) {
	prefix, st := testPrefix(t)
	got := make(chan *http.Request, 10)
	bodies := make(chan []byte, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- r
		bodies <- b
	}))
	defer hook.Close()
	t.Setenv("DOWNWATCH_WEBHOOK_SECRET", "hook-secret")
	t.Setenv("DOWNWATCH_AUTH_TOKEN", "")

	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &cliEnv{stdout: &out, stderr: io.Discard}, []string{
			"--redis", redisURL(), "--prefix", prefix, "--http", "127.0.0.1:0", "--auth-token", "tok",
			"--webhook", hook.URL, "--webhook-format", "slack", "--public-url", "https://dw.example.com",
		})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	re := regexp.MustCompile(`dashboard on (http://[^/]+)/`)
	var base string
	deadline := time.Now().Add(10 * time.Second)
	for base == "" {
		if m := re.FindStringSubmatch(out.String()); m != nil && strings.Contains(out.String(), "webhook sink") {
			base = m[1]
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	// Let the dispatcher store its cursor before the alert is saved.
	cursor := prefix + "notify:" + notify.SinkHash(hook.URL) + ":cursor"
	for st.Client().Exists(context.Background(), cursor).Val() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the webhook dispatcher did not start")
		}
		time.Sleep(10 * time.Millisecond)
	}

	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	inc := downwatch.Incident{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateOpen,
		StartedAt: t0, DetectedAt: t0.Add(3 * time.Minute), PeakPerMin: 41, Authors: 58, Revision: 1, UpdatedAt: t0.Add(3 * time.Minute)}
	if err := storetest.Alerts(context.Background(), st, downwatch.Alert{Type: downwatch.AlertOpened, At: inc.DetectedAt, Incident: inc}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		body := <-bodies
		if !notify.Verify("hook-secret", body, r.Header.Get(notify.HeaderSignature)) {
			t.Error("webhook body is not signed with DOWNWATCH_WEBHOOK_SECRET")
		}
		var msg struct{ Text string }
		json.Unmarshal(body, &msg)
		if !strings.Contains(msg.Text, "WhatsApp incident opened") || !strings.Contains(msg.Text, "https://dw.example.com/incidents/whatsapp.20221025T0705Z") {
			t.Errorf("Slack text: got %q", msg.Text)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no webhook delivery")
	}

	req, _ := http.NewRequest(http.MethodGet, base+"/api/incidents?state=active", nil)
	req.Header.Set("Authorization", "Bearer tok")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), inc.ID) {
		t.Errorf("API: got %d %s", resp.StatusCode, b)
	}
	// The service page shows what the built-in catalog says about WhatsApp.
	req, _ = http.NewRequest(http.MethodGet, base+"/services/whatsapp", nil)
	req.Header.Set("Authorization", "Bearer tok")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{inc.ID, "@MetaNewsroom", `href="https://metastatus.com"`} {
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("service page: got %d, lacking %q", resp.StatusCode, want)
		}
	}
	if resp, _ := http.Get(base + "/api/incidents"); resp.StatusCode != 401 {
		t.Errorf("API without the token: got %d, want 401", resp.StatusCode)
	}
	// The delivery is counted once the receiver answered: poll the metrics.
	var metrics string
	for range 100 {
		req, _ = http.NewRequest(http.MethodGet, base+"/metrics", nil)
		req.Header.Set("Authorization", "Bearer tok")
		resp, err = http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
		if metrics = string(b); strings.Contains(metrics, `downwatch_notify_alerts_total{outcome="delivered"`) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, want := range []string{"downwatch_http_requests_total", "downwatch_sse_clients", `downwatch_notify_alerts_total{outcome="delivered"`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestStartDashboard(t *testing.T) {
	t.Setenv("DOWNWATCH_AUTH_TOKEN", "")
	_, st := testPrefix(t)
	addr, stop, err := startDashboard(context.Background(), st, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Get("http://" + addr + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(b), "No active incidents") {
		t.Errorf("dashboard: got %d", resp.StatusCode)
	}
	// A catalog service has a page before anything is stored for it; an unknown id has none.
	for path, code := range map[string]int{"/services/whatsapp": 200, "/services/nosuch": 404} {
		resp, err := http.Get("http://" + addr + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != code {
			t.Errorf("%s: got %d, want %d", path, resp.StatusCode, code)
		}
	}
	// An open event stream does not keep stop from returning.
	ev, err := http.Get("http://" + addr + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer ev.Body.Close()
	stopped := make(chan struct{})
	go func() { stop(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("stop hangs on an open event stream")
	}
	if _, _, err := startDashboard(context.Background(), st, "0.0.0.0:0"); err == nil {
		t.Error("startDashboard on 0.0.0.0 without DOWNWATCH_AUTH_TOKEN: got nil error")
	}
}
