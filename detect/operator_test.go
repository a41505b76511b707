package detect

import (
	"context"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// feed hands the detector the mentions of s before until, returning the alerts.
func feed(d *Detector, s *stream, from *int, until time.Time) []downwatch.Alert {
	for ; *from < len(s.ms) && s.ms[*from].Post.CreatedAt.Before(until); *from++ {
		d.Handle(&s.ms[*from])
	}
	return d.Drain().Alerts
}

func byHand(typ string, at time.Time) downwatch.Action {
	return downwatch.Action{Type: typ, By: "ana", Note: "checked with the vendor", At: at}
}

func TestOperatorResolveHoldsForTheRestOfTheBurst(t *testing.T) {
	var s stream
	onset, end := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	s.background("whatsapp", t0, t0.Add(6*time.Hour), 30*time.Second)
	s.burst("whatsapp", "", onset, end, 60)
	s.burst("whatsapp", "", end.Add(25*time.Minute), end.Add(45*time.Minute), 60) // a new flare after the quiet
	sortByTime(s.ms)
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	first := final(feed(d, &s, &i, onset.Add(10*time.Minute)))
	if len(first) != 1 || !first[0].Active() {
		t.Fatalf("got %+v, want one open incident 10 minutes into the burst", first)
	}
	stored := first[0]
	if _, err := stored.Apply(byHand(downwatch.ActionResolve, onset.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	d.Operated(stored, nil, downwatch.Alert{})
	if got := d.OperatorRevision(stored.ID); got != stored.Revision {
		t.Errorf("operator revision known = %d, want %d", got, stored.Revision)
	}
	rest := feed(d, &s, &i, end.Add(20*time.Minute))
	if len(rest) != 0 {
		t.Errorf("after a person resolved it, the same burst made %d alerts (first %s), want none", len(rest), rest[0].Type)
	}
	if act := d.Active(); len(act) != 0 {
		t.Errorf("the burst ended but %d incidents are active", len(act))
	}
	again := feed(d, &s, &i, t0.Add(6*time.Hour))
	if len(again) == 0 || again[0].Type != downwatch.AlertReopened || again[0].Incident.ID != stored.ID {
		t.Fatalf("a new flare 25 minutes after the burst: got %v, want %s reopened", again, stored.ID)
	}
	re := again[0].Incident
	if re.Revision != stored.Revision+1 || re.Resolution != nil || re.ResolvedAt != nil || len(re.Actions) != 1 {
		t.Errorf("reopened: revision %d resolution %v resolved_at %v actions %d; want %d, none, none, the person's one kept",
			re.Revision, re.Resolution, re.ResolvedAt, len(re.Actions), stored.Revision+1)
	}
}

func TestOperatorMergeMovesLaterUpdates(t *testing.T) {
	var s stream
	onset, end := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	s.background("whatsapp", t0, t0.Add(6*time.Hour), 30*time.Second)
	s.burst("whatsapp", "", onset, end, 60)
	sortByTime(s.ms)
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	i := 0
	x := final(feed(d, &s, &i, onset.Add(10*time.Minute)))[0]
	surv := downwatch.Incident{ID: "whatsapp.20221025T0500Z", Service: "whatsapp", State: downwatch.StateResolved,
		StartedAt: t0.Add(time.Hour), Mentions: 1000, Authors: 9000, PeakPerMin: 5, Revision: 4}
	if err := downwatch.Merge(&surv, &x, byHand(downwatch.ActionMerge, onset.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	// The detector had made an update of x before it knew.
	d.Operated(x, &surv, downwatch.Alert{Type: downwatch.AlertUpdated, At: onset.Add(11 * time.Minute)})
	rest := append(d.Drain().Alerts, feed(d, &s, &i, t0.Add(6*time.Hour))...)
	if len(rest) == 0 {
		t.Fatal("no alerts after the merge, want the update again and the resolution, under the surviving id")
	}
	for _, al := range rest {
		if al.Incident.ID != surv.ID {
			t.Fatalf("%s went to %s, want the surviving %s", al.Type, al.Incident.ID, surv.ID)
		}
	}
	got := final(rest)[0]
	if got.State != downwatch.StateResolved || got.Revision <= surv.Revision || !got.StartedAt.Equal(surv.StartedAt) ||
		got.Mentions < surv.Mentions || got.Authors < 9000 || len(got.Merged) != 1 || got.Merged[0] != x.ID {
		t.Errorf("survivor after the burst: state %s revision %d started %v mentions %d authors %d merged %v; want resolved, above %d, %v, at least %d and 9000, [%s]",
			got.State, got.Revision, got.StartedAt, got.Mentions, got.Authors, got.Merged, surv.Revision, surv.StartedAt, surv.Mentions, x.ID)
	}
}

// opStore is an OperatorStore holding incidents a person changed.
type opStore struct {
	Store
	incs map[string]downwatch.Incident
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

func TestOperatedRebasesDrainedAlerts(t *testing.T) {
	var s stream
	onset := t0.Add(3 * time.Hour)
	s.background("whatsapp", t0, t0.Add(6*time.Hour), 30*time.Second)
	s.burst("whatsapp", "", onset, onset.Add(time.Hour), 60)
	ack := s.add("whatsapp", downwatch.KindNews, "ANI", "", "We're aware that some people are having trouble", onset.Add(20*time.Minute))
	ack.Ack = true
	sortByTime(s.ms)
	d, _ := New(DefaultConfig())
	i := 0
	inc := final(feed(d, &s, &i, onset.Add(10*time.Minute)))[0]
	if _, err := inc.Apply(byHand(downwatch.ActionAcknowledge, onset.Add(12*time.Minute))); err != nil {
		t.Fatal(err)
	}
	st := &opStore{incs: map[string]downwatch.Incident{inc.ID: inc}}
	out := Drained{Alerts: feed(d, &s, &i, onset.Add(25*time.Minute))}
	if len(out.Alerts) == 0 {
		t.Fatal("the company's acknowledgement made no alert")
	}
	out, err := operated(context.Background(), st, d, out)
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
	again, _ := operated(context.Background(), st, d, Drained{Alerts: []downwatch.Alert{got}})
	if len(again.Alerts) != 1 || again.Alerts[0].Incident.Revision != got.Incident.Revision {
		t.Errorf("a second flush changed the alerts: %+v", again.Alerts)
	}
}
