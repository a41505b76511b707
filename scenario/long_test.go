package scenario

import (
	"errors"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestLongHistory(t *testing.T) {
	t0 := time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC)
	s, err := LongHistory(t0, 3, []string{"whatsapp", "gmail", "netflix"})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Outages) != 3 || len(s.Background) != 3 || s.Duration != 72*time.Hour {
		t.Fatalf("got %d outages, %d backgrounds, %v; want 3, 3, 72h", len(s.Outages), len(s.Background), s.Duration)
	}
	if o := s.Outages[1]; o.Service != "gmail" || !o.Start.Equal(t0.Add(24*time.Hour+7*time.Hour)) {
		t.Errorf("second outage: got %s at %v, want gmail (every 7th service in turn) at day 1 07:00", o.Service, o.Start)
	}
	var n int
	var last time.Time
	if _, err := s.Generate(func(p downwatch.Post) error { n++; last = p.CreatedAt; return nil }); err != nil {
		t.Fatal(err)
	}
	// 3 services on the rank-based rates plus noise: about 40 posts a minute.
	if n < 3*1440*30 || n > 3*1440*50 || last.Before(t0.Add(71*time.Hour)) {
		t.Errorf("got %d posts ending %v, want about %d over three days", n, last, 3*1440*40)
	}
	for _, bad := range []struct {
		days float64
		svcs []string
	}{{0, []string{"x"}}, {1, nil}} {
		if _, err := LongHistory(t0, bad.days, bad.svcs); !errors.Is(err, ErrInvalid) {
			t.Errorf("LongHistory(%v days, %v): got %v, want ErrInvalid", bad.days, bad.svcs, err)
		}
	}
}

// TestFirehose: an hour of about the posts asked for, at whatever hour it
// starts, a tenth of them complaints and most naming no service.
func TestFirehose(t *testing.T) {
	for _, start := range []time.Time{time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC), time.Date(2024, 3, 4, 3, 0, 0, 0, time.UTC)} {
		s, err := Firehose(start, 60000, []string{"whatsapp", "gmail", "netflix", "x"})
		if err != nil {
			t.Fatal(err)
		}
		posts, metas := run(t, s)
		kinds := map[postKind]int{}
		for _, m := range metas {
			kinds[m.kind]++
		}
		n := len(posts)
		first, last := posts[0].CreatedAt, posts[n-1].CreatedAt
		if n < 57000 || n > 63000 || first.Before(start) || last.After(start.Add(time.Hour)) {
			t.Errorf("from %v: got %d posts from %v to %v, want about 60000 within the hour", start, n, first, last)
		}
		if c := float64(kinds[kindComplaint]) / float64(n); c < 0.08 || c > 0.12 {
			t.Errorf("from %v: got %.3f complaints (%v), want about 0.1", start, c, kinds)
		}
		if nz := float64(kinds[kindNoise]) / float64(n); nz < 0.75 || nz > 0.85 {
			t.Errorf("from %v: got %.3f naming no service (%v), want about 0.8", start, nz, kinds)
		}
	}
	if _, err := Firehose(time.Now(), 10, []string{"x"}); !errors.Is(err, ErrInvalid) {
		t.Errorf("10 posts: got %v, want ErrInvalid", err)
	}
}
