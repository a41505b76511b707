package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// Silencer keeps the silences; *store.Redis satisfies it.
type Silencer interface {
	AddSilence(ctx context.Context, s downwatch.Silence) (downwatch.Silence, error)
	Silences(ctx context.Context, now time.Time, all bool) ([]downwatch.Silence, error)
	ExpireSilence(ctx context.Context, id, by string, now time.Time) (downwatch.Silence, error)
}

var silenceIDRE = regexp.MustCompile(`^[0-9a-f]{1,32}$`)

// silenceRequest is the body of POST /api/silences (docs/CONTRACT.md §9).
type silenceRequest struct {
	Matchers []downwatch.Matcher `json:"matchers"`
	Match    []string            `json:"match"` // "service=whatsapp", "symptom=~login|connect"
	StartsAt time.Time           `json:"starts_at"`
	EndsAt   time.Time           `json:"ends_at"`
	Duration string              `json:"duration"` // instead of ends_at, e.g. "2h"
	By       string              `json:"created_by"`
	Comment  string              `json:"comment"`
}

// silence turns a request into a silence made now by the request's token.
func (s *Server) silence(r *http.Request, req silenceRequest) (downwatch.Silence, error) {
	now := s.now().UTC().Truncate(time.Second)
	si := downwatch.Silence{Matchers: req.Matchers, StartsAt: req.StartsAt, EndsAt: req.EndsAt,
		By: strings.TrimSpace(req.By), Comment: clip(strings.TrimSpace(req.Comment), 2000), Token: tokenName(r), CreatedAt: now}
	for _, m := range req.Match {
		if strings.TrimSpace(m) == "" {
			continue
		}
		pm, err := downwatch.ParseMatcher(strings.TrimSpace(m))
		if err != nil {
			return si, err
		}
		si.Matchers = append(si.Matchers, pm)
	}
	if si.By == "" {
		si.By = si.Token
	}
	if si.StartsAt.IsZero() {
		si.StartsAt = now
	}
	if req.Duration != "" {
		d, err := time.ParseDuration(req.Duration)
		if err != nil || d <= 0 {
			return si, fmt.Errorf("%w: duration %q: want e.g. 90m or 2h", downwatch.ErrSilence, req.Duration)
		}
		si.EndsAt = si.StartsAt.Add(d)
	}
	return si, nil
}

func silenceStatus(err error) (int, string) {
	switch {
	case errors.Is(err, downwatch.ErrSilence):
		return http.StatusUnprocessableEntity, err.Error()
	case errors.Is(err, store.ErrNoSilence):
		return http.StatusNotFound, err.Error()
	case errors.Is(err, errReadOnly):
		return http.StatusNotImplemented, err.Error()
	}
	return http.StatusServiceUnavailable, "Redis failed; see the server log and retry"
}

// apiSilences answers GET /api/silences[?state=all]: {"silences":[...]}.
func (s *Server) apiSilences(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Silencer == nil {
		writeError(w, http.StatusNotImplemented, errReadOnly.Error())
		return
	}
	list, err := s.cfg.Silencer.Silences(r.Context(), s.now(), r.URL.Query().Get("state") == "all")
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	if list == nil {
		list = []downwatch.Silence{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"silences": list})
}

// decodeJSON reads a JSON body of at most 64 KiB into v, refusing other
// content types (a form on another site cannot send JSON without a preflight).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any, example string) bool {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		writeError(w, http.StatusUnsupportedMediaType, "send Content-Type: application/json, e.g. "+example)
		return false
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 64<<10))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "bad body: "+err.Error()+" (want "+example+")")
		return false
	}
	return true
}

// apiAddSilence answers POST /api/silences with the silence stored (201).
func (s *Server) apiAddSilence(w http.ResponseWriter, r *http.Request) {
	var req silenceRequest
	if !decodeJSON(w, r, &req, `{"match":["service=whatsapp"],"duration":"2h","created_by":"ana","comment":"planned maintenance"}`) {
		return
	}
	si, err := s.addSilence(r, req)
	if err != nil {
		code, msg := silenceStatus(err)
		writeError(w, code, msg)
		return
	}
	writeJSON(w, http.StatusCreated, si)
}

func (s *Server) addSilence(r *http.Request, req silenceRequest) (downwatch.Silence, error) {
	if s.cfg.Silencer == nil {
		return downwatch.Silence{}, errReadOnly
	}
	si, err := s.silence(r, req)
	if err != nil {
		return si, err
	}
	return s.cfg.Silencer.AddSilence(r.Context(), si)
}

// apiExpireSilence answers POST /api/silences/{id}/expire.
func (s *Server) apiExpireSilence(w http.ResponseWriter, r *http.Request) {
	var req struct {
		By string `json:"by"`
	}
	if !decodeJSON(w, r, &req, `{"by":"ana"}`) {
		return
	}
	si, err := s.expireSilence(r, req.By)
	if err != nil {
		code, msg := silenceStatus(err)
		writeError(w, code, msg)
		return
	}
	writeJSON(w, http.StatusOK, si)
}

func (s *Server) expireSilence(r *http.Request, by string) (downwatch.Silence, error) {
	if s.cfg.Silencer == nil {
		return downwatch.Silence{}, errReadOnly
	}
	id := r.PathValue("id")
	if !silenceIDRE.MatchString(id) {
		return downwatch.Silence{}, fmt.Errorf("%w: %q", store.ErrNoSilence, id)
	}
	if by = strings.TrimSpace(by); by == "" {
		by = tokenName(r)
	}
	if by == "" {
		return downwatch.Silence{}, fmt.Errorf("%w: say who ends it (by)", downwatch.ErrSilence)
	}
	return s.cfg.Silencer.ExpireSilence(r.Context(), id, by, s.now().UTC().Truncate(time.Second))
}

// silencesView is what the silences page shows.
type silencesView struct {
	Silences []silenceRow
	Now      time.Time
	Error    string
}

type silenceRow struct {
	downwatch.Silence
	State string // active, pending or expired
}

// silencesPage answers GET /silences: the silences and a form to add one.
func (s *Server) silencesPage(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Silencer == nil {
		s.formError(w, r, http.StatusNotImplemented, errReadOnly.Error())
		return
	}
	now := s.now()
	list, err := s.cfg.Silencer.Silences(r.Context(), now, true)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := silencesView{Now: now}
	for _, si := range list {
		st := "active"
		switch {
		case now.Before(si.StartsAt):
			st = "pending"
		case !now.Before(si.EndsAt):
			st = "expired"
		}
		v.Silences = append(v.Silences, silenceRow{Silence: si, State: st})
	}
	s.render(w, r, http.StatusOK, "silences.page", page{Title: "Silences", Body: v, CSRF: csrfToken(w, r), By: actor(r)})
}

// formSilence answers the silences page's forms: POST /silences adds one, POST
// /silences/{id}/expire ends one; both go back to the page.
func (s *Server) formSilence(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil || !formOK(r) {
		s.formError(w, r, http.StatusForbidden, "The form expired or came from another site; open the silences page again and resend it.")
		return
	}
	var err error
	if r.PathValue("id") != "" {
		_, err = s.expireSilence(r, r.PostFormValue("by"))
	} else {
		req := silenceRequest{Match: strings.Split(r.PostFormValue("match"), "\n"), Duration: r.PostFormValue("duration"),
			By: r.PostFormValue("by"), Comment: r.PostFormValue("comment")}
		if v := r.PostFormValue("starts_at"); v != "" {
			if req.StartsAt, err = time.Parse("2006-01-02T15:04", v); err != nil {
				s.formError(w, r, http.StatusBadRequest, "Start: want YYYY-MM-DDTHH:MM (UTC).")
				return
			}
		}
		_, err = s.addSilence(r, req)
	}
	if err != nil {
		code, msg := silenceStatus(err)
		s.formError(w, r, code, msg)
		return
	}
	http.Redirect(w, r, "/silences", http.StatusSeeOther)
}
