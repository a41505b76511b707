package detect

import (
	"fmt"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// retract adds a retract of the post p at time at.
func (s *stream) retract(svc string, p downwatch.Post, at time.Time) {
	s.ms = append(s.ms, downwatch.Mention{Service: svc, Kind: downwatch.KindRetract, Post: downwatch.Post{ID: p.ID, Source: p.Source, CreatedAt: at}})
}

// A burst of 16 complaints in one minute opens an incident with a floor of 10
// authors; the same burst with every second complaint deleted a second after
// it was posted (never more than 9 standing) opens none.
func TestRetractedComplaintsStopCounting(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MinAuthors = 10
	onset := t0.Add(3*time.Hour + 30*time.Minute)
	for _, tc := range []struct {
		name    string
		retract bool
		want    int
	}{{"no deletes", false, 1}, {"half deleted", true, 0}} {
		t.Run(tc.name, func(t *testing.T) {
			var s stream
			s.background("whatsapp", t0, t0.Add(3*time.Hour), 10*time.Minute)
			for k := range 16 {
				at := onset.Add(time.Duration(k) * 3 * time.Second)
				m := s.add("whatsapp", downwatch.KindComplaint, fmt.Sprint("burst-", k), "", "whatsapp is down for me", at)
				if tc.retract && k%2 == 1 {
					s.retract("whatsapp", m.Post, at.Add(time.Second))
				}
			}
			if incs := s.run(t, cfg, onset.Add(time.Hour)); len(incs) != tc.want {
				t.Errorf("got %d incidents, want %d: %+v", len(incs), tc.want, incs)
			}
		})
	}
}

// A retract of a complaint whose minute is already final changes nothing: the
// burst was decided.
func TestRetractAfterTheMinuteIsFinalKeepsTheDecision(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MinAuthors = 10
	onset := t0.Add(3*time.Hour + 30*time.Minute)
	var s stream
	s.background("whatsapp", t0, t0.Add(3*time.Hour), 10*time.Minute)
	for k := range 12 {
		m := s.add("whatsapp", downwatch.KindComplaint, fmt.Sprint("burst-", k), "", "whatsapp is down for me", onset.Add(time.Duration(k)*3*time.Second))
		s.retract("whatsapp", m.Post, onset.Add(30*time.Minute))
	}
	if incs := s.run(t, cfg, onset.Add(time.Hour)); len(incs) != 1 {
		t.Errorf("got %d incidents, want 1", len(incs))
	}
}

// A deleted sample post leaves the incident's sample_posts, and a deleted
// acknowledgement leaves the incident unacknowledged.
func TestRetractedSampleAndAckLeaveTheIncident(t *testing.T) {
	onset := t0.Add(3 * time.Hour)
	build := func() (*stream, *downwatch.Mention) {
		s := &stream{}
		s.background("whatsapp", t0, t0.Add(5*time.Hour), 30*time.Second)
		s.burst("whatsapp", "", onset, onset.Add(30*time.Minute), 40)
		ack := s.add("whatsapp", downwatch.KindOfficial, "WhatsApp", "", "We're aware that some people are having trouble sending messages", onset.Add(10*time.Minute))
		ack.Ack = true
		return s, ack
	}
	s, _ := build()
	incs := s.run(t, DefaultConfig(), t0.Add(5*time.Hour))
	if len(incs) != 1 || len(incs[0].SamplePosts) == 0 || incs[0].Acknowledgement == nil {
		t.Fatalf("without deletes: %d incidents, want 1 with samples and an acknowledgement", len(incs))
	}
	gone := incs[0].SamplePosts[0]

	s, ack := build()
	s.retract("whatsapp", gone, onset.Add(20*time.Minute))
	s.retract("whatsapp", ack.Post, onset.Add(20*time.Minute))
	alerts := alertsOf(t, s, DefaultConfig(), t0.Add(5*time.Hour))
	incs = final(alerts)
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	i := incs[0]
	for _, p := range i.SamplePosts {
		if p.ID == gone.ID || p.ID == ack.Post.ID {
			t.Errorf("sample post %s %q still shown after its delete", p.ID, p.Text)
		}
	}
	if i.Acknowledgement != nil || i.AcknowledgedAt != nil || i.State != downwatch.StateResolved {
		t.Errorf("acknowledgement %v at %v, state %s: want none, resolved", i.Acknowledgement, i.AcknowledgedAt, i.State)
	}
	updated := false
	for _, a := range alerts {
		updated = updated || (a.Type == downwatch.AlertUpdated && a.At.Equal(onset.Add(20*time.Minute)))
	}
	if !updated {
		t.Error("no incident.updated at the deletes: the stored incident would keep the deleted posts")
	}
}
