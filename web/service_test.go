package web

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// catalogServer is testServer with a catalog that knows whatsapp and signal.
func catalogServer(t *testing.T, st *store.Redis) *httptest.Server {
	t.Helper()
	srv, err := New(Config{Store: st, ServiceName: func(id string) string { return names[id] },
		Catalog: func(id string) (ServiceInfo, bool) {
			switch id {
			case "whatsapp":
				return ServiceInfo{Name: "WhatsApp", Official: []string{"WhatsApp", "MetaNewsroom"}, StatusPage: "https://metastatus.com"}, true
			case "signal":
				return ServiceInfo{Name: "Signal", Official: []string{"signalapp"}}, true
			}
			return ServiceInfo{}, false
		}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs
}

var (
	svgAttrRE = regexp.MustCompile(`<svg class="chart"[^>]* data-from="([^"]+)" data-to="([^"]+)" data-scale="([a-z]+)"`)
	baseRE    = regexp.MustCompile(`<polyline class="base" points="([^"]+)"`)
	shareRE   = regexp.MustCompile(`data-share="([0-9.]+)"`)
)

// chartDomain is the time range and scale of the first chart in body.
func chartDomain(t *testing.T, body string) (from, to time.Time, scale string) {
	t.Helper()
	m := svgAttrRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no chart with data-from, data-to and data-scale in the page")
	}
	from, err1 := time.Parse(time.RFC3339, m[1])
	to, err2 := time.Parse(time.RFC3339, m[2])
	if err1 != nil || err2 != nil {
		t.Fatalf("chart domain %q to %q: %v %v", m[1], m[2], err1, err2)
	}
	return from, to, m[3]
}

// baselineHeight is the mean height of the chart's baseline above the x axis,
// as a share of the plot's height.
func baselineHeight(t *testing.T, body string) float64 {
	t.Helper()
	m := baseRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no baseline in the chart")
	}
	var sum float64
	pts := strings.Fields(m[1])
	for _, p := range pts {
		_, y, _ := strings.Cut(p, ",")
		v, err := strconv.ParseFloat(y, 64)
		if err != nil {
			t.Fatalf("baseline point %q: %v", p, err)
		}
		sum += (padT + plotH - v) / plotH
	}
	return sum / float64(len(pts))
}

func TestServicePage(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	hs := catalogServer(t, st)
	latest := clock // the scenario's series ends at the clock
	tests := []struct {
		name  string
		query string
		span  time.Duration
		scale string
	}{
		{"default 24 h", "", 24 * time.Hour, "linear"},
		{"6 h", "?range=6h", 6 * time.Hour, "linear"},
		{"24 h", "?range=24h", 24 * time.Hour, "linear"},
		{"7 days", "?range=7d", 7 * 24 * time.Hour, "linear"},
		{"6 h log", "?range=6h&scale=log", 6 * time.Hour, "log"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := get(t, hs.URL+"/services/whatsapp"+tc.query)
			if resp.StatusCode != 200 {
				t.Fatalf("status: got %d, want 200: %.300s", resp.StatusCode, body)
			}
			from, to, scale := chartDomain(t, body)
			if want := latest.Add(-tc.span + time.Minute); !from.Equal(want) || !to.Equal(latest) {
				t.Errorf("chart domain: got %s to %s, want %s to %s", from, to, want, latest)
			}
			if scale != tc.scale {
				t.Errorf("scale: got %s, want %s", scale, tc.scale)
			}
			for _, want := range []string{
				`href="/incidents/whatsapp.20221025T0705Z"`, // its active incident
				"@MetaNewsroom", `href="https://metastatus.com"`, // the catalog's accounts and status page
				`id="symptoms"`, `id="regions"`, "India",
				`data-fragment="/fragments/services/whatsapp?range=`,
			} {
				if !strings.Contains(body, want) {
					t.Errorf("page lacks %q", want)
				}
			}
		})
	}
	// The range links keep the scale; the toggle keeps the range.
	_, body := get(t, hs.URL+"/services/whatsapp?range=7d")
	for _, want := range []string{`href="/services/whatsapp?range=6h"`, `<span class="range current" aria-current="true">7 days</span>`,
		`id="scale-toggle" href="/services/whatsapp?range=7d&amp;scale=log"`} {
		if !strings.Contains(body, want) {
			t.Errorf("7-day page lacks %q", want)
		}
	}
	// The live script's fragment is the same body for the same range.
	resp, frag := get(t, hs.URL+"/fragments/services/whatsapp?range=6h&scale=log")
	if from, _, scale := chartDomain(t, frag); resp.StatusCode != 200 || strings.Contains(frag, "<html") ||
		!from.Equal(latest.Add(-6*time.Hour+time.Minute)) || scale != "log" {
		t.Errorf("fragment: got %d, a chart from %s (%s), want 200, no page around it, 6 h on a log scale", resp.StatusCode, from, scale)
	}
	_, body = get(t, hs.URL+"/services/whatsapp?range=7d&scale=log")
	for _, want := range []string{`href="/services/whatsapp?range=6h&amp;scale=log"`, `id="scale-toggle" href="/services/whatsapp?range=7d"`} {
		if !strings.Contains(body, want) {
			t.Errorf("7-day log page lacks %q", want)
		}
	}
}

// On a linear axis up to the 96/min spike the baseline of about 1.3/min is a
// line on the floor; on the log axis it stands well clear of it.
func TestServicePageLogScale(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	hs := catalogServer(t, st)
	_, lin := get(t, hs.URL+"/services/whatsapp?range=6h")
	_, lg := get(t, hs.URL+"/services/whatsapp?range=6h&scale=log")
	hl, hg := baselineHeight(t, lin), baselineHeight(t, lg)
	if hl > 0.05 {
		t.Errorf("linear: baseline at %.1f%% of the plot, want under 5%% (1.3/min under a 100/min axis)", 100*hl)
	}
	if hg < 0.12 {
		t.Errorf("log: baseline at %.1f%% of the plot, want over 12%% (log 2.3 / log 101)", 100*hg)
	}
	for _, want := range []string{`<text class="ylab"`, ">1</text>", ">10</text>", ">100</text>"} {
		if !strings.Contains(lg, want) {
			t.Errorf("log chart lacks the tick label %q", want)
		}
	}
}

func TestServiceBreakdown(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	at := clock.Add(-5 * time.Hour)
	sig := func(id string, start time.Time, counts map[string]int, countries map[string]int) downwatch.Incident {
		end := start.Add(30 * time.Minute)
		return downwatch.Incident{ID: id, Service: "signal", State: downwatch.StateResolved, StartedAt: start, DetectedAt: start.Add(2 * time.Minute),
			ResolvedAt: &end, UpdatedAt: end, PeakPerMin: 5, Mentions: 60, Authors: 50, SymptomCounts: counts, Countries: countries,
			Symptoms: []string{"send-messages"}, Revision: 3}
	}
	incs := []downwatch.Incident{
		sig("signal.20221025T0340Z", at, map[string]int{"send-messages": 30, "login": 10}, map[string]int{"DE": 30, "US": 10}),
		sig("signal.20221025T0540Z", at.Add(2*time.Hour), map[string]int{"send-messages": 10, "connect": 50}, map[string]int{"DE": 20, "GB": 40}),
	}
	var as []downwatch.Alert
	for _, i := range incs {
		as = append(as, downwatch.Alert{Type: downwatch.AlertResolved, At: i.UpdatedAt, Incident: i})
	}
	if err := st.Save(context.Background(), as); err != nil {
		t.Fatal(err)
	}
	hs := catalogServer(t, st)

	resp, body := get(t, hs.URL+"/api/services/signal")
	if resp.StatusCode != 200 {
		t.Fatalf("status: got %d, want 200: %s", resp.StatusCode, body)
	}
	var got serviceJSON
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.SymptomBasis != basisPosts {
		t.Errorf("symptom basis: got %q, want %q", got.SymptomBasis, basisPosts)
	}
	want := []shareJSON{{"connect", 50, 50}, {"send-messages", 40, 40}, {"login", 10, 10}}
	if len(got.Symptoms) != len(want) {
		t.Fatalf("symptoms: got %+v, want %+v", got.Symptoms, want)
	}
	for i, w := range want {
		if g := got.Symptoms[i]; g.Key != w.Key || g.Count != w.Count || math.Abs(g.Percent-w.Percent) > 1e-9 {
			t.Errorf("symptom %d: got %+v, want %+v", i, g, w)
		}
	}
	wantRegions := []shareJSON{{"DE", 50, 50}, {"GB", 40, 40}, {"US", 10, 10}}
	for i, w := range wantRegions {
		if i >= len(got.Regions) || got.Regions[i] != w {
			t.Errorf("regions: got %+v, want %+v", got.Regions, wantRegions)
			break
		}
	}
	if len(got.Recent) != 2 || len(got.Active) != 0 || got.Official[0] != "signalapp" || got.Name != "Signal" {
		t.Errorf("service JSON: got %d recent, %d active, official %v, name %q; want 2, 0, [signalapp], Signal", len(got.Recent), len(got.Active), got.Official, got.Name)
	}

	// The page shows the same shares, adding up to 100.
	for _, path := range []string{"/services/signal", "/services/whatsapp"} {
		_, body := get(t, hs.URL+path)
		i, j := strings.Index(body, `id="symptoms"`), strings.Index(body, `id="regions"`)
		if i < 0 || j < i {
			t.Fatalf("%s: no symptoms and regions sections", path)
		}
		for name, sec := range map[string]string{"symptoms": body[i:j], "regions": body[j:]} {
			var sum float64
			ms := shareRE.FindAllStringSubmatch(sec, -1)
			for _, m := range ms {
				v, _ := strconv.ParseFloat(m[1], 64)
				sum += v
			}
			// Each share is rounded to 0.1; regions are the top ten only.
			if len(ms) == 0 || name == "symptoms" && math.Abs(sum-100) > 0.05*float64(len(ms)) || sum > 100+0.05*float64(len(ms)) {
				t.Errorf("%s %s: %d shares adding to %.2f%%, want about 100%%", path, name, len(ms), sum)
			}
		}
	}
	if _, body := get(t, hs.URL+"/services/signal"); !strings.Contains(body, `data-share="50.0">50%`) {
		t.Error("signal page lacks connect's 50% share")
	}
}

func TestServiceNotFound(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	hs := catalogServer(t, st)
	tests := []struct {
		path string
		code int
	}{
		{"/services/nosuch", 404},
		{"/services/Bad%20Id", 404},
		{"/services/signal", 200},    // in the catalog, nothing stored yet
		{"/services/instagram", 200}, // not in this catalog, but incidents stored
		{"/services/whatsapp?range=1y", 400},
		{"/services/whatsapp?scale=sqrt", 400},
		{"/api/services/nosuch", 404},
		{"/api/services/whatsapp?range=1y", 400},
		{"/api/services/signal", 200},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, hs.URL+tc.path)
			if resp.StatusCode != tc.code {
				t.Fatalf("status: got %d, want %d: %.300s", resp.StatusCode, tc.code, body)
			}
			if tc.code == 404 && !strings.HasPrefix(tc.path, "/api/") && !strings.Contains(body, "Back to incidents") {
				t.Error("404 is not the not-found page")
			}
		})
	}
	if _, body := get(t, hs.URL+"/services/whatsapp?range=1y"); !strings.Contains(body, "bad range &#34;1y&#34;: want 6h, 24h or 7d") {
		t.Errorf("bad range page does not say what would do: %.400s", body)
	}
	_, body := get(t, hs.URL+"/services/signal")
	if !strings.Contains(body, "No series stored for Signal") || !strings.Contains(body, "No status page in the catalog") {
		t.Error("empty service page does not say it has no series and no status page")
	}
}

func TestServiceLinks(t *testing.T) {
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")
	_, body := get(t, hs.URL+"/")
	for _, want := range []string{`href="/services/whatsapp"`, `href="/services/x"`} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks the link %q", want)
		}
	}
	_, body = get(t, hs.URL+"/incidents/whatsapp.20221025T0705Z")
	if !strings.Contains(body, `<a href="/services/whatsapp">WhatsApp</a>`) {
		t.Error("incident page does not link to its service")
	}
}

// The overview charts the part of the last 24 hours that holds data: a
// service whose series began two hours ago gets a chart of those two hours.
func TestOverviewZoomsToData(t *testing.T) {
	st := testStore(t)
	ctx := context.Background()
	begin := clock.Add(-2 * time.Hour)
	inc := downwatch.Incident{ID: "signal.20221025T0810Z", Service: "signal", State: downwatch.StateOpen,
		StartedAt: clock.Add(-30 * time.Minute), DetectedAt: clock.Add(-28 * time.Minute), UpdatedAt: clock, PeakPerMin: 12, Mentions: 40, Authors: 30, Revision: 1}
	if err := st.Save(ctx, []downwatch.Alert{{Type: downwatch.AlertOpened, At: clock, Incident: inc}}); err != nil {
		t.Fatal(err)
	}
	var pts []downwatch.SeriesPoint
	for m := begin; !m.After(clock); m = m.Add(time.Minute) {
		pts = append(pts, downwatch.SeriesPoint{Service: "signal", Minute: m, Authors: 1, Baseline: 1})
	}
	if err := st.AppendSeries(ctx, pts); err != nil {
		t.Fatal(err)
	}
	_, hs := testServer(t, st, "")
	_, body := get(t, hs.URL+"/")
	from, to, _ := chartDomain(t, body)
	if want := begin.Add(-zoomPad); !from.Equal(want) || !to.Equal(clock) {
		t.Errorf("overview chart: got %s to %s, want %s to %s (the two hours of data)", from, to, want, clock)
	}
	// The service page keeps the range asked for.
	_, body = get(t, hs.URL+"/services/signal")
	if from, _, _ := chartDomain(t, body); !from.Equal(clock.Add(-24*time.Hour + time.Minute)) {
		t.Errorf("service page chart starts %s, want the full 24 h", from)
	}
}

func TestZoomFrom(t *testing.T) {
	to := clock
	from := to.Add(-24 * time.Hour)
	at := func(d time.Duration) []downwatch.SeriesPoint {
		return []downwatch.SeriesPoint{{Minute: to.Add(-d)}, {Minute: to}}
	}
	tests := []struct {
		name string
		pts  []downwatch.SeriesPoint
		want time.Time
	}{
		{"no data keeps the range", nil, from},
		{"data over the whole range", at(24 * time.Hour), from},
		{"two hours of data", at(2 * time.Hour), to.Add(-2*time.Hour - zoomPad)},
		{"ten minutes of data shows an hour", at(10 * time.Minute), to.Add(-minZoom)},
		{"unsorted points", []downwatch.SeriesPoint{{Minute: to}, {Minute: to.Add(-3 * time.Hour)}, {Minute: to.Add(-time.Hour)}}, to.Add(-3*time.Hour - zoomPad)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := zoomFrom(tc.pts, from, to); !got.Equal(tc.want) {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

// A service page's query either is refused or survives the trip through the
// links the page writes.
func FuzzServiceQuery(f *testing.F) {
	for _, s := range []string{"", "range=6h", "range=7d&scale=log", "scale=linear", "range=1y", "scale=sqrt", "range=24h&range=6h", "range=%zz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		r := httptest.NewRequest(http.MethodGet, "/services/x", nil)
		r.URL.RawQuery = raw
		q, err := parseServiceQuery(r)
		if err != nil {
			return
		}
		u, _ := url.Parse(q.href("/services/x"))
		r2 := httptest.NewRequest(http.MethodGet, u.String(), nil)
		q2, err := parseServiceQuery(r2)
		if err != nil || q2 != q {
			t.Errorf("%q: parsed %+v, its link %s parses to %+v, %v", raw, q, u, q2, err)
		}
	})
}
