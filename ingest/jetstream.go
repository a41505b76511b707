package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/downwatch/downwatch"
)

// JetstreamConfig configures the Bluesky Jetstream source. Zero values take the
// defaults named.
type JetstreamConfig struct {
	// URL of the subscribe endpoint; default DefaultJetstreamURL.
	URL string
	// Cursors, when set, keeps the time_us cursor (under the name "bluesky") so a
	// restarted ingester resumes where it stopped. Nil: resume only within a run.
	Cursors Cursors
	// Rewind: resume this far before the cursor; dedup absorbs the overlap.
	// Default 5s.
	Rewind time.Duration
	// StallTimeout: no message for this long means the connection is dead; default 60s.
	StallTimeout time.Duration
	// SaveEvery: how often the cursor is written to Cursors; default 5s.
	SaveEvery time.Duration
	// Handles are the Bluesky handles (domain names, like "bsky.app") whose posts
	// should carry the handle as author instead of the DID: the catalog's official
	// accounts. Each is resolved to its DID once, in the background, through
	// HandleAPI's com.atproto.identity.resolveHandle, and kept up to date by
	// Jetstream's identity events. Other authors stay DIDs: an author must not
	// change names mid-stream, or one voice would count twice.
	Handles []string
	// HandleAPI is the XRPC base URL; default DefaultHandleAPI.
	HandleAPI string
	// Client for HandleAPI; default a client with a 10s timeout.
	Client *http.Client
	Logger *slog.Logger
	Now    func() time.Time
}

// DefaultHandleAPI is Bluesky's public AppView.
const DefaultHandleAPI = "https://public.api.bsky.app"

// DefaultJetstreamURL is a public Jetstream instance.
const DefaultJetstreamURL = "wss://jetstream2.us-east.bsky.network/subscribe"

const jetstreamCursor = "bluesky"

// Jetstream reads Bluesky posts from a Jetstream WebSocket
// (?wantedCollections=app.bsky.feed.post). It keeps the time_us of the last event
// as cursor and resumes from it, minus Rewind, after a disconnect or a restart, so
// nothing is lost; the overlap is dropped by dedup.
type Jetstream struct {
	cfg       JetstreamConfig
	ws        *websocket.Conn
	cursor    int64 // time_us of the last event read
	loaded    bool
	lastSave  time.Time
	savedUpTo int64
	// handles maps the DIDs of the wanted Handles to them; only Read touches it.
	// resolved brings the background resolution's answers.
	handles  map[string]string
	wanted   map[string]bool
	resolved chan map[string]string
}

// NewJetstream returns a Jetstream source.
func NewJetstream(cfg JetstreamConfig) (*Jetstream, error) {
	if cfg.URL == "" {
		cfg.URL = DefaultJetstreamURL
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "ws" && u.Scheme != "wss" && u.Scheme != "http" && u.Scheme != "https") {
		return nil, fatalf("--jetstream-url %q: want wss://host/subscribe", cfg.URL)
	}
	if cfg.Rewind <= 0 {
		cfg.Rewind = 5 * time.Second
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = time.Minute
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = 5 * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.HandleAPI == "" {
		cfg.HandleAPI = DefaultHandleAPI
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: 10 * time.Second}
	}
	j := &Jetstream{cfg: cfg, handles: map[string]string{}, wanted: map[string]bool{}}
	for _, h := range cfg.Handles {
		if h = strings.ToLower(strings.TrimPrefix(h, "@")); strings.Contains(h, ".") {
			j.wanted[h] = true
		}
	}
	return j, nil
}

// resolveHandles asks HandleAPI for the DID of every wanted handle not yet known
// and sends what it found on j.resolved. A handle that cannot be resolved is
// logged and tried again at the next connect.
func (j *Jetstream) resolveHandles(ctx context.Context, missing []string) {
	found := map[string]string{}
	for _, h := range missing {
		did, err := j.resolveHandle(ctx, h)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			j.cfg.Logger.Warn("cannot resolve Bluesky handle; its posts carry the DID until it is (check --bluesky-handle-api)", "handle", h, "err", err)
			continue
		}
		found[did] = h
	}
	select {
	case j.resolved <- found:
	case <-ctx.Done():
	}
}

func (j *Jetstream) resolveHandle(ctx context.Context, handle string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(j.cfg.HandleAPI, "/")+
		"/xrpc/com.atproto.identity.resolveHandle?handle="+url.QueryEscape(handle), nil)
	if err != nil {
		return "", err
	}
	resp, err := j.cfg.Client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var out struct {
		DID string `json:"did"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(&out); err != nil || !strings.HasPrefix(out.DID, "did:") {
		return "", fmt.Errorf("the answer names no DID")
	}
	return out.DID, nil
}

// startResolving resolves, in the background, the wanted handles not known yet.
func (j *Jetstream) startResolving(ctx context.Context) {
	if j.resolved != nil || len(j.wanted) == 0 {
		return // one resolution at a time
	}
	known := map[string]bool{}
	for _, h := range j.handles {
		known[h] = true
	}
	var missing []string
	for h := range j.wanted {
		if !known[h] {
			missing = append(missing, h)
		}
	}
	if len(missing) == 0 {
		return
	}
	slices.Sort(missing)
	j.resolved = make(chan map[string]string, 1)
	go j.resolveHandles(context.WithoutCancel(ctx), missing)
}

// author is the handle a post's DID resolves to, when it is a wanted one.
func (j *Jetstream) author(did string) string {
	if j.resolved != nil {
		select {
		case found := <-j.resolved:
			maps.Copy(j.handles, found)
			j.resolved = nil
		default:
		}
	}
	if h, ok := j.handles[did]; ok {
		return h
	}
	return did
}

// identity follows an identity event: a wanted handle moving to a DID, or a
// known DID changing handle.
func (j *Jetstream) identity(did, handle string) {
	handle = strings.ToLower(handle)
	switch {
	case j.wanted[handle]:
		for d, h := range j.handles {
			if h == handle && d != did {
				delete(j.handles, d)
			}
		}
		j.handles[did] = handle
	case j.handles[did] != "":
		delete(j.handles, did)
	}
}

// Name implements Source.
func (j *Jetstream) Name() string { return "bluesky" }

// Cursor returns the time_us of the last event read (0: none).
func (j *Jetstream) Cursor() int64 { return j.cursor }

// subscribeURL is the URL with wantedCollections and, when resuming, cursor.
func (j *Jetstream) subscribeURL() string {
	u, _ := url.Parse(j.cfg.URL)
	q := u.Query()
	if !strings.Contains(u.RawQuery, "wantedCollections") {
		q.Set("wantedCollections", "app.bsky.feed.post")
	}
	if j.cursor > 0 {
		q.Set("cursor", strconv.FormatInt(j.cursor-j.cfg.Rewind.Microseconds(), 10))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Connect implements Source.
func (j *Jetstream) Connect(ctx context.Context) error {
	if !j.loaded && j.cfg.Cursors != nil {
		v, err := j.cfg.Cursors.LoadCursor(ctx, jetstreamCursor)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrReconnect, err)
		}
		if c, err := strconv.ParseInt(v, 10, 64); err == nil && c > j.cursor {
			j.cursor = c
			j.savedUpTo = c
		}
	}
	j.loaded = true
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ws, resp, err := websocket.Dial(dctx, j.subscribeURL(), nil)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if resp != nil && resp.StatusCode == 429 {
			if wait, ok := retryAfter(resp.Header, j.cfg.Now()); ok {
				return &RetryError{After: wait, Err: err}
			}
		}
		if resp != nil && resp.StatusCode >= 400 && resp.StatusCode < 500 && resp.StatusCode != 429 && resp.StatusCode != 408 {
			return fatalf("connect to Jetstream %s: %v (check --jetstream-url)", j.cfg.URL, err)
		}
		return fmt.Errorf("%w: connect to Jetstream %s: %v", ErrReconnect, j.cfg.URL, err)
	}
	ws.SetReadLimit(2 << 20)
	j.ws = ws
	j.startResolving(ctx)
	return nil
}

// Read implements Source. A post's delete or update is returned as a
// *Retraction; events other than posts move the cursor on and are skipped; a
// malformed message is rejected and the stream goes on.
func (j *Jetstream) Read(ctx context.Context) (downwatch.Post, error) {
	for {
		rctx, cancel := context.WithTimeout(ctx, j.cfg.StallTimeout)
		_, data, err := j.ws.Read(rctx)
		stalled := rctx.Err() != nil && ctx.Err() == nil
		cancel()
		if err != nil {
			if ctx.Err() != nil {
				return downwatch.Post{}, ctx.Err()
			}
			if stalled {
				return downwatch.Post{}, fmt.Errorf("%w: no Jetstream message for %v", ErrReconnect, j.cfg.StallTimeout)
			}
			return downwatch.Post{}, fmt.Errorf("%w: Jetstream: %v", ErrReconnect, err)
		}
		p, timeUS, err := decodeJetstream(data)
		if timeUS > j.cursor {
			j.cursor = timeUS
			j.maybeSave(ctx, false)
		}
		if errors.Is(err, errIdentity) {
			j.identity(p.Author, p.Text)
			continue
		}
		if errors.Is(err, errSkip) {
			continue
		}
		var rt *Retraction
		switch {
		case err == nil:
			p.Author = j.author(p.Author)
		case errors.As(err, &rt) && rt.Edited != nil:
			rt.Edited.Author = j.author(rt.Edited.Author)
		}
		return p, err
	}
}

func (j *Jetstream) maybeSave(ctx context.Context, force bool) {
	if j.cfg.Cursors == nil || j.cursor <= j.savedUpTo {
		return
	}
	if now := j.cfg.Now(); force || now.Sub(j.lastSave) >= j.cfg.SaveEvery {
		j.lastSave = now
		if err := j.cfg.Cursors.SaveCursor(ctx, jetstreamCursor, strconv.FormatInt(j.cursor, 10)); err != nil {
			j.cfg.Logger.Warn("cannot save Bluesky cursor", "err", err)
			return
		}
		j.savedUpTo = j.cursor
	}
}

// Close implements Source; it saves the cursor.
func (j *Jetstream) Close(ctx context.Context) error {
	j.maybeSave(ctx, true)
	if j.ws != nil {
		j.ws.CloseNow()
		j.ws = nil
	}
	return nil
}

// maxTimeUS is the end of year 9999, the last time RFC 3339 can write.
const maxTimeUS = 253402300799999999

// blueskyPostID turns at://<did>/app.bsky.feed.post/<rkey> into the Post id
// <did>/<rkey>; other URIs are kept as they are.
func blueskyPostID(uri string) string {
	rest, ok := strings.CutPrefix(uri, "at://")
	if !ok {
		return uri
	}
	did, rkey, ok := strings.Cut(rest, "/app.bsky.feed.post/")
	if !ok || did == "" || rkey == "" || strings.Contains(rkey, "/") {
		return uri
	}
	return did + "/" + rkey
}

// errSkip marks a well-formed message that is not a post; errIdentity an
// identity event, returned as a Post with the DID as Author and the handle as Text.
var (
	errSkip     = errors.New("not a post")
	errIdentity = errors.New("identity event")
)

type jetEvent struct {
	DID      string `json:"did"`
	TimeUS   int64  `json:"time_us"`
	Kind     string `json:"kind"`
	Identity *struct {
		Handle string `json:"handle"`
	} `json:"identity"`
	Commit *struct {
		Operation  string `json:"operation"`
		Collection string `json:"collection"`
		RKey       string `json:"rkey"`
		Record     *struct {
			Text  string   `json:"text"`
			Langs []string `json:"langs"`
			Reply *struct {
				Parent struct {
					URI string `json:"uri"`
				} `json:"parent"`
			} `json:"reply"`
		} `json:"record"`
	} `json:"commit"`
}

// decodeJetstream maps one Jetstream message to a Post. It returns the event's
// time_us whenever it can read it; errSkip for events that are not posts; a
// *Retraction for a post's delete or update (the edited post, its time the
// update's).
func decodeJetstream(data []byte) (downwatch.Post, int64, error) {
	var e jetEvent
	if err := json.Unmarshal(data, &e); err != nil {
		return downwatch.Post{}, 0, &downwatch.RejectError{Reason: "bad-json", Detail: "Jetstream message: " + err.Error()}
	}
	if e.Kind == "identity" && e.Identity != nil && e.DID != "" && e.Identity.Handle != "" {
		return downwatch.Post{Author: e.DID, Text: e.Identity.Handle}, e.TimeUS, errIdentity
	}
	if e.Kind != "commit" || e.Commit == nil || e.Commit.Collection != "app.bsky.feed.post" {
		return downwatch.Post{}, e.TimeUS, errSkip
	}
	c := e.Commit
	switch c.Operation {
	case "create", "update":
	case "delete":
		if e.DID == "" || c.RKey == "" || e.TimeUS <= 0 || e.TimeUS > maxTimeUS {
			return downwatch.Post{}, e.TimeUS, &downwatch.RejectError{Reason: "missing-field", Detail: "Jetstream delete without did, rkey or time_us"}
		}
		return downwatch.Post{}, e.TimeUS, &Retraction{Source: "bluesky", ID: e.DID + "/" + c.RKey, At: time.UnixMicro(e.TimeUS).UTC()}
	default:
		return downwatch.Post{}, e.TimeUS, errSkip
	}
	if e.DID == "" || c.RKey == "" || e.TimeUS <= 0 || e.TimeUS > maxTimeUS || c.Record == nil {
		return downwatch.Post{}, e.TimeUS, &downwatch.RejectError{Reason: "missing-field", Detail: "Jetstream post without did, rkey, time_us or record"}
	}
	p := downwatch.Post{
		ID:     e.DID + "/" + c.RKey,
		Source: "bluesky",
		Author: e.DID,
		Text:   downwatch.CleanText(c.Record.Text),
		// The relay's receive time, not the client-written createdAt (DESIGN-NOTES 4).
		CreatedAt: time.UnixMicro(e.TimeUS).UTC(),
		URL:       "https://bsky.app/profile/" + e.DID + "/post/" + url.PathEscape(c.RKey),
	}
	if len(c.Record.Langs) > 0 {
		p.Lang = c.Record.Langs[0]
	}
	if c.Record.Reply != nil {
		p.ReplyTo = blueskyPostID(c.Record.Reply.Parent.URI)
	}
	if c.Operation == "update" {
		return downwatch.Post{}, e.TimeUS, &Retraction{Source: "bluesky", ID: p.ID, At: p.CreatedAt, Edited: &p}
	}
	return p, e.TimeUS, nil
}
