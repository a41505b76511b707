package detect

import (
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// TestLateComplaintsAreCountedAsLate: a complaint inside Lateness still counts
// in its own minute; one whose minute is final is not counted, and says so.
func TestLateComplaintsAreCountedAsLate(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	complaint := func(author string, at time.Time) {
		d.Handle(&downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindComplaint,
			Post: downwatch.Post{ID: author, Source: "x", Author: author, Text: "down", CreatedAt: at}})
	}
	complaint("u1", t0)
	d.Watermark(t0.Add(90 * time.Second)) // 10:00 still open: it ended 30s ago, Lateness is 60s
	complaint("u2", t0.Add(10*time.Second))
	if d.Late() != 0 {
		t.Fatalf("a complaint 80s late, inside Lateness, counted as late (%d)", d.Late())
	}
	d.Watermark(t0.Add(5 * time.Minute))
	complaint("u3", t0.Add(20*time.Second))
	if d.Late() != 1 {
		t.Errorf("a complaint whose minute is final: late = %d, want 1", d.Late())
	}
	if got := d.signal("whatsapp", "").T.Counts[minuteOf(t0)&(ringSize-1)]; got != 2 {
		t.Errorf("10:00 counts %d authors, want 2 (the one too late is not counted)", got)
	}
}
