package downwatch

import (
	"slices"
	"testing"
	"time"
)

func privacyIncident() Incident {
	ack := time.Date(2022, 10, 25, 8, 5, 0, 0, time.UTC)
	return Incident{
		ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: StateAcknowledged, Mentions: 40, Authors: 30,
		Languages: map[string]int{"en": 40},
		SamplePosts: []Post{
			{ID: "1", Source: "x", Author: "priya_k", Text: "WhatsApp down"},
			{ID: "2", Source: "x", Author: "tomr", Text: "RT @Priya_K: WhatsApp down", RepostOf: "@priya_k"},
			{ID: "3", Source: "mastodon", Author: "priya_k", Text: "whatsapp down here"},
			{ID: "4", Source: "x", Author: "lena", Text: "whatsapp not working"},
			{ID: "5", Source: "x", Author: "ANI", Text: "Meta says it is working on it"},
		},
		Acknowledgement: &Post{ID: "5", Source: "x", Author: "ANI", Text: "Meta says it is working on it"},
		AcknowledgedAt:  &ack,
	}
}

func sampleIDs(i Incident) []string {
	var out []string
	for _, p := range i.SamplePosts {
		out = append(out, p.Source+"/"+p.ID)
	}
	return out
}

func TestRemovePosts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		gone      func(*Post) bool
		retracted bool
		removed   int
		samples   []string
		ack       bool // acknowledgement post kept
		ackedAt   bool // acknowledged_at kept
		state     string
	}{
		{"author on every source, and text-form reposts of them", ByAuthor("@PRIYA_K", ""), false, 3, []string{"x/4", "x/5"}, true, true, StateAcknowledged},
		{"author on one source", ByAuthor("priya_k", "mastodon"), false, 1, []string{"x/1", "x/2", "x/4", "x/5"}, true, true, StateAcknowledged},
		{"forgetting the acknowledging author keeps acknowledged_at", ByAuthor("ani", ""), false, 2, []string{"x/1", "x/2", "mastodon/3", "x/4"}, false, true, StateAcknowledged},
		{"a retracted acknowledgement takes acknowledged_at back", ByPost("x", "5"), true, 2, []string{"x/1", "x/2", "mastodon/3", "x/4"}, false, false, StateOpen},
		{"same id on another source is another post", ByPost("bluesky", "1"), true, 0, []string{"x/1", "x/2", "mastodon/3", "x/4", "x/5"}, true, true, StateAcknowledged},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inc := privacyIncident()
			if got := inc.RemovePosts(tc.gone, tc.retracted); got != tc.removed {
				t.Errorf("removed %d, want %d", got, tc.removed)
			}
			if got := sampleIDs(inc); !slices.Equal(got, tc.samples) {
				t.Errorf("samples %v, want %v", got, tc.samples)
			}
			if got := inc.Acknowledgement != nil; got != tc.ack {
				t.Errorf("acknowledgement kept %v, want %v", got, tc.ack)
			}
			if got := inc.AcknowledgedAt != nil; got != tc.ackedAt {
				t.Errorf("acknowledged_at kept %v, want %v", got, tc.ackedAt)
			}
			if inc.State != tc.state || inc.Mentions != 40 || inc.Authors != 30 || inc.Languages["en"] != 40 {
				t.Errorf("state %s, mentions %d, authors %d, languages %v; want %s and the statistics unchanged", inc.State, inc.Mentions, inc.Authors, inc.Languages, tc.state)
			}
		})
	}
}

func TestRedact(t *testing.T) {
	inc := privacyIncident()
	at := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	if !inc.Redact(at) {
		t.Fatal("Redact found nothing to take out")
	}
	if inc.SamplePosts != nil || inc.Acknowledgement != nil || inc.RedactedAt == nil || !inc.RedactedAt.Equal(at) {
		t.Errorf("after Redact: samples %v, acknowledgement %v, redacted_at %v; want none, none, %v", inc.SamplePosts, inc.Acknowledgement, inc.RedactedAt, at)
	}
	if inc.AcknowledgedAt == nil || inc.Mentions != 40 {
		t.Errorf("Redact took the statistics: acknowledged_at %v, mentions %d", inc.AcknowledgedAt, inc.Mentions)
	}
	if inc.Redact(at.Add(time.Hour)) || !inc.RedactedAt.Equal(at) {
		t.Errorf("a second Redact changed the incident (redacted_at %v)", inc.RedactedAt)
	}
}
