package detect

import (
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
	if act := d.Active(); len(act) != 0 {
		t.Errorf("resolved by a person, %s is still listed active", act[0].ID)
	}
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

// A person's resolve survives a detector restart: the checkpoint holds the
// incident as the person left it.
func TestOperatorResolveSurvivesARestart(t *testing.T) {
	var s stream
	onset, end := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	s.background("whatsapp", t0, t0.Add(6*time.Hour), 30*time.Second)
	s.burst("whatsapp", "", onset, end, 60)
	sortByTime(s.ms)
	d, _ := New(DefaultConfig())
	i := 0
	stored := final(feed(d, &s, &i, onset.Add(10*time.Minute)))[0]
	if _, err := stored.Apply(byHand(downwatch.ActionResolve, onset.Add(10*time.Minute))); err != nil {
		t.Fatal(err)
	}
	d.Operated(stored, nil, downwatch.Alert{})
	snap, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	r, _ := New(DefaultConfig())
	if err := r.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := r.OperatorRevision(stored.ID); got != stored.Revision {
		t.Errorf("restored detector knows operator revision %d, want %d", got, stored.Revision)
	}
	if rest := feed(r, &s, &i, t0.Add(6*time.Hour)); len(rest) != 0 {
		t.Errorf("the restored detector made %d alerts for the rest of the burst (first %s), want none", len(rest), rest[0].Type)
	}
}
