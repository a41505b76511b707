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
	"unicode"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// XConfig configures the X API v2 filtered stream source. Zero values take the
// defaults named.
type XConfig struct {
	// BaseURL of the API; default https://api.x.com.
	BaseURL string
	// Token is the app's bearer token (X_BEARER_TOKEN); required.
	Token string
	// Rules are the stream rules downwatch wants (see XRules). Connect syncs
	// them: missing ones are added, downwatch-tagged ones not wanted any more are
	// deleted, rules of anybody else are left alone. Nil: rules are not touched.
	Rules []XRule
	// StallTimeout: no data and no keep-alive for this long means the connection
	// is dead; default 20s (X sends a keep-alive every 20s... strictly, more often).
	StallTimeout time.Duration
	// Compliance lists the partitions (1 to 4) of X's post compliance stream
	// (GET /2/tweets/compliance/stream, Enterprise access) to read beside the
	// filtered stream: its deletes and edits take back posts this source
	// delivered (xCompliance). Nil: none.
	Compliance []int
	Client     *http.Client
	Logger     *slog.Logger
	Now        func() time.Time
}

// XRule is one filtered-stream rule.
type XRule struct {
	ID    string `json:"id,omitempty"`
	Value string `json:"value"`
	Tag   string `json:"tag,omitempty"`
}

// XRuleTagPrefix marks the rules downwatch owns.
const XRuleTagPrefix = "downwatch:"

// xStreamQuery asks for everything a Post needs.
const xStreamQuery = "tweet.fields=created_at,lang,author_id,referenced_tweets,geo,in_reply_to_user_id" +
	"&expansions=author_id,geo.place_id,referenced_tweets.id" +
	"&user.fields=username,verified,verified_type,public_metrics&place.fields=country_code"

// X reads the X API v2 filtered stream (GET /2/tweets/search/stream).
//
// Backoff follows X's guidance, through *RetryError: network errors back off
// linearly (250ms more per attempt, up to 16s), HTTP 5xx exponentially from 5s to
// 320s, HTTP 429 until x-rate-limit-reset (or Retry-After; else exponentially from
// 1 minute). 401 and 403 are fatal: a token problem does not heal by retrying.
// A post missed while disconnected is lost: the filtered stream has no cursor
// (recovery and backfill need X's Enterprise tier).
type X struct {
	cfg      XConfig
	c        *conn
	synced   bool
	netFails int
	httpWait time.Duration
	rlWait   time.Duration
	pending  xRetractions // of the last compliance event, not yet returned
	// compl carries what the compliance connections read: retractions, or
	// the error that ended one of them.
	compl chan complianceItem
	cconn []*conn
}

type complianceItem struct {
	rs  xRetractions
	err error
}

// NewX returns an X source; it checks the configuration, not the network.
func NewX(cfg XConfig) (*X, error) {
	if cfg.Token == "" {
		return nil, fatalf("X_BEARER_TOKEN is not set: set X_BEARER_TOKEN to a bearer token of an X app with filtered-stream access")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://api.x.com"
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("ingest: --x-url %q: %w", cfg.BaseURL, err)
	}
	if cfg.StallTimeout <= 0 {
		cfg.StallTimeout = 20 * time.Second
	}
	for _, n := range cfg.Compliance {
		if n < 1 || n > 4 {
			return nil, fmt.Errorf("ingest: X compliance stream partition %d: X has partitions 1 to 4", n)
		}
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &X{cfg: cfg}, nil
}

// Name implements Source.
func (x *X) Name() string { return "x" }

func (x *X) request(ctx context.Context, method, path string, body []byte) (*http.Request, error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, x.cfg.BaseURL+path, r)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+x.cfg.Token)
	req.Header.Set("User-Agent", "downwatch")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

// refused turns a non-200 response into the right error: fatal for credentials
// and bad requests, a *RetryError otherwise.
func (x *X) refused(what string, resp *http.Response) error {
	err := httpStatusError(what, resp)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return fatalf("%v: X rejected the token; set X_BEARER_TOKEN to a bearer token of an X app with filtered-stream access", err)
	case resp.StatusCode == http.StatusForbidden:
		return fatalf("%v: the app behind X_BEARER_TOKEN has no filtered-stream access (it needs a project on the Basic tier or above)", err)
	case resp.StatusCode == http.StatusTooManyRequests:
		wait, ok := retryAfter(resp.Header, x.cfg.Now())
		if !ok {
			x.rlWait = min(max(x.rlWait*2, time.Minute), 15*time.Minute)
			wait = x.rlWait
		}
		return &RetryError{After: wait, Err: err}
	case resp.StatusCode >= 500:
		x.httpWait = min(max(x.httpWait*2, 5*time.Second), 320*time.Second)
		return &RetryError{After: x.httpWait, Err: err}
	default:
		return fatalf("%v", err)
	}
}

func (x *X) netError(err error) error {
	x.netFails++
	return &RetryError{After: min(time.Duration(x.netFails)*250*time.Millisecond, 16*time.Second), Err: err}
}

// Connect syncs the rules (once) and opens the stream.
func (x *X) Connect(ctx context.Context) error {
	if !x.synced && x.cfg.Rules != nil {
		if err := x.SyncRules(ctx); err != nil {
			return err
		}
		x.synced = true
	}
	c, _, err := x.openStream(ctx, "/2/tweets/search/stream?"+xStreamQuery, "connect to X filtered stream", "")
	if err != nil {
		return err
	}
	x.c = c
	if err := x.connectCompliance(ctx); err != nil {
		x.Close(ctx)
		return err
	}
	return nil
}

// connectCompliance opens the compliance stream partitions and reads each in
// a goroutine of its own into x.compl, until its connection ends. Each asks
// for the last 5 minutes again (backfill_minutes), so a reconnect loses
// nothing; a post taken back twice is taken back once.
func (x *X) connectCompliance(ctx context.Context) error {
	if len(x.cfg.Compliance) == 0 {
		return nil
	}
	x.compl = make(chan complianceItem, 64)
	for _, part := range x.cfg.Compliance {
		c, cctx, err := x.openStream(ctx, fmt.Sprintf("/2/tweets/compliance/stream?partition=%d&backfill_minutes=5", part),
			fmt.Sprintf("connect to X compliance stream partition %d", part), "the compliance stream needs Enterprise access; drop --x-compliance")
		if err != nil {
			return err
		}
		x.cconn = append(x.cconn, c)
		go readCompliance(cctx, c, x.compl)
	}
	return nil
}

// openStream GETs path as a long-lived stream and returns its body as a conn
// with the stall watchdog, and the context the connection lives in (cancelled
// when the conn closes). what names the stream in errors; forbidden, when set,
// is what a 403 means (a fatal error, not one to retry).
func (x *X) openStream(ctx context.Context, path, what, forbidden string) (*conn, context.Context, error) {
	sctx, cancel := context.WithCancel(ctx)
	req, err := x.request(sctx, http.MethodGet, path, nil)
	if err != nil {
		cancel()
		return nil, nil, fatalf("%v", err)
	}
	resp, err := x.cfg.Client.Do(req)
	if err != nil {
		cancel()
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, x.netError(fmt.Errorf("%s: %w", what, err))
	}
	if resp.StatusCode != http.StatusOK {
		defer cancel()
		defer resp.Body.Close()
		if forbidden != "" && resp.StatusCode == http.StatusForbidden {
			return nil, nil, fatalf("%v: %s", httpStatusError(what, resp), forbidden)
		}
		return nil, nil, x.refused(what, resp)
	}
	return newConn(resp.Body, cancel, x.cfg.StallTimeout), sctx, nil
}

// readCompliance sends each compliance event c reads to out, and the error
// that ends c.
func readCompliance(ctx context.Context, c *conn, out chan<- complianceItem) {
	send := func(it complianceItem) bool {
		select {
		case out <- it:
			return true
		case <-ctx.Done():
			return false
		}
	}
	for {
		line, tooLong, err := c.line(ctx, downwatch.MaxPostBytes)
		if err != nil {
			send(complianceItem{err: fmt.Errorf("X compliance stream: %w", err)})
			return
		}
		if tooLong || len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		_, err = decodeXLine(line)
		var rs xRetractions
		switch {
		case errors.As(err, &rs):
			if len(rs) > 0 && !send(complianceItem{rs: rs}) {
				return
			}
		case errors.Is(err, errXDisconnect):
			send(complianceItem{err: fmt.Errorf("X compliance stream: %w", err)})
			return
		}
	}
}

// Read returns the next post. Keep-alive lines feed the stall watchdog; a line
// X sends to say it is disconnecting ends the connection; a compliance event
// (xCompliance), on the filtered stream's connection or read from a compliance
// partition (XConfig.Compliance; returned before the filtered stream's next
// line, so at most its 20 s keep-alive later), returns a *Retraction for each
// post it takes back. A compliance connection that ends reconnects the source.
func (x *X) Read(ctx context.Context) (downwatch.Post, error) {
	for {
		if len(x.pending) > 0 {
			rt := x.pending[0]
			x.pending = x.pending[1:]
			return downwatch.Post{}, rt
		}
		select {
		case it := <-x.compl: // nil without compliance partitions: never ready
			if it.err != nil {
				return downwatch.Post{}, x.netError(it.err)
			}
			x.pending = it.rs
			continue
		default:
		}
		line, tooLong, err := x.c.line(ctx, downwatch.MaxPostBytes)
		if err != nil {
			if errors.Is(err, ErrReconnect) {
				return downwatch.Post{}, x.netError(err)
			}
			return downwatch.Post{}, err
		}
		if tooLong {
			return downwatch.Post{}, &downwatch.RejectError{Reason: "too-large", Detail: "X stream line over 1 MiB"}
		}
		if len(bytes.TrimSpace(line)) == 0 {
			continue // keep-alive
		}
		p, err := decodeXLine(line)
		if errors.Is(err, errXDisconnect) {
			return downwatch.Post{}, x.netError(err)
		}
		if rs, ok := err.(xRetractions); ok {
			x.netFails, x.httpWait, x.rlWait = 0, 0, 0
			x.pending = rs
			continue
		}
		if err == nil {
			x.netFails, x.httpWait, x.rlWait = 0, 0, 0
		}
		return p, err
	}
}

// Close implements Source.
func (x *X) Close(context.Context) error {
	if x.c != nil {
		x.c.stop()
		x.c = nil
	}
	for _, c := range x.cconn {
		c.stop()
	}
	x.cconn, x.compl = nil, nil
	return nil
}

var errXDisconnect = errors.New("X is disconnecting the stream")

type xLine struct {
	Data *xData `json:"data"`
	// The enterprise compliance firehose sends its events bare, without "data".
	xCompliance
	Includes struct {
		Users []struct {
			ID            string `json:"id"`
			Username      string `json:"username"`
			Verified      bool   `json:"verified"`
			VerifiedType  string `json:"verified_type"`
			PublicMetrics struct {
				FollowersCount int64 `json:"followers_count"`
			} `json:"public_metrics"`
		} `json:"users"`
		Places []struct {
			ID          string `json:"id"`
			CountryCode string `json:"country_code"`
		} `json:"places"`
	} `json:"includes"`
	Errors []struct {
		Title          string `json:"title"`
		Detail         string `json:"detail"`
		DisconnectType string `json:"disconnect_type"`
	} `json:"errors"`
}

// xData is a filtered-stream post, or, on the v2 compliance stream, a
// compliance event.
type xData struct {
	ID               string `json:"id"`
	Text             string `json:"text"`
	AuthorID         string `json:"author_id"`
	CreatedAt        string `json:"created_at"`
	Lang             string `json:"lang"`
	ReferencedTweets []struct {
		Type string `json:"type"`
		ID   string `json:"id"`
	} `json:"referenced_tweets"`
	Geo struct {
		PlaceID string `json:"place_id"`
	} `json:"geo"`
	xCompliance
}

// xCompliance holds the post events of X's compliance streams (docs.x.com,
// "Compliance Data Objects"): the v2 stream (GET /2/tweets/compliance/stream)
// wraps each in "data", the enterprise compliance firehose sends it bare:
//
//	{"data":{"delete":{"tweet":{"id":"…","author_id":"…"},"event_at":"…"}}}
//	{"delete":{"tweet":{"id":"…","author_id":"…"},"event_at":"…"}}
//
// delete and drop take the post back; tweet_edit takes back the earlier
// versions of the edit chain (the edited post has a new id and comes as a post
// of its own when it matches). undrop, withheld and the user events change
// nothing here: a post already taken back is not restored, and an account's
// posts are removed with `downwatch forget --author`.
type xCompliance struct {
	Delete    *xPostEvent     `json:"delete"`
	Drop      *xPostEvent     `json:"drop"`
	TweetEdit *xPostEvent     `json:"tweet_edit"`
	Undrop    json.RawMessage `json:"undrop"`
	Withheld  json.RawMessage `json:"withheld"`
}

type xPostEvent struct {
	Tweet struct {
		ID       string `json:"id"`
		AuthorID string `json:"author_id"`
	} `json:"tweet"`
	InitialTweetID string   `json:"initial_tweet_id"`
	EditTweetIDs   []string `json:"edit_tweet_ids"`
	EventAt        string   `json:"event_at"`
}

// xRetractions is what decodeXLine returns for a compliance event: the posts
// it takes back, possibly none (an event that changes nothing here).
type xRetractions []*Retraction

func (r xRetractions) Error() string {
	return fmt.Sprintf("ingest: X compliance event takes back %d posts", len(r))
}

// retractions returns the posts the event takes back; ok is false when the
// line is no compliance event.
func (c *xCompliance) retractions() (rs xRetractions, ok bool, err error) {
	ev := cmpOrPtr(c.Delete, c.Drop)
	if ev == nil && c.TweetEdit == nil {
		return nil, c.Undrop != nil || c.Withheld != nil, nil
	}
	at := func(e *xPostEvent) (time.Time, error) {
		if e.EventAt == "" {
			return time.Time{}, nil // when it was received
		}
		t, err := downwatch.ParseTime(e.EventAt)
		if err != nil {
			return time.Time{}, &downwatch.RejectError{Reason: "bad-time", Detail: fmt.Sprintf("X compliance event: event_at %q", truncate(e.EventAt, 64))}
		}
		return t, nil
	}
	if ev != nil {
		if ev.Tweet.ID == "" {
			return nil, true, &downwatch.RejectError{Reason: "missing-field", Detail: "X compliance event has no tweet id"}
		}
		t, err := at(ev)
		return xRetractions{{Source: "x", ID: ev.Tweet.ID, At: t}}, true, err
	}
	e := c.TweetEdit
	t, err := at(e)
	if err != nil {
		return nil, true, err
	}
	for _, id := range append([]string{e.InitialTweetID}, e.EditTweetIDs...) {
		if id != "" && id != e.Tweet.ID && !slices.ContainsFunc(rs, func(r *Retraction) bool { return r.ID == id }) {
			rs = append(rs, &Retraction{Source: "x", ID: id, At: t})
		}
	}
	return rs, true, nil
}

func cmpOrPtr[T any](a, b *T) *T {
	if a != nil {
		return a
	}
	return b
}

// decodeXLine maps one line of the filtered stream to a Post. A compliance
// event (xCompliance) returns xRetractions; a line with only errors is X saying
// it disconnects (errXDisconnect); anything unusable is a
// *downwatch.RejectError.
func decodeXLine(line []byte) (downwatch.Post, error) {
	var l xLine
	if err := json.Unmarshal(line, &l); err != nil {
		return downwatch.Post{}, xLineError(err)
	}
	c := &l.xCompliance
	if l.Data != nil {
		c = &l.Data.xCompliance
	}
	if rs, ok, err := c.retractions(); ok {
		if err != nil {
			return downwatch.Post{}, err
		}
		return downwatch.Post{}, rs
	}
	if l.Data == nil {
		if len(l.Errors) > 0 {
			e := l.Errors[0]
			return downwatch.Post{}, fmt.Errorf("%w: %s: %s", errXDisconnect, cmpOr(e.DisconnectType, e.Title), e.Detail)
		}
		return downwatch.Post{}, &downwatch.RejectError{Reason: "missing-field", Detail: "X stream line has no data"}
	}
	d := l.Data
	if d.ID == "" {
		return downwatch.Post{}, &downwatch.RejectError{Reason: "missing-field", Detail: "X post has no id"}
	}
	at, err := downwatch.ParseTime(d.CreatedAt)
	if err != nil {
		return downwatch.Post{}, &downwatch.RejectError{Reason: "bad-time", Detail: fmt.Sprintf("X post %s: created_at %q", d.ID, truncate(d.CreatedAt, 64))}
	}
	p := downwatch.Post{ID: d.ID, Source: "x", Author: d.AuthorID, Text: downwatch.CleanText(d.Text), CreatedAt: at}
	if d.Lang != "und" && d.Lang != "zxx" && d.Lang != "qme" && d.Lang != "qht" {
		p.Lang = d.Lang
	}
	for _, u := range l.Includes.Users {
		if u.ID == d.AuthorID {
			if u.Username != "" {
				p.Author = u.Username
			}
			p.AuthorVerified = u.Verified || u.VerifiedType == "business" || u.VerifiedType == "government"
			p.AuthorFollowers = max(u.PublicMetrics.FollowersCount, 0)
			break
		}
	}
	if p.Author == "" {
		return downwatch.Post{}, &downwatch.RejectError{Reason: "missing-field", Detail: fmt.Sprintf("X post %s has no author", d.ID)}
	}
	if d.Geo.PlaceID != "" {
		for _, pl := range l.Includes.Places {
			if pl.ID == d.Geo.PlaceID {
				p.Country = strings.ToUpper(pl.CountryCode)
			}
		}
	}
	for _, r := range d.ReferencedTweets {
		switch r.Type {
		case "retweeted":
			p.RepostOf = r.ID
		case "replied_to":
			p.ReplyTo = r.ID
		}
	}
	if p.RepostOf == "" {
		p.RepostOf = retweetOf(p.Text)
	}
	p.URL = "https://x.com/" + url.PathEscape(p.Author) + "/status/" + url.PathEscape(d.ID)
	return p, nil
}

// xLineError says what is wrong with a line that is not a filtered-stream post,
// in the wire format's words.
func xLineError(err error) error {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field == "data" && te.Value == "array":
		return &downwatch.RejectError{Reason: "wrong-type", Detail: `X line: "data" is an array (a search or lookup answer); the filtered stream sends one post per line, "data": {...}`}
	case errors.As(err, &te):
		return &downwatch.RejectError{Reason: "wrong-type", Detail: fmt.Sprintf("X line: field %q is a JSON %s, not what X documents", te.Field, te.Value)}
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return &downwatch.RejectError{Reason: "bad-json", Detail: fmt.Sprintf("X line: not JSON at byte %d", se.Offset)}
	}
	return &downwatch.RejectError{Reason: "bad-json", Detail: "X line: not one JSON object"}
}

// retweetOf reads the old text form of a retweet, "RT @user: ...", when X sent
// no referenced_tweets: the original's id is unknown, so repost_of is "@user".
func retweetOf(text string) string {
	rest, ok := strings.CutPrefix(text, "RT @")
	if !ok {
		return ""
	}
	user, _, ok := strings.Cut(rest, ":")
	if !ok || user == "" || len(user) > 15 || strings.ContainsAny(user, " \t\n@") {
		return ""
	}
	return "@" + user
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// SyncRules makes the stream's downwatch rules equal to cfg.Rules: it lists the
// rules, deletes downwatch-tagged ones that are not wanted (first, so the limits
// hold), and adds the missing ones. Rules without the downwatch tag prefix are
// never touched.
func (x *X) SyncRules(ctx context.Context) error {
	var list struct {
		Data []XRule `json:"data"`
	}
	if err := x.rulesCall(ctx, http.MethodGet, nil, &list); err != nil {
		return err
	}
	want := map[string]XRule{}
	for _, r := range x.cfg.Rules {
		want[r.Value] = r
	}
	var stale []string
	have := map[string]bool{}
	for _, r := range list.Data {
		if !strings.HasPrefix(r.Tag, XRuleTagPrefix) {
			continue
		}
		if w, ok := want[r.Value]; ok && w.Tag == r.Tag && !have[r.Value] {
			have[r.Value] = true
			continue
		}
		stale = append(stale, r.ID)
	}
	var add []XRule
	for _, r := range x.cfg.Rules {
		if !have[r.Value] {
			add = append(add, XRule{Value: r.Value, Tag: r.Tag})
		}
	}
	if len(stale) > 0 {
		body, _ := json.Marshal(map[string]any{"delete": map[string]any{"ids": stale}})
		if err := x.rulesCall(ctx, http.MethodPost, body, nil); err != nil {
			return err
		}
	}
	if len(add) > 0 {
		body, _ := json.Marshal(map[string]any{"add": add})
		if err := x.rulesCall(ctx, http.MethodPost, body, nil); err != nil {
			return err
		}
	}
	x.cfg.Logger.Info("X stream rules synced", "kept", len(have), "added", len(add), "deleted", len(stale))
	return nil
}

func (x *X) rulesCall(ctx context.Context, method string, body []byte, into any) error {
	req, err := x.request(ctx, method, "/2/tweets/search/stream/rules", body)
	if err != nil {
		return fatalf("%v", err)
	}
	resp, err := x.cfg.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return x.netError(fmt.Errorf("X stream rules: %w", err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusCreated {
		return x.refused("X stream rules", resp)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return x.netError(fmt.Errorf("X stream rules: %w", err))
	}
	var res struct {
		Errors []struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
			Value  string `json:"value"`
			ID     string `json:"id"`
		} `json:"errors"`
		Meta struct {
			Summary struct {
				NotCreated int `json:"not_created"`
				Invalid    int `json:"invalid"`
				NotDeleted int `json:"not_deleted"`
			} `json:"summary"`
		} `json:"meta"`
	}
	if err := json.Unmarshal(data, &res); err != nil {
		return fatalf("X stream rules: unreadable answer: %v", err)
	}
	refused := res.Errors[:0]
	for _, e := range res.Errors {
		if e.Title == "DuplicateRule" {
			// The rule is already there (another instance, or an untagged copy):
			// it does what we want, so it is adopted.
			x.cfg.Logger.Info("X stream rule already exists; adopted", "rule", truncate(e.Value, 80), "id", e.ID)
			continue
		}
		refused = append(refused, e)
	}
	if s := res.Meta.Summary; s.NotCreated+s.Invalid+s.NotDeleted > 0 && len(refused) > 0 {
		e := refused[0]
		return fmt.Errorf("%w: X refused stream rules (%d not created, %d invalid): %s: %s %s; lower --x-max-rules / --x-max-rule-len to your access tier's limits",
			ErrFatal, s.NotCreated, s.Invalid, e.Title, e.Detail, truncate(e.Value, 80))
	}
	if into != nil {
		if err := json.Unmarshal(data, into); err != nil {
			return fatalf("X stream rules: unreadable answer: %v", err)
		}
	}
	return nil
}

// XRulesConfig bounds the rules XRules builds. Zero values take the defaults.
type XRulesConfig struct {
	// MaxRules; default 25 (X Basic tier; Pro allows 1000).
	MaxRules int
	// MaxLen of one rule in characters; default 512 (Basic; Pro allows 1024).
	MaxLen int
	// Phrases that say something is broken, OR-ed into every name rule; default
	// XOutagePhrases.
	Phrases []string
}

// XOutagePhrases is a coarse, multilingual pre-filter: X only has to deliver
// candidates, the catalog matcher decides.
var XOutagePhrases = []string{"down", "outage", `"not working"`, "crashed", `"no funciona"`, "caído", "caiu", `"fora do ar"`, "panne", "störung", "çöktü", "बंद", "ダウン", "障害", `"не работает"`}

// XRules builds filtered-stream rules from the catalog: every service's outage
// hashtags (each says "down" by itself), and its names and aliases AND-ed with an
// OR-group of outage phrases. Terms are packed into as few rules as fit maxLen;
// when maxRules are not enough the least distinctive terms (later names) are
// dropped, and dropped says how many. Ambiguous names (X, Signal, Threads) are
// left out: on their own they would spend the tier's post cap on noise; their
// aliases and hashtags stay. Each rule's tag is "downwatch:" and the ids of the
// services it covers.
func XRules(cat *catalog.Catalog, cfg XRulesConfig) (rules []XRule, dropped int) {
	if cfg.MaxRules <= 0 {
		cfg.MaxRules = 25
	}
	if cfg.MaxLen <= 0 {
		cfg.MaxLen = 512
	}
	if cfg.Phrases == nil {
		cfg.Phrases = XOutagePhrases
	}
	tags, names := xTerms(cat)
	// Hashtag rules first: they are the strongest signal.
	pk := &xPacker{maxRules: cfg.MaxRules, maxLen: cfg.MaxLen}
	pk.pack(interleave(tags), "")
	pk.pack(interleave(names), " ("+strings.Join(cfg.Phrases, " OR ")+")")
	for _, b := range pk.rules {
		v := "(" + strings.Join(b.terms, " OR ") + ")" + b.tail
		if len(b.terms) == 1 && b.tail == "" {
			v = b.terms[0]
		}
		tag := XRuleTagPrefix + strings.Join(b.svcs, ",")
		if len(tag) > 200 {
			tag = fmt.Sprintf("%s%s+%d", XRuleTagPrefix, b.svcs[0], len(b.svcs)-1)
		}
		rules = append(rules, XRule{Value: v, Tag: tag})
	}
	return rules, pk.dropped
}

// xTerm is one quoted name or hashtag of service svc.
type xTerm struct{ text, svc string }

// xTerms are each service's hashtags, and its names (unless ambiguous) and
// aliases, quoted for a rule.
func xTerms(cat *catalog.Catalog) (tags, names [][]xTerm) {
	for _, id := range cat.ServiceIDs() {
		s, _ := cat.Service(id)
		var n []xTerm
		if !s.Ambiguous {
			for _, v := range s.Names {
				n = append(n, xTerm{xQuote(v), id})
			}
		}
		for _, v := range s.Aliases {
			n = append(n, xTerm{xQuote(v), id})
		}
		var h []xTerm
		for _, v := range s.Hashtags {
			h = append(h, xTerm{xQuote(v), id})
		}
		names, tags = append(names, n), append(tags, h)
	}
	return tags, names
}

// interleave takes every service's first term, then every second, and so on,
// so that when room runs out it is later names that are dropped.
func interleave(groups [][]xTerm) []xTerm {
	var out []xTerm
	for round := 0; ; round++ {
		more := false
		for _, g := range groups {
			if round < len(g) {
				out = append(out, g[round])
				more = true
			}
		}
		if !more {
			return out
		}
	}
}

// xPacker packs terms into at most maxRules rules of at most maxLen bytes.
type xPacker struct {
	maxRules, maxLen int
	rules            []*xRuleDraft
	dropped          int
}

type xRuleDraft struct {
	terms []string
	svcs  []string
	tail  string
}

// pack adds ts, each rule ending in tail, dropping (and counting) what fits
// nowhere.
func (pk *xPacker) pack(ts []xTerm, tail string) {
	var cur *xRuleDraft
	seen := map[string]bool{}
	for _, t := range ts {
		if t.text == "" || seen[strings.ToLower(t.text)] {
			continue
		}
		seen[strings.ToLower(t.text)] = true
		if 2+len(t.text)+len(tail) > pk.maxLen {
			pk.dropped++
			continue
		}
		switch {
		case cur != nil && xRuleLen(cur.terms, t.text, tail) <= pk.maxLen:
			cur.terms = append(cur.terms, t.text)
		case len(pk.rules) < pk.maxRules:
			cur = &xRuleDraft{terms: []string{t.text}, tail: tail}
			pk.rules = append(pk.rules, cur)
		default:
			// No room: try any open rule of the same kind, else drop.
			b := pk.roomFor(t.text, tail)
			if b == nil {
				pk.dropped++
				continue
			}
			b.terms = append(b.terms, t.text)
			cur = b
		}
		if !slices.Contains(cur.svcs, t.svc) {
			cur.svcs = append(cur.svcs, t.svc)
		}
	}
}

func (pk *xPacker) roomFor(text, tail string) *xRuleDraft {
	for _, b := range pk.rules {
		if b.tail == tail && xRuleLen(b.terms, text, tail) <= pk.maxLen {
			return b
		}
	}
	return nil
}

func xRuleLen(terms []string, next, tail string) int {
	n := 2 + len(tail) + len(next)
	for _, t := range terms {
		n += len(t) + 4
	}
	return n
}

// xQuote writes a term as an X rule operand: bare when it is one word, quoted
// when it holds spaces or punctuation; quotes inside are dropped.
func xQuote(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, `"`, ""))
	if s == "" {
		return ""
	}
	bare := true
	for i, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_' || (i == 0 && (r == '#' || r == '@'))) {
			bare = false
			break
		}
	}
	if bare && !strings.EqualFold(s, "or") {
		return s
	}
	return `"` + s + `"`
}
