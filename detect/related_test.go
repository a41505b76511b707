package detect

import (
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestRelatedRule(t *testing.T) {
	t0 := time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC)
	inc := func(id string, at time.Time) downwatch.Incident {
		return downwatch.Incident{ID: id, Service: id[:len(id)-2], StartedAt: at}
	}
	a := inc("cloudflare.1", t0)
	for _, tc := range []struct {
		name string
		b    downwatch.Incident
		want bool
	}{
		{"itself", a, false},
		{"same service, same minute", inc("cloudflare.2", t0.Add(time.Second)), false},
		{"a millisecond apart", inc("discord.1", t0.Add(time.Millisecond)), true},
		{"exactly the window apart", inc("discord.1", t0.Add(5*time.Minute)), true},
		{"the window before", inc("discord.1", t0.Add(-5*time.Minute)), true},
		{"just over the window", inc("discord.1", t0.Add(5*time.Minute+time.Nanosecond)), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Related(a, tc.b, 5*time.Minute); got != tc.want {
				t.Errorf("Related(%s at %v, %s at %v): got %v, want %v", a.ID, a.StartedAt, tc.b.ID, tc.b.StartedAt, got, tc.want)
			}
		})
	}
}
