package detect

import (
	"fmt"
	"runtime"
	"slices"
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
	d, err := New(DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	ScaleLoad{}.Feed([]*Detector{d})
	return d
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestBurstOfNewAuthorsIsGivenBack: the authors of a burst (200 new ones a
// second for 10 minutes, as in `bench --live`) are remembered for the long
// window and then forgotten, and the room their maps grew to is given back:
// half an hour after the burst the detector's heap is back within a tenth of
// the burst's growth of where it was before it. Without forget making the
// maps anew, the emptied maps keep it (a Go map never shrinks). It also pins
// the bound of the working set while a burst goes on: no more authors than
// the long window and the five minutes between forgets hold.
func TestBurstOfNewAuthorsIsGivenBack(t *testing.T) {
	d, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	m := downwatch.Mention{Service: "zoom", Kind: downwatch.KindComplaint}
	n := 0
	feed := func(from, to int, burst bool) {
		for sec := from; sec < to; sec++ {
			at := t0.Add(time.Duration(sec) * time.Second)
			m.Post = downwatch.Post{Author: fmt.Sprint("zb", sec%7), Text: "zoom is down again", CreatedAt: at}
			d.Handle(&m)
			for k := 0; burst && k < 200; k++ {
				n++
				m.Post = downwatch.Post{Author: fmt.Sprint("z", n), Text: "zoom is down", CreatedAt: at.Add(time.Duration(k) * time.Millisecond)}
				d.Handle(&m)
			}
			d.Drain()
		}
	}
	feed(0, 3600, false) // an hour of the trickle: the baseline
	before := liveHeap()
	feed(3600, 3600+30*60, true)
	s := d.st.Keys["zoom"]
	long := s.T.p.long
	if most := 200 * 60 * (long + 5 + 1); s.Seen.Len() > most || s.Seen.Len() < 200*60*long {
		t.Errorf("during the burst %d authors remembered, want between the long window's %d and %d", s.Seen.Len(), 200*60*long, most)
	}
	during := liveHeap()
	feed(3600+30*60, 3600+60*60, false)
	after := liveHeap()
	t.Logf("heap before the burst %.1f MiB, during %.1f MiB, half an hour after %.1f MiB; %d authors remembered", mib(before), mib(during), mib(after), s.Seen.Len())
	if during < before+1<<20 {
		t.Fatalf("the heap during the burst is %.1f MiB, want the authors it remembers to take more than 1 MiB (before %.1f MiB)", mib(during), mib(before))
	}
	if after > before+(during-before)/10 {
		t.Errorf("half an hour after the burst the heap is %.1f MiB, want within a tenth of its growth of the %.1f MiB before it (it was %.1f MiB during)", mib(after), mib(before), mib(during))
	}
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// TestLiveBenchBurstHeap drives the detector in event time with the traffic of
// `bench --live` (1,000 complaints a second about five services from the same
// 997 authors, Zoom's one a second, and from minute 2.5 its outage: 200 a
// second, each from a new author; warmup 1m, lateness 5s) for 30 minutes, and
// logs the heap after a collection at minutes 1, 5, 10, 20 and 30 (the README's
// figures, "Live"). Once the working set stops growing (the first authors of
// the burst are forgotten), it must cost at most 32 bytes a remembered author:
// a table at most three quarters full of 12-byte slots, and the posts of the
// minutes not final yet (Go maps: 37 bytes).
func TestLiveBenchBurstHeap(t *testing.T) {
	if testing.Short() {
		t.Skip("30 minutes of 1,200 complaints a second: 2 s")
	}
	cfg := DefaultConfig()
	cfg.Warmup, cfg.Lateness = time.Minute, 5*time.Second
	d, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	services := []string{"slack", "whatsapp", "netflix", "discord", "steam"}
	m := downwatch.Mention{Kind: downwatch.KindComplaint}
	n := 0
	post := func(svc, author, text string, at time.Time) {
		m.Service = svc
		m.Post = downwatch.Post{ID: fmt.Sprint("lb", n), Author: author, Text: text, CreatedAt: at}
		d.Handle(&m)
		n++
	}
	heap := map[int]uint64{}
	for sec := range 30 * 60 {
		for tick := range 10 { // ten pushes a second, as the bench
			at := t0.Add(time.Duration(sec)*time.Second + time.Duration(tick)*100*time.Millisecond)
			for range 100 {
				svc := services[n/10%len(services)]
				post(svc, fmt.Sprint("u", n%997), svc+" is down for me", at)
				n += 9 // the nine posts of ten that name no service
			}
			if n/1000%10 == 0 {
				post("zoom", fmt.Sprint("zb", n%7), "zoom is down again", at)
			}
			for k := 0; sec >= 150 && k < 20; k++ {
				post("zoom", fmt.Sprint("z", n), "zoom is down, can't join my meeting", at)
			}
			d.Drain()
		}
		if min := (sec + 1) / 60; (sec+1)%60 == 0 && slices.Contains([]int{1, 5, 10, 20, 30}, min) {
			heap[min] = liveHeap()
			t.Logf("minute %d: heap %.1f MiB, %d authors of Zoom remembered", min, mib(heap[min]), d.st.Keys["zoom"].Seen.Len())
		}
	}
	authors := d.st.Keys["zoom"].Seen.Len()
	if authors < 200*60*10 {
		t.Fatalf("%d authors of Zoom remembered at minute 30, want at least the long window's %d", authors, 200*60*10)
	}
	if per := float64(heap[30]-heap[1]) / float64(authors); per > 32 {
		t.Errorf("from minute 1 to 30 the heap grew by %.1f bytes a remembered author, want at most 32", per)
	}
}
