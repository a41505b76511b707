package detect

import (
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/downwatch/downwatch"
)

// ScaleLoad is the synthetic load of the 10,000-service figures (issue 10):
// complaints about Services services, their popularity Zipf-distributed (with
// the defaults 1,667 complaints a minute in all, the busiest service 170 a
// minute, the quietest one a day), each from a new author, from eight
// countries and none, over Days of event time from 2 November 2026. Service i
// belongs to partition i % Partitions, as the mentions topic spreads them.
// The same ScaleLoad always feeds the same mentions.
type ScaleLoad struct {
	Services   int     // default 10,000
	PerMinute  int     // complaints a minute over all services; default 1,667
	Days       float64 // of event time; default 1
	Partitions int     // of the mentions topic; default 4
}

func (l ScaleLoad) withDefaults() ScaleLoad {
	if l.Services <= 0 {
		l.Services = 10000
	}
	if l.PerMinute <= 0 {
		l.PerMinute = 1667
	}
	if l.Days <= 0 {
		l.Days = 1
	}
	if l.Partitions <= 0 {
		l.Partitions = 4
	}
	return l
}

// Feed hands ds[p] the complaints of partition p, for each p < len(ds), a
// minute at a time, draining every detector after each minute: one detector is
// one partition's share, Partitions detectors are the whole load (as a detect
// process holding every partition has one Detector each). It returns how many
// mentions it handed over. The benchmarks and `downwatch bench --all` share it.
func (l ScaleLoad) Feed(ds []*Detector) int {
	l = l.withDefaults()
	cum := make([]float64, l.Services) // cumulative Zipf weights
	total := 0.0
	for i := range cum {
		total += 1 / float64(i+1)
		cum[i] = total
	}
	names := make([]string, l.Services)
	for i := range names {
		names[i] = fmt.Sprintf("svc%05d", i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	countries := []string{"US", "IN", "BR", "GB", "DE", "TR", "JP", "ID", "", "", "", ""}
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	m := downwatch.Mention{Kind: downwatch.KindComplaint}
	n := 0
	for min := range int(l.Days * 24 * 60) {
		at := t0.Add(time.Duration(min) * time.Minute)
		for j := range l.PerMinute {
			u := r.Float64() * total
			lo, hi := 0, l.Services-1
			for lo < hi {
				if mid := (lo + hi) / 2; cum[mid] < u {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			p := lo % l.Partitions
			if p >= len(ds) {
				continue
			}
			m.Service = names[lo]
			m.Post = downwatch.Post{Author: fmt.Sprint("a", r.IntN(1<<30)), Text: "down again",
				CreatedAt: at.Add(time.Duration(j) * time.Minute / time.Duration(l.PerMinute)), Country: countries[r.IntN(len(countries))]}
			ds[p].Handle(&m)
			n++
		}
		for _, d := range ds {
			d.Drain()
		}
	}
	return n
}
