package detect

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// alertsOf runs a stream through a detector and returns every alert.
func alertsOf(t *testing.T, s *stream, cfg Config, end time.Time) []downwatch.Alert {
	t.Helper()
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	sortByTime(s.ms)
	for i := range s.ms {
		d.Handle(&s.ms[i])
	}
	d.End(end)
	return d.Drain().Alerts
}

// A re-flare soon after an incident resolved reopens it: same id, state open,
// resolved_at removed, revision up, alert incident.reopened.
func TestDetectorReopensReflare(t *testing.T) {
	var s stream
	s.background("whatsapp", t0, t0.Add(8*time.Hour), 30*time.Second)
	onset := t0.Add(4 * time.Hour)
	s.burst("whatsapp", "", onset, onset.Add(20*time.Minute), 30)
	// Quiet for 20 minutes (the first burst resolves), then it flares again.
	again := onset.Add(40 * time.Minute)
	s.burst("whatsapp", "", again, again.Add(15*time.Minute), 30)
	alerts := alertsOf(t, &s, DefaultConfig(), t0.Add(8*time.Hour))

	var types []string
	ids := map[string]bool{}
	lastRev := 0
	for _, a := range alerts {
		types = append(types, a.Type)
		ids[a.Incident.ID] = true
		if a.Incident.Revision <= lastRev {
			t.Errorf("%s: revision %d after %d, want increasing", a.Type, a.Incident.Revision, lastRev)
		}
		lastRev = a.Incident.Revision
		if a.Type == downwatch.AlertReopened {
			if a.Incident.State != downwatch.StateOpen || a.Incident.ResolvedAt != nil {
				t.Errorf("reopened: state %q, resolved_at %v; want open and none", a.Incident.State, a.Incident.ResolvedAt)
			}
		}
	}
	if len(ids) != 1 {
		t.Fatalf("got incidents %v, want one", ids)
	}
	want := []string{downwatch.AlertOpened, downwatch.AlertResolved, downwatch.AlertReopened, downwatch.AlertResolved}
	if got := compact(types); !equal(got, want) {
		t.Errorf("alert types %v, want %v (updates aside)", got, want)
	}
}

// Two outages hours apart stay two incidents.
func TestDetectorSeparateOutages(t *testing.T) {
	var s stream
	s.background("whatsapp", t0, t0.Add(10*time.Hour), 30*time.Second)
	s.burst("whatsapp", "", t0.Add(3*time.Hour), t0.Add(3*time.Hour+30*time.Minute), 30)
	s.burst("whatsapp", "", t0.Add(7*time.Hour), t0.Add(7*time.Hour+30*time.Minute), 30)
	if incs := final(alertsOf(t, &s, DefaultConfig(), t0.Add(10*time.Hour))); len(incs) != 2 {
		t.Fatalf("got %d incidents, want 2", len(incs))
	}
}

// compact drops incident.updated, which come and go with the peak.
func compact(types []string) []string {
	var out []string
	for _, ty := range types {
		if ty != downwatch.AlertUpdated && ty != downwatch.AlertAcknowledged {
			out = append(out, ty)
		}
	}
	return out
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Bursts that keep recurring for hours, each soon after the last, are one
// incident, not twenty.
func TestBacktestRecurringBurstsAreOneIncident(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var bursts []burstSpec
	for k := 0; k < 12; k++ { // 8 minutes on, 12 off, for four hours
		bursts = append(bursts, burstSpec{at: 2000 + 20*k, rows: 8, perRow: 25})
	}
	rows := makeSeries(5, start, time.Minute, 3*1440, 2, 0.5, bursts...)
	opened, err := Backtest(rows, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 {
		t.Fatalf("got %d incidents %v, want 1", len(opened), raws(opened))
	}
}

// A stream whose normal includes big bursts (a bot every day at noon, say) stops
// alarming on them once it has shown them a few times, and still alarms on a
// burst far bigger than its usual ones.
func TestBacktestBurstyStreamLearnsItsBursts(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	const days = 10
	var bursts []burstSpec
	for d := 0; d < days; d++ {
		bursts = append(bursts, burstSpec{at: d*1440 + 12*60, rows: 30, perRow: 40})
	}
	big := burstSpec{at: 8*1440 + 20*60, rows: 60, perRow: 400}
	rows := makeSeries(9, start, time.Minute, days*1440, 2, 0.5, append(bursts, big)...)
	opened, err := Backtest(rows, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var daily, bigFound int
	for _, r := range opened {
		if r.At.Equal(rows[big.at].At) || (r.At.After(rows[big.at].At) && r.At.Before(rows[big.at+big.rows].At)) {
			bigFound++
		} else {
			daily++
		}
	}
	if bigFound != 1 {
		t.Errorf("the burst ten times the usual: got %d incidents, want 1 (all: %v)", bigFound, raws(opened))
	}
	if daily > 3 {
		t.Errorf("the daily burst alarmed %d times in %d days, want at most 3: %v", daily, days, raws(opened))
	}
	if daily == 0 {
		t.Errorf("the daily burst never alarmed: its first occurrence is news")
	}
}

// A level shift (a new normal) is one incident at most, and the baseline adopts
// it within hours instead of alarming for days.
func TestBacktestLevelShiftIsAdopted(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := makeSeries(4, start, time.Minute, 6*1440, 3, 0.5, burstSpec{at: 2*1440 + 600, rows: 4 * 1440, perRow: 12})
	opened, err := Backtest(rows, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) > 1 {
		t.Errorf("got %d incidents %v, want at most 1", len(opened), raws(opened))
	}
	// A burst on top of the new level a day later is still caught.
	rows = makeSeries(4, start, time.Minute, 6*1440, 3, 0.5, burstSpec{at: 2*1440 + 600, rows: 4 * 1440, perRow: 12},
		burstSpec{at: 4*1440 + 300, rows: 30, perRow: 150})
	opened, _ = Backtest(rows, 0, DefaultConfig())
	var found bool
	for _, r := range opened {
		if d := r.At.Sub(rows[4*1440+300].At); d >= 0 && d <= 2*time.Minute {
			found = true
		}
	}
	if !found {
		t.Errorf("a burst on the new level: got %v, want an incident within 2 minutes of %s", raws(opened), rows[4*1440+300].Raw)
	}
}

// A run of empty buckets that the baseline makes improbable (a collector down)
// is a gap, not a quiet spell: the return of normal traffic raises nothing.
func TestBacktestDataGapIsNotLearnt(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := makeSeries(6, start, 5*time.Minute, 6*288, 40, 0.5)
	for i := 3*288 + 100; i < 3*288+124; i++ { // two hours of zeros
		rows[i].Value = 0
	}
	opened, err := Backtest(rows, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 0 {
		t.Errorf("got %d incidents %v after a data gap, want none", len(opened), raws(opened))
	}
}

// Only a service busy enough for a country's outage to hide in its global
// baseline is also counted per country; a quiet one keeps one signal.
func TestDetectorCountrySignalsOnlyForBusyServices(t *testing.T) {
	var s stream
	countries := []string{"US", "IN", "BR", "TR"}
	k := 0
	for at := t0; at.Before(t0.Add(6 * time.Hour)); at = at.Add(20 * time.Second) {
		k++
		s.add("busy", downwatch.KindComplaint, fmt.Sprint("b", k), countries[k%4], "busy down", at)
		if k%90 == 0 { // one complaint every half hour
			s.add("quiet", downwatch.KindComplaint, fmt.Sprint("q", k), countries[k%4], "quiet down", at)
		}
	}
	d, _ := New(DefaultConfig())
	sortByTime(s.ms)
	for i := range s.ms {
		d.Handle(&s.ms[i])
	}
	var busy, quiet int
	for key := range d.st.Keys {
		switch {
		case strings.HasPrefix(key, "busy/"):
			busy++
		case strings.HasPrefix(key, "quiet/"):
			quiet++
		}
	}
	if busy != len(countries) || quiet != 0 {
		t.Errorf("country signals: busy %d, quiet %d; want %d and 0", busy, quiet, len(countries))
	}
}

// An outage's complaints do not stop when the service recovers: they decay over
// minutes (late posts, "still down?"), with a stray complaint or two after. The
// incident is resolved where the complaints fell from their level, not where the
// tail finally went quiet, and never before the outage ended.
func TestResolvedWhereComplaintsFell(t *testing.T) {
	var s stream
	s.background("whatsapp", t0, t0.Add(8*time.Hour), 30*time.Second)
	onset := t0.Add(4 * time.Hour)
	end := onset.Add(40 * time.Minute)
	s.burst("whatsapp", "", onset, end, 40)
	// The tail: 40·e^(-m/3) complaints in minute m after the end (13, 9, 5, 4, 2, 1, ...).
	for m := 1; m <= 12; m++ {
		n := int(40*math.Exp(-float64(m)/3) + 0.5)
		tm := end.Add(time.Duration(m-1) * time.Minute)
		s.burst("whatsapp", fmt.Sprintf("tail%d", m), tm, tm.Add(time.Minute), n)
	}
	// A stray burst of four complaints 9 minutes into the quiet.
	stray := end.Add(16 * time.Minute)
	s.burst("whatsapp", "stray", stray, stray.Add(time.Minute), 4)
	incs := s.run(t, DefaultConfig(), t0.Add(8*time.Hour))
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	r := incs[0].ResolvedAt
	if r == nil {
		t.Fatal("not resolved")
	}
	// Half of the level (40) is crossed within the tail's third minute.
	if r.Before(end) || r.After(end.Add(3*time.Minute)) {
		t.Errorf("resolved_at %s, want within 3 minutes after the end %s", r.Format("15:04"), end.Format("15:04"))
	}
}
