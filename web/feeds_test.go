package web

import (
	"encoding/xml"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestAtomFeeds(t *testing.T) {
	hs := tokenServer(t, Config{Tokens: []Token{{Name: "reader", Secret: "r3ad"}}})
	resp, body := get(t, hs.URL+"/feed.atom?token=r3ad")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/atom+xml") {
		t.Fatalf("/feed.atom?token=: got %d %s, want an Atom feed (not a redirect: feed readers send the token each time)", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var f atomFeed
	if err := xml.Unmarshal([]byte(body), &f); err != nil {
		t.Fatalf("the feed is not XML: %v", err)
	}
	if len(f.Entries) != len(scenarioIncidents()) {
		t.Errorf("got %d entries, want one per stored incident (%d)", len(f.Entries), len(scenarioIncidents()))
	}
	want := "urn:downwatch:incident:whatsapp.20221025T0705Z"
	var wa *atomEntry
	for i := range f.Entries {
		if f.Entries[i].ID == want {
			wa = &f.Entries[i]
		}
	}
	if wa == nil {
		t.Fatalf("no entry %s in %s", want, body)
	}
	if wa.Title != "whatsapp outage (global): acknowledged" || wa.Updated != "2022-10-25T08:40:00Z" ||
		wa.Links[0].Href != hs.URL+"/incidents/whatsapp.20221025T0705Z" || !strings.Contains(wa.Summary, "Acknowledged 08:05 UTC") {
		t.Errorf("WhatsApp entry = %+v", *wa)
	}
	if _, err := time.Parse(time.RFC3339, f.Updated); err != nil || f.Updated != "2022-10-25T08:40:00Z" {
		t.Errorf("feed updated %q, want the newest change 2022-10-25T08:40:00Z", f.Updated)
	}
	_, body = get(t, hs.URL+"/services/instagram/feed.atom", "Authorization", "Bearer r3ad")
	f = atomFeed{}
	xml.Unmarshal([]byte(body), &f)
	if len(f.Entries) != 2 || f.Title != "instagram incidents · downwatch" {
		t.Errorf("instagram's feed: %q with %d entries, want its 2 incidents", f.Title, len(f.Entries))
	}
	for _, e := range f.Entries {
		if !strings.HasPrefix(e.ID, "urn:downwatch:incident:instagram.") {
			t.Errorf("instagram's feed has %s", e.ID)
		}
	}
	if resp, _ := get(t, hs.URL+"/feed.atom"); resp.StatusCode != 401 {
		t.Errorf("/feed.atom without a token: got %d, want 401", resp.StatusCode)
	}
}

func TestSilencesCalendar(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	hs := tokenServer(t, Config{Now: func() time.Time { return now }})
	long := strings.Repeat("maintenance; ünïcode, ", 8)
	code, body := postJSON(t, nil, hs.URL+"/api/silences", `{"match":["service=whatsapp","region=IN"],"starts_at":"2026-12-03T22:00:00Z","ends_at":"2026-12-04T02:00:00Z","created_by":"ana","comment":"`+long+`"}`)
	if code != 201 {
		t.Fatalf("add: %d %s", code, body)
	}
	resp, ics := get(t, hs.URL+"/silences.ics")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("/silences.ics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.HasSuffix(ics, "END:VCALENDAR\r\n") || strings.Contains(strings.ReplaceAll(ics, "\r\n", ""), "\n") {
		t.Errorf("lines must end in CRLF:\n%q", ics)
	}
	for _, l := range strings.Split(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 || !utf8.ValidString(l) {
			t.Errorf("line of %d octets (or split inside a character): %q", len(l), l)
		}
	}
	unfolded := strings.ReplaceAll(ics, "\r\n ", "")
	for _, want := range []string{"BEGIN:VEVENT\r\n", "DTSTART:20261203T220000Z\r\n", "DTEND:20261204T020000Z\r\n",
		`SUMMARY:Silenced: service=whatsapp region=IN`, `DESCRIPTION:maintenance\; ünïcode\, maintenance`, `\n(by ana)`} {
		if !strings.Contains(unfolded, want) {
			t.Errorf("calendar lacks %q:\n%s", want, unfolded)
		}
	}
}

func TestICSFold(t *testing.T) {
	for _, n := range []int{10, 75, 76, 200} {
		l := "X:" + strings.Repeat("é", n)
		got := icsFold(l)
		if strings.ReplaceAll(strings.TrimSuffix(got, "\r\n"), "\r\n ", "") != l {
			t.Errorf("%d: unfolding %q does not give the line back", n, got)
		}
	}
}
