package detect

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// stream builds mentions by hand: each call adds posts at a time.
type stream struct {
	ms []downwatch.Mention
	n  int
}

func (s *stream) add(svc string, kind downwatch.Kind, author, country, text string, at time.Time) *downwatch.Mention {
	s.n++
	s.ms = append(s.ms, downwatch.Mention{Service: svc, Kind: kind, Post: downwatch.Post{
		ID: fmt.Sprint(s.n), Source: "x", Author: author, Text: text, CreatedAt: at, Country: country, Lang: "en",
	}})
	return &s.ms[len(s.ms)-1]
}

// background adds k distinct complainers per minute for svc over [from, to).
func (s *stream) background(svc string, from, to time.Time, every time.Duration) {
	i := 0
	for t := from; t.Before(to); t = t.Add(every) {
		i++
		s.add(svc, downwatch.KindComplaint, fmt.Sprintf("bg-%s-%d", svc, i%500), "", svc+" down?", t)
	}
}

// burst adds perMin distinct new complainers per minute over [from, to).
func (s *stream) burst(svc, country string, from, to time.Time, perMin int) {
	i := 0
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		for k := 0; k < perMin; k++ {
			i++
			s.add(svc, downwatch.KindComplaint, fmt.Sprintf("u-%s-%s-%d", svc, country, i), country, svc+" not working", t.Add(time.Duration(k)*time.Minute/time.Duration(perMin)))
		}
	}
}

func (s *stream) run(t *testing.T, cfg Config, end time.Time) []downwatch.Incident {
	t.Helper()
	return final(alertsOf(t, s, cfg, end))
}

func sortByTime(ms []downwatch.Mention) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].Post.CreatedAt.Before(ms[j-1].Post.CreatedAt); j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

// final keeps the newest revision of each incident, in order of first appearance.
func final(alerts []downwatch.Alert) []downwatch.Incident {
	var order []string
	last := map[string]downwatch.Incident{}
	for _, a := range alerts {
		if _, ok := last[a.Incident.ID]; !ok {
			order = append(order, a.Incident.ID)
		}
		last[a.Incident.ID] = a.Incident
	}
	out := make([]downwatch.Incident, len(order))
	for i, id := range order {
		out[i] = last[id]
	}
	return out
}

var t0 = time.Date(2022, 10, 25, 4, 0, 0, 0, time.UTC)

func TestDetectorLifecycle(t *testing.T) {
	var s stream
	onset, end := t0.Add(3*time.Hour), t0.Add(4*time.Hour)
	s.background("whatsapp", t0, t0.Add(6*time.Hour), 30*time.Second)
	s.burst("whatsapp", "IN", onset, end, 60)
	ack := s.add("whatsapp", downwatch.KindNews, "ANI", "IN", "We're aware that some people are having trouble", onset.Add(30*time.Minute))
	ack.Ack = true
	incs := s.run(t, DefaultConfig(), t0.Add(6*time.Hour))
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1: %+v", len(incs), incs)
	}
	i := incs[0]
	if i.Service != "whatsapp" || i.State != downwatch.StateResolved {
		t.Errorf("got %s %s, want whatsapp resolved", i.Service, i.State)
	}
	if d := i.DetectedAt.Sub(onset); d < 0 || d > 2*time.Minute {
		t.Errorf("detected %v after onset, want within 2m", d)
	}
	if !i.StartedAt.Equal(onset) {
		t.Errorf("started_at %v, want the onset %v", i.StartedAt, onset)
	}
	if i.AcknowledgedAt == nil || !i.AcknowledgedAt.Equal(onset.Add(30*time.Minute)) {
		t.Errorf("acknowledged_at %v, want %v", i.AcknowledgedAt, onset.Add(30*time.Minute))
	}
	if i.ResolvedAt == nil || i.ResolvedAt.Sub(end) > 5*time.Minute || i.ResolvedAt.Before(end) {
		t.Errorf("resolved_at %v, want within 5m after %v", i.ResolvedAt, end)
	}
	if i.ID != "whatsapp."+onset.Format("20060102T1504Z") {
		t.Errorf("id %s: want service.onset", i.ID)
	}
	if i.Authors < 60*60 || i.Countries["IN"] < 3600 {
		t.Errorf("authors %d, countries %v: want at least the 3600 burst authors from IN", i.Authors, i.Countries)
	}
	if i.Region != "" {
		t.Errorf("region %q: a service whose normal complaints carry no country is not regional", i.Region)
	}
	if n := len(i.SamplePosts); n == 0 || n > 10 {
		t.Errorf("%d sample posts, want 1..10", n)
	}
	if i.Evidence == nil || i.Evidence.PValue >= DefaultConfig().Alpha {
		t.Errorf("evidence %+v: want a p-value below alpha", i.Evidence)
	}
}

func TestDetectorTraps(t *testing.T) {
	tests := []struct {
		name string
		add  func(s *stream)
	}{
		{"one account posting hundreds of times", func(s *stream) {
			for k := 0; k < 600; k++ {
				s.add("whatsapp", downwatch.KindComplaint, "spammer", "", "whatsapp is down!!!", t0.Add(3*time.Hour+time.Duration(k)*6*time.Second))
			}
		}},
		{"a storm of reposts", func(s *stream) {
			for k := 0; k < 3000; k++ {
				m := s.add("whatsapp", downwatch.KindComplaint, fmt.Sprint("rt-", k), "", "RT whatsapp down", t0.Add(3*time.Hour+time.Duration(k)*time.Second))
				m.Post.RepostOf = "orig"
			}
		}},
		{"the same long text from many accounts", func(s *stream) {
			for k := 0; k < 500; k++ {
				s.add("whatsapp", downwatch.KindComplaint, fmt.Sprint("bot-", k), "", "WhatsApp will stop working on these old phones from Monday, check the full list here", t0.Add(3*time.Hour+time.Duration(k)*2*time.Second))
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s stream
			s.background("whatsapp", t0, t0.Add(6*time.Hour), 30*time.Second)
			tt.add(&s)
			if incs := s.run(t, DefaultConfig(), t0.Add(6*time.Hour)); len(incs) != 0 {
				t.Errorf("got %d incidents (%s), want none", len(incs), incs[0].ID)
			}
		})
	}
}

func TestDetectorRegional(t *testing.T) {
	var s stream
	countries := []string{"IN", "US", "GB", "BR", "TR", "DE", "ID", "MX"}
	k := 0
	for at := t0; at.Before(t0.Add(8 * time.Hour)); at = at.Add(10 * time.Second) {
		k++
		s.add("instagram", downwatch.KindComplaint, fmt.Sprint("bg-", k%900), countries[k%len(countries)], "instagram down?", at)
	}
	onset := t0.Add(5 * time.Hour)
	s.burst("instagram", "TR", onset, onset.Add(40*time.Minute), 20)
	incs := s.run(t, DefaultConfig(), t0.Add(8*time.Hour))
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	if incs[0].Region != "TR" {
		t.Errorf("region %q, want TR (one country carries the burst)", incs[0].Region)
	}

	// The same burst in every country is global.
	var g stream
	g.ms = append(g.ms, s.ms[:0]...)
	k = 0
	for at := t0; at.Before(t0.Add(8 * time.Hour)); at = at.Add(10 * time.Second) {
		k++
		g.add("instagram", downwatch.KindComplaint, fmt.Sprint("bg-", k%900), countries[k%len(countries)], "instagram down?", at)
	}
	for _, c := range countries {
		g.burst("instagram", c, onset, onset.Add(40*time.Minute), 5)
	}
	incs = g.run(t, DefaultConfig(), t0.Add(8*time.Hour))
	if len(incs) != 1 || incs[0].Region != "" {
		t.Fatalf("got %d incidents (region %q), want 1 global: %s", len(incs), regionOf(incs), jsonOf(incs))
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func regionOf(incs []downwatch.Incident) string {
	if len(incs) == 0 {
		return "-"
	}
	return incs[0].Region
}

func TestDetectorLateAndFuturePosts(t *testing.T) {
	var s stream
	s.background("gmail", t0, t0.Add(5*time.Hour), 40*time.Second)
	onset := t0.Add(3 * time.Hour)
	s.burst("gmail", "", onset, onset.Add(30*time.Minute), 30)
	d, _ := New(DefaultConfig())
	sortByTime(s.ms)
	// Deliver 30% of the burst 40 s late, and one post from a broken clock in 2099.
	var late []downwatch.Mention
	for i := range s.ms {
		m := s.ms[i]
		if i%3 == 0 && !m.Post.CreatedAt.Before(onset) {
			late = append(late, m)
			continue
		}
		for len(late) > 0 && late[0].Post.CreatedAt.Add(40*time.Second).Before(m.Post.CreatedAt) {
			d.Handle(&late[0])
			late = late[1:]
		}
		d.Handle(&m)
		if i == 100 {
			bad := m
			bad.Post.CreatedAt = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			d.Handle(&bad)
		}
	}
	if c := d.Clock(); c.Year() == 2099 {
		t.Fatalf("one far-future post moved the clock to %v", c)
	}
	d.End(t0.Add(5 * time.Hour))
	incs := final(d.Drain().Alerts)
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	if dt := incs[0].DetectedAt.Sub(onset); dt > 2*time.Minute {
		t.Errorf("detected %v after onset with late posts, want within 2m", dt)
	}
}

func TestDetectorCheckpointRestore(t *testing.T) {
	// Splitting the stream anywhere, snapshotting and restoring into a new detector
	// gives exactly the alerts of an uninterrupted run.
	var s stream
	s.background("slack", t0, t0.Add(6*time.Hour), 20*time.Second)
	s.burst("slack", "US", t0.Add(3*time.Hour), t0.Add(3*time.Hour+40*time.Minute), 25)
	sortByTime(s.ms)
	whole, _ := New(DefaultConfig())
	for i := range s.ms {
		whole.Handle(&s.ms[i])
	}
	whole.End(t0.Add(6 * time.Hour))
	want := whole.Drain().Alerts
	if len(want) == 0 {
		t.Fatal("no alerts in the uninterrupted run")
	}
	for _, cut := range []int{len(s.ms) / 3, len(s.ms) / 2, len(s.ms) * 9 / 10} {
		a, _ := New(DefaultConfig())
		var got []downwatch.Alert
		for i := 0; i < cut; i++ {
			a.Handle(&s.ms[i])
		}
		got = append(got, a.Drain().Alerts...)
		snap, err := a.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := New(DefaultConfig())
		if err := b.Restore(snap); err != nil {
			t.Fatal(err)
		}
		for i := cut; i < len(s.ms); i++ {
			b.Handle(&s.ms[i])
		}
		b.End(t0.Add(6 * time.Hour))
		got = append(got, b.Drain().Alerts...)
		if g, w := jsonOf(got), jsonOf(want); g != w {
			t.Errorf("cut at %d: restored run differs from the uninterrupted one:\n got %s\nwant %s", cut, g, w)
		}
	}
}

func BenchmarkDetectorHandle(b *testing.B) {
	for _, services := range []int{1, 60} {
		b.Run(fmt.Sprintf("services=%d", services), func(b *testing.B) {
			d, _ := New(DefaultConfig())
			ms := make([]downwatch.Mention, 4096)
			for i := range ms {
				ms[i] = downwatch.Mention{Service: fmt.Sprint("svc", i%services), Kind: downwatch.KindComplaint, Post: downwatch.Post{
					ID: fmt.Sprint(i), Author: fmt.Sprint("a", i%1500), Country: []string{"IN", "US", ""}[i%3], Text: "down again", Lang: "en",
				}}
			}
			at := t0
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				m := &ms[i%len(ms)]
				at = at.Add(5 * time.Millisecond) // 200 posts/s of event time
				m.Post.CreatedAt = at
				d.Handle(m)
				i++
				if i%4096 == 0 {
					d.Drain()
				}
			}
		})
	}
}

func TestDetectorQuietGapWithoutWatermarks(t *testing.T) {
	// Hours with no mention and no watermark, then an outage: time must move on
	// (a quiet stretch is not a bad clock).
	var s stream
	s.background("zoom", t0, t0.Add(3*time.Hour), 20*time.Second)
	onset := t0.Add(6 * time.Hour)
	s.burst("zoom", "", onset, onset.Add(20*time.Minute), 30)
	incs := s.run(t, DefaultConfig(), onset.Add(2*time.Hour))
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	if d := incs[0].DetectedAt.Sub(onset); d < 0 || d > 2*time.Minute {
		t.Errorf("detected at %v, %v after the onset %v", incs[0].DetectedAt, d, onset)
	}
}

func TestDetectorMonthsLongGap(t *testing.T) {
	// Two recordings months apart in one replay: the outage after the silence is
	// found (and the silence is skipped, not closed minute by minute for 200 days).
	var s stream
	s.background("slack", t0, t0.Add(3*time.Hour), 20*time.Second)
	later := t0.Add(200 * 24 * time.Hour)
	s.background("slack", later, later.Add(4*time.Hour), 20*time.Second)
	onset := later.Add(3 * time.Hour)
	s.burst("slack", "", onset, onset.Add(20*time.Minute), 30)
	incs := s.run(t, DefaultConfig(), later.Add(4*time.Hour))
	if len(incs) != 1 || incs[0].DetectedAt.Sub(onset) > 2*time.Minute || incs[0].DetectedAt.Before(onset) {
		t.Fatalf("got %d incidents %s, want one detected within 2m of %v", len(incs), jsonOf(incs), onset)
	}
}

func TestDetectorFirstEverComplaintsAreAnOutage(t *testing.T) {
	// A small service nobody mentioned for hours: its first complaints are the
	// outage, and they are judged at once against the floor, with no warm-up.
	var s stream
	s.background("whatsapp", t0, t0.Add(5*time.Hour), 30*time.Second)
	onset := t0.Add(3 * time.Hour)
	s.burst("paytm", "", onset, onset.Add(20*time.Minute), 8)
	incs := s.run(t, DefaultConfig(), t0.Add(5*time.Hour))
	if len(incs) != 1 || incs[0].Service != "paytm" {
		t.Fatalf("got %s, want one paytm incident", jsonOf(incs))
	}
	if d := incs[0].DetectedAt.Sub(onset); d < 0 || d > 2*time.Minute {
		t.Errorf("detected %v after onset, want within 2m", d)
	}
}

// An incident counts the posts naming each symptom (symptom_counts), also the
// symptoms too rare to be listed in symptoms.
func TestDetectorSymptomCounts(t *testing.T) {
	var s stream
	onset, end := t0.Add(3*time.Hour), t0.Add(3*time.Hour+30*time.Minute)
	s.background("whatsapp", t0, t0.Add(5*time.Hour), 30*time.Second)
	s.burst("whatsapp", "IN", onset, end, 40)
	want := map[string]int{}
	n := 0
	for i := range s.ms {
		m := &s.ms[i]
		if m.Post.Country != "IN" {
			continue
		}
		n++
		switch {
		case n == 600:
			m.Symptoms = []string{"payments"} // once: counted, too rare to be listed
		case n%5 == 0:
			m.Symptoms = []string{"login", "connect"}
		case n%5 < 3:
			m.Symptoms = []string{"send-messages"}
		}
		for _, sym := range m.Symptoms {
			want[sym]++
		}
	}
	incs := s.run(t, DefaultConfig(), t0.Add(5*time.Hour))
	if len(incs) != 1 {
		t.Fatalf("got %d incidents, want 1", len(incs))
	}
	got := incs[0]
	// The posts before the decision may not all be the incident's: a few less.
	for sym, w := range want {
		if g := got.SymptomCounts[sym]; g > w || g < w-3 || g == 0 {
			t.Errorf("symptom_counts[%s]: got %d, want %d or a few less (all: %v)", sym, g, w, got.SymptomCounts)
		}
	}
	if len(got.SymptomCounts) != len(want) {
		t.Errorf("symptom_counts: got %v, want the keys of %v", got.SymptomCounts, want)
	}
	if want := []string{"send-messages", "connect", "login"}; fmt.Sprint(got.Symptoms) != fmt.Sprint(want) {
		t.Errorf("symptoms: got %v, want %v (payments, named once, is not listed)", got.Symptoms, want)
	}
}
