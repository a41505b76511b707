package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
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
	Logger    *slog.Logger
	Now       func() time.Time
}

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
	return &Jetstream{cfg: cfg}, nil
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
	return nil
}

// Read implements Source. Events other than new posts move the cursor on and are
// skipped; a malformed message is rejected and the stream goes on.
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
		if errors.Is(err, errSkip) {
			continue
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

// errSkip marks a well-formed message that is not a post.
var errSkip = errors.New("not a post")

type jetEvent struct {
	DID    string `json:"did"`
	TimeUS int64  `json:"time_us"`
	Kind   string `json:"kind"`
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
// time_us whenever it can read it; errSkip for events that are not new posts.
func decodeJetstream(data []byte) (downwatch.Post, int64, error) {
	var e jetEvent
	if err := json.Unmarshal(data, &e); err != nil {
		return downwatch.Post{}, 0, &downwatch.RejectError{Reason: "bad-json", Detail: "Jetstream message: " + err.Error()}
	}
	if e.Kind != "commit" || e.Commit == nil || e.Commit.Operation != "create" || e.Commit.Collection != "app.bsky.feed.post" {
		return downwatch.Post{}, e.TimeUS, errSkip
	}
	c := e.Commit
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
	return p, e.TimeUS, nil
}
