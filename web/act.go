package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// Actor records what people do to incidents; *store.Redis satisfies it.
type Actor interface {
	Act(ctx context.Context, id string, rev int, a downwatch.Action) ([]downwatch.Alert, error)
}

// AlertSink publishes the alerts people's actions make: the list of sinks
// package sink builds (the Redis channel and stream, the Kafka alerts topic)
// satisfies it, as *store.Redis alone does (Redis only).
type AlertSink interface {
	Publish(ctx context.Context, alerts []downwatch.Alert) error
}

// actRequest is the body of POST /api/incidents/{id}/{action} (docs/CONTRACT.md §8).
type actRequest struct {
	By       string `json:"by"`
	Note     string `json:"note"`
	Other    string `json:"other"`    // merge: the incident merged into this one; link: the other incident
	Revision int    `json:"revision"` // the revision acted on; 0: the current one
}

// actResponse answers an action: the alerts it published and the incident after it.
type actResponse struct {
	Incident downwatch.Incident `json:"incident"`
	Alerts   []downwatch.Alert  `json:"alerts"`
	Warning  string             `json:"warning,omitempty"` // stored but not published
}

// act runs one person's action and publishes its alerts on the sink.
func (s *Server) act(ctx context.Context, r *http.Request, id, typ string, req actRequest) (actResponse, error) {
	if s.cfg.Actor == nil {
		return actResponse{}, errReadOnly
	}
	if !incidentRE.MatchString(id) {
		return actResponse{}, fmt.Errorf("%w: %s", store.ErrNotFound, id)
	}
	if req.Other != "" && !incidentRE.MatchString(req.Other) {
		return actResponse{}, fmt.Errorf("%w: bad incident id %q for other", downwatch.ErrAction, req.Other)
	}
	a := downwatch.Action{
		Type: typ, By: strings.TrimSpace(req.By), Note: clip(strings.TrimSpace(req.Note), 2000), Other: req.Other,
		Token: tokenName(r), At: s.now().UTC().Truncate(time.Second),
	}
	if a.By == "" {
		a.By = a.Token // a token's name says who, when the request does not
	}
	alerts, err := s.cfg.Actor.Act(ctx, id, req.Revision, a)
	if err != nil {
		return actResponse{}, err
	}
	out := actResponse{Alerts: alerts}
	if s.cfg.Sink != nil {
		if err := s.cfg.Sink.Publish(ctx, alerts); err != nil {
			// Stored already: the change stands, but subscribers were not told.
			s.cfg.Logger.Error("web: publish an action's alerts", "incident", id, "err", err)
			out.Warning = "recorded, but publishing its alert failed (" + err.Error() + "); subscribers will see the change with the incident's next alert"
		}
	}
	for _, al := range alerts {
		if al.Incident.ID == id {
			out.Incident = al.Incident
		}
	}
	return out, nil
}

var errReadOnly = errors.New("this server was started without a way to record actions")

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// actStatus maps an action's error to an HTTP status and a message.
func actStatus(err error) (int, string) {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, store.ErrConflict):
		return http.StatusConflict, err.Error()
	case errors.Is(err, downwatch.ErrAction):
		return http.StatusUnprocessableEntity, err.Error()
	case errors.Is(err, errReadOnly):
		return http.StatusNotImplemented, err.Error()
	}
	return http.StatusServiceUnavailable, "writing to Redis failed; see the server log and retry"
}

// apiAct answers POST /api/incidents/{id}/{action} with a JSON body.
func (s *Server) apiAct(w http.ResponseWriter, r *http.Request) {
	typ := r.PathValue("action")
	if !isAction(typ) {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no action %q: want acknowledge, resolve, reopen, false-alarm, merge or link", typ))
		return
	}
	// JSON only: a form on another site cannot send it without a CORS
	// preflight, which this server never answers.
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send the action as Content-Type: application/json, e.g. {\"by\":\"ana\",\"note\":\"on it\"}")
		return
	}
	var req actRequest
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, "bad action body: "+err.Error()+` (want {"by":NAME,"note":TEXT,"other":ID,"revision":N}, each optional but by)`)
		return
	}
	out, err := s.act(r.Context(), r, r.PathValue("id"), typ, req)
	if err != nil {
		code, msg := actStatus(err)
		if code == http.StatusServiceUnavailable {
			s.cfg.Logger.Error("web: act", "path", r.URL.Path, "err", err)
		}
		writeError(w, code, msg)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

func isAction(typ string) bool {
	for _, t := range downwatch.ActionTypes {
		if t == typ {
			return true
		}
	}
	return false
}

// The dashboard's forms carry a CSRF token: a random value in a cookie of the
// dashboard's own (SameSite=Strict) that the form repeats in a hidden field; a
// page on another site can neither read the cookie nor make the browser send it.
const (
	csrfCookie = "downwatch_csrf"
	byCookie   = "downwatch_by" // the name last acted under, to fill the form in
)

// csrfToken returns the request's CSRF token, setting a new one if it has none.
func csrfToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) == 32 {
		return c.Value
	}
	b := make([]byte, 16)
	rand.Read(b)
	v := hex.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: v, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"})
	return v
}

// formOK checks a form post's CSRF token and that the browser did not send it
// from another site.
func formOK(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return false
	}
	c, err := r.Cookie(csrfCookie)
	return err == nil && len(c.Value) == 32 && equal(c.Value, r.PostFormValue("csrf"))
}

// formAct answers the incident page's form (POST /incidents/{id}/actions): on
// success it goes back to the incident (the surviving one after a merge), else
// it shows what went wrong.
func (s *Server) formAct(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	id := r.PathValue("id")
	if err := r.ParseForm(); err != nil || !formOK(r) {
		s.formError(w, r, http.StatusForbidden, "The form expired or came from another site; open the incident again and resend it.")
		return
	}
	typ := r.PostFormValue("action")
	if !isAction(typ) {
		s.formError(w, r, http.StatusBadRequest, fmt.Sprintf("No action %q.", typ))
		return
	}
	rev, _ := strconv.Atoi(r.PostFormValue("revision"))
	req := actRequest{By: r.PostFormValue("by"), Note: r.PostFormValue("note"), Other: strings.TrimSpace(r.PostFormValue("other")), Revision: rev}
	if _, err := s.act(r.Context(), r, id, typ, req); err != nil {
		code, msg := actStatus(err)
		s.formError(w, r, code, msg)
		return
	}
	if req.By != "" {
		http.SetCookie(w, &http.Cookie{Name: byCookie, Value: url.QueryEscape(clip(req.By, 100)), Path: "/", MaxAge: 365 * 24 * 3600,
			HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	http.Redirect(w, r, "/incidents/"+id, http.StatusSeeOther)
}

func (s *Server) formError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.render(w, r, code, "notfound.page", page{Title: "Not done", Body: map[string]string{
		"What": "the action on " + r.PathValue("id"), "Hint": msg,
	}})
}

// actor is the name the form fills in: the last one used from this browser.
func actor(r *http.Request) string {
	if c, err := r.Cookie(byCookie); err == nil {
		if v, err := url.QueryUnescape(c.Value); err == nil {
			return v
		}
	}
	return ""
}

// tokenName is the name of the token the request was authenticated with ("" on
// an open server).
func tokenName(r *http.Request) string {
	n, _ := r.Context().Value(tokenKey{}).(string)
	return n
}

type tokenKey struct{}
