package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
)

// checkPost fails when a decoder hands out a post the rest of the system cannot
// carry: missing required fields, or one that does not survive JSON.
func checkPost(t *testing.T, p downwatch.Post) {
	t.Helper()
	if p.ID == "" || p.Source == "" || p.Author == "" || p.CreatedAt.IsZero() {
		t.Fatalf("post lacks a required field: %+v", p)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatalf("post does not encode: %v", err)
	}
	if _, err := downwatch.DecodePost(b); err != nil && utf8.Valid(b) {
		t.Fatalf("post does not decode again: %v\n%s", err, b)
	}
}

func FuzzXStream(f *testing.F) {
	for _, l := range lines(fixture(f, "x/stream.txt")) {
		f.Add(bytes.TrimSpace(l))
	}
	for _, l := range lines(fixture(f, "x/compliance.txt")) {
		f.Add(bytes.TrimSpace(l))
	}
	f.Add(fixture(f, "x/disconnect.txt"))
	f.Fuzz(func(t *testing.T, line []byte) {
		if p, err := decodeXLine(line); err == nil {
			checkPost(t, p)
		}
	})
}

func FuzzJetstream(f *testing.F) {
	for _, name := range []string{"jetstream/events.jsonl", "jetstream/deletes.jsonl"} {
		for _, l := range lines(fixture(f, name)) {
			if !bytes.HasPrefix(l, []byte("#")) {
				f.Add(bytes.TrimSpace(l))
			}
		}
	}
	f.Fuzz(func(t *testing.T, msg []byte) {
		p, _, err := decodeJetstream(msg)
		var rt *Retraction
		switch {
		case err == nil:
			checkPost(t, p)
		case errors.As(err, &rt):
			checkRetraction(t, rt)
		}
	})
}

func FuzzMastodonSSE(f *testing.F) {
	f.Add(fixture(f, "mastodon/public.sse"))
	f.Add(fixture(f, "mastodon/edits.sse"))
	f.Add([]byte("event: update\ndata: {\"id\":\"1\"}\n\n:thump\n"))
	f.Fuzz(func(t *testing.T, stream []byte) {
		var sse sseParser
		for _, l := range bytes.Split(stream, []byte("\n")) {
			ev, data, ok := sse.feed(bytes.TrimRight(l, "\r"))
			if !ok {
				continue
			}
			e, ok := mastodonStreamEvent(ev, data, nil)
			switch {
			case !ok || e.err != nil:
			case e.retract != nil:
				checkRetraction(t, e.retract)
			default:
				checkPost(t, e.post)
			}
		}
		htmlText(string(stream))
	})
}

func FuzzFeed(f *testing.F) {
	f.Add(fixture(f, "feed/rss.xml"))
	f.Add(fixture(f, "feed/atom.xml"))
	for _, name := range []string{"rss1-rdf.xml", "rss2-description-only.xml", "atom-xhtml.xml", "atom03.xml", "jsonfeed.json", "cp1252-undeclared.xml"} {
		f.Add(fixture(f, "feed/"+name))
	}
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><rss><channel><item><title>caf\xe9</title></item></channel></rss>`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		items, err := parseFeed(doc)
		if err != nil {
			return
		}
		for _, it := range items {
			if p, ok := it.post("feed.example", t2022); ok {
				checkPost(t, p)
			}
		}
	})
}

func FuzzStatuspage(f *testing.F) {
	f.Add(fixture(f, "statuspage/summary.json"))
	f.Add(fixture(f, "statuspage/summary-later.json"))
	f.Fuzz(func(t *testing.T, doc []byte) {
		sum, err := decodeStatusSummary(doc)
		if err != nil {
			return
		}
		for _, inc := range sum.Incidents {
			for _, r := range incidentPosts("github", "kctbh9vrtdwd", "https://www.githubstatus.com", inc) {
				if r.err == nil {
					checkPost(t, r.post)
				}
			}
		}
	})
}

func FuzzPushBody(f *testing.F) {
	f.Add([]byte(`{"id":"p1","source":"http","author":"a","text":"x","created_at":"2022-10-25T07:10:00Z"}` + "\n{\"id\":1}\n"))
	f.Fuzz(func(t *testing.T, body []byte) {
		good, bad := decodePushBody(body)
		for _, p := range good {
			checkPost(t, p)
		}
		for _, r := range bad {
			if r.Line < 1 || r.Reason == "" {
				t.Fatalf("bad reject %+v", r)
			}
		}
	})
}

// checkRetraction: a retraction names its post, and an edit carries a valid
// post of the same source and id.
func checkRetraction(t *testing.T, rt *Retraction) {
	t.Helper()
	if rt.ID == "" || rt.Source == "" {
		t.Fatalf("retraction without source or id: %+v", rt)
	}
	if rt.Edited != nil {
		if rt.Edited.ID != rt.ID || rt.Edited.Source != rt.Source {
			t.Fatalf("edit of %s/%s carries post %s/%s", rt.Source, rt.ID, rt.Edited.Source, rt.Edited.ID)
		}
		checkPost(t, *rt.Edited)
	}
}
