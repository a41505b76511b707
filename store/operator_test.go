package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func act(typ, note, other string) downwatch.Action {
	return downwatch.Action{Type: typ, By: "ana", Token: "oncall", Note: note, Other: other, At: time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)}
}

func saved(t *testing.T, r *Redis, incs ...downwatch.Incident) {
	t.Helper()
	for _, inc := range incs {
		inc.Revision = 1
		als := []downwatch.Alert{{Type: downwatch.AlertOpened, At: inc.StartedAt, Incident: inc}}
		if err := r.Save(context.Background(), als); err != nil {
			t.Fatal(err)
		}
		if err := r.Publish(context.Background(), als); err != nil {
			t.Fatal(err)
		}
	}
}

func TestActLifecycle(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	id := "whatsapp.20221025T0705Z"
	saved(t, r, incident(id, downwatch.StateOpen, t0))

	steps := []struct {
		a         downwatch.Action
		wantType  string
		wantState string
	}{
		{act(downwatch.ActionAcknowledge, "looking", ""), downwatch.AlertOperatorAcknowledged, downwatch.StateOpen},
		{act(downwatch.ActionResolve, "fixed upstream", ""), downwatch.AlertResolved, downwatch.StateResolved},
		{act(downwatch.ActionReopen, "still broken in IN", ""), downwatch.AlertReopened, downwatch.StateOpen},
		{act(downwatch.ActionFalseAlarm, "a TV show", ""), downwatch.AlertFalseAlarm, downwatch.StateResolved},
	}
	for i, st := range steps {
		als, err := r.Act(ctx, id, i+1, st.a)
		if err != nil {
			t.Fatalf("step %d (%s): %v", i, st.a.Type, err)
		}
		if len(als) != 1 || als[0].Type != st.wantType {
			t.Fatalf("step %d: got alerts %+v, want one %s", i, als, st.wantType)
		}
		if err := r.Publish(ctx, als); err != nil { // as the callers' sink list does
			t.Fatal(err)
		}
		got, err := r.Incident(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != st.wantState || got.Revision != i+2 {
			t.Errorf("step %d: got state %s revision %d, want %s %d", i, got.State, got.Revision, st.wantState, i+2)
		}
	}
	got, _ := r.Incident(ctx, id)
	if got.OperatorAck == nil || got.OperatorAck.By != "ana" || got.OperatorAck.Note != "looking" || got.OperatorAck.Token != "oncall" {
		t.Errorf("operator_ack = %+v, want ana's note 'looking' with token oncall", got.OperatorAck)
	}
	if got.FalseAlarm == nil || got.FalseAlarm.Note != "a TV show" || got.ResolvedAt == nil || got.AcknowledgedAt != nil {
		t.Errorf("false alarm %+v resolved_at %v acknowledged_at %v; want the reason, a resolution and no company acknowledgement", got.FalseAlarm, got.ResolvedAt, got.AcknowledgedAt)
	}
	if len(got.Actions) != 4 || got.Actions[3].Revision != 5 {
		t.Errorf("got %d actions (last %+v), want 4, the last at revision 5", len(got.Actions), got.Actions)
	}
	marks, err := r.OperatorRevisions(ctx, []string{id, "whatsapp.nothing"})
	if err != nil || len(marks) != 1 || marks[id] != 5 {
		t.Errorf("operator marks = %v, %v; want {%s: 5}", marks, err, id)
	}
	stream, _ := r.AlertsAfter(ctx, "0", 100)
	var types []string
	for _, s := range stream {
		types = append(types, s.Alert.Type)
	}
	want := []string{downwatch.AlertOpened, downwatch.AlertOperatorAcknowledged, downwatch.AlertResolved, downwatch.AlertReopened, downwatch.AlertFalseAlarm}
	if len(types) != len(want) {
		t.Fatalf("stream has %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("stream has %v, want %v", types, want)
		}
	}
	active, _ := r.ActiveIncidents(ctx)
	if len(active) != 0 {
		t.Errorf("a false alarm is still in the active index: %v", active)
	}
}

func TestActCompareAndSet(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	id := "gmail.20221025T0705Z"
	inc := incident(id, downwatch.StateOpen, t0)
	saved(t, r, inc)
	// The detector writes revision 2 after the person read revision 1.
	inc.Revision, inc.Mentions = 2, 40
	if err := r.Save(ctx, []downwatch.Alert{{Type: downwatch.AlertUpdated, At: t0, Incident: inc}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Act(ctx, id, 1, act(downwatch.ActionResolve, "", "")); !errors.Is(err, ErrConflict) {
		t.Fatalf("acting on a stale revision: got %v, want ErrConflict", err)
	}
	if _, err := r.Act(ctx, id, 2, act(downwatch.ActionResolve, "", "")); err != nil {
		t.Fatal(err)
	}
	// A detector that has not seen the person's change writes revision 3 too:
	// the person's revision stays.
	inc.Revision = 3
	if err := r.Save(ctx, []downwatch.Alert{{Type: downwatch.AlertUpdated, At: t0, Incident: inc}}); err != nil {
		t.Fatal(err)
	}
	got, _ := r.Incident(ctx, id)
	if got.State != downwatch.StateResolved || got.Resolution == nil || got.Mentions != 40 {
		t.Errorf("got state %s resolution %v mentions %d; want the person's resolve over the detector's revision 2", got.State, got.Resolution, got.Mentions)
	}
	for _, bad := range []struct {
		a    downwatch.Action
		want error
	}{
		{act(downwatch.ActionResolve, "", ""), downwatch.ErrAction},                        // already resolved
		{act(downwatch.ActionFalseAlarm, "", ""), downwatch.ErrAction},                     // no reason
		{downwatch.Action{Type: downwatch.ActionAcknowledge, At: t0}, downwatch.ErrAction}, // nobody
	} {
		if _, err := r.Act(ctx, id, 0, bad.a); !errors.Is(err, bad.want) {
			t.Errorf("%s (note %q, by %q): got %v, want %v", bad.a.Type, bad.a.Note, bad.a.By, err, bad.want)
		}
	}
	if _, err := r.Act(ctx, "gmail.nope", 0, act(downwatch.ActionResolve, "", "")); !errors.Is(err, ErrNotFound) {
		t.Errorf("acting on a missing incident: got %v, want ErrNotFound", err)
	}
}

func TestActMergeAndLink(t *testing.T) {
	ctx := context.Background()
	r := testRedis(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	a := incident("whatsapp.20221025T0705Z", downwatch.StateResolved, t0)
	a.Mentions, a.Authors, a.PeakPerMin, a.Languages = 100, 90, 20, map[string]int{"en": 60, "hi": 40}
	b := incident("whatsapp.20221025T0800Z", downwatch.StateOpen, t0.Add(55*time.Minute))
	b.Mentions, b.Authors, b.PeakPerMin, b.Languages = 50, 45, 30, map[string]int{"en": 50}
	fb := incident("facebook.20221025T0710Z", downwatch.StateOpen, t0.Add(5*time.Minute))
	saved(t, r, a, b, fb)

	if _, err := r.Act(ctx, b.ID, 0, act(downwatch.ActionMerge, "", fb.ID)); !errors.Is(err, downwatch.ErrAction) {
		t.Errorf("merging incidents of two services: got %v, want ErrAction", err)
	}
	als, err := r.Act(ctx, b.ID, 1, act(downwatch.ActionMerge, "one outage", a.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(als) != 2 || als[0].Type != downwatch.AlertMerged || als[1].Incident.ID != b.ID {
		t.Fatalf("merge alerts = %+v, want two incident.merged, the survivor last", als)
	}
	s, _ := r.Incident(ctx, b.ID)
	x, _ := r.Incident(ctx, a.ID)
	if !s.StartedAt.Equal(t0) || s.Mentions != 150 || s.Authors != 90 || s.PeakPerMin != 30 || s.Languages["en"] != 110 || len(s.Merged) != 1 || s.Merged[0] != a.ID {
		t.Errorf("survivor = started %v mentions %d authors %d peak %v en %d merged %v; want 07:05, 150, 90, 30, 110, [%s]",
			s.StartedAt, s.Mentions, s.Authors, s.PeakPerMin, s.Languages["en"], s.Merged, a.ID)
	}
	if x.MergedInto != b.ID || x.State != downwatch.StateResolved || x.Revision != 2 {
		t.Errorf("absorbed = merged_into %q state %s revision %d; want %s resolved 2", x.MergedInto, x.State, x.Revision, b.ID)
	}
	if _, err := r.Act(ctx, a.ID, 0, act(downwatch.ActionReopen, "", "")); !errors.Is(err, downwatch.ErrAction) {
		t.Errorf("reopening a merged incident: got %v, want ErrAction", err)
	}

	if _, err := r.Act(ctx, b.ID, 0, act(downwatch.ActionLink, "same DNS failure", fb.ID)); err != nil {
		t.Fatal(err)
	}
	s, _ = r.Incident(ctx, b.ID)
	f, _ := r.Incident(ctx, fb.ID)
	if len(s.Related) != 1 || s.Related[0] != fb.ID || len(f.Related) != 1 || f.Related[0] != b.ID {
		t.Errorf("related after link: %v and %v; want each other", s.Related, f.Related)
	}
	if f.Revision != 2 || len(f.Actions) != 1 || f.Actions[0].Other != b.ID {
		t.Errorf("linked incident: revision %d actions %+v; want 2 with a link to %s", f.Revision, f.Actions, b.ID)
	}
}
