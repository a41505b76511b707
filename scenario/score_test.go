package scenario

import (
	"slices"
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

// TestEvaluateOpenBefore: an incident detected before an outage began, still open when
// it begins, did not detect it: the outage is missed and the incident is a false alarm,
// not a detection with a negative time to detect.
func TestEvaluateOpenBefore(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	ptr := func(s string) *time.Time { v := at(s); return &v }
	truth := Truth{Scenario: "t", End: at("2024-01-02T00:00:00Z"), Outages: []Outage{
		{Service: "netflix", Start: at("2024-01-01T02:10:00Z"), End: at("2024-01-01T02:55:00Z")},
	}}
	early := downwatch.Incident{ID: "early", Service: "netflix", StartedAt: at("2024-01-01T01:00:00Z"), DetectedAt: at("2024-01-01T01:01:00Z"), ResolvedAt: ptr("2024-01-01T03:10:00Z")}
	s := Evaluate(truth, []downwatch.Incident{early})
	if s.Found != 0 || len(s.Missed) != 1 || len(s.FalseAlarms) != 1 || len(s.Detect) != 0 {
		t.Errorf("found %d, missed %v, false alarms %v, detect %v; want the outage missed and one false alarm", s.Found, s.Missed, s.FalseAlarms, s.Detect)
	}
	just := early
	just.ID, just.DetectedAt = "just", at("2024-01-01T02:09:59Z")
	if s := Evaluate(truth, []downwatch.Incident{just}); s.Found != 0 || len(s.FalseAlarms) != 1 {
		t.Errorf("detected a second before the onset: found %d, false alarms %v; want missed and a false alarm", s.Found, s.FalseAlarms)
	}
	after := early
	after.ID, after.StartedAt, after.DetectedAt = "after", at("2024-01-01T02:05:00Z"), at("2024-01-01T02:11:00Z")
	if s := Evaluate(truth, []downwatch.Incident{after}); s.Found != 1 || s.Detect[0] != time.Minute {
		t.Errorf("onset estimated before the outage, detected a minute in: found %d, detect %v; want found at 1m", s.Found, s.Detect)
	}
}

func TestEvaluateShift(t *testing.T) {
	at := func(s string) time.Time { v, _ := time.Parse(time.RFC3339, s); return v }
	ptr := func(s string) *time.Time { v := at(s); return &v }
	truth := Truth{Scenario: "shift", End: at("2024-01-03T00:00:00Z"), Shifts: []Shift{
		{Service: "netflix", At: at("2024-01-01T20:00:00Z"), Until: at("2024-01-01T23:00:00Z"), Factor: 2.5},
	}}
	tests := []struct {
		name      string
		inc       downwatch.Incident
		tolerated bool
	}{
		{"opens at the shift, resolves within the grace", downwatch.Incident{ID: "a", Service: "netflix",
			StartedAt: at("2024-01-01T19:55:00Z"), ResolvedAt: ptr("2024-01-01T21:30:00Z")}, true},
		{"resolves after the grace", downwatch.Incident{ID: "b", Service: "netflix",
			StartedAt: at("2024-01-01T20:05:00Z"), ResolvedAt: ptr("2024-01-01T23:10:00Z")}, false},
		{"never resolves", downwatch.Incident{ID: "c", Service: "netflix", StartedAt: at("2024-01-01T20:05:00Z")}, false},
		{"opens long before the shift", downwatch.Incident{ID: "d", Service: "netflix",
			StartedAt: at("2024-01-01T19:00:00Z"), ResolvedAt: ptr("2024-01-01T20:30:00Z")}, false},
		{"opens after the grace", downwatch.Incident{ID: "e", Service: "netflix",
			StartedAt: at("2024-01-02T01:00:00Z"), ResolvedAt: ptr("2024-01-02T01:30:00Z")}, false},
		{"another service", downwatch.Incident{ID: "f", Service: "spotify",
			StartedAt: at("2024-01-01T20:05:00Z"), ResolvedAt: ptr("2024-01-01T20:30:00Z")}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := Evaluate(truth, []downwatch.Incident{tt.inc})
			if got := len(s.Tolerated) == 1; got != tt.tolerated || len(s.Tolerated)+len(s.FalseAlarms) != 1 {
				t.Errorf("tolerated %v, false alarms %v; want tolerated=%v", s.Tolerated, s.FalseAlarms, tt.tolerated)
			}
		})
	}
}

func TestCombine(t *testing.T) {
	runs := []Score{
		{Scenario: "a", Seed: 0, Outages: 1, Found: 1, Detect: []time.Duration{time.Minute}, Resolve: []time.Duration{2 * time.Minute}, Acks: 1, AcksAttached: 1},
		{Scenario: "b", Seed: 0, FalseAlarms: []string{"x.1"}},
		{Scenario: "a", Seed: 1, Outages: 1, Missed: []string{"svc@t"}, Acks: 1},
		{Scenario: "b", Seed: 1, Tolerated: []string{"y.2"}},
	}
	got := Combine(runs)
	if len(got) != 2 || got[0].Scenario != "a" || got[1].Scenario != "b" {
		t.Fatalf("got %+v, want a then b", got)
	}
	a, b := got[0], got[1]
	if a.Outages != 2 || a.Found != 1 || len(a.Detect) != 1 || a.Acks != 2 || a.AcksAttached != 1 {
		t.Errorf("a: got %+v, want 2 outages, 1 found, 1 detection, 1 of 2 acks", a)
	}
	if len(a.Missed) != 1 || a.Missed[0] != "svc@t (seed 1)" || len(b.FalseAlarms) != 1 || b.FalseAlarms[0] != "x.1 (seed 0)" || b.Tolerated[0] != "y.2 (seed 1)" {
		t.Errorf("labels: missed %v, false alarms %v, tolerated %v; want each with its seed", a.Missed, b.FalseAlarms, b.Tolerated)
	}
}

func TestParseSeeds(t *testing.T) {
	tests := []struct {
		in   string
		want []int64
		bad  bool
	}{
		{in: "0-7", want: []int64{0, 1, 2, 3, 4, 5, 6, 7}},
		{in: "3", want: []int64{3}},
		{in: "0, 3,5-6,3", want: []int64{0, 3, 5, 6}},
		{in: "", bad: true},
		{in: "7-0", bad: true},
		{in: "1-", bad: true},
		{in: "-3", bad: true},
		{in: "a", bad: true},
		{in: "0-99999", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseSeeds(tt.in)
		if (err != nil) != tt.bad || !slices.Equal(got, tt.want) {
			t.Errorf("ParseSeeds(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.bad)
		}
	}
}
