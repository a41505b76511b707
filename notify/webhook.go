package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// Headers of a webhook request.
const (
	HeaderSignature = "X-Downwatch-Signature" // "sha256=" + hex HMAC-SHA256 of the body
	HeaderEvent     = "X-Downwatch-Event"     // the alert type, e.g. incident.opened
	HeaderDelivery  = "X-Downwatch-Delivery"  // "<incident id>@<revision>": same value = same change
	HeaderStreamID  = "X-Downwatch-Stream-Id" // id of the alert in the Redis stream
)

// Sign returns the X-Downwatch-Signature value of body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// Verify reports whether signature (the X-Downwatch-Signature header) is body's
// signature under secret, in constant time. Receivers written in Go can use it.
func Verify(secret string, body []byte, signature string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(signature))
}

// permanentError is a response that retrying will not change (a 4xx other than
// 408 and 429, an SMTP 5xx reply).
type permanentError struct {
	status int
	msg    string // when not an HTTP status (SMTP, configuration)
}

func (e *permanentError) Error() string {
	if e.msg != "" {
		return e.msg + "; not retrying"
	}
	return fmt.Sprintf("webhook answered %d %s; not retrying", e.status, http.StatusText(e.status))
}

// deliver sends one alert to one sink, retrying with exponential backoff.
func (d *Dispatcher) deliver(ctx context.Context, s *sink, a store.StreamAlert) error {
	body, err := d.body(s, a.Alert)
	if err != nil {
		return err
	}
	wait := d.cfg.InitialBackoff
	var last error
	for attempt := 1; attempt <= d.cfg.MaxAttempts; attempt++ {
		_, retryAfter, err := d.send(ctx, s, a, body)
		if err == nil {
			return nil
		}
		last = err
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var perm *permanentError
		if errors.As(err, &perm) || attempt == d.cfg.MaxAttempts {
			break
		}
		pause := wait
		if retryAfter > 0 {
			pause = max(pause, min(retryAfter, d.cfg.MaxRetryAfter))
		}
		d.cfg.Logger.Warn("notify: attempt failed; retrying", "sink", s.hash, "receiver", s.receiver, "url", redact(s.URL),
			"incident", a.Alert.Incident.ID, "attempt", attempt, "err", err, "in", pause)
		if err := d.sleep(ctx, pause); err != nil {
			return err
		}
		wait = min(2*wait, d.cfg.MaxBackoff)
	}
	return fmt.Errorf("deliver %s to %s: %w", DeliveryKey(a.Alert), s.describe(), last)
}

// send makes one attempt: a mail for FormatEmail, else an HTTP POST. It
// returns what the receiver answered (for `notify test`), the response's
// Retry-After (0 if none) and an error unless the receiver accepted it.
func (d *Dispatcher) send(ctx context.Context, s *sink, a store.StreamAlert, body []byte) (string, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	if s.Format == FormatEmail {
		answer, err := d.sendMail(ctx, s, body)
		return answer, 0, err
	}
	return d.post(ctx, s, a, body)
}

// post sends one HTTP request.
func (d *Dispatcher) post(ctx context.Context, s *sink, a store.StreamAlert, body []byte) (string, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL, bytes.NewReader(body))
	if err != nil {
		return "", 0, &permanentError{status: 0}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "downwatch-notify/1")
	req.Header.Set(HeaderEvent, a.Alert.Type)
	req.Header.Set(HeaderDelivery, DeliveryKey(a.Alert))
	req.Header.Set(HeaderStreamID, a.ID)
	if s.Secret != "" {
		req.Header.Set(HeaderSignature, Sign(s.Secret, body))
	}
	resp, err := d.cfg.Client.Do(req)
	if err != nil {
		d.m.attempts.WithLabelValues(s.hash, s.receiver, "error").Inc()
		return "", 0, fmt.Errorf("post: %w", err)
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	answer := strings.TrimSpace(resp.Status + " " + clip(strings.Join(strings.Fields(string(b)), " "), 300))
	d.m.attempts.WithLabelValues(s.hash, s.receiver, strconv.Itoa(resp.StatusCode)).Inc()
	switch c := resp.StatusCode; {
	case c >= 200 && c < 300:
		return answer, 0, nil
	case c == http.StatusTooManyRequests || c == http.StatusServiceUnavailable:
		return answer, retryAfter(resp.Header.Get("Retry-After"), d.cfg.Now()), fmt.Errorf("webhook answered %d", c)
	case c == http.StatusRequestTimeout || c >= 500:
		return answer, 0, fmt.Errorf("webhook answered %d", c)
	default:
		return answer, 0, &permanentError{status: c}
	}
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0)
	}
	return 0
}

// body renders a for s's format.
func (d *Dispatcher) body(s *sink, a downwatch.Alert) ([]byte, error) {
	name, link := d.cfg.ServiceName(a.Incident.Service), d.incidentURL(a.Incident.ID)
	switch s.Format {
	case FormatSlack:
		return encodeJSON(SlackMessage(a, name, link))
	case FormatTeams:
		return encodeJSON(TeamsMessage(a, name, link))
	case FormatDiscord:
		return encodeJSON(DiscordMessage(a, name, link))
	case FormatPagerDuty:
		return encodeJSON(PagerDutyEventOf(a, name, link, s.RoutingKey, s.Severity))
	case FormatEmail:
		return Mail(a, name, link, s.Email, d.cfg.Now()), nil
	}
	return json.Marshal(a)
}

// encodeJSON is v as JSON without HTML escapes (< stays <: the chat formats
// escape their own markup) and without the trailing newline.
func encodeJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (d *Dispatcher) incidentURL(id string) string {
	if d.cfg.DashboardURL == "" {
		return ""
	}
	return d.cfg.DashboardURL + "/incidents/" + id
}

// Slack is the body of a Slack incoming-webhook message (also accepted by
// Mattermost and Rocket.Chat, which read "text").
type Slack struct {
	Text   string       `json:"text"`
	Blocks []SlackBlock `json:"blocks"`
}

// SlackBlock is one Block Kit block; only the fields downwatch uses.
type SlackBlock struct {
	Type   string      `json:"type"`
	Text   *SlackText  `json:"text,omitempty"`
	Fields []SlackText `json:"fields,omitempty"`
	// Elements of a context block (SlackText) or an actions block (buttons).
	Elements []any `json:"elements,omitempty"`
	// Button element fields.
	URL      string `json:"url,omitempty"`
	ActionID string `json:"action_id,omitempty"`
}

// SlackText is a Block Kit text object.
type SlackText struct {
	Type string `json:"type"` // "mrkdwn" or "plain_text"
	Text string `json:"text"`
}

var verbs = map[string]string{
	downwatch.AlertOpened:       "opened",
	downwatch.AlertUpdated:      "updated",
	downwatch.AlertAcknowledged: "acknowledged",
	downwatch.AlertResolved:     "resolved",
	downwatch.AlertReopened:     "reopened",
	// A person's actions.
	downwatch.AlertOperatorAcknowledged: "acknowledged by a person",
	downwatch.AlertFalseAlarm:           "marked a false alarm",
	downwatch.AlertMerged:               "merged",
	downwatch.AlertLinked:               "linked",
}

var emoji = map[string]string{
	downwatch.AlertOpened:       ":red_circle:",
	downwatch.AlertUpdated:      ":large_orange_circle:",
	downwatch.AlertAcknowledged: ":large_yellow_circle:",
	downwatch.AlertResolved:     ":large_green_circle:",
}

// SlackMessage renders an alert as a Slack message. Everything taken from posts
// is escaped (&, <, >), so a post cannot mention @channel or forge a link.
// link, when not empty, is the incident's dashboard page.
func SlackMessage(a downwatch.Alert, serviceName, link string) Slack {
	i := a.Incident
	title := headline(a, serviceName)
	text := fmt.Sprintf("%s %s: %d people complaining, peak %.0f/min, started %s UTC",
		emoji[a.Type], esc(title), i.Authors, i.PeakPerMin, i.StartedAt.UTC().Format("2006-01-02 15:04"))
	if link != "" {
		text += fmt.Sprintf(" <%s|details>", link)
	}

	fields := []SlackText{
		{"mrkdwn", "*State*\n" + esc(i.State)},
		{"mrkdwn", "*Started*\n" + i.StartedAt.UTC().Format("2006-01-02 15:04 UTC")},
		{"mrkdwn", fmt.Sprintf("*Complainers*\n%d (peak %.0f/min)", i.Authors, i.PeakPerMin)},
		{"mrkdwn", "*Regions*\n" + or(esc(top(i.Countries, 5)), "–")},
		{"mrkdwn", "*Languages*\n" + or(esc(top(i.Languages, 5)), "–")},
		{"mrkdwn", "*Symptoms*\n" + or(esc(strings.Join(i.Symptoms, ", ")), "–")},
	}
	if i.ResolvedAt != nil {
		fields[1].Text += fmt.Sprintf("\n*Resolved* %s UTC (%s)", i.ResolvedAt.UTC().Format("15:04"), i.ResolvedAt.Sub(i.StartedAt).Round(time.Minute))
	}
	blocks := []SlackBlock{
		{Type: "header", Text: &SlackText{"plain_text", clip(emojiText(a.Type)+" "+title, 150)}},
		{Type: "section", Fields: fields},
	}
	var why []string
	if e := i.Evidence; e != nil && a.Type == downwatch.AlertOpened {
		why = append(why, fmt.Sprintf("*Why:* %d distinct complainers in %s where %.1f were expected (p = %.1e)", e.Observed, esc(e.Window), e.Expected, e.PValue))
	}
	if ack := i.Acknowledgement; ack != nil {
		why = append(why, fmt.Sprintf("*Acknowledged by @%s:* %s", esc(ack.Author), quote(ack.Text, 280)))
	}
	if n := len(i.Actions); n > 0 && i.Actions[n-1].Revision == i.Revision {
		act := i.Actions[n-1]
		line := fmt.Sprintf("*%s by %s*", esc(act.Type), esc(act.By))
		if act.Note != "" {
			line += ": " + quote(act.Note, 280)
		}
		why = append(why, line)
	}
	if a.Test {
		why = append(why, "_This is a test alert sent by downwatch notify test; there is no such incident._")
	}
	if len(why) > 0 {
		blocks = append(blocks, SlackBlock{Type: "section", Text: &SlackText{"mrkdwn", strings.Join(why, "\n")}})
	}
	var samples []any
	for _, p := range i.SamplePosts {
		if len(samples) == 3 {
			break
		}
		samples = append(samples, SlackText{"mrkdwn", fmt.Sprintf("@%s: %s", esc(p.Author), quote(p.Text, 200))})
	}
	if len(samples) > 0 {
		blocks = append(blocks, SlackBlock{Type: "context", Elements: samples})
	}
	if link != "" {
		blocks = append(blocks, SlackBlock{Type: "actions", Elements: []any{SlackBlock{
			Type: "button", Text: &SlackText{"plain_text", "Open incident"}, URL: link, ActionID: "open-incident",
		}}})
	}
	return Slack{Text: text, Blocks: blocks}
}

func emojiText(t string) string {
	return map[string]string{
		downwatch.AlertOpened: "🔴", downwatch.AlertUpdated: "🟠",
		downwatch.AlertAcknowledged: "🟡", downwatch.AlertResolved: "🟢",
	}[t]
}

// esc escapes the three characters Slack's mrkdwn gives meaning to.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// quote returns a post's text on one line, clipped and escaped.
func quote(s string, n int) string {
	return esc(clip(strings.Join(strings.Fields(s), " "), n))
}

// clip shortens s to at most n runes, ending with "…" when it cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// top formats the n largest counts as "IN 412, BR 96".
func top(m map[string]int, n int) string {
	var parts []string
	for _, k := range topKeys(m, n) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
