package web

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/downwatch/downwatch/store"
)

// Forgetter removes an author's posts from everything stored (README
// "Privacy"); *store.Redis satisfies it.
type Forgetter interface {
	Forget(ctx context.Context, author, source string, now time.Time) (store.Removed, error)
}

// forgetRequest is the body of POST /api/forget (docs/CONTRACT.md §8, §12).
type forgetRequest struct {
	Author string `json:"author"`
	Source string `json:"source"` // only the author's posts on this source; "": every source
}

// forgetResponse says what was removed: post ids and incident ids, never texts.
type forgetResponse struct {
	Posts         []store.RemovedRef `json:"posts"`
	Incidents     []string           `json:"incidents"`
	StreamEntries int                `json:"stream_entries"`
	Warning       string             `json:"warning,omitempty"` // removed but not published
}

// apiForget answers POST /api/forget: the same as downwatch forget. The changed
// incidents are published as incident.updated, as the command does; running
// it again removes nothing more.
func (s *Server) apiForget(w http.ResponseWriter, r *http.Request) {
	var req forgetRequest
	if !decodeJSON(w, r, &req, `{"author":"priya_k","source":"x"}`) {
		return
	}
	author := strings.TrimPrefix(strings.TrimSpace(req.Author), "@")
	if author == "" {
		writeError(w, http.StatusBadRequest, `want {"author":"HANDLE"} (and optionally "source")`)
		return
	}
	f, ok := s.cfg.Store.(Forgetter)
	if !ok {
		writeError(w, http.StatusNotImplemented, errReadOnly.Error())
		return
	}
	res, err := f.Forget(r.Context(), author, strings.TrimSpace(req.Source), s.now().UTC().Truncate(time.Second))
	if err != nil {
		s.cfg.Logger.Error("web: forget", "err", err)
		writeError(w, http.StatusServiceUnavailable, "writing to Redis failed; see the server log and retry")
		return
	}
	out := forgetResponse{Posts: res.Refs(), Incidents: []string{}, StreamEntries: res.StreamEntries}
	for _, al := range res.Alerts {
		out.Incidents = append(out.Incidents, al.Incident.ID)
	}
	if s.cfg.Sink != nil && len(res.Alerts) > 0 {
		if err := s.cfg.Sink.Publish(r.Context(), res.Alerts); err != nil {
			s.cfg.Logger.Error("web: publish forget's alerts", "err", err)
			out.Warning = "removed, but publishing the changed incidents failed (" + err.Error() + "); subscribers will see the change with each incident's next alert"
		}
	}
	s.cfg.Logger.Info("web: forgot an author's posts", "token", tokenName(r), "posts", len(out.Posts), "incidents", len(out.Incidents))
	writeJSON(w, http.StatusOK, out)
}
