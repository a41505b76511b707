package detect

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// BenchmarkTenThousandServices feeds one partition's detector its share of a day
// of complaints about 10,000 services (a quarter of them: the mentions topic's
// 4 partitions), their popularity Zipf-distributed (1,667 complaints a minute
// in all, the busiest service 170 a minute, the quietest one a day), from eight
// countries and none, and then measures a checkpoint: ns/op is the time to
// encode it (fastest-ms the fastest encoding, which a machine shared with
// other work reports more steadily than the mean); it also reports its size,
// the signals held and the heap after a GC.
func BenchmarkTenThousandServices(b *testing.B) {
	d := benchDetector(b)
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	snap, err := d.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	fastest := time.Hour
	for b.Loop() {
		t0 := time.Now()
		if _, err := d.Snapshot(); err != nil {
			b.Fatal(err)
		}
		fastest = min(fastest, time.Since(t0))
	}
	b.ReportMetric(float64(fastest.Microseconds())/1000, "fastest-ms")
	b.ReportMetric(float64(len(snap)), "checkpoint-bytes")
	b.ReportMetric(float64(len(d.st.Keys)), "signals")
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MiB")
}

// benchDetector is one partition's detector after a day of complaints about
// 10,000 services (BenchmarkTenThousandServices).
func benchDetector(tb testing.TB) *Detector {
	const services, perMin, parts, minutes = 10000, 1667, 4, 24 * 60
	d, err := New(DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	cum := make([]float64, services) // cumulative Zipf weights
	total := 0.0
	for i := range cum {
		total += 1 / float64(i+1)
		cum[i] = total
	}
	names := make([]string, services)
	for i := range names {
		names[i] = fmt.Sprintf("svc%05d", i)
	}
	r := rand.New(rand.NewPCG(1, 2))
	countries := []string{"US", "IN", "BR", "GB", "DE", "TR", "JP", "ID", "", "", "", ""}
	t0 := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	m := downwatch.Mention{Kind: downwatch.KindComplaint}
	for min := range minutes {
		at := t0.Add(time.Duration(min) * time.Minute)
		for j := range perMin {
			u := r.Float64() * total
			lo, hi := 0, services-1
			for lo < hi {
				if mid := (lo + hi) / 2; cum[mid] < u {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			if lo%parts != 0 {
				continue
			}
			m.Service = names[lo]
			m.Post = downwatch.Post{Author: fmt.Sprint("a", r.IntN(1<<30)), Text: "down again",
				CreatedAt: at.Add(time.Duration(j) * time.Minute / perMin), Country: countries[r.IntN(len(countries))]}
			d.Handle(&m)
		}
		d.Drain()
	}
	return d
}
