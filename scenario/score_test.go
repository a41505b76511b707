package scenario

import (
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestEvaluate(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	ptr := func(s string) *time.Time { v := at(s); return &v }
	truth := Truth{Scenario: "t", End: at("2024-01-02T00:00:00Z"), Outages: []Outage{
		{Service: "whatsapp", Start: at("2024-01-01T07:05:00Z"), End: at("2024-01-01T09:15:00Z"), AckAt: ptr("2024-01-01T08:05:00Z")},
		{Service: "instagram", Country: "TR", Start: at("2024-01-01T17:10:00Z"), End: at("2024-01-01T18:05:00Z")},
		{Service: "github", Start: at("2024-01-01T20:00:00Z"), End: at("2024-01-01T20:30:00Z")},
	}}
	incs := []downwatch.Incident{
		{ID: "w", Service: "whatsapp", StartedAt: at("2024-01-01T07:05:00Z"), DetectedAt: at("2024-01-01T07:06:00Z"),
			AcknowledgedAt: ptr("2024-01-01T08:05:30Z"), ResolvedAt: ptr("2024-01-01T09:20:00Z")},
		{ID: "w2", Service: "whatsapp", StartedAt: at("2024-01-01T09:00:00Z"), DetectedAt: at("2024-01-01T09:01:00Z"), ResolvedAt: ptr("2024-01-01T09:30:00Z")}, // a flap
		{ID: "i", Service: "instagram", Region: "TR", StartedAt: at("2024-01-01T17:11:00Z"), DetectedAt: at("2024-01-01T17:12:00Z")},
		{ID: "x", Service: "x", StartedAt: at("2024-01-01T12:00:00Z"), DetectedAt: at("2024-01-01T12:01:00Z"), ResolvedAt: ptr("2024-01-01T12:30:00Z")},
	}
	s := Evaluate(truth, incs)
	if s.Found != 2 || len(s.Missed) != 1 {
		t.Errorf("found %d, missed %v; want 2 found and github missed", s.Found, s.Missed)
	}
	if len(s.FalseAlarms) != 2 || s.FalseAlarms[0] != "w2" || s.FalseAlarms[1] != "x" {
		t.Errorf("false alarms %v, want [w2 x] (a flap and an unrelated incident)", s.FalseAlarms)
	}
	if len(s.Detect) != 2 || s.Detect[0] != time.Minute || s.Detect[1] != 2*time.Minute {
		t.Errorf("time to detect %v, want [1m 2m]", s.Detect)
	}
	if len(s.Resolve) != 1 || s.Resolve[0] != 5*time.Minute || s.Unresolved != 1 {
		t.Errorf("resolution %v, unresolved %d; want [5m] and 1", s.Resolve, s.Unresolved)
	}
	if s.Acks != 1 || s.AcksAttached != 1 || s.Regional != 1 || s.RegionalWanted != 1 {
		t.Errorf("acks %d/%d, regional %d/%d; want 1/1 and 1/1", s.AcksAttached, s.Acks, s.Regional, s.RegionalWanted)
	}
	fails := DefaultTargets().Check([]Score{s})
	if len(fails) < 4 {
		t.Errorf("targets: got %v, want a miss, two false alarms and an unresolved incident", fails)
	}
	if fails := DefaultTargets().Check([]Score{{Scenario: "ok", Outages: 1, Found: 1, Detect: []time.Duration{time.Minute}, Resolve: []time.Duration{time.Minute}}}); len(fails) != 0 {
		t.Errorf("a clean score fails the targets: %v", fails)
	}
}
