package downwatch

import (
	"testing"
	"time"
)

func TestPrecisionOf(t *testing.T) {
	t0 := time.Date(2022, 10, 25, 7, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *time.Time { x := t0.Add(d); return &x }
	fa := &Action{Type: ActionFalseAlarm, By: "ana", Note: "a TV show"}
	incs := []Incident{
		{ID: "whatsapp.1", Service: "whatsapp", DetectedAt: t0, AcknowledgedAt: at(60 * time.Minute)},
		{ID: "whatsapp.2", Service: "whatsapp", DetectedAt: t0, AcknowledgedAt: at(20 * time.Minute)},
		{ID: "whatsapp.3", Service: "whatsapp", DetectedAt: t0, AcknowledgedAt: at(-10 * time.Minute), FalseAlarm: fa},
		{ID: "whatsapp.4", Service: "whatsapp", DetectedAt: t0, MergedInto: "whatsapp.1"},
		{ID: "gmail.1", Service: "gmail", DetectedAt: t0},
		{ID: "gmail.2", Service: "gmail", DetectedAt: t0, AcknowledgedAt: at(-5 * time.Minute)},
	}
	got := PrecisionOf(incs)
	if len(got) != 3 || got[0].Service != "" || got[1].Service != "gmail" || got[2].Service != "whatsapp" {
		t.Fatalf("rows %+v, want all, gmail, whatsapp", got)
	}
	want := []struct {
		n, conf, fa, unconf int
		prec, lead          float64
	}{
		{5, 3, 1, 1, 0.75, 1200}, // leads -300, 1200, 3600: median 20m
		{2, 1, 0, 1, 1, -300},
		{3, 2, 1, 0, 2.0 / 3, 2400},
	}
	for i, w := range want {
		g := got[i]
		if g.Incidents != w.n || g.Confirmed != w.conf || g.FalseAlarms != w.fa || g.Unconfirmed != w.unconf ||
			g.Precision == nil || *g.Precision != w.prec || g.LeadSeconds == nil || *g.LeadSeconds != w.lead {
			t.Errorf("row %d (%q): got %d/%d/%d/%d precision %v lead %v, want %+v", i, g.Service, g.Incidents, g.Confirmed, g.FalseAlarms, g.Unconfirmed, g.Precision, g.LeadSeconds, w)
		}
	}
	if none := PrecisionOf([]Incident{{ID: "x.1", Service: "x"}}); none[1].Precision != nil || none[1].LeadSeconds != nil {
		t.Errorf("an unconfirmed incident alone: precision %v lead %v, want both absent", none[1].Precision, none[1].LeadSeconds)
	}
}

func TestParseSince(t *testing.T) {
	for in, want := range map[string]time.Duration{"30d": 30 * 24 * time.Hour, "36h": 36 * time.Hour, "90m": 90 * time.Minute} {
		if got, err := ParseSince(in); err != nil || got != want {
			t.Errorf("ParseSince(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "0d", "-3h", "soon", "d"} {
		if _, err := ParseSince(bad); err == nil {
			t.Errorf("ParseSince(%q): want an error", bad)
		}
	}
}
