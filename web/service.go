package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// The page of one service (/services/{id}) and its JSON (/api/services/{id}):
// its chart over a chosen range, its incidents, what its complainers said was
// broken and where they were, and the accounts and status page that speak for
// it. Four Redis round trips: the service's incident index and incidents, its
// newest series minute, and the series of the range.

// ServiceInfo is what the catalog says about a service, for its page.
type ServiceInfo struct {
	Name       string   // display name; empty: Config.ServiceName
	Official   []string // handles that speak for it, without '@'
	StatusPage string   // its status page's URL
}

// serviceRange is a chart range the page offers.
type serviceRange struct {
	Key   string // ?range= value
	Label string
	D     time.Duration
}

var serviceRanges = []serviceRange{
	{"6h", "6 h", 6 * time.Hour},
	{"24h", "24 h", 24 * time.Hour},
	{"7d", "7 days", 7 * 24 * time.Hour},
}

// How much a service page shows.
const (
	defaultRange   = "24h"
	serviceLimit   = 50 // incidents read: the active ones and the recent ones
	serviceRecent  = 20 // resolved incidents listed
	serviceRegions = 10 // regions listed
)

// serviceQuery is a service page's ?range= and ?scale=.
type serviceQuery struct {
	Range serviceRange
	Log   bool
}

func parseServiceQuery(r *http.Request) (serviceQuery, error) {
	v := r.URL.Query()
	q := serviceQuery{}
	key := cmp.Or(v.Get("range"), defaultRange)
	i := slices.IndexFunc(serviceRanges, func(sr serviceRange) bool { return sr.Key == key })
	if i < 0 {
		return q, &badRequest{fmt.Sprintf("bad range %q: want 6h, 24h or 7d", key)}
	}
	q.Range = serviceRanges[i]
	switch v.Get("scale") {
	case "", "linear":
	case "log":
		q.Log = true
	default:
		return q, &badRequest{fmt.Sprintf("bad scale %q: want linear or log", v.Get("scale"))}
	}
	return q, nil
}

// href is the page's address with this range and scale.
func (q serviceQuery) href(path string) string {
	v := url.Values{"range": {q.Range.Key}}
	if q.Log {
		v.Set("scale", "log")
	}
	return path + "?" + v.Encode()
}

// serviceData is what the page and the JSON are made of.
type serviceData struct {
	ID     string
	Info   ServiceInfo
	Clock  time.Time
	From   time.Time // the chart's range; zero without a series
	To     time.Time
	Points []downwatch.SeriesPoint
	Active []downwatch.Incident
	Recent []downwatch.Incident
}

// serviceData reads a service; store.ErrNotFound for an id that is neither in
// the catalog nor has anything stored.
func (s *Server) serviceData(ctx context.Context, id string, q serviceQuery) (serviceData, error) {
	d := serviceData{ID: id}
	if !serviceRE.MatchString(id) {
		return d, fmt.Errorf("%w: service %s", store.ErrNotFound, id)
	}
	known := false
	if s.cfg.Catalog != nil {
		d.Info, known = s.cfg.Catalog(id)
	}
	d.Info.Name = cmp.Or(d.Info.Name, s.cfg.ServiceName(id))
	incs, err := s.st.Incidents(ctx, store.Query{Service: id, Limit: serviceLimit})
	if err != nil {
		return d, err
	}
	latest, err := s.st.LatestSeriesMinute(ctx, id)
	if err != nil {
		return d, err
	}
	if !known && len(incs) == 0 && latest.IsZero() {
		return d, fmt.Errorf("%w: service %s", store.ErrNotFound, id)
	}
	for _, i := range incs {
		if i.Active() {
			d.Active = append(d.Active, i)
		} else if len(d.Recent) < serviceRecent {
			d.Recent = append(d.Recent, i)
		}
	}
	d.Clock = eventClock(incs)
	if latest.After(d.Clock) {
		d.Clock = latest
	}
	if latest.IsZero() {
		return d, nil
	}
	d.To = latest
	d.From = latest.Add(-q.Range.D).Add(time.Minute)
	if d.Points, err = s.st.Series(ctx, id, d.From, d.To); err != nil {
		return d, err
	}
	return d, nil
}

// incidents are the active and the recent ones, for bands and breakdowns.
func (d serviceData) incidents() []downwatch.Incident {
	return append(slices.Clone(d.Active), d.Recent...)
}

// Symptom bases: what a symptom's share is a share of.
const (
	basisPosts     = "posts"     // posts naming it, from symptom_counts
	basisIncidents = "incidents" // incidents listing it (stored before symptom_counts)
)

// symptomCounts sums what the incidents' complainers said was broken: the posts
// naming each symptom (symptom_counts) over the incidents that have counts, or,
// when none has, the incidents listing each symptom.
func symptomCounts(incs []downwatch.Incident) (map[string]int, string) {
	posts, listed := map[string]int{}, map[string]int{}
	for _, i := range incs {
		for sym, n := range i.SymptomCounts {
			posts[sym] += n
		}
		for _, sym := range i.Symptoms {
			listed[sym]++
		}
	}
	if len(posts) > 0 {
		return posts, basisPosts
	}
	return listed, basisIncidents
}

// regionCounts sums the complainers' countries over the incidents.
func regionCounts(incs []downwatch.Incident) map[string]int {
	m := map[string]int{}
	for _, i := range incs {
		for c, n := range i.Countries {
			m[c] += n
		}
	}
	return m
}

// serviceView is the body of /services/{id}.
type serviceView struct {
	ID, Name     string
	Info         ServiceInfo
	Clock        time.Time
	Chart        chartView
	Ranges       []rangeLink
	Scale        rangeLink // the other scale
	Log          bool
	Active       []incView
	Recent       []incView
	Symptoms     []kv
	SymptomBasis string
	Regions      []kv
	Regional     []string // regions of its regional incidents
}

// rangeLink is a link that changes the chart.
type rangeLink struct {
	Label   string
	Href    string
	Current bool
}

func (s *Server) serviceView(d serviceData, q serviceQuery) serviceView {
	v := serviceView{ID: d.ID, Name: d.Info.Name, Info: d.Info, Clock: d.Clock, Log: q.Log}
	path := "/services/" + d.ID
	for _, sr := range serviceRanges {
		o := serviceQuery{Range: sr, Log: q.Log}
		v.Ranges = append(v.Ranges, rangeLink{Label: sr.Label, Href: o.href(path), Current: sr.Key == q.Range.Key})
	}
	other := serviceQuery{Range: q.Range, Log: !q.Log}
	v.Scale = rangeLink{Label: map[bool]string{true: "log scale", false: "linear scale"}[other.Log], Href: other.href(path)}
	for _, i := range d.Active {
		v.Active = append(v.Active, s.view(i, d.Clock))
	}
	for _, i := range d.Recent {
		v.Recent = append(v.Recent, s.view(i, d.Clock))
	}
	incs := d.incidents()
	syms, basis := symptomCounts(incs)
	v.Symptoms, v.SymptomBasis = breakdown(syms, len(syms), func(s string) string { return s }), basis
	v.Regions = breakdown(regionCounts(incs), serviceRegions, regionName)
	for _, i := range incs {
		if i.Region != "" && !slices.Contains(v.Regional, i.Region) {
			v.Regional = append(v.Regional, i.Region)
		}
	}
	if d.To.IsZero() {
		v.Chart = chartView{Service: d.ID, Name: v.Name, Empty: true}
		return v
	}
	title := fmt.Sprintf("%s: complainers per minute against the baseline, %s to %s UTC", v.Name, d.From.Format("2 Jan 15:04"), d.To.Format("2 Jan 15:04"))
	v.Chart = drawChart(d.Points, d.From, d.To, s.bands(d.ID, d.To, incs), title, 960, q.Log)
	v.Chart.Service, v.Chart.Name = d.ID, v.Name
	return v
}

func (s *Server) servicePage(w http.ResponseWriter, r *http.Request) {
	s.serveService(w, r, true)
}

func (s *Server) serviceFragment(w http.ResponseWriter, r *http.Request) {
	s.serveService(w, r, false)
}

func (s *Server) serveService(w http.ResponseWriter, r *http.Request, whole bool) {
	id := r.PathValue("id")
	q, err := parseServiceQuery(r)
	if err != nil {
		s.render(w, r, http.StatusBadRequest, "notfound.page", page{Title: "Bad request", Body: map[string]string{
			"What": "service " + id, "Hint": err.Error() + ".",
		}})
		return
	}
	d, err := s.serviceData(r.Context(), id, q)
	if err != nil {
		s.servicePageError(w, r, err)
		return
	}
	v := s.serviceView(d, q)
	if !whole {
		s.render(w, r, http.StatusOK, "service", v)
		return
	}
	frag := q.href("/fragments/services/" + id)
	s.render(w, r, http.StatusOK, "service.page", page{Title: v.Name, Fragment: frag, Watch: id, Service: id, Body: v})
}

func (s *Server) servicePageError(w http.ResponseWriter, r *http.Request, err error) {
	if !isNotFound(err) {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusNotFound, "notfound.page", page{Title: "Not found", Body: map[string]string{
		"What": "service " + r.PathValue("id"),
		"Hint": "No service in the catalog has this id, and nothing is stored for it. Ids are lower case, such as whatsapp.",
	}})
}

// serviceJSON is the answer of GET /api/services/{id}.
type serviceJSON struct {
	Service      string                  `json:"service"`
	Name         string                  `json:"name"`
	Official     []string                `json:"official"`
	StatusPage   string                  `json:"status_page,omitempty"`
	Clock        *time.Time              `json:"clock,omitempty"`
	Range        string                  `json:"range"`
	From         *time.Time              `json:"from,omitempty"`
	To           *time.Time              `json:"to,omitempty"`
	Points       []downwatch.SeriesPoint `json:"points"`
	Active       []downwatch.Incident    `json:"active"`
	Recent       []downwatch.Incident    `json:"recent"`
	Symptoms     []shareJSON             `json:"symptoms"`
	SymptomBasis string                  `json:"symptom_basis"`
	Regions      []shareJSON             `json:"regions"`
}

// shareJSON is one row of a breakdown: a symptom or a country.
type shareJSON struct {
	Key     string  `json:"key"`
	Count   int     `json:"count"`
	Percent float64 `json:"percent"`
}

func shares(m map[string]int) []shareJSON {
	total := 0
	for _, n := range m {
		total += n
	}
	out := []shareJSON{}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, shareJSON{Key: k, Count: m[k], Percent: 100 * float64(m[k]) / float64(total)})
	}
	slices.SortStableFunc(out, func(a, b shareJSON) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// apiService answers GET /api/services/{id}[?range=6h|24h|7d].
func (s *Server) apiService(w http.ResponseWriter, r *http.Request) {
	q, err := parseServiceQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	d, err := s.serviceData(r.Context(), r.PathValue("id"), q)
	if isNotFound(err) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("service %q not found", r.PathValue("id")))
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	incs := d.incidents()
	syms, basis := symptomCounts(incs)
	out := serviceJSON{Service: d.ID, Name: d.Info.Name, Official: orEmpty(d.Info.Official), StatusPage: d.Info.StatusPage,
		Range: q.Range.Key, Points: orEmpty(d.Points),
		Active: orEmpty(d.Active), Recent: orEmpty(d.Recent),
		Symptoms: shares(syms), SymptomBasis: basis, Regions: shares(regionCounts(incs))}
	if !d.Clock.IsZero() {
		out.Clock = &d.Clock
	}
	if !d.To.IsZero() {
		out.From, out.To = &d.From, &d.To
	}
	writeJSON(w, http.StatusOK, out)
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// orEmpty is l, or an empty list for JSON's [] instead of null.
func orEmpty[T any](l []T) []T {
	if l == nil {
		return []T{}
	}
	return l
}
