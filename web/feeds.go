package web

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// Feeds for people who do not run webhooks: Atom (RFC 4287) feeds of incidents
// and an iCalendar (RFC 5545) feed of silences. They are reads: with tokens
// configured, a feed reader passes ?token=SECRET on every request.

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title     string     `xml:"title"`
	ID        string     `xml:"id"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Links     []atomLink `xml:"link"`
	Category  []atomCat  `xml:"category"`
	Summary   string     `xml:"summary"`
}

type atomCat struct {
	Term string `xml:"term,attr"`
}

// feedLimit is how many incidents a feed holds.
const feedLimit = 50

// baseURL is the server's address as the request reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// feedAtom answers GET /feed.atom and /services/{id}/feed.atom: the newest
// incidents (of the service), each entry updated at its last change.
func (s *Server) feedAtom(w http.ResponseWriter, r *http.Request) {
	svc := r.PathValue("id")
	if svc != "" && !serviceRE.MatchString(svc) {
		http.Error(w, "no such service", http.StatusNotFound)
		return
	}
	incs, err := s.st.Incidents(r.Context(), store.Query{Service: svc, Limit: feedLimit})
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	base := baseURL(r)
	f := atomFeed{Title: "downwatch incidents", ID: "urn:downwatch:incidents", Author: atomAuthor{Name: "downwatch"},
		Links: []atomLink{{Rel: "self", Type: "application/atom+xml", Href: base + r.URL.Path}, {Rel: "alternate", Type: "text/html", Href: base + "/"}}}
	if svc != "" {
		f.Title = s.cfg.ServiceName(svc) + " incidents · downwatch"
		f.ID = "urn:downwatch:service:" + svc
	}
	var newest time.Time
	for _, inc := range incs {
		e := s.atomEntry(inc, base)
		if inc.UpdatedAt.After(newest) {
			newest = inc.UpdatedAt
		}
		f.Entries = append(f.Entries, e)
	}
	if newest.IsZero() {
		newest = time.Unix(0, 0)
	}
	f.Updated = newest.UTC().Format(time.RFC3339)
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		http.Error(w, "encoding the feed failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte(xml.Header))
	w.Write(out)
}

func (s *Server) atomEntry(inc downwatch.Incident, base string) atomEntry {
	scope := "global"
	if inc.Region != "" {
		scope = regionName(inc.Region)
	}
	state := inc.State
	switch {
	case inc.FalseAlarm != nil:
		state = "false alarm"
	case inc.MergedInto != "":
		state = "merged into " + inc.MergedInto
	}
	updated := inc.UpdatedAt
	if updated.IsZero() {
		updated = inc.DetectedAt
	}
	sum := fmt.Sprintf("%s outage (%s), %s: started %s UTC, peak %.0f complainers/min, %d complainers.",
		s.cfg.ServiceName(inc.Service), scope, state, inc.StartedAt.UTC().Format("2006-01-02 15:04"), inc.PeakPerMin, inc.Authors)
	if inc.AcknowledgedAt != nil {
		sum += " Acknowledged " + inc.AcknowledgedAt.UTC().Format("15:04") + " UTC."
	}
	if inc.ResolvedAt != nil {
		sum += " Resolved " + inc.ResolvedAt.UTC().Format("2006-01-02 15:04") + " UTC."
	}
	if len(inc.Symptoms) > 0 {
		sum += " Symptoms: " + strings.Join(inc.Symptoms, ", ") + "."
	}
	return atomEntry{
		Title: fmt.Sprintf("%s outage (%s): %s", s.cfg.ServiceName(inc.Service), scope, state),
		ID:    "urn:downwatch:incident:" + inc.ID, Updated: updated.UTC().Format(time.RFC3339),
		Published: inc.DetectedAt.UTC().Format(time.RFC3339),
		Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: base + "/incidents/" + inc.ID}},
		Category:  []atomCat{{Term: inc.Service}, {Term: inc.State}},
		Summary:   sum,
	}
}

// silencesICS answers GET /silences.ics: the current and recent silences as
// iCalendar events, for a team calendar.
func (s *Server) silencesICS(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Silencer == nil {
		http.Error(w, errReadOnly.Error(), http.StatusNotImplemented)
		return
	}
	list, err := s.cfg.Silencer.Silences(r.Context(), s.now(), true)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	var b strings.Builder
	line := func(name, value string) { b.WriteString(icsFold(name + ":" + value)) }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//downwatch//silences//EN")
	line("X-WR-CALNAME", "downwatch silences")
	for _, si := range list {
		var ms []string
		for _, m := range si.Matchers {
			ms = append(ms, m.String())
		}
		line("BEGIN", "VEVENT")
		line("UID", si.ID+"@downwatch")
		line("DTSTAMP", icsTime(si.CreatedAt))
		line("DTSTART", icsTime(si.StartsAt))
		line("DTEND", icsTime(si.EndsAt))
		line("SUMMARY", icsText("Silenced: "+strings.Join(ms, " ")))
		desc := si.Comment + "\n(by " + si.By + ")"
		if si.ExpiredBy != "" {
			desc += "\nended early by " + si.ExpiredBy
		}
		line("DESCRIPTION", icsText(desc))
		line("URL", baseURL(r)+"/silences")
		line("END", "VEVENT")
	}
	line("END", "VCALENDAR")
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Write([]byte(b.String()))
}

func icsTime(t time.Time) string {
	if t.IsZero() {
		t = time.Unix(0, 0)
	}
	return t.UTC().Format("20060102T150405Z")
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(s)
}

// icsFold ends a content line with CRLF, folded so that no line is longer than
// 75 octets, never inside a UTF-8 sequence (RFC 5545 §3.1).
func icsFold(l string) string {
	var b strings.Builder
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8Start(l[cut]) {
			cut--
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74 // the continuation's leading space counts
	}
	b.WriteString(l)
	b.WriteString("\r\n")
	return b.String()
}

// Ranger lists incidents by onset; *store.Redis satisfies it.
type Ranger interface {
	IncidentsStartedBetween(ctx context.Context, from, to time.Time) ([]downwatch.Incident, error)
}

// precision reads ?since=&until= and sums up the incidents that started then.
func (s *Server) precision(r *http.Request) (from, to time.Time, rows []downwatch.Precision, err error) {
	rg, ok := s.st.(Ranger)
	if !ok {
		return from, to, nil, errReadOnly
	}
	d := downwatch.ReportSince
	if v := r.URL.Query().Get("since"); v != "" {
		if d, err = downwatch.ParseSince(v); err != nil {
			return from, to, nil, &badRequest{err.Error()}
		}
	}
	to = s.now().UTC()
	if v := r.URL.Query().Get("until"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, nil, &badRequest{"bad until " + strconv.Quote(v) + ": want RFC 3339"}
		}
	}
	from = to.Add(-d)
	incs, err := rg.IncidentsStartedBetween(r.Context(), from, to)
	if err != nil {
		return from, to, nil, err
	}
	return from, to, downwatch.PrecisionOf(incs), nil
}

// apiReport answers GET /api/report[?since=30d&until=TIME] (docs/CONTRACT.md §10).
func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	from, to, rows, err := s.precision(r)
	var br *badRequest
	switch {
	case errors.As(err, &br):
		writeError(w, http.StatusBadRequest, br.msg)
	case errors.Is(err, errReadOnly):
		writeError(w, http.StatusNotImplemented, "this store cannot list incidents by onset")
	case err != nil:
		s.storeError(w, r, err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "precision": rows})
	}
}

// reportPage answers GET /report: the same as a table.
func (s *Server) reportPage(w http.ResponseWriter, r *http.Request) {
	from, to, rows, err := s.precision(r)
	if err != nil {
		s.formError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	s.render(w, r, http.StatusOK, "report.page", page{Title: "Precision", Body: map[string]any{"From": from, "To": to, "Rows": rows}})
}
