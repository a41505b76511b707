package runner

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/detect"
)

// opStore is a Store that also holds incidents a person changed and silences.
type opStore struct {
	Store
	incs     map[string]downwatch.Incident
	silences []downwatch.Silence
}

func (o *opStore) OperatorRevisions(_ context.Context, ids []string) (map[string]int, error) {
	out := map[string]int{}
	for _, id := range ids {
		if inc, ok := o.incs[id]; ok {
			out[id] = inc.OperatorRevision()
		}
	}
	return out, nil
}

func (o *opStore) Incident(_ context.Context, id string) (downwatch.Incident, error) {
	return o.incs[id], nil
}

func (o *opStore) Silences(context.Context, time.Time, bool) ([]downwatch.Silence, error) {
	return o.silences, nil
}

// burstUntil feeds det three quiet hours of WhatsApp complaints and then 60
// new complainers a minute from 07:00 until the time given, with a news
// agency's acknowledgement at 07:20.
func burstUntil(det *detect.Detector, from, until time.Time) {
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	onset := t0.Add(3 * time.Hour)
	n := 0
	for at := t0; at.Before(until); at = at.Add(time.Second) {
		var m *downwatch.Mention
		switch {
		case at.Equal(onset.Add(20 * time.Minute)):
			m = &downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindNews, Ack: true,
				Post: downwatch.Post{ID: "ack", Source: "x", Author: "ANI", Text: "We're aware some people are having trouble", CreatedAt: at}}
		case at.Before(onset) && at.Second() == 0 && at.Minute()%2 == 0:
			m = &downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindComplaint,
				Post: downwatch.Post{ID: fmt.Sprint("bg", at.Unix()), Source: "x", Author: fmt.Sprint("bg", at.Minute()%40), Text: "whatsapp down?", CreatedAt: at}}
		case !at.Before(onset):
			n++
			m = &downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindComplaint,
				Post: downwatch.Post{ID: fmt.Sprint("u", n), Source: "x", Author: fmt.Sprint("u", n), Text: "whatsapp not working", CreatedAt: at}}
		}
		if m != nil && !at.Before(from) {
			det.Handle(m)
		}
	}
}

func TestOperatedRebasesDrainedAlerts(t *testing.T) {
	det, err := detect.New(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	cut := t0.Add(3*time.Hour + 10*time.Minute)
	burstUntil(det, t0, cut)
	first := det.Drain().Alerts
	if len(first) == 0 {
		t.Fatal("no incident after 10 minutes of the burst")
	}
	inc := first[len(first)-1].Incident
	if _, err := inc.Apply(downwatch.Action{Type: downwatch.ActionAcknowledge, By: "ana", At: cut}); err != nil {
		t.Fatal(err)
	}
	st := &opStore{incs: map[string]downwatch.Incident{inc.ID: inc}}
	burstUntil(det, cut, t0.Add(3*time.Hour+25*time.Minute))
	out := det.Drain()
	if len(out.Alerts) == 0 {
		t.Fatal("the company's acknowledgement made no alert")
	}
	out, err = operated(context.Background(), st, det, out)
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Alerts) != 1 {
		t.Fatalf("got %d alerts, want the last one made again over the person's change", len(out.Alerts))
	}
	got := out.Alerts[0]
	if got.Type != downwatch.AlertAcknowledged || got.Incident.Revision != inc.Revision+1 || got.Incident.OperatorAck == nil || got.Incident.AcknowledgedAt == nil {
		t.Errorf("got %s revision %d operator_ack %v acknowledged_at %v; want acknowledged at %d with both acknowledgements",
			got.Type, got.Incident.Revision, got.Incident.OperatorAck, got.Incident.AcknowledgedAt, inc.Revision+1)
	}
	// Known now: the next flush reads nothing more.
	again, _ := operated(context.Background(), st, det, detect.Drained{Alerts: []downwatch.Alert{got}})
	if len(again.Alerts) != 1 || again.Alerts[0].Incident.Revision != got.Incident.Revision {
		t.Errorf("a second flush changed the alerts: %+v", again.Alerts)
	}
}

func TestSilenceMarksBeforeTheSinks(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	m, _ := downwatch.ParseMatcher("service=whatsapp")
	st := &opStore{silences: []downwatch.Silence{{ID: "s1", Matchers: []downwatch.Matcher{m}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}}}
	alerts := []downwatch.Alert{{Incident: downwatch.Incident{ID: "whatsapp.1", Service: "whatsapp"}}, {Incident: downwatch.Incident{ID: "gmail.1", Service: "gmail"}}}
	if err := silence(context.Background(), Config{Now: func() time.Time { return now }}, st, alerts); err != nil {
		t.Fatal(err)
	}
	if alerts[0].Incident.Silenced != "s1" || alerts[1].Incident.Silenced != "" {
		t.Errorf("silenced %q and %q, want s1 and none", alerts[0].Incident.Silenced, alerts[1].Incident.Silenced)
	}
	if err := silence(context.Background(), Config{Now: func() time.Time { return now.Add(2 * time.Hour) }}, st, alerts); err != nil || alerts[0].Incident.Silenced != "" {
		t.Errorf("after the silence ended: %q (%v), want none", alerts[0].Incident.Silenced, err)
	}
}

// removerStore records what the runner asks it to remove.
type removerStore struct {
	Store
	calls  []string
	answer []downwatch.Alert
}

func (r *removerStore) RemovePosts(_ context.Context, rs []downwatch.Retracted, _ time.Time) ([]downwatch.Alert, error) {
	for _, x := range rs {
		r.calls = append(r.calls, fmt.Sprintf("%s %s/%s in-stream=%v", x.Service, x.Post.Source, x.Post.ID, x.Removed))
		for i := range r.answer {
			r.answer[i].Incident.Revision++ // each post rewrites it again
		}
	}
	return slices.Clone(r.answer), nil
}

type sinkRec struct{ got []downwatch.Alert }

func (s *sinkRec) Publish(_ context.Context, als []downwatch.Alert) error {
	s.got = append(s.got, als...)
	return nil
}

// Every retract the detector handled goes to the store, saying whether the
// detector took the post out of the incident it holds (so the stream carried
// it); what the store rewrote is published.
func TestRetractsReachTheStore(t *testing.T) {
	det, err := detect.New(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	burstUntil(det, t0, t0.Add(3*time.Hour+30*time.Minute))
	det.Drain()
	at := t0.Add(3*time.Hour + 30*time.Minute)
	for _, id := range []string{"ack", "never-seen"} {
		det.Handle(&downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindRetract, Post: downwatch.Post{ID: id, Source: "x", CreatedAt: at}})
	}
	out := det.Drain()
	if len(out.Retracted) != 2 {
		t.Fatalf("drained %d retractions, want 2", len(out.Retracted))
	}
	stored := downwatch.Alert{Type: downwatch.AlertUpdated, Incident: downwatch.Incident{ID: "whatsapp.20221024T0100Z", Revision: 4}}
	st := &removerStore{answer: []downwatch.Alert{stored}}
	sink := &sinkRec{}
	if err := removeRetracted(context.Background(), Config{Now: time.Now}, st, sink, out.Retracted); err != nil {
		t.Fatal(err)
	}
	want := []string{"whatsapp x/ack in-stream=true", "whatsapp x/never-seen in-stream=false"}
	if fmt.Sprint(st.calls) != fmt.Sprint(want) {
		t.Errorf("store asked %q, want %q", st.calls, want)
	}
	if len(sink.got) != 1 || sink.got[0].Incident.ID != stored.Incident.ID || sink.got[0].Incident.Revision != 6 {
		t.Errorf("published %+v, want the store's rewritten incident once, at its newest revision 6", sink.got)
	}
}

// forgetStore holds an incident whose posts the store removed: its operator
// mark is the stored revision (no action), and its forgotten set.
type forgetStore struct {
	Store
	inc       downwatch.Incident
	forgotten []downwatch.Post
	reads     int
}

func (f *forgetStore) OperatorRevisions(_ context.Context, ids []string) (map[string]int, error) {
	return map[string]int{f.inc.ID: f.inc.Revision}, nil
}

func (f *forgetStore) Incident(context.Context, string) (downwatch.Incident, error) {
	f.reads++
	return f.inc, nil
}

func (f *forgetStore) Forgotten(context.Context, string) ([]downwatch.Post, error) {
	return f.forgotten, nil
}

// Posts the store removed from an incident the detector follows (forget
// without Kafka) leave the detector's copy before it writes again, and the
// detector takes that write in once, not at every flush.
func TestForgottenPostsLeaveTheDetectorsCopy(t *testing.T) {
	det, err := detect.New(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)
	cut := t0.Add(3*time.Hour + 10*time.Minute)
	burstUntil(det, t0, cut)
	first := det.Drain().Alerts
	if len(first) == 0 {
		t.Fatal("no incident after 10 minutes of the burst")
	}
	inc := first[len(first)-1].Incident
	if len(inc.SamplePosts) == 0 {
		t.Fatal("incident has no sample posts")
	}
	goneID := inc.SamplePosts[0].ID
	stored := inc
	stored.SamplePosts = slices.Clone(inc.SamplePosts)
	stored.RemovePosts(downwatch.ByPost("x", goneID), false)
	stored.Revision++
	st := &forgetStore{inc: stored, forgotten: []downwatch.Post{{Source: "x", ID: goneID}}}

	burstUntil(det, cut, t0.Add(3*time.Hour+25*time.Minute))
	out, err := operated(context.Background(), st, det, det.Drain())
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Alerts) == 0 {
		t.Fatal("the company's acknowledgement made no alert")
	}
	for _, al := range out.Alerts {
		for _, p := range al.Incident.SamplePosts {
			if p.ID == goneID {
				t.Errorf("%s revision %d carries the removed post %s again", al.Type, al.Incident.Revision, p.ID)
			}
		}
		if al.Incident.Revision <= stored.Revision {
			t.Errorf("revision %d, want above the stored %d", al.Incident.Revision, stored.Revision)
		}
	}
	if last := out.Alerts[len(out.Alerts)-1]; last.Type != downwatch.AlertAcknowledged || last.Incident.Acknowledgement == nil {
		t.Errorf("last alert %s with acknowledgement %v, want the company's acknowledgement kept", last.Type, last.Incident.Acknowledgement)
	}
	reads := st.reads
	again, _ := operated(context.Background(), st, det, detect.Drained{Alerts: out.Alerts[len(out.Alerts)-1:]})
	if st.reads != reads || len(again.Alerts) != 1 {
		t.Errorf("a second flush read the store again (%d reads, %d alerts); want the change taken in once", st.reads-reads, len(again.Alerts))
	}
}
