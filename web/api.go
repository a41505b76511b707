package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// maxSeriesRange bounds ?from=&to= of the series API (the store keeps 7 days).
const maxSeriesRange = 8 * 24 * time.Hour

var (
	serviceRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}$`)
	incidentRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,63}(\.[A-Za-z0-9_-]{1,64}){1,3}$`)
	streamIDRE = regexp.MustCompile(`^[0-9]{1,20}(-[0-9]{1,20})?$`)
)

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

// writeError answers {"error": msg}.
func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}

func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	s.cfg.Logger.Error("web: store", "path", r.URL.Path, "err", err)
	writeError(w, http.StatusServiceUnavailable, "reading Redis failed")
}

// incidentQuery parses ?state=&service=&limit= of /api/incidents.
func incidentQuery(r *http.Request) (store.Query, string, error) {
	v := r.URL.Query()
	q := store.Query{Service: v.Get("service"), Limit: 100}
	if q.Service != "" && !serviceRE.MatchString(q.Service) {
		return q, "", fmt.Errorf("bad service %q: want a catalog id such as whatsapp", q.Service)
	}
	if l := v.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return q, "", fmt.Errorf("bad limit %q: want 1 to 1000", l)
		}
		q.Limit = n
	}
	state := v.Get("state")
	switch state {
	case "", "all":
		state = ""
	case "active":
		q.Active = true
	case downwatch.StateOpen, downwatch.StateAcknowledged:
		q.Active = true
	case downwatch.StateResolved:
	default:
		return q, "", fmt.Errorf("bad state %q: want active, open, acknowledged, resolved or all", state)
	}
	return q, state, nil
}

// apiIncidents answers GET /api/incidents: {"incidents":[...]}, newest first.
func (s *Server) apiIncidents(w http.ResponseWriter, r *http.Request) {
	q, state, err := incidentQuery(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	limit := q.Limit
	if state == downwatch.StateResolved {
		q.Limit = max(q.Limit*4, 400) // resolved ones are most of the index
	}
	incs, err := s.st.Incidents(r.Context(), q)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if state != "" && state != "active" {
		incs = slices.DeleteFunc(incs, func(i downwatch.Incident) bool { return i.State != state })
	}
	if len(incs) > limit {
		incs = incs[:limit]
	}
	if incs == nil {
		incs = []downwatch.Incident{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"incidents": incs})
}

// apiIncident answers GET /api/incidents/{id}.
func (s *Server) apiIncident(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if !incidentRE.MatchString(id) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("incident %q not found", id))
		return
	}
	inc, err := s.st.Incident(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("incident %q not found", id))
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, inc)
}

// seriesWindow resolves ?from=&to= for a service: by default the 24 hours ending
// at the newest stored minute (event time: a 2022 replay shows 2022).
func (s *Server) seriesWindow(ctx context.Context, service, fromS, toS string) (from, to time.Time, err error) {
	parse := func(name, v string) (time.Time, error) {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return t, &badRequest{fmt.Sprintf("bad %s %q: want RFC 3339, e.g. 2022-10-25T07:00:00Z", name, v)}
		}
		return t.UTC(), nil
	}
	switch {
	case fromS != "" && toS != "":
		if from, err = parse("from", fromS); err != nil {
			return
		}
		if to, err = parse("to", toS); err != nil {
			return
		}
	case fromS != "":
		if from, err = parse("from", fromS); err != nil {
			return
		}
		to = from.Add(24 * time.Hour)
	case toS != "":
		if to, err = parse("to", toS); err != nil {
			return
		}
		from = to.Add(-24 * time.Hour)
	default:
		latest, lerr := s.st.LatestSeriesMinute(ctx, service)
		if lerr != nil {
			return from, to, lerr
		}
		if latest.IsZero() {
			return from, to, nil
		}
		to = latest
		from = to.Add(-24 * time.Hour).Add(time.Minute)
	}
	if to.Before(from) {
		return from, to, &badRequest{fmt.Sprintf("from %s is after to %s", from.Format(time.RFC3339), to.Format(time.RFC3339))}
	}
	if to.Sub(from) > maxSeriesRange {
		return from, to, &badRequest{fmt.Sprintf("range %s is longer than %s", to.Sub(from), maxSeriesRange)}
	}
	return from, to, nil
}

// badRequest is an error in the request, answered 400.
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

type seriesJSON struct {
	Service string                  `json:"service"`
	From    *time.Time              `json:"from,omitempty"`
	To      *time.Time              `json:"to,omitempty"`
	Points  []downwatch.SeriesPoint `json:"points"`
}

// apiSeries answers GET /api/services/{id}/series.
func (s *Server) apiSeries(w http.ResponseWriter, r *http.Request) {
	svc := r.PathValue("id")
	if !serviceRE.MatchString(svc) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("bad service %q: want a catalog id such as whatsapp", svc))
		return
	}
	v := r.URL.Query()
	from, to, err := s.seriesWindow(r.Context(), svc, v.Get("from"), v.Get("to"))
	var bad *badRequest
	if errors.As(err, &bad) {
		writeError(w, http.StatusBadRequest, bad.Error())
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	out := seriesJSON{Service: svc, Points: []downwatch.SeriesPoint{}}
	if !from.IsZero() {
		pts, err := s.st.Series(r.Context(), svc, from, to)
		if err != nil {
			s.storeError(w, r, err)
			return
		}
		out.From, out.To = &from, &to
		if pts != nil {
			out.Points = pts
		}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.st.Ping(ctx); err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "redis": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "redis": "ok"})
}

// apiEvents answers GET /api/events with server-sent events: every alert as
//
//	event: incident.opened
//	id: 1666681692000-0
//	data: {"type":"incident.opened","at":...,"incident":{...}}
//
// A client that reconnects with Last-Event-ID (or ?last_event_id=) first gets
// what it missed from the capped Redis stream, then live alerts. A comment line
// is sent every Config.Heartbeat.
func (s *Server) apiEvents(w http.ResponseWriter, r *http.Request) {
	after := r.Header.Get("Last-Event-ID")
	if after == "" {
		after = r.URL.Query().Get("last_event_id")
	}
	if after != "" && !streamIDRE.MatchString(after) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("bad Last-Event-ID %q: want a stream id such as 1666681692000-0", after))
		return
	}
	ctx, cancel := context.WithCancel(r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()

	sub, err := s.hub.join(s.ctx)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	defer s.hub.leave(sub)
	s.m.sse.Inc()
	defer s.m.sse.Dec()

	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 3000\n: downwatch alerts\n\n")
	if err := rc.Flush(); err != nil {
		return
	}
	es := &eventStream{s: s, w: w, rc: rc}
	if after != "" && !es.catchUp(ctx, after) {
		return
	}
	beat := time.NewTicker(s.cfg.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case a, ok := <-sub.c:
			if !ok {
				return // too slow, or the hub stopped: the client reconnects with Last-Event-ID
			}
			if !es.last.less(parseStreamID(a.ID)) {
				continue
			}
			if err := es.send(a); err != nil {
				return
			}
		case <-beat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
			if err := rc.Flush(); err != nil {
				return
			}
		}
	}
}

// eventStream writes alerts to one SSE client, remembering the last id sent.
type eventStream struct {
	s    *Server
	w    http.ResponseWriter
	rc   *http.ResponseController
	last streamID
}

func (es *eventStream) send(a store.StreamAlert) error {
	body, err := json.Marshal(a.Alert)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(es.w, "event: %s\nid: %s\ndata: %s\n\n", a.Alert.Type, a.ID, body); err != nil {
		return err
	}
	es.s.m.sseEvents.Inc()
	es.last = parseStreamID(a.ID)
	return es.rc.Flush()
}

// catchUp sends what the stream holds after the id the client last saw. The hub
// subscription came first, so whatever the stream gains meanwhile also arrives
// on it; ids already sent are skipped there. It reports whether to go on.
func (es *eventStream) catchUp(ctx context.Context, after string) bool {
	for {
		batch, err := es.s.st.AlertsAfter(ctx, after, 256)
		if err != nil {
			if ctx.Err() == nil {
				es.s.cfg.Logger.Error("web: event stream catch-up", "err", err)
			}
			return false
		}
		for _, a := range batch {
			if err := es.send(a); err != nil {
				return false
			}
			after = a.ID
		}
		if len(batch) < 256 {
			return true
		}
	}
}

// streamID is a Redis stream id "ms-seq", comparable.
type streamID struct{ ms, seq uint64 }

func parseStreamID(s string) streamID {
	a, b, _ := strings.Cut(s, "-")
	ms, _ := strconv.ParseUint(a, 10, 64)
	seq, _ := strconv.ParseUint(b, 10, 64)
	return streamID{ms, seq}
}

func (a streamID) less(b streamID) bool { return a.ms < b.ms || a.ms == b.ms && a.seq < b.seq }

// hub follows the alert stream once for all event-stream clients and fans the
// alerts out, so a hundred open dashboards cost one Redis subscription.
type hub struct {
	st      Store
	log     *slog.Logger
	m       *metrics
	mu      sync.Mutex
	subs    map[*subscriber]bool
	started bool
	ready   chan struct{} // closed once the hub follows the stream
}

type subscriber struct{ c chan store.StreamAlert }

func newHub(st Store, log *slog.Logger, m *metrics) *hub {
	return &hub{st: st, log: log, m: m, subs: map[*subscriber]bool{}, ready: make(chan struct{})}
}

// join registers a subscriber; the first one starts the hub for the lifetime of ctx.
func (h *hub) join(ctx context.Context) (*subscriber, error) {
	h.mu.Lock()
	if !h.started {
		h.started = true
		go h.run(ctx)
	}
	sub := &subscriber{c: make(chan store.StreamAlert, 256)}
	h.subs[sub] = true
	h.mu.Unlock()
	select {
	case <-h.ready:
		return sub, nil
	case <-ctx.Done():
		h.leave(sub)
		return nil, ctx.Err()
	}
}

func (h *hub) leave(sub *subscriber) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.subs[sub] {
		delete(h.subs, sub)
		close(sub.c)
	}
}

func (h *hub) run(ctx context.Context) {
	after := ""
	var once sync.Once
	for ctx.Err() == nil {
		if after == "" {
			id, err := h.st.LastAlertID(ctx)
			if err != nil {
				h.log.Error("web: alert stream", "err", err)
				once.Do(func() { close(h.ready) })
				time.Sleep(time.Second)
				continue
			}
			after = id
		}
		once.Do(func() { close(h.ready) })
		err := h.st.Follow(ctx, after, func(a store.StreamAlert) error {
			after = a.ID
			h.broadcast(a)
			return nil
		})
		if ctx.Err() != nil {
			break
		}
		h.log.Error("web: following the alert stream failed; retrying", "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(time.Second):
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		delete(h.subs, sub)
		close(sub.c)
	}
}

func (h *hub) broadcast(a store.StreamAlert) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for sub := range h.subs {
		select {
		case sub.c <- a:
		default:
			// Too slow: drop it; EventSource reconnects with Last-Event-ID.
			delete(h.subs, sub)
			close(sub.c)
		}
	}
}
