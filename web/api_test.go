package web

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store/storetest"
)

func TestAPIIncidents(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	tests := []struct {
		name  string
		query string
		code  int
		want  []string
	}{
		{"all newest first", "", 200, []string{"instagram.20221025T0709Z", "whatsapp.20221025T0705Z", "x.20221025T0231Z", "instagram.20221024T1812Z", "gmail.20221020T0902Z"}},
		{"active", "?state=active", 200, []string{"instagram.20221025T0709Z", "whatsapp.20221025T0705Z"}},
		{"open only", "?state=open", 200, []string{"instagram.20221025T0709Z"}},
		{"resolved", "?state=resolved", 200, []string{"x.20221025T0231Z", "instagram.20221024T1812Z", "gmail.20221020T0902Z"}},
		{"service", "?service=instagram", 200, []string{"instagram.20221025T0709Z", "instagram.20221024T1812Z"}},
		{"service with one incident", "?service=whatsapp", 200, []string{"whatsapp.20221025T0705Z"}},
		{"service and active", "?service=x&state=active", 200, []string{}},
		{"limit", "?limit=2", 200, []string{"instagram.20221025T0709Z", "whatsapp.20221025T0705Z"}},
		{"unknown service", "?service=nosuch", 200, []string{}},
		{"bad limit", "?limit=0", 400, nil},
		{"bad state", "?state=down", 400, nil},
		{"bad service", "?service=" + "%7Bx%7D", 400, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, hs.URL+"/api/incidents"+tc.query)
			if resp.StatusCode != tc.code {
				t.Fatalf("status: got %d, want %d (%s)", resp.StatusCode, tc.code, body)
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type: got %q", ct)
			}
			if tc.code != 200 {
				var e struct{ Error string }
				if json.Unmarshal([]byte(body), &e) != nil || e.Error == "" {
					t.Errorf("error body: got %s, want {\"error\":...}", body)
				}
				return
			}
			var out struct {
				Incidents []downwatch.Incident `json:"incidents"`
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil || out.Incidents == nil {
				t.Fatalf("body %s: want {\"incidents\":[...]} (err %v)", body, err)
			}
			got := []string{}
			for _, i := range out.Incidents {
				got = append(got, i.ID)
			}
			if strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Errorf("ids: got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestAPIIncident(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	resp, body := get(t, hs.URL+"/api/incidents/whatsapp.20221025T0705Z")
	if resp.StatusCode != 200 {
		t.Fatalf("status: got %d, want 200: %s", resp.StatusCode, body)
	}
	var inc downwatch.Incident
	if err := json.Unmarshal([]byte(body), &inc); err != nil {
		t.Fatal(err)
	}
	if inc.State != downwatch.StateAcknowledged || inc.Revision != 14 || len(inc.Related) != 1 || inc.Evidence == nil {
		t.Errorf("incident: got state %s rev %d related %v evidence %v", inc.State, inc.Revision, inc.Related, inc.Evidence)
	}
	if strings.Contains(body, "0001-01-01") {
		t.Errorf("zero time in body: %s", body)
	}
	for _, id := range []string{"whatsapp.20990101T0000Z", "no-dot", "..%2F..%2Fetc"} {
		resp, body = get(t, hs.URL+"/api/incidents/"+id)
		if resp.StatusCode != 404 || !strings.Contains(body, `"error"`) {
			t.Errorf("%s: got %d %s, want 404 with a JSON error", id, resp.StatusCode, body)
		}
	}
	resp, body = get(t, hs.URL+"/api/nosuch")
	if resp.StatusCode != 404 || !strings.Contains(body, `"error"`) {
		t.Errorf("unknown API route: got %d %s, want a 404 JSON error", resp.StatusCode, body)
	}
}

func TestAPISeries(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	type out struct {
		Service string                  `json:"service"`
		From    time.Time               `json:"from"`
		To      time.Time               `json:"to"`
		Points  []downwatch.SeriesPoint `json:"points"`
	}
	tests := []struct {
		name       string
		path       string
		code       int
		n          int
		first, end time.Time
	}{
		{"default: 24 h ending at the newest minute (event time)", "/api/services/whatsapp/series", 200, 1440, clock.Add(-24*time.Hour + time.Minute), clock},
		{"from and to", "/api/services/whatsapp/series?from=2022-10-25T07:00:00Z&to=2022-10-25T07:09:00Z", 200, 10, waStart.Add(-5 * time.Minute), waStart.Add(4 * time.Minute)},
		{"offset times", "/api/services/whatsapp/series?from=2022-10-25T12:30:00%2B05:30&to=2022-10-25T12:34:00%2B05:30", 200, 5, time.Date(2022, 10, 25, 7, 0, 0, 0, time.UTC), time.Date(2022, 10, 25, 7, 4, 0, 0, time.UTC)},
		{"no data", "/api/services/signal/series", 200, 0, time.Time{}, time.Time{}},
		{"bad from", "/api/services/whatsapp/series?from=yesterday", 400, 0, time.Time{}, time.Time{}},
		{"to before from", "/api/services/whatsapp/series?from=2022-10-25T08:00:00Z&to=2022-10-25T07:00:00Z", 400, 0, time.Time{}, time.Time{}},
		{"too long", "/api/services/whatsapp/series?from=2022-09-01T00:00:00Z&to=2022-10-25T07:00:00Z", 400, 0, time.Time{}, time.Time{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, hs.URL+tc.path)
			if resp.StatusCode != tc.code {
				t.Fatalf("status: got %d, want %d: %s", resp.StatusCode, tc.code, body)
			}
			if tc.code != 200 {
				return
			}
			var o out
			if err := json.Unmarshal([]byte(body), &o); err != nil {
				t.Fatal(err)
			}
			if o.Points == nil {
				t.Fatalf("points: got null, want a list: %s", body)
			}
			if len(o.Points) != tc.n {
				t.Fatalf("points: got %d, want %d", len(o.Points), tc.n)
			}
			if tc.n > 0 && (!o.Points[0].Minute.Equal(tc.first) || !o.Points[tc.n-1].Minute.Equal(tc.end)) {
				t.Errorf("range: got %s..%s, want %s..%s", o.Points[0].Minute, o.Points[tc.n-1].Minute, tc.first, tc.end)
			}
		})
	}
	_, body := get(t, hs.URL+"/api/services/whatsapp/series?from=2022-10-25T07:40:00Z&to=2022-10-25T07:40:00Z")
	if !strings.Contains(body, `"t":"2022-10-25T07:40:00Z"`) || !strings.Contains(body, `"baseline":`) || !strings.Contains(body, `"authors":`) {
		t.Errorf("point JSON: got %s, want t, authors, baseline", body)
	}
}

// sse reads server-sent events from a response body.
type sse struct {
	r *bufio.Reader
}

type event struct{ typ, id, data string }

// next returns the next event, skipping comments (heartbeats are counted).
func (s *sse) next(t *testing.T, beats *int) event {
	t.Helper()
	var e event
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream ended: %v", err)
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case line == "":
			if e.data != "" {
				return e
			}
		case strings.HasPrefix(line, ": heartbeat"):
			if beats != nil {
				*beats++
			}
		case strings.HasPrefix(line, ":"), strings.HasPrefix(line, "retry:"):
		case strings.HasPrefix(line, "event: "):
			e.typ = line[len("event: "):]
		case strings.HasPrefix(line, "id: "):
			e.id = line[len("id: "):]
		case strings.HasPrefix(line, "data: "):
			e.data += line[len("data: "):]
		}
	}
}

func openEvents(t *testing.T, url string, hdr ...string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events: got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	s := &sse{r: bufio.NewReader(resp.Body)}
	// The first comment says the stream is set up (the hub follows the stream).
	line, err := s.r.ReadString('\n')
	for err == nil && !strings.HasPrefix(line, ": downwatch") {
		line, err = s.r.ReadString('\n')
	}
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func alertFor(id string, rev int, typ string) downwatch.Alert {
	inc := downwatch.Incident{ID: id, Service: strings.SplitN(id, ".", 2)[0], State: downwatch.StateOpen,
		StartedAt: waStart, DetectedAt: waStart.Add(time.Minute), Revision: rev, UpdatedAt: waStart.Add(time.Duration(rev) * time.Minute)}
	return downwatch.Alert{Type: typ, At: inc.UpdatedAt, Incident: inc}
}

func TestEvents(t *testing.T) {
	st := testStore(t)
	ctx := context.Background()
	_, hs := testServer(t, st, "")
	// Alerts from before the client connected are not replayed without Last-Event-ID.
	if err := storetest.Alerts(ctx, st, alertFor("signal.20221025T0700Z", 1, downwatch.AlertOpened)); err != nil {
		t.Fatal(err)
	}
	ev := openEvents(t, hs.URL+"/api/events")
	if err := storetest.Alerts(ctx, st, alertFor("whatsapp.20221025T0705Z", 1, downwatch.AlertOpened)); err != nil {
		t.Fatal(err)
	}
	beats := 0
	e := ev.next(t, &beats)
	var a downwatch.Alert
	if err := json.Unmarshal([]byte(e.data), &a); err != nil {
		t.Fatalf("data is not alert JSON: %v: %s", err, e.data)
	}
	if e.typ != downwatch.AlertOpened || a.Type != e.typ || a.Incident.ID != "whatsapp.20221025T0705Z" || e.id == "" {
		t.Fatalf("event: got type %q id %q incident %s, want incident.opened with a stream id for whatsapp", e.typ, e.id, a.Incident.ID)
	}
	first := e.id
	if err := storetest.Alerts(ctx, st,
		alertFor("whatsapp.20221025T0705Z", 2, downwatch.AlertUpdated),
		alertFor("whatsapp.20221025T0705Z", 3, downwatch.AlertAcknowledged),
	); err != nil {
		t.Fatal(err)
	}
	if e := ev.next(t, &beats); e.typ != downwatch.AlertUpdated {
		t.Errorf("second event: got %s, want incident.updated", e.typ)
	}
	if e := ev.next(t, &beats); e.typ != downwatch.AlertAcknowledged {
		t.Errorf("third event: got %s, want incident.acknowledged", e.typ)
	}

	// A client reconnecting with Last-Event-ID gets what came after it, then live ones.
	catchUp := []string{downwatch.AlertUpdated, downwatch.AlertAcknowledged}
	for round, hdr := range [][]string{{"Last-Event-ID", first}, {}} {
		url := hs.URL + "/api/events"
		if len(hdr) == 0 {
			url += "?last_event_id=" + first
		}
		again := openEvents(t, url, hdr...)
		for _, want := range catchUp {
			if e := again.next(t, nil); e.typ != want {
				t.Errorf("round %d catch-up: got %s, want %s", round, e.typ, want)
			}
		}
		live := alertFor("whatsapp.20221025T0705Z", 4+round, downwatch.AlertResolved)
		if err := storetest.Alerts(ctx, st, live); err != nil {
			t.Fatal(err)
		}
		e := again.next(t, nil)
		if err := json.Unmarshal([]byte(e.data), &a); err != nil || a.Incident.Revision != live.Incident.Revision {
			t.Errorf("round %d after catch-up: got %s revision %d, want incident.resolved revision %d", round, e.typ, a.Incident.Revision, live.Incident.Revision)
		}
		catchUp = append(catchUp, downwatch.AlertResolved)
	}
	// Heartbeats arrive on an idle stream (every 200ms in this test).
	for beats < 1 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			line, _ := ev.r.ReadString('\n')
			if strings.HasPrefix(line, ": heartbeat") {
				beats++
			}
		}()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			t.Fatal("no heartbeat within 5s")
		}
	}
	resp, body := get(t, hs.URL+"/api/events", "Last-Event-ID", "bogus")
	if resp.StatusCode != 400 {
		t.Errorf("bad Last-Event-ID: got %d %s, want 400", resp.StatusCode, body)
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	st := testStore(t)
	_, hs := testServer(t, st, "")
	resp, body := get(t, hs.URL+"/healthz")
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("healthz: got %d %s", resp.StatusCode, body)
	}
	openEvents(t, hs.URL+"/api/events")
	get(t, hs.URL+"/api/incidents")
	_, body = get(t, hs.URL+"/metrics")
	for _, want := range []string{
		`downwatch_http_requests_total{code="200",route="GET /api/incidents"} 1`,
		`downwatch_http_requests_total{code="200",route="GET /healthz"} 1`,
		"downwatch_sse_clients 1",
		"go_goroutines",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}

	// Redis down: healthz says so.
	dead := testStore(t)
	_, hs2 := testServer(t, dead, "")
	dead.Close()
	if resp, body := get(t, hs2.URL+"/healthz"); resp.StatusCode != 503 {
		t.Errorf("healthz with Redis closed: got %d %s, want 503", resp.StatusCode, body)
	}
}
