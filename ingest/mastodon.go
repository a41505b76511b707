package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/downwatch/downwatch"
)

// MastodonConfig configures the Mastodon streaming source. Zero values take the
// defaults named.
type MastodonConfig struct {
	// BaseURL of the instance, e.g. https://mastodon.social; required.
	BaseURL string
	// Hashtags to follow (without '#'); none: the federated public timeline.
	Hashtags []string
	// Token (MASTODON_ACCESS_TOKEN), sent as a bearer token when set. Many
	// instances require one for streaming.
	Token string
	// StallTimeout: no event and no heartbeat for this long means the connection
	// is dead; default 60s (servers send a ":thump" heartbeat every few seconds).
	StallTimeout time.Duration
	// NoGapFill: after a reconnect, do not fetch the statuses posted while
	// disconnected from the REST timeline (GET /api/v1/timelines/...?since_id=).
	NoGapFill bool
	// WebSocket: read GET /api/v1/streaming?stream=... over a WebSocket instead
	// of server-sent events (same events; liveness by client pings every
	// StallTimeout/3).
	WebSocket bool
	Client    *http.Client
	Logger    *slog.Logger
}

// Mastodon reads public statuses from a Mastodon instance's streaming API
// (server-sent events): GET /api/v1/streaming/public, or one stream per hashtag
// (/api/v1/streaming/hashtag?tag=...); with WebSocket, the same streams over
// /api/v1/streaming?stream=public (or stream=hashtag&tag=...). "update" events become posts (HTML to
// text; a boost becomes a repost of the boosted status); "delete" (payload: the
// status id) and "status.update" (the edited status) become a *Retraction;
// other events are ignored. The streaming API has no cursor, so after a reconnect the
// source asks the REST timeline for the statuses newer than the last one it saw
// (one page of 40) and dedup drops the overlap.
type Mastodon struct {
	cfg     MastodonConfig
	streams []*mastodonStream
	events  chan mastodonEvent
	cancel  context.CancelFunc
	done    chan struct{}
	queue   []downwatch.Post
}

type mastodonStream struct {
	stream, timeline string // paths with query
	wsQuery          string // the WebSocket endpoint's stream selection
	lastID           string // newest status id seen (Mastodon ids sort as numbers)
}

type mastodonEvent struct {
	post downwatch.Post
	// retract is set for a delete or status.update event.
	retract *Retraction
	id      string
	s       *mastodonStream
	err     error
}

// NewMastodon returns a Mastodon source.
func NewMastodon(cfg MastodonConfig) (*Mastodon, error) {
	if cfg.BaseURL == "" {
		return nil, fatalf("--source mastodon needs --mastodon-url, e.g. https://mastodon.social")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fatalf("--mastodon-url %q: want https://instance", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = time.Minute
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	m := &Mastodon{cfg: cfg}
	if len(cfg.Hashtags) == 0 {
		m.streams = []*mastodonStream{{stream: "/api/v1/streaming/public", timeline: "/api/v1/timelines/public?limit=40", wsQuery: "stream=public"}}
	}
	for _, t := range cfg.Hashtags {
		t = strings.TrimPrefix(strings.TrimSpace(t), "#")
		if t == "" {
			continue
		}
		m.streams = append(m.streams, &mastodonStream{
			stream:   "/api/v1/streaming/hashtag?tag=" + url.QueryEscape(t),
			timeline: "/api/v1/timelines/tag/" + url.PathEscape(t) + "?limit=40",
			wsQuery:  "stream=hashtag&tag=" + url.QueryEscape(t),
		})
	}
	return m, nil
}

// Name implements Source.
func (m *Mastodon) Name() string { return "mastodon" }

func (m *Mastodon) get(ctx context.Context, path string, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.cfg.BaseURL+path, nil)
	if err != nil {
		return nil, fatalf("%v", err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", "downwatch")
	if m.cfg.Token != "" {
		req.Header.Set("Authorization", "Bearer "+m.cfg.Token)
	}
	resp, err := m.cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("%w: Mastodon %s: %v", ErrReconnect, path, err)
	}
	if resp.StatusCode == http.StatusOK {
		return resp, nil
	}
	defer resp.Body.Close()
	herr := httpStatusError("Mastodon "+m.cfg.BaseURL+path, resp)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		hint := "set MASTODON_ACCESS_TOKEN to an access token of an application on this instance (scope read)"
		if m.cfg.Token != "" {
			hint = "the instance refused MASTODON_ACCESS_TOKEN; create a new token with scope read on this instance"
		}
		return nil, fatalf("%v: %s", herr, hint)
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, ok := retryAfter(resp.Header, time.Now())
		if !ok {
			wait = time.Minute
		}
		return nil, &RetryError{After: wait, Err: herr}
	case resp.StatusCode == http.StatusNotFound:
		return nil, fatalf("%v (is --mastodon-url a Mastodon instance?)", herr)
	default:
		return nil, fmt.Errorf("%w: %v", ErrReconnect, herr)
	}
}

// Connect opens every stream and, after a reconnect, fetches what was missed.
func (m *Mastodon) Connect(ctx context.Context) error {
	sctx, cancel := context.WithCancel(ctx)
	var stops []func()
	var pumps []func(finished chan<- struct{})
	fail := func(err error) error {
		for _, stop := range stops {
			stop()
		}
		cancel()
		return err
	}
	for _, s := range m.streams {
		if m.cfg.WebSocket {
			ws, err := m.dialWS(sctx, s)
			if err != nil {
				return fail(err)
			}
			stops = append(stops, func() { ws.CloseNow() })
			pumps = append(pumps, func(f chan<- struct{}) { m.pumpWS(sctx, ws, s, f) })
			continue
		}
		rctx, rcancel := context.WithCancel(sctx)
		resp, err := m.get(rctx, s.stream, "text/event-stream")
		if err != nil {
			rcancel()
			return fail(err)
		}
		c := newConn(resp.Body, rcancel, m.cfg.StallTimeout)
		stops = append(stops, c.stop)
		pumps = append(pumps, func(f chan<- struct{}) { m.pump(sctx, c, s, f) })
	}
	// Gap fill after the streams are open, so nothing falls between the two.
	if !m.cfg.NoGapFill {
		for _, s := range m.streams {
			if s.lastID == "" {
				continue
			}
			posts, err := m.fetchSince(ctx, s)
			if err != nil {
				return fail(err)
			}
			m.queue = append(m.queue, posts...)
		}
	}
	m.events = make(chan mastodonEvent, 64)
	m.cancel = cancel
	m.done = make(chan struct{})
	remaining := len(pumps)
	finished := make(chan struct{}, len(pumps))
	for _, pump := range pumps {
		go pump(finished)
	}
	go func() {
		for range remaining {
			<-finished
		}
		close(m.done)
	}()
	return nil
}

// fetchSince returns the statuses of s's timeline newer than s.lastID, oldest first.
func (m *Mastodon) fetchSince(ctx context.Context, s *mastodonStream) ([]downwatch.Post, error) {
	resp, err := m.get(ctx, s.timeline+"&since_id="+url.QueryEscape(s.lastID), "application/json")
	if err != nil {
		if errors.Is(err, ErrFatal) {
			m.cfg.Logger.Warn("cannot fill the gap after a reconnect", "err", err)
			return nil, nil
		}
		return nil, err
	}
	defer resp.Body.Close()
	var raw []json.RawMessage
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&raw); err != nil {
		return nil, fmt.Errorf("%w: Mastodon timeline: %v", ErrReconnect, err)
	}
	var posts []downwatch.Post
	for _, r := range slices.Backward(raw) {
		p, id, err := decodeMastodonStatus(r)
		if err != nil {
			continue
		}
		posts = append(posts, p)
		s.lastID = maxID(s.lastID, id)
	}
	return posts, nil
}

// pump parses one SSE stream into events.
func (m *Mastodon) pump(ctx context.Context, c *conn, s *mastodonStream, finished chan<- struct{}) {
	defer func() { finished <- struct{}{} }()
	defer c.stop()
	var sse sseParser
	for {
		line, tooLong, err := c.line(ctx, downwatch.MaxPostBytes)
		if err != nil {
			select {
			case m.events <- mastodonEvent{err: err}:
			case <-ctx.Done():
			}
			return
		}
		if tooLong {
			sse.reset()
			m.send(ctx, mastodonEvent{err: &downwatch.RejectError{Reason: "too-large", Detail: "Mastodon event over 1 MiB"}})
			continue
		}
		ev, data, ok := sse.feed(line)
		if !ok {
			continue
		}
		if e, ok := mastodonStreamEvent(ev, data, s); ok && !m.send(ctx, e) {
			return
		}
	}
}

// dialWS opens the WebSocket streaming endpoint for s.
func (m *Mastodon) dialWS(ctx context.Context, s *mastodonStream) (*websocket.Conn, error) {
	u := "ws" + strings.TrimPrefix(m.cfg.BaseURL, "http") + "/api/v1/streaming?" + s.wsQuery
	h := http.Header{"User-Agent": {"downwatch"}}
	if m.cfg.Token != "" {
		h.Set("Authorization", "Bearer "+m.cfg.Token)
	}
	ws, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: m.cfg.Client, HTTPHeader: h})
	if err == nil {
		ws.SetReadLimit(downwatch.MaxPostBytes + 4<<10)
		return ws, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
		return nil, fatalf("Mastodon WebSocket %s: HTTP %d: set MASTODON_ACCESS_TOKEN to an access token of an application on this instance (scope read)", m.cfg.BaseURL, resp.StatusCode)
	}
	return nil, fmt.Errorf("%w: Mastodon WebSocket %s: %v", ErrReconnect, m.cfg.BaseURL, err)
}

// pumpWS reads one WebSocket stream into events: each message is
// {"stream":[...],"event":"update","payload":"<status JSON as a string>"}. A ping
// every StallTimeout/3 that goes unanswered for StallTimeout ends the stream.
func (m *Mastodon) pumpWS(ctx context.Context, ws *websocket.Conn, s *mastodonStream, finished chan<- struct{}) {
	defer func() { finished <- struct{}{} }()
	defer ws.CloseNow()
	pctx, stopPing := context.WithCancel(ctx)
	defer stopPing()
	go func() {
		for t := time.NewTicker(m.cfg.StallTimeout / 3); ; {
			select {
			case <-pctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			c, cancel := context.WithTimeout(pctx, m.cfg.StallTimeout)
			err := ws.Ping(c)
			cancel()
			if err != nil && pctx.Err() == nil {
				ws.CloseNow()
				return
			}
		}
	}()
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			m.send(ctx, mastodonEvent{err: fmt.Errorf("%w: Mastodon WebSocket: %v", ErrReconnect, err)})
			return
		}
		var msg struct {
			Event   string `json:"event"`
			Payload string `json:"payload"`
		}
		if err := json.Unmarshal(data, &msg); err != nil {
			if !m.send(ctx, mastodonEvent{err: &downwatch.RejectError{Reason: "bad-json", Detail: "Mastodon WebSocket message is not a JSON object"}}) {
				return
			}
			continue
		}
		if e, ok := mastodonStreamEvent(msg.Event, []byte(msg.Payload), s); ok && !m.send(ctx, e) {
			return
		}
	}
}

// mastodonStreamEvent maps one streaming event (SSE or WebSocket: the same
// event names and payloads) to what Read returns; ok is false for events that
// carry no post (notification, filters_changed...).
func mastodonStreamEvent(event string, data []byte, s *mastodonStream) (mastodonEvent, bool) {
	switch event {
	case "update":
		p, id, err := decodeMastodonStatus(data)
		return mastodonEvent{post: p, id: id, s: s, err: err}, true
	case "status.update":
		p, _, err := decodeMastodonStatus(data)
		if err != nil {
			return mastodonEvent{err: err}, true
		}
		rt := &Retraction{Source: "mastodon", ID: p.ID, Edited: &p}
		var e struct {
			EditedAt string `json:"edited_at"`
		}
		if json.Unmarshal(data, &e) == nil && e.EditedAt != "" {
			rt.At, _ = downwatch.ParseTime(e.EditedAt) // unreadable: zero, the receive time
		}
		return mastodonEvent{retract: rt}, true
	case "delete":
		id := strings.TrimSpace(string(data))
		if id == "" || len(id) > 64 {
			return mastodonEvent{err: &downwatch.RejectError{Reason: "missing-field", Detail: "Mastodon delete event without a status id"}}, true
		}
		return mastodonEvent{retract: &Retraction{Source: "mastodon", ID: id}}, true
	}
	return mastodonEvent{}, false
}

func (m *Mastodon) send(ctx context.Context, e mastodonEvent) bool {
	select {
	case m.events <- e:
		return true
	case <-ctx.Done():
		return false
	}
}

// Read implements Source.
func (m *Mastodon) Read(ctx context.Context) (downwatch.Post, error) {
	if len(m.queue) > 0 {
		p := m.queue[0]
		m.queue = m.queue[1:]
		return p, nil
	}
	select {
	case <-ctx.Done():
		return downwatch.Post{}, ctx.Err()
	case e := <-m.events:
		if e.err != nil {
			return downwatch.Post{}, e.err
		}
		if e.retract != nil {
			return downwatch.Post{}, e.retract
		}
		e.s.lastID = maxID(e.s.lastID, e.id)
		return e.post, nil
	}
}

// Close implements Source.
func (m *Mastodon) Close(context.Context) error {
	if m.cancel != nil {
		m.cancel()
		<-m.done
		m.cancel = nil
	}
	return nil
}

// maxID returns the larger of two Mastodon ids (numeric strings; longer is larger).
func maxID(a, b string) string {
	if len(a) != len(b) {
		if len(a) > len(b) {
			return a
		}
		return b
	}
	if a > b {
		return a
	}
	return b
}

// sseParser assembles server-sent events from lines (the WHATWG format: "event:",
// "data:" lines, comments starting with ':', a blank line ends an event).
type sseParser struct {
	event string
	data  []byte
	has   bool
}

func (p *sseParser) reset() { p.event, p.data, p.has = "", p.data[:0], false }

// feed takes one line; at the end of an event it returns its type and data.
func (p *sseParser) feed(line []byte) (event string, data []byte, ok bool) {
	if len(line) == 0 {
		if !p.has {
			p.event = ""
			return "", nil, false
		}
		event, data = p.event, p.data
		if event == "" {
			event = "message"
		}
		p.event, p.data, p.has = "", nil, false
		return event, data, true
	}
	if line[0] == ':' {
		return "", nil, false // comment: heartbeat (":thump")
	}
	field, value, _ := bytes.Cut(line, []byte(":"))
	value = bytes.TrimPrefix(value, []byte(" "))
	switch string(field) {
	case "event":
		p.event = string(value)
	case "data":
		if p.has {
			p.data = append(p.data, '\n')
		}
		p.data = append(p.data, value...)
		p.has = true
	}
	return "", nil, false
}

type mastodonStatus struct {
	ID          string          `json:"id"`
	CreatedAt   string          `json:"created_at"`
	InReplyToID *string         `json:"in_reply_to_id"`
	Language    *string         `json:"language"`
	URL         *string         `json:"url"`
	URI         string          `json:"uri"`
	Content     string          `json:"content"`
	SpoilerText string          `json:"spoiler_text"`
	Reblog      *mastodonStatus `json:"reblog"`
	Account     struct {
		Acct           string `json:"acct"`
		FollowersCount int64  `json:"followers_count"`
	} `json:"account"`
}

// decodeMastodonStatus maps a Status JSON to a Post and returns its id.
func decodeMastodonStatus(data []byte) (downwatch.Post, string, error) {
	var s mastodonStatus
	if err := json.Unmarshal(data, &s); err != nil {
		return downwatch.Post{}, "", &downwatch.RejectError{Reason: "bad-json", Detail: "Mastodon status: " + err.Error()}
	}
	if s.ID == "" || s.Account.Acct == "" {
		return downwatch.Post{}, s.ID, &downwatch.RejectError{Reason: "missing-field", Detail: "Mastodon status without id or account.acct"}
	}
	at, err := downwatch.ParseTime(s.CreatedAt)
	if err != nil {
		return downwatch.Post{}, s.ID, &downwatch.RejectError{Reason: "bad-time", Detail: fmt.Sprintf("Mastodon status %s: created_at %q", s.ID, truncate(s.CreatedAt, 64))}
	}
	p := downwatch.Post{ID: s.ID, Source: "mastodon", Author: s.Account.Acct, CreatedAt: at, AuthorFollowers: max(s.Account.FollowersCount, 0)}
	body := &s
	if s.Reblog != nil {
		p.RepostOf = s.Reblog.ID
		body = s.Reblog
	}
	text := htmlText(body.Content)
	if sp := strings.TrimSpace(body.SpoilerText); sp != "" {
		text = sp + "\n" + text
	}
	p.Text = downwatch.CleanText(text)
	if body.Language != nil {
		p.Lang = *body.Language
	}
	if s.InReplyToID != nil {
		p.ReplyTo = *s.InReplyToID
	}
	switch {
	case s.URL != nil && *s.URL != "":
		p.URL = *s.URL
	case s.Reblog != nil && s.Reblog.URL != nil:
		p.URL = *s.Reblog.URL
	default:
		p.URL = s.URI
	}
	return p, s.ID, nil
}
