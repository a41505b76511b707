package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// StatusPageConfig configures the Atlassian Statuspage source. Zero values take
// the defaults named.
type StatusPageConfig struct {
	// Pages to poll; at least one.
	Pages []StatusPageTarget
	// Catalog resolves a page without an explicit service: the service whose
	// status_page has the page's host, else whose name is the page's page.name
	// (with or without a trailing "Status").
	Catalog *catalog.Catalog
	// Interval between polls; default 1m.
	Interval time.Duration
	Client   *http.Client
	Logger   *slog.Logger
	Now      func() time.Time
}

// StatusPageTarget is one page: its base URL (https://www.githubstatus.com) and,
// when given (--statuspage ID=URL), the catalog service it speaks for.
type StatusPageTarget struct {
	Service string
	BaseURL string
}

// ParseStatusPageTarget reads "URL" or "ID=URL".
func ParseStatusPageTarget(s string) (StatusPageTarget, error) {
	var t StatusPageTarget
	if id, rest, ok := strings.Cut(s, "="); ok && !strings.Contains(id, "/") {
		t.Service, s = strings.TrimSpace(id), rest
	}
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return t, fmt.Errorf("--statuspage %q: want a Statuspage base URL (https://www.githubstatus.com) or ID=URL", s)
	}
	t.BaseURL = s
	return t, nil
}

// StatusPage polls Atlassian Statuspage pages (GET {base}/api/v2/summary.json).
// Every update of an open incident (investigating, identified, monitoring) becomes
// a post of source "statuspage" whose author is the catalog service id, so the
// matcher reads it as official: id = page id + ":" + incident id + "/" + update
// id (two pages never share ids), text = "[Status] incident name: update body",
// created_at = the update's time. When an open incident leaves the summary
// (summaries list unresolved incidents only), the source reads
// {base}/api/v2/incidents.json: only an incident listed there as resolved is
// resolved (its resolving updates); one still open there is asked about again.
type StatusPage struct {
	cfg   StatusPageConfig
	pages []*pageState
	poller
}

type pageState struct {
	StatusPageTarget
	open  map[string]spIncident // incidents open at the last poll
	scope string                // the page's id (its host when it has none): post ids are scoped to it
}

// NewStatusPage returns a status page source.
func NewStatusPage(cfg StatusPageConfig) (*StatusPage, error) {
	if len(cfg.Pages) == 0 {
		return nil, fatalf("--source statuspage needs at least one --statuspage URL or ID=URL")
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Minute
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: time.Minute}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &StatusPage{cfg: cfg}
	for _, p := range cfg.Pages {
		p.BaseURL = strings.TrimRight(p.BaseURL, "/")
		if p.Service != "" && cfg.Catalog != nil {
			if _, ok := cfg.Catalog.Service(p.Service); !ok {
				return nil, fatalf("--statuspage %s=%s: %q is not a catalog service id", p.Service, p.BaseURL, p.Service)
			}
		}
		s.pages = append(s.pages, &pageState{StatusPageTarget: p})
	}
	s.poller = poller{interval: cfg.Interval, now: cfg.Now, poll: s.pollAll}
	return s, nil
}

// Name implements Source.
func (s *StatusPage) Name() string { return "statuspage" }

type spSummary struct {
	Page struct {
		ID   string `json:"id"`
		Name string `json:"name"`
		URL  string `json:"url"`
	} `json:"page"`
	Incidents []spIncident `json:"incidents"`
}

type spIncident struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Status     string     `json:"status"`
	Shortlink  string     `json:"shortlink"`
	ResolvedAt string     `json:"resolved_at"`
	UpdatedAt  string     `json:"updated_at"`
	Updates    []spUpdate `json:"incident_updates"`
}

type spUpdate struct {
	ID        string `json:"id"`
	Status    string `json:"status"`
	Body      string `json:"body"`
	CreatedAt string `json:"created_at"`
	DisplayAt string `json:"display_at"`
}

func (s *StatusPage) pollAll(ctx context.Context) ([]readResult, error) {
	return pollEach(ctx, s.cfg.Logger, "page", s.pages, func(ps *pageState) string { return ps.BaseURL }, s.pollOne)
}

func (s *StatusPage) get(ctx context.Context, u string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", "downwatch")
	req.Header.Set("Accept", "application/json")
	resp, err := s.cfg.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, httpStatusError("GET "+u, resp)
	}
	return io.ReadAll(io.LimitReader(resp.Body, 8<<20))
}

func (s *StatusPage) pollOne(ctx context.Context, ps *pageState) ([]readResult, error) {
	data, err := s.get(ctx, ps.BaseURL+"/api/v2/summary.json")
	if err != nil {
		return nil, err
	}
	sum, err := decodeStatusSummary(data)
	if err != nil {
		return nil, err
	}
	if ps.Service == "" {
		ps.Service = s.resolve(ps.BaseURL, sum.Page.Name)
	}
	if ps.scope == "" {
		ps.scope = sum.Page.ID
		if u, err := url.Parse(ps.BaseURL); ps.scope == "" && err == nil {
			ps.scope = u.Host
		}
	}
	var out []readResult
	open := map[string]spIncident{}
	for _, inc := range sum.Incidents {
		if !isResolved(inc.Status) {
			open[inc.ID] = inc
		}
		out = append(out, incidentPosts(ps.Service, ps.scope, ps.BaseURL, inc)...)
	}
	// Incidents that left the summary were resolved (or deleted).
	var gone []spIncident
	for id, inc := range ps.open {
		if _, ok := open[id]; !ok && !hasIncident(sum.Incidents, id) {
			gone = append(gone, inc)
		}
	}
	if len(gone) > 0 {
		out = append(out, s.resolutions(ctx, ps, gone, open)...)
	}
	ps.open = open
	return out, nil
}

// resolutions reads incidents.json for the incidents that left the summary: one
// it lists as resolved gives its resolving updates; one it lists as open, or any
// while it cannot be read, stays open (in open) to be asked about next poll; one
// it no longer lists at all was deleted, and is dropped without a resolution.
func (s *StatusPage) resolutions(ctx context.Context, ps *pageState, gone []spIncident, open map[string]spIncident) []readResult {
	var list struct {
		Incidents []spIncident `json:"incidents"`
	}
	data, err := s.get(ctx, ps.BaseURL+"/api/v2/incidents.json")
	if err == nil {
		err = json.Unmarshal(data, &list)
	}
	if err != nil {
		if ctx.Err() == nil {
			s.cfg.Logger.Warn("cannot read recent incidents; asking again next poll", "page", ps.BaseURL, "err", err)
		}
		for _, inc := range gone {
			open[inc.ID] = inc
		}
		return nil
	}
	var out []readResult
	for _, inc := range gone {
		switch i := slices.IndexFunc(list.Incidents, func(r spIncident) bool { return r.ID == inc.ID }); {
		case i < 0:
			s.cfg.Logger.Info("incident no longer listed (deleted?); not declared resolved", "page", ps.BaseURL, "incident", inc.ID)
		case isResolved(list.Incidents[i].Status):
			out = append(out, incidentPosts(ps.Service, ps.scope, ps.BaseURL, list.Incidents[i])...)
		default:
			open[inc.ID] = list.Incidents[i] // still open on the page, only not in the summary
		}
	}
	return out
}

func hasIncident(list []spIncident, id string) bool {
	for _, inc := range list {
		if inc.ID == id {
			return true
		}
	}
	return false
}

func isResolved(status string) bool {
	return status == "resolved" || status == "postmortem" || status == "completed"
}

// resolve finds the catalog service a page speaks for; "" leaves it to the
// matcher, which also reads page names as authors.
func (s *StatusPage) resolve(base, pageName string) string {
	if s.cfg.Catalog == nil {
		return pageName
	}
	host := func(raw string) string {
		u, err := url.Parse(raw)
		if err != nil {
			return ""
		}
		return strings.TrimPrefix(strings.ToLower(u.Hostname()), "www.")
	}
	bh := host(base)
	name := strings.ToLower(strings.TrimSpace(pageName))
	bare := strings.TrimSpace(strings.TrimSuffix(name, "status"))
	var byName string
	for _, id := range s.cfg.Catalog.ServiceIDs() {
		svc, _ := s.cfg.Catalog.Service(id)
		if svc.StatusPage != "" && host(svc.StatusPage) == bh {
			return id
		}
		if byName != "" || name == "" {
			continue
		}
		for _, n := range append([]string{svc.Name, svc.ID}, svc.Names...) {
			if n = strings.ToLower(n); n == name || n == bare {
				byName = id
				break
			}
		}
	}
	if byName != "" {
		return byName
	}
	s.cfg.Logger.Warn("status page matches no catalog service; name it with --statuspage ID=URL", "page", base, "name", pageName)
	return cmpOr(pageName, bh)
}

// incidentPosts turns each update of an incident into a post, oldest first.
func incidentPosts(service, scope, base string, inc spIncident) []readResult {
	var out []readResult
	for i := len(inc.Updates) - 1; i >= 0; i-- {
		u := inc.Updates[i]
		if u.ID == "" {
			continue
		}
		at, err := downwatch.ParseTime(cmpOr(u.CreatedAt, u.DisplayAt))
		if err != nil {
			out = append(out, readResult{err: &downwatch.RejectError{Reason: "bad-time", Detail: fmt.Sprintf("incident %s update %s: created_at %q", inc.ID, u.ID, truncate(u.CreatedAt, 64))}})
			continue
		}
		status := cmpOr(u.Status, inc.Status)
		text := "[" + statusLabel(status) + "] " + strings.TrimSpace(inc.Name)
		if body := htmlText(u.Body); body != "" {
			text += ": " + body
		}
		if isResolved(status) && !strings.Contains(strings.ToLower(text), "resolved") {
			text += " This incident has been resolved."
		}
		out = append(out, readResult{post: downwatch.Post{
			ID: scope + ":" + inc.ID + "/" + u.ID, Source: "statuspage", Author: service,
			Text: downwatch.CleanText(text), CreatedAt: at, URL: incidentURL(base, inc),
		}})
	}
	return out
}

func statusLabel(s string) string {
	if s == "" {
		return "Update"
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func incidentURL(base string, inc spIncident) string {
	if inc.Shortlink != "" {
		return inc.Shortlink
	}
	return base + "/incidents/" + url.PathEscape(inc.ID)
}

// decodeStatusSummary reads a summary.json; anything else is a RejectError.
func decodeStatusSummary(data []byte) (spSummary, error) {
	var s spSummary
	if err := json.Unmarshal(data, &s); err != nil {
		return s, &downwatch.RejectError{Reason: "bad-json", Detail: "summary.json: " + err.Error()}
	}
	for _, inc := range s.Incidents {
		if inc.ID == "" {
			return s, &downwatch.RejectError{Reason: "missing-field", Detail: "summary.json: incident without id"}
		}
	}
	return s, nil
}
