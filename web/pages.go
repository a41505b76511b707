package web

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"html/template"
	"maps"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// How much the overview shows.
const (
	recentLimit   = 20 // incidents after the active ones
	overviewPosts = 3  // sample posts shown open on a card
	overviewChart = 6  // services charted
)

// page is what the layout templates get.
type page struct {
	Title    string
	Fragment string // URL the live script re-fetches
	Watch    string // incident id (and related ids) whose alerts refresh the page; empty = all
	Service  string
	Body     any
	CSRF     string // the form token (act.go)
	By       string // the name the action form fills in
}

// incView is an incident with what the templates show about it.
type incView struct {
	downwatch.Incident
	Name  string    // display name of the service
	Clock time.Time // the event clock "ago" is measured from
}

// overviewView is the body of /.
type overviewView struct {
	Clock  time.Time
	Active []incView
	Recent []incView
	Charts []chartView
}

// incidentView is the body of /incidents/{id}.
type incidentView struct {
	incView
	Timeline []step
	Chart    chartView
	Related  []incView
	Missing  []string // related ids no longer stored
}

// step is one row of the incident timeline.
type step struct {
	Label  string
	At     *time.Time
	Offset string // after onset
	Note   string
}

// kv is a breakdown row (country, language).
type kv struct {
	Code  string
	Label string
	N     int
	Pct   float64 // of the largest, for the bar
	Share float64 // of the total
}

func (v incView) Ago() string { return ago(v.Clock, v.StartedAt) }

// Lasted is how long the incident lasted, or has lasted so far.
func (v incView) Lasted() string {
	if v.ResolvedAt != nil {
		return dur(v.ResolvedAt.Sub(v.StartedAt))
	}
	end := v.UpdatedAt
	if v.Clock.After(end) {
		end = v.Clock
	}
	return dur(end.Sub(v.StartedAt))
}

func (v incView) TopCountries() []kv { return breakdown(v.Countries, 6, regionName) }
func (v incView) TopLanguages() []kv { return breakdown(v.Languages, 6, langName) }

// Posts are the sample posts to show open; More the rest.
func (v incView) Posts() []downwatch.Post {
	return v.SamplePosts[:min(overviewPosts, len(v.SamplePosts))]
}
func (v incView) More() []downwatch.Post {
	return v.SamplePosts[min(overviewPosts, len(v.SamplePosts)):]
}

func breakdown(m map[string]int, n int, name func(string) string) []kv {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b))
	})
	total := 0
	for _, c := range m {
		total += c
	}
	var out []kv
	for _, k := range keys[:min(n, len(keys))] {
		out = append(out, kv{Code: k, Label: name(k), N: m[k],
			Pct: 100 * float64(m[k]) / float64(m[keys[0]]), Share: 100 * float64(m[k]) / float64(total)})
	}
	return out
}

func regionName(code string) string {
	if r, err := language.ParseRegion(code); err == nil {
		if n := display.English.Regions().Name(r); n != "" {
			return n
		}
	}
	return code
}

func langName(code string) string {
	if t, err := language.Parse(code); err == nil {
		if n := display.English.Tags().Name(t); n != "" {
			return n
		}
	}
	return code
}

// dur formats a duration as people read it: "45 min", "1 h 52 min", "2 d 3 h".
func dur(d time.Duration) string {
	d = d.Round(time.Minute)
	switch {
	case d < time.Minute:
		return "< 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 24*time.Hour:
		h, m := int(d.Hours()), int(d.Minutes())%60
		if m == 0 {
			return fmt.Sprintf("%d h", h)
		}
		return fmt.Sprintf("%d h %d min", h, m)
	default:
		days, h := int(d.Hours())/24, int(d.Hours())%24
		if h == 0 {
			return fmt.Sprintf("%d d", days)
		}
		return fmt.Sprintf("%d d %d h", days, h)
	}
}

// ago is t relative to the event clock.
func ago(clock, t time.Time) string {
	if clock.IsZero() || t.After(clock) {
		return "just now"
	}
	if clock.Sub(t) < time.Minute {
		return "just now"
	}
	return dur(clock.Sub(t)) + " ago"
}

func (s *Server) funcs() template.FuncMap {
	return template.FuncMap{
		"name":  func(id string) string { return s.cfg.ServiceName(id) },
		"abs":   timeFmt("Mon 2 Jan 2006, 15:04 UTC"),
		"hm":    timeFmt("15:04"),
		"hms":   timeFmt("15:04:05"),
		"day":   timeFmt("2 Jan 2006"),
		"iso":   timeFmt(time.RFC3339),
		"dur":   dur,
		"ago":   ago,
		"f0":    func(v float64) string { return fmt.Sprintf("%.0f", v) },
		"f1":    func(v float64) string { return fmt.Sprintf("%.1f", v) },
		"pct":   func(v float64) string { return fmt.Sprintf("%.0f", v) },
		"pval":  pval,
		"share": func(v *float64) string { return fmt.Sprintf("%.0f%%", 100**v) },
		"secs":  func(v *float64) string { return (time.Duration(*v) * time.Second).String() },
		"lang":  langName,
		"region": func(code string) string {
			if code == "" {
				return "global"
			}
			return regionName(code)
		},
		"join":    strings.Join,
		"upper":   strings.ToUpper,
		"plural":  func(n int, one, many string) string { return map[bool]string{true: one, false: many}[n == 1] },
		"initial": func(s string) string { return strings.ToUpper(string([]rune(s + "?")[0])) },
	}
}

// timeFmt returns a template function formatting a time.Time or *time.Time in UTC.
func timeFmt(layout string) func(any) string {
	return func(v any) string {
		switch t := v.(type) {
		case time.Time:
			return t.UTC().Format(layout)
		case *time.Time:
			if t != nil {
				return t.UTC().Format(layout)
			}
		}
		return ""
	}
}

// pval writes a tail probability the way a person reads it: "3.2 × 10⁻³¹".
func pval(p float64) string {
	if p <= 0 {
		return "< 10⁻³⁰⁰"
	}
	if p >= 0.001 {
		return fmt.Sprintf("%.3f", p)
	}
	e := int(math.Floor(math.Log10(p)))
	m := p / math.Pow(10, float64(e))
	sup := strings.NewReplacer("-", "⁻", "0", "⁰", "1", "¹", "2", "²", "3", "³", "4", "⁴", "5", "⁵", "6", "⁶", "7", "⁷", "8", "⁸", "9", "⁹")
	return fmt.Sprintf("%.1f × 10%s", m, sup.Replace(fmt.Sprint(e)))
}

// render executes a template into a buffer first, so a failure is a clean 500.
func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, data any) {
	var buf bytes.Buffer
	if err := s.tmpl.ExecuteTemplate(&buf, name, data); err != nil {
		s.cfg.Logger.Error("web: render", "template", name, "err", err)
		http.Error(w, "rendering the page failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func (s *Server) view(inc downwatch.Incident, clock time.Time) incView {
	return incView{Incident: inc, Name: s.cfg.ServiceName(inc.Service), Clock: clock}
}

// eventClock is the newest event time the incidents show: what "now" means on
// a dashboard over a replay of 2022.
func eventClock(incs ...[]downwatch.Incident) time.Time {
	var c time.Time
	for _, l := range incs {
		for _, i := range l {
			for _, t := range []time.Time{i.UpdatedAt, i.DetectedAt} {
				if t.After(c) {
					c = t
				}
			}
			if i.ResolvedAt != nil && i.ResolvedAt.After(c) {
				c = *i.ResolvedAt
			}
		}
	}
	return c
}

func (s *Server) overview(ctx context.Context) (overviewView, error) {
	active, err := s.st.Incidents(ctx, store.Query{Active: true, Limit: 200})
	if err != nil {
		return overviewView{}, err
	}
	recent, err := s.st.Incidents(ctx, store.Query{Limit: recentLimit + len(active)})
	if err != nil {
		return overviewView{}, err
	}
	recent = slices.DeleteFunc(recent, func(i downwatch.Incident) bool { return i.Active() })
	if len(recent) > recentLimit {
		recent = recent[:recentLimit]
	}
	v := overviewView{}
	var services []string
	for _, l := range [][]downwatch.Incident{active, recent} {
		for _, i := range l {
			if !slices.Contains(services, i.Service) && len(services) < overviewChart {
				services = append(services, i.Service)
			}
		}
	}
	latest := map[string]time.Time{}
	for _, svc := range services {
		t, err := s.st.LatestSeriesMinute(ctx, svc)
		if err != nil {
			return v, err
		}
		latest[svc] = t
	}
	v.Clock = eventClock(active, recent)
	for _, t := range latest {
		if t.After(v.Clock) {
			v.Clock = t
		}
	}
	for _, i := range active {
		v.Active = append(v.Active, s.view(i, v.Clock))
	}
	for _, i := range recent {
		v.Recent = append(v.Recent, s.view(i, v.Clock))
	}
	width := 680 // two charts a row
	charted := 0
	for _, svc := range services {
		if !latest[svc].IsZero() {
			charted++
		}
	}
	if charted == 1 {
		width = 960 // one chart, full width
	}
	for _, svc := range services {
		to := latest[svc]
		if to.IsZero() {
			continue
		}
		from := to.Add(-24 * time.Hour).Add(time.Minute)
		cv, err := s.chart(ctx, svc, from, to, append(slices.Clone(active), recent...), chartOpts{width: width, zoom: true})
		if err != nil {
			return v, err
		}
		v.Charts = append(v.Charts, cv)
	}
	return v, nil
}

// chartOpts say how a chart is drawn.
type chartOpts struct {
	width int  // in SVG user units (drawChart)
	log   bool // logarithmic y axis
	zoom  bool // start where the stored series starts, when that is later than from
}

// Zooming keeps at least minZoom on the chart and zoomPad before the first
// stored minute.
const (
	minZoom = time.Hour
	zoomPad = 10 * time.Minute
)

// zoomFrom is where a zoomed chart of pts ending at to starts: zoomPad before
// the first stored minute, at least minZoom before to, never before from.
func zoomFrom(pts []downwatch.SeriesPoint, from, to time.Time) time.Time {
	if len(pts) == 0 {
		return from
	}
	first := pts[0].Minute
	for _, p := range pts {
		if p.Minute.Before(first) {
			first = p.Minute
		}
	}
	z := first.Add(-zoomPad)
	if to.Sub(z) < minZoom {
		z = to.Add(-minZoom)
	}
	if z.After(from) {
		return z
	}
	return from
}

func (s *Server) chart(ctx context.Context, svc string, from, to time.Time, incs []downwatch.Incident, o chartOpts) (chartView, error) {
	pts, err := s.st.Series(ctx, svc, from, to)
	if err != nil {
		return chartView{}, err
	}
	if o.zoom {
		from = zoomFrom(pts, from, to)
	}
	name := s.cfg.ServiceName(svc)
	cv := drawChart(pts, from, to, s.bands(svc, to, incs), fmt.Sprintf("%s: complainers per minute against the baseline, %s to %s UTC", name, from.Format("2 Jan 15:04"), to.Format("2 Jan 15:04")), o.width, o.log)
	cv.Service, cv.Name = svc, name
	return cv, nil
}

// bands are the incidents of svc among incs, drawn behind a chart ending at
// to (where an active one ends).
func (s *Server) bands(svc string, to time.Time, incs []downwatch.Incident) []band {
	var bands []band
	for _, i := range incs {
		if i.Service != svc {
			continue
		}
		end := to
		if i.ResolvedAt != nil {
			end = *i.ResolvedAt
		}
		label := fmt.Sprintf("%s (%s), %s–", i.ID, i.State, i.StartedAt.Format("15:04"))
		if i.ResolvedAt != nil {
			label += i.ResolvedAt.Format("15:04")
		}
		bands = append(bands, band{From: i.StartedAt, To: end, State: i.State, Label: label})
	}
	return bands
}

func (s *Server) incident(ctx context.Context, id string) (incidentView, error) {
	inc, err := s.st.Incident(ctx, id)
	if err != nil {
		return incidentView{}, err
	}
	latest, err := s.st.LatestSeriesMinute(ctx, inc.Service)
	if err != nil {
		return incidentView{}, err
	}
	clock := eventClock([]downwatch.Incident{inc})
	if latest.After(clock) {
		clock = latest
	}
	v := incidentView{incView: s.view(inc, clock)}
	v.Timeline = timeline(inc)
	// Related incidents, each with its own service name and state.
	var rel []downwatch.Incident
	for _, rid := range inc.Related {
		r, err := s.st.Incident(ctx, rid)
		if errors.Is(err, store.ErrNotFound) {
			v.Missing = append(v.Missing, rid)
			continue
		}
		if err != nil {
			return v, err
		}
		rel = append(rel, r)
	}
	slices.SortFunc(rel, func(a, b downwatch.Incident) int { return a.StartedAt.Compare(b.StartedAt) })
	for _, r := range rel {
		v.Related = append(v.Related, s.view(r, clock))
	}
	// Chart: two hours before the onset to an hour after the end.
	to := clock
	if inc.ResolvedAt != nil {
		to = inc.ResolvedAt.Add(time.Hour)
	}
	if !latest.IsZero() && to.After(latest) {
		to = latest
	}
	to = to.Truncate(time.Minute)
	from := inc.StartedAt.Add(-2 * time.Hour).Truncate(time.Minute)
	if to.Sub(from) < 3*time.Hour {
		to = from.Add(3 * time.Hour)
	}
	if to.Sub(from) > 24*time.Hour {
		from = to.Add(-24 * time.Hour)
	}
	if v.Chart, err = s.chart(ctx, inc.Service, from, to, []downwatch.Incident{inc}, chartOpts{width: 960}); err != nil {
		return v, err
	}
	return v, nil
}

func timeline(i downwatch.Incident) []step {
	off := func(t time.Time) string {
		if t.Sub(i.StartedAt) < time.Minute {
			return "within a minute"
		}
		return "+" + dur(t.Sub(i.StartedAt))
	}
	det := i.DetectedAt
	steps := []step{
		{Label: "Started", At: &i.StartedAt, Offset: "onset", Note: "estimated onset of the burst"},
		{Label: "Detected", At: &det, Offset: off(det), Note: "the burst decision fired"},
		{Label: "Acknowledged", At: i.AcknowledgedAt},
		{Label: "Resolved", At: i.ResolvedAt},
	}
	if a := i.AcknowledgedAt; a != nil {
		steps[2].Offset = off(*a)
		steps[2].Note = "official acknowledgement"
		if p := i.Acknowledgement; p != nil {
			steps[2].Note = "by @" + p.Author
		}
	} else {
		steps[2].Note = "no official acknowledgement yet"
	}
	if r := i.ResolvedAt; r != nil {
		steps[3].Offset = off(*r)
		steps[3].Note = "the signal returned to baseline"
	} else {
		steps[3].Note = "still " + i.State
	}
	return steps
}

func (s *Server) overviewPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.overview(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "overview.page", page{Title: "Incidents", Fragment: "/fragments/overview", Body: v})
}

func (s *Server) overviewFragment(w http.ResponseWriter, r *http.Request) {
	v, err := s.overview(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "overview", v)
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	v, err := s.incidentByID(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	watch := append([]string{v.ID}, v.Incident.Related...)
	s.render(w, r, http.StatusOK, "incident.page", page{
		Title: v.Name + " " + v.State + " · " + v.ID, Fragment: "/fragments/incidents/" + v.ID,
		Watch: strings.Join(watch, " "), Service: v.Service, Body: v,
		CSRF: csrfToken(w, r), By: actor(r),
	})
}

func (s *Server) incidentFragment(w http.ResponseWriter, r *http.Request) {
	v, err := s.incidentByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "incident", v)
}

func (s *Server) incidentByID(ctx context.Context, id string) (incidentView, error) {
	if !incidentRE.MatchString(id) {
		return incidentView{}, fmt.Errorf("%w: %s", store.ErrNotFound, id)
	}
	return s.incident(ctx, id)
}

func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	if errors.Is(err, store.ErrNotFound) {
		s.render(w, r, http.StatusNotFound, "notfound.page", page{Title: "Not found", Body: map[string]string{
			"What": "incident " + r.PathValue("id"),
			"Hint": "It may have expired (resolved incidents are kept 30 days) or belong to another key prefix (replays use downwatch:replay:).",
		}})
		return
	}
	s.cfg.Logger.Error("web: page", "path", r.URL.Path, "err", err)
	s.render(w, r, http.StatusServiceUnavailable, "notfound.page", page{Title: "Redis unavailable", Body: map[string]string{
		"What": "the incidents", "Hint": "Reading Redis failed; see the server log. This page will work again once Redis answers.",
	}})
}

func (s *Server) notFoundPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusNotFound, "notfound.page", page{Title: "Not found", Body: map[string]string{
		"What": r.URL.Path, "Hint": "There is no page here.",
	}})
}
