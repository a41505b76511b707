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
