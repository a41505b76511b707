package ingest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// spServer serves summary.json (the later one after the first request) and
// incidents.json.
func spServer(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/api/v2/summary.json":
			if n.Add(1) == 1 {
				w.Write(fixture(t, "statuspage/summary.json"))
			} else {
				w.Write(fixture(t, "statuspage/summary-later.json"))
			}
		case "/api/v2/incidents.json":
			w.Write(fixture(t, "statuspage/incidents.json"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s, &n
}

func TestStatusPageIncidents(t *testing.T) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, target string }{
		{"by page name", "%s"},
		{"explicit id", "github=%s/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := spServer(t)
			target, err := ParseStatusPageTarget(fmt.Sprintf(tc.target, srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			sp, err := NewStatusPage(StatusPageConfig{Pages: []StatusPageTarget{target}, Catalog: cat, Now: func() time.Time { return t2022 }, Logger: discard()})
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			var got []downwatch.Post
			for range 6 {
				if tc.name == "explicit id" && len(got) == 4 {
					break
				}
				p, err := sp.Read(ctx)
				if err != nil {
					t.Fatal(err)
				}
				got = append(got, p)
				if len(got) == 4 {
					sp.next = time.Time{} // poll again now: the incident has gone from the summary
				}
			}
			at := func(s string) time.Time { tm, _ := downwatch.ParseTime(s); return tm }
			want := []downwatch.Post{
				{ID: "kctbh9vrtdwd:p4r8kf2wq3xz/u1investig001", Text: "[Investigating] Incident with Git Operations: We are investigating reports of degraded performance for Git Operations.", CreatedAt: at("2022-10-25T08:01:40.200Z"), URL: "https://stspg.io/p4r8kf2wq3xz"},
				{ID: "kctbh9vrtdwd:p4r8kf2wq3xz/u2identified01", Text: "[Identified] Incident with Git Operations: We have identified the cause of failed & slow git pushes and are working on a fix.", CreatedAt: at("2022-10-25T08:20:11.350Z"), URL: "https://stspg.io/p4r8kf2wq3xz"},
				{ID: "kctbh9vrtdwd:m7c2zq9bn5vd/a1investig0001", Text: "[Investigating] Incident with Actions: We are investigating reports of delayed Actions runs.", CreatedAt: at("2022-10-25T07:30:02.500Z"), URL: "https://stspg.io/m7c2zq9bn5vd"},
				{ID: "kctbh9vrtdwd:m7c2zq9bn5vd/a3resolved0001", Text: "[Resolved] Incident with Actions: This incident has been resolved.", CreatedAt: at("2022-10-25T07:58:00Z"), URL: "https://stspg.io/m7c2zq9bn5vd"},
				// Second poll: the Git incident left the summary; incidents.json has all its updates.
				{ID: "kctbh9vrtdwd:p4r8kf2wq3xz/u1investig001", Text: "[Investigating] Incident with Git Operations: We are investigating reports of degraded performance for Git Operations.", CreatedAt: at("2022-10-25T08:01:40.200Z"), URL: "https://stspg.io/p4r8kf2wq3xz"},
				{ID: "kctbh9vrtdwd:p4r8kf2wq3xz/u2identified01"},
			}
			for i := range got {
				want[i].Source, want[i].Author = "statuspage", "github"
				if i < 5 && got[i] != want[i] {
					t.Errorf("post %d:\n got %+v\nwant %+v", i, got[i], want[i])
				}
				if got[i].Author != "github" {
					t.Errorf("post %d: author %q, want github", i, got[i].Author)
				}
			}
		})
	}
}

func TestStatusPageResolvedAfterItLeavesTheSummary(t *testing.T) {
	srv, polls := spServer(t)
	sp, _ := NewStatusPage(StatusPageConfig{Pages: []StatusPageTarget{{Service: "github", BaseURL: srv.URL}}, Interval: 10 * time.Millisecond, Logger: discard()})
	pp := runPipe(t, sp)
	got := pp.rec.waitFor(t, 6, 10*time.Second)
	last := got[len(got)-1]
	if last.ID != "kctbh9vrtdwd:p4r8kf2wq3xz/u4resolved0001" || !strings.HasPrefix(last.Text, "[Resolved] Incident with Git Operations") {
		t.Errorf("last post %+v, want the resolving update of the Git incident", last)
	}
	if n := polls.Load(); n < 2 {
		t.Errorf("got %d polls, want 2 or more", n)
	}
	if d := pp.p.Stats.Duplicates.Load(); d < 2 {
		t.Errorf("got %d duplicates, want the repeated updates dropped by dedup", d)
	}
}

func TestStatusPageMatchesAsOfficial(t *testing.T) {
	cat, _ := catalog.Default()
	m, err := catalog.NewMatcher(cat)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range []string{
		"[Investigating] Incident with Git Operations: We are investigating reports of degraded performance for Git Operations.",
		"[Resolved] Incident with Actions: This incident has been resolved.",
	} {
		p := downwatch.Post{ID: "1", Source: "statuspage", Author: "github", Text: text, CreatedAt: t2022}
		hits := m.Match(&p, nil)
		if len(hits) == 0 || hits[0].Service != "github" || hits[0].Kind != downwatch.KindOfficial {
			t.Errorf("%q: got %+v, want an official github hit", text, hits)
		}
	}
}

func TestParseStatusPageTarget(t *testing.T) {
	for _, tc := range []struct{ in, svc, base string }{
		{"https://www.githubstatus.com", "", "https://www.githubstatus.com"},
		{"github=https://www.githubstatus.com/", "github", "https://www.githubstatus.com"},
		{"https://status.example.com/?a=b", "", "https://status.example.com/?a=b"},
	} {
		got, err := ParseStatusPageTarget(tc.in)
		if err != nil || got.Service != tc.svc || got.BaseURL != tc.base {
			t.Errorf("%q: got %+v %v", tc.in, got, err)
		}
	}
	if _, err := ParseStatusPageTarget("githubstatus.com"); err == nil {
		t.Error("a URL without scheme was accepted")
	}
}

// TestStatusPageResolvesOnlyWhenThePageSaysResolved: an incident that left the
// summary while incidents.json still lists it open is not resolved; it is, once
// incidents.json says so.
func TestStatusPageResolvesOnlyWhenThePageSaysResolved(t *testing.T) {
	var resolved atomic.Bool
	var polls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v2/summary.json":
			if polls.Add(1) == 1 {
				w.Write(fixture(t, "statuspage/summary.json"))
			} else {
				w.Write(fixture(t, "statuspage/summary-later.json"))
			}
		case "/api/v2/incidents.json":
			body := fixture(t, "statuspage/incidents.json")
			if !resolved.Load() { // the same list, the Git incident still monitoring
				body = []byte(strings.Replace(string(body), `"status": "resolved"`, `"status": "monitoring"`, 1))
			}
			w.Write(body)
		}
	}))
	defer srv.Close()
	sp, err := NewStatusPage(StatusPageConfig{Pages: []StatusPageTarget{{Service: "github", BaseURL: srv.URL}}, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	resolutions := func() (n int) {
		res, err := sp.pollAll(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res {
			if strings.HasPrefix(r.post.Text, "[Resolved] Incident with Git") {
				n++
			}
		}
		return n
	}
	resolutions()
	if n := resolutions(); n != 0 {
		t.Errorf("left the summary, still open in incidents.json: %d resolutions, want none", n)
	}
	resolved.Store(true)
	if n := resolutions(); n != 1 {
		t.Errorf("incidents.json says resolved: %d resolutions, want 1", n)
	}
}

// TestStatusPageIDsAreScopedToThePage: two pages with equal incident and update
// ids give distinct post ids.
func TestStatusPageIDsAreScopedToThePage(t *testing.T) {
	page := func(id string) *httptest.Server {
		body := strings.Replace(string(fixture(t, "statuspage/summary.json")), `"id": "kctbh9vrtdwd"`, `"id": "`+id+`"`, 1)
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) }))
		t.Cleanup(s.Close)
		return s
	}
	a, b := page("pageaaaaaaaa"), page("pagebbbbbbbb")
	sp, err := NewStatusPage(StatusPageConfig{Pages: []StatusPageTarget{{Service: "github", BaseURL: a.URL}, {Service: "gitlab", BaseURL: b.URL}}, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := sp.pollAll(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, r := range res {
		ids[r.post.ID] = true
	}
	if len(res) != 8 || len(ids) != 8 || !ids["pageaaaaaaaa:p4r8kf2wq3xz/u1investig001"] || !ids["pagebbbbbbbb:p4r8kf2wq3xz/u1investig001"] {
		t.Errorf("got %d posts with %d distinct ids, want 8 and 8 (4 updates per page): %v", len(res), len(ids), ids)
	}
}
