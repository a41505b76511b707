package web

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestPagesEscapePostText(t *testing.T) {
	st := testStore(t)
	inc := hostileIncident()
	if err := st.Save(context.Background(), []downwatch.Alert{{Type: downwatch.AlertOpened, At: inc.DetectedAt, Incident: inc}}); err != nil {
		t.Fatal(err)
	}
	_, hs := testServer(t, st, "")
	for _, path := range []string{"/", "/fragments/overview", "/incidents/" + inc.ID, "/fragments/incidents/" + inc.ID, "/services/signal", "/fragments/services/signal"} {
		t.Run(path, func(t *testing.T) {
			resp, body := get(t, hs.URL+path)
			if resp.StatusCode != 200 {
				t.Fatalf("status: got %d, want 200", resp.StatusCode)
			}
			for _, bad := range []string{"<script>document.title", "<img src=x", `<svg onload`, `href="javascript:`} {
				if strings.Contains(body, bad) {
					t.Errorf("page contains %q: post text became markup", bad)
				}
			}
			for _, want := range []string{"&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;", "&lt;img src=x onerror="} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks the escaped text %q", want)
				}
			}
			if !strings.HasPrefix(path, "/fragments/") {
				if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
					t.Errorf("Content-Security-Policy: got %q, want script-src 'self'", csp)
				}
			}
		})
	}
}

func TestOverviewStates(t *testing.T) {
	st := testStore(t)
	_, hs := testServer(t, st, "")
	_, body := get(t, hs.URL+"/")
	for _, want := range []string{"No active incidents", "No resolved incidents stored", "No events yet", `src="/static/app.js"`} {
		if !strings.Contains(body, want) {
			t.Errorf("empty overview lacks %q", want)
		}
	}

	seed(t, st)
	_, body = get(t, hs.URL+"/")
	active, recent := strings.Index(body, `id="active"`), strings.Index(body, `id="recent"`)
	for _, want := range []struct {
		text     string
		from, to int
	}{
		{"whatsapp.20221025T0705Z", active, recent}, // active first
		{"instagram.20221025T0709Z", active, recent},
		{"x.20221025T0231Z", recent, len(body)}, // then recent ones whatever their age
		{"gmail.20221020T0902Z", recent, len(body)},
		{"Event clock <time datetime=\"2022-10-25T08:40:00Z\">", 0, active}, // event time, not wall clock
		{"acknowledged", active, recent},
		{"1 h 35 min ago", active, recent},
		{"व्हाट्सएप डाउन है क्या?", active, recent}, // sample posts
		{`<svg class="chart"`, active, recent},
		{"India", active, recent},
	} {
		i := strings.Index(body[want.from:want.to], want.text)
		if i < 0 {
			t.Errorf("overview lacks %q in its section", want.text)
		}
	}
	if strings.Contains(body, "No active incidents") {
		t.Error("overview says no active incidents while two are")
	}

	_, body = get(t, hs.URL+"/incidents/whatsapp.20221025T0705Z")
	for _, want := range []string{"Timeline", "Started", "Detected", "Acknowledged", "by @ANI", "Resolved", "still acknowledged",
		"Why it fired", "41 distinct people complained within 2m", "2.4 × 10⁻²⁹",
		`href="/incidents/instagram.20221025T0709Z"`, "Sample posts", `data-fragment="/fragments/incidents/whatsapp.20221025T0705Z"`} {
		if !strings.Contains(body, want) {
			t.Errorf("incident page lacks %q", want)
		}
	}
	for _, path := range []string{"/incidents/whatsapp.20200101T0000Z", "/incidents/bad%20id", "/nosuch"} {
		resp, body := get(t, hs.URL+path)
		if resp.StatusCode != http.StatusNotFound || !strings.Contains(body, "Back to incidents") {
			t.Errorf("%s: got %d, want a 404 page", path, resp.StatusCode)
		}
	}
}

func TestAuth(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "s3cret")
	tests := []struct {
		name string
		path string
		hdr  []string
		code int
	}{
		{"api without token", "/api/incidents", nil, 401},
		{"api wrong bearer", "/api/incidents", []string{"Authorization", "Bearer nope"}, 401},
		{"api bearer", "/api/incidents", []string{"Authorization", "Bearer s3cret"}, 200},
		{"api query token", "/api/incidents?token=s3cret", nil, 200},
		{"api wrong query token", "/api/incidents?token=nope", nil, 401},
		{"events query token", "/api/events?token=nope", nil, 401},
		{"page without token shows the sign-in form", "/", nil, 401},
		{"page with token redirects without it", "/incidents/whatsapp.20221025T0705Z?token=s3cret", nil, 303},
		{"metrics need the token", "/metrics", nil, 401},
		{"metrics with bearer", "/metrics", []string{"Authorization", "Bearer s3cret"}, 200},
		{"healthz is open for probes", "/healthz", nil, 200},
		{"static is open", "/static/app.css", nil, 200},
		{"fragment without token", "/fragments/overview", nil, 401},
		{"forged cookie", "/", []string{"Cookie", cookieName + "=s3cret"}, 401},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, hs.URL+tc.path, tc.hdr...)
			if resp.StatusCode != tc.code {
				t.Fatalf("status: got %d, want %d: %.200s", resp.StatusCode, tc.code, body)
			}
			if tc.code == 401 && !strings.HasPrefix(tc.path, "/api") && tc.path != "/metrics" && !strings.HasPrefix(tc.path, "/fragments") {
				if !strings.Contains(body, `name="token"`) {
					t.Error("401 page has no token form")
				}
			}
			if strings.Contains(body, "s3cret") {
				t.Error("response contains the token")
			}
		})
	}
	// ?token= sets a session cookie that works on its own (for EventSource and browsing).
	resp, _ := get(t, hs.URL+"/?token=s3cret")
	if loc := resp.Header.Get("Location"); loc != "/" {
		t.Errorf("redirect: got %q, want / (without the token)", loc)
	}
	var cookie *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == cookieName {
			cookie = c
		}
	}
	if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Value == "s3cret" {
		t.Fatalf("session cookie: got %+v, want HttpOnly, SameSite=Strict, not the token itself", cookie)
	}
	for _, path := range []string{"/", "/api/incidents", "/fragments/overview"} {
		if resp, _ := get(t, hs.URL+path, "Cookie", cookie.Name+"="+cookie.Value); resp.StatusCode != 200 {
			t.Errorf("%s with the session cookie: got %d, want 200", path, resp.StatusCode)
		}
	}
	openEvents(t, hs.URL+"/api/events", "Cookie", cookie.Name+"="+cookie.Value)
}

// An incident past its post retention says why it has no sample posts.
func TestIncidentPageSaysPostsWereRedacted(t *testing.T) {
	st := testStore(t)
	inc := hostileIncident()
	inc.Redact(time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC))
	if err := st.Save(context.Background(), []downwatch.Alert{{Type: downwatch.AlertUpdated, At: inc.DetectedAt, Incident: inc}}); err != nil {
		t.Fatal(err)
	}
	_, hs := testServer(t, st, "")
	_, body := get(t, hs.URL+"/incidents/"+inc.ID)
	if want := "Sample posts removed at the end of the post retention, <time datetime=\"2026-12-03T12:00:00Z\">"; !strings.Contains(body, want) {
		t.Errorf("incident page lacks %q", want)
	}
	if strings.Contains(body, "pwned") {
		t.Error("the redacted incident's page still shows a post")
	}
}
