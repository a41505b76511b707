package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// run generates s and returns its posts with what the generator knew about each.
func run(t testing.TB, s Scenario) ([]downwatch.Post, []meta) {
	t.Helper()
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	var posts []downwatch.Post
	var metas []meta
	g, err := newGenerator(s)
	if err != nil {
		t.Fatal(err)
	}
	if err := g.run(func(p downwatch.Post, m meta) error {
		posts = append(posts, p)
		metas = append(metas, m)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return posts, metas
}

// shaped says whether a scenario has a background drawn from a real series.
func shaped(s Scenario) bool {
	for _, b := range s.Background {
		if b.Shape != nil {
			return true
		}
	}
	return false
}

func TestDeterministic(t *testing.T) {
	for _, name := range []string{"cold-start", "late-posts", "traps", "real-signal-small"} {
		t.Run(name, func(t *testing.T) {
			s, ok := ByName(name)
			if !ok {
				t.Fatalf("ByName(%q) not found", name)
			}
			var a, b bytes.Buffer
			ta, err := WriteJSONL(&a, s)
			if err != nil {
				t.Fatal(err)
			}
			tb, err := WriteJSONL(&b, s)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Errorf("two runs of %s with seed %d differ", name, s.Seed)
			}
			ja, _ := json.Marshal(ta)
			jb, _ := json.Marshal(tb)
			if !bytes.Equal(ja, jb) {
				t.Errorf("two truths of %s differ:\n%s\n%s", name, ja, jb)
			}
			s.Seed++
			var c bytes.Buffer
			if _, err := WriteJSONL(&c, s); err != nil {
				t.Fatal(err)
			}
			if bytes.Equal(a.Bytes(), c.Bytes()) {
				t.Errorf("seeds %d and %d gave identical streams", s.Seed-1, s.Seed)
			}
		})
	}
}

func TestSuiteNames(t *testing.T) {
	want := []string{
		"whatsapp-2022", "regional-tr", "regional-jp", "small-service", "cdn-upstream", "night-onset", "cold-start",
		"traps", "late-posts", "multi-lingual-global", "flapping", "two-outages", "slow-burn", "concurrent-unrelated",
		"real-icloud-keynote", "real-gmail-weekly-low", "real-spotify-slow-burn", "real-signal-small", "real-netflix-level-shift",
	}
	names := Names()
	for _, w := range want {
		if !slices.Contains(names, w) {
			t.Errorf("suite lacks %q; got %v", w, names)
		}
	}
	seen := map[string]bool{}
	for _, n := range names {
		if seen[n] {
			t.Errorf("name %q appears twice", n)
		}
		seen[n] = true
		if s, ok := ByName(n); !ok || s.Name != n {
			t.Errorf("ByName(%q) = %q, %v", n, s.Name, ok)
		}
	}
	if _, ok := ByName("no-such-scenario"); ok {
		t.Error("ByName(no-such-scenario) found something")
	}
	if d, ok := ByName("demo"); !ok || d.Name != "demo" {
		t.Errorf("ByName(demo) = %q, %v", d.Name, ok)
	}
}

// TestSuite generates every scenario once and checks its posts against its truth.
func TestSuite(t *testing.T) {
	for _, s := range append(Suite(), Demo()) {
		t.Run(s.Name, func(t *testing.T) {
			t.Parallel()
			posts, metas := run(t, s)
			truth := s.Truth()
			checkPosts(t, s, truth, posts)
			checkShape(t, s, truth)
			checkOutages(t, s, truth, posts, metas)
			checkBackground(t, s, posts, metas)
		})
	}
}

func checkPosts(t *testing.T, s Scenario, truth Truth, posts []downwatch.Post) {
	t.Helper()
	if len(posts) == 0 || len(posts) > 150_000 {
		t.Fatalf("got %d posts, want 1..150000: the suite must stay fast", len(posts))
	}
	ids := make(map[string]bool, len(posts))
	var newest time.Time
	var maxLate time.Duration
	withCountry := 0
	var reposts []string
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i, p := range posts {
		if i%4 == 0 || p.RepostOf != "" || p.AuthorVerified {
			// Round-trip a quarter of the posts and every special one; TestDeterministic
			// and TestJSONLDecodes push whole streams through WriteJSONL.
			buf.Reset()
			if err := enc.Encode(p); err != nil {
				t.Fatal(err)
			}
			got, err := downwatch.DecodePost(buf.Bytes())
			if err != nil {
				t.Fatalf("post %d does not decode: %v\n%s", i, err, buf.Bytes())
			}
			if got.Text != p.Text || !got.CreatedAt.Equal(p.CreatedAt) || got.Author != p.Author {
				t.Fatalf("post %d changed in a round trip:\n got %+v\nwant %+v", i, got, p)
			}
		}
		if p.ID == "" || p.Source == "" || p.Author == "" || p.Text == "" || p.CreatedAt.IsZero() {
			t.Fatalf("post %d lacks a required field: %+v", i, p)
		}
		if ids[p.ID] {
			t.Fatalf("post %d: id %q used twice", i, p.ID)
		}
		ids[p.ID] = true
		if p.RepostOf != "" {
			reposts = append(reposts, p.RepostOf)
		}
		if p.CreatedAt.Before(truth.Start) || !p.CreatedAt.Before(truth.End) {
			t.Fatalf("post %d at %v outside the stream %v-%v", i, p.CreatedAt, truth.Start, truth.End)
		}
		if p.CreatedAt.After(newest) {
			newest = p.CreatedAt
		} else if late := newest.Sub(p.CreatedAt); late > maxLate {
			maxLate = late
		}
		if p.Country != "" {
			withCountry++
		}
	}
	for _, id := range reposts {
		if !ids[id] {
			t.Errorf("repost_of %q names no post", id)
		}
	}
	if limit := s.Late.Max; maxLate > limit {
		t.Errorf("a post arrived %v after a later one; lateness bound is %v", maxLate, limit)
	}
	if f := float64(withCountry) / float64(len(posts)); f < 0.5 || f > 0.7 {
		t.Errorf("%.2f of posts carry a country, want about 0.6", f)
	}
}

func checkShape(t *testing.T, s Scenario, truth Truth) {
	t.Helper()
	longest := 48 * time.Hour
	if shaped(s) {
		longest = 7 * 24 * time.Hour // a real series' weekly cycle needs days
	}
	if s.Duration > longest {
		t.Errorf("duration %v, want at most %v", s.Duration, longest)
	}
	for _, o := range truth.Outages {
		history := o.Start.Sub(truth.Start)
		if s.Name != "cold-start" && s.Name != "demo" && history < 6*time.Hour {
			t.Errorf("outage of %s starts %v into the stream, want at least 6h of history", o.Service, history)
		}
		if len(o.Langs) == 0 {
			t.Errorf("outage of %s has no langs in the truth", o.Service)
		}
	}
}

// checkOutages measures each outage's distinct complaining authors per minute from the
// posts (its own complaints, not the background's) and compares the peak with PeakPerMin.
func checkOutages(t *testing.T, s Scenario, truth Truth, posts []downwatch.Post, metas []meta) {
	t.Helper()
	for oi, o := range truth.Outages {
		perMin := map[int64]map[string]bool{}
		for i, p := range posts {
			m := metas[i]
			if m.kind != kindComplaint || m.service != o.Service || p.CreatedAt.Before(o.Start) || !p.CreatedAt.Before(o.End) {
				continue
			}
			if m.outage == oi && o.Country != "" {
				if p.Country != "" && p.Country != o.Country {
					t.Fatalf("regional outage in %s has a complaint from %s: %+v", o.Country, p.Country, p)
				}
				if lang := p.Lang; lang != "" && lang != "und" && lang != "en" && !slices.Contains(o.Langs, lang) {
					t.Fatalf("outage in %v has a post in %q", o.Langs, lang)
				}
			}
			if m.outage != oi {
				continue // background, or a concurrent outage of the same service
			}
			k := p.CreatedAt.Unix() / 60
			if perMin[k] == nil {
				perMin[k] = map[string]bool{}
			}
			perMin[k][p.Author] = true
		}
		peak := 0
		for _, as := range perMin {
			peak = max(peak, len(as))
		}
		t.Logf("%d posts; outage %d of %s %v-%v: PeakPerMin %v, measured peak %d distinct authors/min",
			len(posts), oi, o.Service, o.Start.Format(time.DateTime), o.End.Format(time.TimeOnly), o.PeakPerMin, peak)
		lo := 0.75 * o.PeakPerMin
		hi := 1.1*o.PeakPerMin + 3*math.Sqrt(o.PeakPerMin) + 3 // the busiest of many Poisson minutes
		if float64(peak) < lo || float64(peak) > hi {
			t.Errorf("outage %d of %s: measured peak %d distinct authors/min, want %.0f..%.0f (PeakPerMin %v)", oi, o.Service, peak, lo, hi, o.PeakPerMin)
		}
		if o.AckAt != nil {
			found := false
			for i, p := range posts {
				if metas[i].kind == kindAck && p.Author == o.AckBy && p.CreatedAt.Equal(*o.AckAt) && p.AuthorVerified {
					found = true
				}
			}
			if !found {
				t.Errorf("outage %d of %s: no verified acknowledgement by %s at %v", oi, o.Service, o.AckBy, o.AckAt)
			}
		}
	}
}

// checkBackground compares each service's background complaint rate with its
// configured mean: distinct authors per minute outside every outage. A shaped
// background's multiplier widens the tolerance by the variance it adds to the sum.
func checkBackground(t *testing.T, s Scenario, posts []downwatch.Post, metas []meta) {
	t.Helper()
	g, err := newGenerator(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range g.bg {
		var want, sq float64
		for m := range g.nMin {
			mu := g.meanComplaints(&b, m)
			want += mu
			sq += mu * mu
		}
		extra := 0.0 // variance of the sum that the multiplier adds: lag-correlated
		if b.curve != nil {
			sd, rho := b.mult.sd, b.mult.rho
			extra = (math.Exp(sd*sd) - 1) * sq * (1 + rho) / (1 - rho)
		}
		got := 0
		for i := range posts {
			if metas[i].kind == kindComplaint && metas[i].service == b.svc.id && metas[i].outage < 0 {
				got++
			}
		}
		if tol := 4*math.Sqrt(want+extra) + 2; math.Abs(float64(got)-want) > tol {
			t.Errorf("%s: %d background complaints, want %.0f ± %.0f", b.svc.id, got, want, tol)
		}
	}
}

// TestJSONLDecodes writes whole streams as JSONL and decodes every line.
func TestJSONLDecodes(t *testing.T) {
	for _, name := range []string{"whatsapp-2022", "regional-jp"} {
		s, _ := ByName(name)
		var buf bytes.Buffer
		if _, err := WriteJSONL(&buf, s); err != nil {
			t.Fatal(err)
		}
		n := 0
		for line := range bytes.Lines(buf.Bytes()) {
			n++
			if _, err := downwatch.DecodePost(line); err != nil {
				t.Fatalf("%s line %d: %v\n%s", name, n, err, line)
			}
		}
		if n < 50_000 {
			t.Errorf("%s: %d lines, want tens of thousands", name, n)
		}
	}
}

func TestTraps(t *testing.T) {
	s, _ := ByName("traps")
	posts, metas := run(t, s)
	truth := s.Truth()
	if len(truth.Outages) != 0 {
		t.Fatalf("traps has %d outages, want 0", len(truth.Outages))
	}
	kinds := map[string]bool{}
	for _, tr := range truth.Traps {
		kinds[tr.Name] = true
		if tr.Note == "" {
			t.Errorf("trap %s has no note", tr.Name)
		}
	}
	for _, k := range []TrapKind{TrapSharePrice, TrapSlang, TrapDownWords, TrapSpamAccount, TrapRepostStorm, TrapViralLaunch, TrapShuttingDown} {
		if !kinds[string(k)] {
			t.Errorf("traps lacks a %s trap", k)
		}
	}
	perTrap := map[int]int{}
	spam, reposts, copies := 0, 0, 0
	for i, p := range posts {
		m := metas[i]
		if m.outage >= 0 {
			t.Fatalf("post %+v belongs to outage %d in a scenario without outages", p, m.outage)
		}
		if m.kind != kindTrap {
			continue
		}
		perTrap[m.trap]++
		tr := s.Traps[m.trap]
		if p.CreatedAt.Before(tr.Start) || !p.CreatedAt.Before(tr.End) {
			t.Errorf("post of trap %s at %v outside %v-%v", tr.Kind, p.CreatedAt, tr.Start, tr.End)
		}
		switch tr.Kind {
		case TrapSpamAccount:
			if p.Author != spamHandle || p.Text != "whatsapp is down!!!" {
				t.Errorf("spam trap post %+v", p)
			}
			spam++
		case TrapRepostStorm:
			if p.RepostOf != "" {
				reposts++
			} else if p.Text == trapTexts[TrapRepostStorm][0] {
				copies++
			}
		}
	}
	for i, tr := range s.Traps {
		if perTrap[i] < 100 {
			t.Errorf("trap %s has %d posts, want at least 100", tr.Kind, perTrap[i])
		}
	}
	if spam < 300 {
		t.Errorf("spam account posted %d times, want hundreds", spam)
	}
	if reposts < 2000 || copies < 300 {
		t.Errorf("repost storm: %d reposts and %d copy-pastes, want thousands and hundreds", reposts, copies)
	}
}

func TestLatePosts(t *testing.T) {
	s, _ := ByName("late-posts")
	posts, _ := run(t, s)
	var newest time.Time
	outOfOrder := 0
	for _, p := range posts {
		if p.CreatedAt.Before(newest) {
			outOfOrder++
			if late := newest.Sub(p.CreatedAt); late > 45*time.Second {
				t.Fatalf("post %s is %v late, want at most 45s", p.ID, late)
			}
		} else {
			newest = p.CreatedAt
		}
	}
	if f := float64(outOfOrder) / float64(len(posts)); f < 0.2 || f > 0.4 {
		t.Errorf("%.2f of posts arrive out of event-time order, want about 0.3", f)
	}
}

func TestFlappingIsOneOutage(t *testing.T) {
	s, _ := ByName("flapping")
	truth := s.Truth()
	if len(truth.Outages) != 1 {
		t.Fatalf("flapping has %d outages in its truth, want 1", len(truth.Outages))
	}
	posts, metas := run(t, s)
	dip := s.Outages[0].Dips[0]
	count := func(from, to time.Time) int {
		n := 0
		for i, p := range posts {
			if metas[i].outage == 0 && metas[i].kind == kindComplaint && !p.CreatedAt.Before(from) && p.CreatedAt.Before(to) {
				n++
			}
		}
		return n
	}
	in := count(dip.Start, dip.End)
	before := count(dip.Start.Add(-3*time.Minute), dip.Start)
	after := count(dip.End.Add(2*time.Minute), dip.End.Add(5*time.Minute))
	if in*5 > before || in*5 > after {
		t.Errorf("complaints: %d in the 3 min before the dip, %d in it, %d after; want a deep dip", before, in, after)
	}
}

func TestWhatsApp2022(t *testing.T) {
	s, _ := ByName("whatsapp-2022")
	if want := at("2022-10-24T19:00:00Z"); !s.Start.Equal(want) {
		t.Errorf("starts at %v, want %v", s.Start, want)
	}
	posts, metas := run(t, s)
	var ack *downwatch.Post
	langs := map[string]int{}
	for i, p := range posts {
		switch metas[i].kind {
		case kindAck:
			ack = &posts[i]
		case kindComplaint:
			if metas[i].outage == 0 {
				langs[p.Lang]++
			}
		}
	}
	if ack == nil {
		t.Fatal("no acknowledgement")
	}
	want := downwatch.Post{ID: ack.ID, Source: "x", Author: "ANI", Text: ANIAck, CreatedAt: at("2022-10-25T08:05:00Z"),
		Lang: "en", Country: "IN", AuthorVerified: true, AuthorFollowers: ack.AuthorFollowers}
	if *ack != want {
		t.Errorf("ack = %+v\nwant %+v", *ack, want)
	}
	for _, l := range []string{"bn", "hi", "en", "it", "tr", "es", "pt", "ar", "id"} {
		if langs[l] < 100 {
			t.Errorf("%d outage complaints in %q, want at least 100 (all: %v)", langs[l], l, langs)
		}
	}
}

func TestJapaneseHasNoSpaces(t *testing.T) {
	s, _ := ByName("regional-jp")
	posts, metas := run(t, s)
	n := 0
	for i, p := range posts {
		if metas[i].outage == 0 && metas[i].kind == kindComplaint && p.Lang == "ja" {
			n++
			body, _, _ := bytes.Cut([]byte(p.Text), []byte(" #")) // a trailing hashtag is separated by a space
			body = bytes.TrimSuffix(bytes.TrimRight(body, "!?.😭😡🙄😤🤦"), []byte(" "))
			if bytes.ContainsRune(body, ' ') {
				t.Errorf("Japanese complaint with a space: %q", p.Text)
			}
		}
	}
	if n < 500 {
		t.Errorf("%d Japanese outage complaints, want many", n)
	}
}

func TestTruthJSON(t *testing.T) {
	s, _ := ByName("cdn-upstream")
	b, err := json.Marshal(s.Truth())
	if err != nil {
		t.Fatal(err)
	}
	var got Truth
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Outages) != 3 || got.Outages[0].Group != "cdn-2023" || got.Outages[0].AckBy != "CloudflareHelp" {
		t.Errorf("truth round trip: %s", b)
	}
	for _, key := range []string{`"scenario":"cdn-upstream"`, `"peak_per_min":60`, `"ack_at":"2023-11-02T12:01:00Z"`, `"traps":[]`} {
		if !bytes.Contains(b, []byte(key)) {
			t.Errorf("truth JSON lacks %s: %s", key, b)
		}
	}
	var spread time.Duration
	for _, o := range got.Outages {
		spread = max(spread, o.Start.Sub(got.Outages[0].Start))
	}
	if spread > 2*time.Minute {
		t.Errorf("cdn outages start %v apart, want within 2 minutes", spread)
	}
}

func TestValidate(t *testing.T) {
	good, _ := ByName("cold-start")
	tests := []struct {
		name string
		edit func(*Scenario)
	}{
		{"no duration", func(s *Scenario) { s.Duration = 0 }},
		{"outage ends before start", func(s *Scenario) { s.Outages[0].End = s.Outages[0].Start.Add(-time.Minute) }},
		{"outage outside stream", func(s *Scenario) { s.Outages[0].Start = s.Start.Add(-time.Hour) }},
		{"no peak", func(s *Scenario) { s.Outages[0].PeakPerMin = 0 }},
		{"ack without author", func(s *Scenario) { s.Outages[0].AckBy = "" }},
		{"unknown trap", func(s *Scenario) {
			s.Traps = []TrapSpec{{Kind: "nope", Start: s.Start, End: s.Start.Add(time.Hour)}}
		}},
		{"lateness out of order", func(s *Scenario) { s.Late = Lateness{Fraction: 0.1, Min: time.Minute, Max: time.Second} }},
	}
	if err := good.Validate(); err != nil {
		t.Fatalf("cold-start: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := ByName("cold-start")
			tt.edit(&s)
			_, err := s.Generate(func(downwatch.Post) error { return nil })
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Generate: got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestEmitErrorStops(t *testing.T) {
	s, _ := ByName("cold-start")
	stop := errors.New("enough")
	n := 0
	_, err := s.Generate(func(downwatch.Post) error {
		n++
		if n == 10 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 10 {
		t.Errorf("got %v after %d posts, want %v after 10", err, n, stop)
	}
}

func TestHandlesUnique(t *testing.T) {
	seen := map[string]author{}
	r := newRNG(1)
	for ci := range countries {
		for range 20000 {
			a := author(uint64(ci)*authorSpan + r.Uint64N(authorSpan))
			h := a.handle()
			if b, ok := seen[h]; ok && b != a {
				t.Fatalf("authors %d and %d share handle %q", a, b, h)
			}
			seen[h] = a
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for _, name := range []string{"cold-start", "whatsapp-2022", "traps"} {
		s, _ := ByName(name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			posts := 0
			for b.Loop() {
				posts = 0
				if _, err := s.Generate(func(downwatch.Post) error { posts++; return nil }); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(posts), "posts/op")
		})
	}
	s, _ := ByName("cold-start")
	b.Run("cold-start-jsonl", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := WriteJSONL(io.Discard, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestTrapKindsHaveWriters(t *testing.T) {
	for k := range trapDefaults {
		if trapWriters[k] == nil {
			t.Errorf("trap kind %s has defaults but no writer", k)
		}
	}
	for k := range trapWriters {
		if _, ok := trapDefaults[k]; !ok {
			t.Errorf("trap kind %s has a writer but no defaults", k)
		}
	}
}
