package downwatch

import (
	"maps"
	"testing"
	"time"
)

func TestMergeSumsSymptomCounts(t *testing.T) {
	at := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	s := Incident{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: StateOpen, StartedAt: at,
		SymptomCounts: map[string]int{"send-messages": 30, "login": 4}}
	x := Incident{ID: "whatsapp.20221025T0712Z", Service: "whatsapp", State: StateOpen, StartedAt: at.Add(7 * time.Minute),
		SymptomCounts: map[string]int{"send-messages": 10, "connect": 6}}
	if err := Merge(&s, &x, Action{By: "ana", At: at.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"send-messages": 40, "login": 4, "connect": 6}; !maps.Equal(s.SymptomCounts, want) {
		t.Errorf("survivor's symptom_counts: got %v, want %v", s.SymptomCounts, want)
	}
	if want := map[string]int{"send-messages": 10, "connect": 6}; !maps.Equal(x.SymptomCounts, want) {
		t.Errorf("merged incident's symptom_counts: got %v, want %v (unchanged)", x.SymptomCounts, want)
	}
}
