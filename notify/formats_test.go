package notify

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
)

// Checks of each receiver's body as its service documents it, written against
// the JSON (a map), never against downwatch's own types. Each returns the
// problems found.

type problems []string

func (p *problems) add(format string, args ...any) { *p = append(*p, fmt.Sprintf(format, args...)) }

func str(m map[string]any, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// checkTeams: a message activity whose attachments hold one Adaptive Card
// (contentType application/vnd.microsoft.card.adaptive; content type
// AdaptiveCard with a version and a body of elements), under Teams' 28 KB.
func checkTeams(body []byte) problems {
	var p problems
	if len(body) > 28<<10 {
		p.add("message is %d bytes; Teams takes up to 28 KB", len(body))
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return problems{"not JSON: " + err.Error()}
	}
	if t, _ := str(m, "type"); t != "message" {
		p.add(`type: got %q, want "message"`, t)
	}
	atts, _ := m["attachments"].([]any)
	if len(atts) != 1 {
		p.add("attachments: got %d, want 1", len(atts))
		return p
	}
	att, _ := atts[0].(map[string]any)
	if ct, _ := str(att, "contentType"); ct != "application/vnd.microsoft.card.adaptive" {
		p.add("contentType: got %q", ct)
	}
	card, _ := att["content"].(map[string]any)
	if t, _ := str(card, "type"); t != "AdaptiveCard" {
		p.add(`content.type: got %q, want "AdaptiveCard"`, t)
	}
	if v, _ := str(card, "version"); v == "" {
		p.add("content.version missing")
	}
	if s, _ := str(card, "$schema"); !strings.HasPrefix(s, "http://adaptivecards.io/schemas/") {
		p.add("content.$schema: got %q", s)
	}
	els, _ := card["body"].([]any)
	if len(els) == 0 {
		p.add("content.body is empty")
	}
	for i, e := range els {
		el, _ := e.(map[string]any)
		switch t, _ := str(el, "type"); t {
		case "TextBlock":
			if s, ok := str(el, "text"); !ok || s == "" {
				p.add("body[%d]: TextBlock without text", i)
			}
		case "FactSet":
			facts, _ := el["facts"].([]any)
			for j, f := range facts {
				fm, _ := f.(map[string]any)
				if _, ok := str(fm, "title"); !ok {
					p.add("body[%d].facts[%d]: title is not a string", i, j)
				}
				if _, ok := str(fm, "value"); !ok {
					p.add("body[%d].facts[%d]: value is not a string", i, j)
				}
			}
		default:
			p.add("body[%d]: element type %q", i, t)
		}
	}
	acts, _ := card["actions"].([]any)
	for i, a := range acts {
		am, _ := a.(map[string]any)
		if t, _ := str(am, "type"); t != "Action.OpenUrl" {
			p.add("actions[%d].type: got %q", i, t)
		}
		if u, _ := str(am, "url"); !strings.HasPrefix(u, "http") {
			p.add("actions[%d].url: got %q", i, u)
		}
	}
	return p
}

// checkDiscord: content and/or embeds; content at most 2000 characters, at
// most 10 embeds, each with title ≤ 256, description ≤ 4096, ≤ 25 fields of
// name ≤ 256 and value ≤ 1024 (both non-empty), footer ≤ 2048, and 6000 over
// the embed; timestamp ISO 8601; color an integer.
func checkDiscord(body []byte) problems {
	var p problems
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return problems{"not JSON: " + err.Error()}
	}
	content, _ := str(m, "content")
	embeds, _ := m["embeds"].([]any)
	if content == "" && len(embeds) == 0 {
		p.add("neither content nor embeds")
	}
	if n := runes(content); n > 2000 {
		p.add("content is %d characters; Discord takes 2000", n)
	}
	if len(embeds) > 10 {
		p.add("%d embeds; Discord takes 10", len(embeds))
	}
	for i, e := range embeds {
		em, _ := e.(map[string]any)
		total := 0
		for k, limit := range map[string]int{"title": 256, "description": 4096} {
			s, _ := str(em, k)
			total += runes(s)
			if runes(s) > limit {
				p.add("embeds[%d].%s is %d characters; limit %d", i, k, runes(s), limit)
			}
		}
		fields, _ := em["fields"].([]any)
		if len(fields) > 25 {
			p.add("embeds[%d]: %d fields; limit 25", i, len(fields))
		}
		for j, f := range fields {
			fm, _ := f.(map[string]any)
			name, _ := str(fm, "name")
			value, _ := str(fm, "value")
			total += runes(name) + runes(value)
			if name == "" || runes(name) > 256 || value == "" || runes(value) > 1024 {
				p.add("embeds[%d].fields[%d]: name %d, value %d characters (want 1-256, 1-1024)", i, j, runes(name), runes(value))
			}
		}
		if ft, ok := em["footer"].(map[string]any); ok {
			s, _ := str(ft, "text")
			total += runes(s)
			if runes(s) > 2048 {
				p.add("embeds[%d].footer.text is %d characters; limit 2048", i, runes(s))
			}
		}
		if total > 6000 {
			p.add("embeds[%d] has %d characters; Discord takes 6000", i, total)
		}
		if ts, ok := str(em, "timestamp"); ok {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				p.add("embeds[%d].timestamp %q is not ISO 8601", i, ts)
			}
		}
		if c, ok := em["color"]; ok {
			if f, isNum := c.(float64); !isNum || f != float64(int(f)) {
				p.add("embeds[%d].color %v is not an integer", i, c)
			}
		}
	}
	am, _ := m["allowed_mentions"].(map[string]any)
	if parse, ok := am["parse"].([]any); !ok || len(parse) != 0 {
		p.add("allowed_mentions.parse: got %v, want [] (no pings from post text)", am["parse"])
	}
	return p
}

// checkPagerDuty: routing_key, event_action trigger|acknowledge|resolve,
// dedup_key ≤ 255; a trigger has payload.summary (1-1024), source, severity
// critical|error|warning|info, an ISO 8601 timestamp if any, custom_details an object.
func checkPagerDuty(body []byte, routingKey string) (problems, map[string]any) {
	var p problems
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		return problems{"not JSON: " + err.Error()}, nil
	}
	if rk, _ := str(m, "routing_key"); rk != routingKey {
		p.add("routing_key: got %q, want %q", rk, routingKey)
	}
	action, _ := str(m, "event_action")
	if action != "trigger" && action != "acknowledge" && action != "resolve" {
		p.add("event_action: got %q", action)
	}
	if dk, _ := str(m, "dedup_key"); dk == "" || runes(dk) > 255 {
		p.add("dedup_key: got %q (want 1-255 characters)", dk)
	}
	pl, hasPayload := m["payload"].(map[string]any)
	if action != "trigger" {
		return p, m
	}
	if !hasPayload {
		p.add("a trigger without payload")
		return p, m
	}
	if s, _ := str(pl, "summary"); s == "" || runes(s) > 1024 {
		p.add("payload.summary is %d characters; want 1-1024", runes(s))
	}
	if s, _ := str(pl, "source"); s == "" {
		p.add("payload.source missing")
	}
	switch s, _ := str(pl, "severity"); s {
	case "critical", "error", "warning", "info":
	default:
		p.add("payload.severity: got %q", s)
	}
	if ts, ok := str(pl, "timestamp"); ok {
		if _, err := time.Parse(time.RFC3339, ts); err != nil {
			p.add("payload.timestamp %q is not ISO 8601", ts)
		}
	}
	if cd, ok := pl["custom_details"]; ok {
		if _, isObj := cd.(map[string]any); !isObj {
			p.add("payload.custom_details is not an object")
		}
	}
	return p, m
}

// checkMail: an RFC 5322 message with From, To, Subject, Date and
// Message-ID, CRLF line ends no longer than 998 characters, a text/plain body
// it decodes. It returns the decoded subject and body.
func checkMail(m smtpMail) (problems, string, string) {
	var p problems
	for _, l := range m.rawLines {
		if !strings.HasSuffix(l, "\r\n") || strings.ContainsAny(strings.TrimSuffix(l, "\r\n"), "\r\n") {
			p.add("line %q does not end in CRLF alone", l)
		}
		if len(l) > 1000 {
			p.add("line of %d characters; SMTP takes 998", len(l)-2)
		}
	}
	msg, err := mail.ReadMessage(strings.NewReader(m.data))
	if err != nil {
		return append(p, "not a mail: "+err.Error()), "", ""
	}
	for _, h := range []string{"From", "To", "Subject", "Date", "Message-Id"} {
		if msg.Header.Get(h) == "" {
			p.add("no %s header", h)
		}
	}
	if _, err := msg.Header.Date(); err != nil {
		p.add("Date: %v", err)
	}
	if _, err := mail.ParseAddressList(msg.Header.Get("To")); err != nil {
		p.add("To: %v", err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		p.add("Subject: %v", err)
	}
	if mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type")); err != nil || mt != "text/plain" || params["charset"] != "utf-8" {
		p.add("Content-Type: got %q", msg.Header.Get("Content-Type"))
	}
	var r io.Reader = msg.Body
	if strings.EqualFold(msg.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		r = quotedprintable.NewReader(r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		p.add("body: %v", err)
	}
	return p, subject, string(b)
}

// hostile is an incident whose posts try to ping, link and format.
func hostile() downwatch.Alert {
	a := alert(downwatch.AlertOpened, 1)
	a.Incident.SamplePosts = []downwatch.Post{{ID: "2", Source: "x", Author: "eve", CreatedAt: t0,
		Text: "@everyone [free money](https://evil.example) **now** <@123> whatsapp down"}}
	return a
}

// huge is an incident with everything as long as it gets.
func huge() downwatch.Alert {
	a := alert(downwatch.AlertOpened, 1)
	a.Incident.Countries, a.Incident.Languages = map[string]int{}, map[string]int{}
	for i := range 300 {
		a.Incident.Countries[fmt.Sprintf("C%03d", i)] = i
		a.Incident.Languages[fmt.Sprintf("l%03d", i)] = i
		a.Incident.Symptoms = append(a.Incident.Symptoms, strings.Repeat("s", 50))
		a.Incident.SamplePosts = append(a.Incident.SamplePosts, downwatch.Post{ID: fmt.Sprint(i), Author: strings.Repeat("a", 300), Text: strings.Repeat("ü ", 3000)})
	}
	a.Incident.Acknowledgement = &downwatch.Post{Author: "WhatsApp", Text: strings.Repeat("we know ", 1000)}
	return a
}

func TestDiscordMessageLimitsAndEscapes(t *testing.T) {
	long := strings.Repeat("WhatsApp ", 400) // a 3600-character service name
	for name, a := range map[string]downwatch.Alert{"hostile": hostile(), "huge": huge()} {
		for _, svc := range []string{"WhatsApp", long} {
			b, err := encodeJSON(DiscordMessage(a, svc, "https://dw.example.com/incidents/x"))
			if err != nil {
				t.Fatal(err)
			}
			if p := checkDiscord(b); len(p) > 0 {
				t.Errorf("%s, service name of %d: %s", name, len(svc), strings.Join(p, "; "))
			}
			if strings.Contains(string(b), "@everyone") || strings.Contains(string(b), "[free money](") {
				t.Errorf("%s: post text reaches Discord unescaped: %s", name, b)
			}
		}
	}
}

func TestTeamsMessageLimitsAndEscapes(t *testing.T) {
	for name, a := range map[string]downwatch.Alert{"hostile": hostile(), "huge": huge()} {
		b, err := encodeJSON(TeamsMessage(a, "WhatsApp", "https://dw.example.com/incidents/x"))
		if err != nil {
			t.Fatal(err)
		}
		if p := checkTeams(b); len(p) > 0 {
			t.Errorf("%s: %s", name, strings.Join(p, "; "))
		}
		if strings.Contains(string(b), "[free money](") {
			t.Errorf("%s: a post forges a link in Teams: %s", name, b)
		}
	}
}

func TestPagerDutyActions(t *testing.T) {
	merged := alert(downwatch.AlertMerged, 5)
	merged.Incident.MergedInto = "whatsapp.20221025T0600Z"
	survivor := alert(downwatch.AlertMerged, 5)
	tests := []struct {
		name string
		a    downwatch.Alert
		want string
	}{
		{"opened", alert(downwatch.AlertOpened, 1), "trigger"},
		{"updated", alert(downwatch.AlertUpdated, 2), "trigger"},
		{"reopened", alert(downwatch.AlertReopened, 4), "trigger"},
		{"the company acknowledged", alert(downwatch.AlertAcknowledged, 2), "trigger"},
		{"a person acknowledged", alert(downwatch.AlertOperatorAcknowledged, 3), "acknowledge"},
		{"resolved", alert(downwatch.AlertResolved, 3), "resolve"},
		{"false alarm", alert(downwatch.AlertFalseAlarm, 3), "resolve"},
		{"merged away", merged, "resolve"},
		{"merge survivor", survivor, "trigger"},
		{"huge", huge(), "trigger"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := encodeJSON(PagerDutyEventOf(tc.a, strings.Repeat("WhatsApp", 200), "https://dw.example.com/incidents/x", "R0UTINGKEY", ""))
			if err != nil {
				t.Fatal(err)
			}
			p, m := checkPagerDuty(b, "R0UTINGKEY")
			if len(p) > 0 {
				t.Errorf("%s", strings.Join(p, "; "))
			}
			if got := m["event_action"]; got != tc.want {
				t.Errorf("event_action: got %v, want %s", got, tc.want)
			}
			if got := m["dedup_key"]; got != tc.a.Incident.ID {
				t.Errorf("dedup_key: got %v, want the incident id %s", got, tc.a.Incident.ID)
			}
		})
	}
}
