package web

import (
	"context"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
	"github.com/downwatch/downwatch/store/storetest"
)

// testStore is a real Redis under a fresh prefix (storetest).
func testStore(t testing.TB) *store.Redis { return storetest.Open(t) }

// redisURL is the Redis the tests run against.
func redisURL() string { return storetest.URL() }

var names = map[string]string{"whatsapp": "WhatsApp", "instagram": "Instagram", "x": "X", "gmail": "Gmail", "signal": "Signal"}

// testServer starts the handler over st.
func testServer(t testing.TB, st *store.Redis, token string) (*Server, *httptest.Server) {
	t.Helper()
	srv, err := New(Config{Store: st, AuthToken: token, Heartbeat: 200 * time.Millisecond,
		ServiceName: func(id string) string {
			if n, ok := names[id]; ok {
				return n
			}
			return id
		}})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return srv, hs
}

// The WhatsApp outage of 25 October 2022, as the dashboard would show it at
// 08:40 UTC: acknowledged by a news agency quoting Meta, with a regional
// Instagram incident in Turkey beside it, and older incidents of other services.
// Ids follow the detector's scheme "<service>.<yyyymmddThhmmZ>" (a regional
// incident has no region in its id), and a service has at most one active
// incident.
var (
	waStart = time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	clock   = time.Date(2022, 10, 25, 8, 40, 0, 0, time.UTC)
)

func tp(t time.Time) *time.Time { return &t }

func post(id, author, lang, country, text string, at time.Time) downwatch.Post {
	return downwatch.Post{ID: id, Source: "x", Author: author, Lang: lang, Country: country, Text: text, CreatedAt: at,
		URL: "https://x.com/" + author + "/status/" + id}
}

func scenarioIncidents() []downwatch.Incident {
	ack := post("1584811505", "ANI", "en", "IN", `#UPDATE | "We're aware that some people are currently having trouble sending messages and we're working to restore WhatsApp for everyone as quickly as possible," says Meta Company Spokesperson`, time.Date(2022, 10, 25, 8, 5, 0, 0, time.UTC))
	ack.AuthorVerified = true
	wa := downwatch.Incident{
		ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateAcknowledged,
		StartedAt: waStart, DetectedAt: waStart.Add(3*time.Minute + 12*time.Second), AcknowledgedAt: tp(ack.CreatedAt),
		PeakPerMin: 96, Mentions: 2712, Authors: 2391,
		Languages: map[string]int{"en": 1102, "hi": 611, "bn": 163, "it": 148, "tr": 131, "pt": 97, "id": 72, "es": 55},
		Countries: map[string]int{"IN": 1208, "GB": 187, "IT": 161, "TR": 142, "BR": 118, "ID": 91, "ES": 60},
		Symptoms:  []string{"send-messages", "connect", "load"},
		SamplePosts: []downwatch.Post{
			post("1584795010", "priya_k", "en", "IN", "Is WhatsApp down for everyone?? messages stuck on one tick since 12:35 😩", waStart.Add(90*time.Second)),
			post("1584795102", "rahul.verma", "hi", "IN", "व्हाट्सएप डाउन है क्या? कोई मैसेज नहीं जा रहा", waStart.Add(2*time.Minute)),
			post("1584795230", "tanvir_h", "bn", "BD", "হোয়াটসঅ্যাপ কাজ করছে না, মেসেজ যাচ্ছে না", waStart.Add(3*time.Minute)),
			post("1584795388", "giulia.r", "it", "IT", "WhatsApp non funziona, i messaggi non partono", waStart.Add(4*time.Minute)),
			post("1584795412", "emre_k", "tr", "TR", "WhatsApp çöktü mü? Mesajlar gitmiyor", waStart.Add(5*time.Minute)),
			post("1584795530", "lucas_m", "pt", "BR", "o whatsapp caiu? não consigo mandar mensagem", waStart.Add(6*time.Minute)),
		},
		Related:         []string{"instagram.20221025T0709Z"},
		Acknowledgement: &ack,
		Revision:        14,
		Evidence:        &downwatch.Evidence{Window: "2m", Observed: 41, Expected: 3.1, PValue: 2.4e-29, Baseline: 1.55},
		UpdatedAt:       clock,
	}
	tr := downwatch.Incident{
		ID: "instagram.20221025T0709Z", Service: "instagram", Region: "TR", State: downwatch.StateOpen,
		StartedAt: waStart.Add(4 * time.Minute), DetectedAt: waStart.Add(8 * time.Minute),
		PeakPerMin: 9, Mentions: 171, Authors: 142, Languages: map[string]int{"tr": 131, "en": 11},
		Countries: map[string]int{"TR": 142}, Symptoms: []string{"load"},
		SamplePosts: []downwatch.Post{post("1584796001", "emre_k", "tr", "TR", "Instagram çöktü mü? Akış yüklenmiyor", waStart.Add(5*time.Minute))},
		Related:     []string{"whatsapp.20221025T0705Z"}, Revision: 6,
		Evidence:  &downwatch.Evidence{Window: "2m", Observed: 12, Expected: 0.2, PValue: 1.1e-14, Baseline: 0.1},
		UpdatedAt: clock,
	}
	xs := time.Date(2022, 10, 25, 2, 31, 0, 0, time.UTC)
	x := downwatch.Incident{
		ID: "x.20221025T0231Z", Service: "x", State: downwatch.StateResolved, StartedAt: xs, DetectedAt: xs.Add(4 * time.Minute),
		ResolvedAt: tp(xs.Add(38 * time.Minute)), PeakPerMin: 23, Mentions: 402, Authors: 377,
		Languages: map[string]int{"en": 301, "ja": 66}, Countries: map[string]int{"US": 190, "JP": 61, "GB": 40},
		Symptoms: []string{"load", "timeline"},
		SamplePosts: []downwatch.Post{post("1584700001", "jules", "en", "US", "twitter not loading tweets again lol", xs.Add(time.Minute)),
			post("1584700002", "haruto_s", "ja", "JP", "ツイッター落ちてる？タイムラインが読み込めない", xs.Add(2*time.Minute))},
		Revision: 5, UpdatedAt: xs.Add(38 * time.Minute),
		Evidence: &downwatch.Evidence{Window: "2m", Observed: 19, Expected: 2.4, PValue: 6.3e-11, Baseline: 1.2},
	}
	is := time.Date(2022, 10, 24, 18, 12, 0, 0, time.UTC)
	ig := downwatch.Incident{
		ID: "instagram.20221024T1812Z", Service: "instagram", State: downwatch.StateResolved, StartedAt: is, DetectedAt: is.Add(3 * time.Minute),
		AcknowledgedAt: tp(is.Add(25 * time.Minute)), ResolvedAt: tp(is.Add(71 * time.Minute)), PeakPerMin: 31, Mentions: 690, Authors: 611,
		Languages: map[string]int{"en": 420, "es": 120, "pt": 71}, Countries: map[string]int{"US": 310, "MX": 90, "BR": 70},
		Symptoms:    []string{"login", "load"},
		SamplePosts: []downwatch.Post{post("1584600001", "maddie", "en", "US", "instagram logged me out and now it won't let me back in??", is.Add(time.Minute))},
		Revision:    9, UpdatedAt: is.Add(71 * time.Minute),
	}
	gs := time.Date(2022, 10, 20, 9, 2, 0, 0, time.UTC)
	gm := downwatch.Incident{
		ID: "gmail.20221020T0902Z", Service: "gmail", State: downwatch.StateResolved, StartedAt: gs, DetectedAt: gs.Add(5 * time.Minute),
		ResolvedAt: tp(gs.Add(44 * time.Minute)), PeakPerMin: 14, Mentions: 212, Authors: 198,
		Languages: map[string]int{"en": 150, "de": 48}, Countries: map[string]int{"US": 90, "DE": 48}, Symptoms: []string{"send-email"},
		SamplePosts: []downwatch.Post{post("1583000001", "k_schmidt", "de", "DE", "Gmail geht nicht, Mails bleiben im Postausgang", gs.Add(2*time.Minute))},
		Revision:    4, UpdatedAt: gs.Add(44 * time.Minute),
	}
	return []downwatch.Incident{gm, ig, x, tr, wa}
}

// scenarioSeries is 24 hours of per-minute complainers up to the clock, with a
// time-of-day baseline and the bursts of the incidents above.
func scenarioSeries() []downwatch.SeriesPoint {
	r := rand.New(rand.NewPCG(25, 10))
	var pts []downwatch.SeriesPoint
	poisson := func(l float64) int {
		// Knuth for small l, normal approximation for large.
		if l > 30 {
			return max(0, int(math.Round(l+math.Sqrt(l)*r.NormFloat64())))
		}
		L, k, p := math.Exp(-l), 0, 1.0
		for {
			p *= r.Float64()
			if p <= L {
				return k
			}
			k++
		}
	}
	for _, svc := range []struct {
		id    string
		base  float64
		burst func(t time.Time) float64
	}{
		{"whatsapp", 1.3, func(t time.Time) float64 {
			m := t.Sub(waStart).Minutes()
			switch {
			case m < 0:
				return 0
			case m < 30:
				return 80 * (1 - math.Exp(-m/7))
			case m < 60:
				return 80 - (m-30)*0.5
			default:
				return math.Max(0, 65-(m-60)*0.8)
			}
		}},
		{"x", 1.0, func(t time.Time) float64 {
			m := t.Sub(time.Date(2022, 10, 25, 2, 31, 0, 0, time.UTC)).Minutes()
			if m < 0 || m > 38 {
				return 0
			}
			return 22 * math.Sin(math.Pi*m/38)
		}},
		{"instagram", 1.1, func(t time.Time) float64 {
			// Resolved the evening before; regional (Turkey) since 07:09.
			if m := t.Sub(time.Date(2022, 10, 24, 18, 12, 0, 0, time.UTC)).Minutes(); m >= 0 && m <= 71 {
				return 30 * math.Sin(math.Pi*m/71)
			}
			if m := t.Sub(waStart.Add(4 * time.Minute)).Minutes(); m >= 0 {
				return 8 * (1 - math.Exp(-m/5))
			}
			return 0
		}},
		{"gmail", 0.6, func(time.Time) float64 { return 0 }},
	} {
		for t := clock.Add(-24 * time.Hour); !t.After(clock); t = t.Add(time.Minute) {
			h := float64(t.Hour()) + float64(t.Minute())/60
			base := svc.base * (1 + 0.6*math.Sin(2*math.Pi*(h-3)/24)) // busiest around 09:00 UTC (afternoon in India)
			pts = append(pts, downwatch.SeriesPoint{Service: svc.id, Minute: t, Authors: poisson(base + svc.burst(t)), Baseline: math.Round(base*100) / 100})
		}
	}
	return pts
}

// seed stores the scenario without publishing alerts.
func seed(t testing.TB, st *store.Redis) []downwatch.Incident {
	t.Helper()
	ctx := context.Background()
	incs := scenarioIncidents()
	var as []downwatch.Alert
	for _, i := range incs {
		as = append(as, downwatch.Alert{Type: downwatch.AlertUpdated, At: i.UpdatedAt, Incident: i})
	}
	if err := st.Save(ctx, as); err != nil {
		t.Fatal(err)
	}
	for _, i := range incs {
		for _, r := range i.Related {
			if err := st.Link(ctx, i.ID, r); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := st.AppendSeries(ctx, scenarioSeries()); err != nil {
		t.Fatal(err)
	}
	return incs
}

func get(t testing.TB, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
