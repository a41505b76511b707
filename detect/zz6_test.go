package detect

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestZZZipf(t *testing.T) {
	if os.Getenv("DBG_SCALE") == "" {
		t.Skip()
	}
	const services, perMin, parts = 10000, 1667.0, 4
	ds := make([]*Detector, parts)
	for i := range ds {
		ds[i], _ = New(DefaultConfig())
	}
	// Zipf weights
	w := make([]float64, services)
	var tot float64
	for i := range w {
		w[i] = 1 / float64(i+1)
		tot += w[i]
	}
	cum := make([]float64, services)
	acc := 0.0
	for i := range w {
		acc += w[i] / tot
		cum[i] = acc
	}
	r := rand.New(rand.NewPCG(1, 2))
	countries := []string{"US", "IN", "BR", "GB", "DE", "TR", "JP", "ID", "", "", "", ""}
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	m := downwatch.Mention{Kind: downwatch.KindComplaint}
	start := time.Now()
	days := 7
	if s := os.Getenv("DBG_DAYS"); s != "" {
		fmt.Sscan(s, &days)
	}
	n := 0
	for min := 0; min < days*1440; min++ {
		at := t0.Add(time.Duration(min) * time.Minute)
		k := int(perMin)
		for j := 0; j < k; j++ {
			u := r.Float64()
			lo, hi := 0, services-1
			for lo < hi {
				mid := (lo + hi) / 2
				if cum[mid] < u {
					lo = mid + 1
				} else {
					hi = mid
				}
			}
			m.Service = fmt.Sprintf("svc%05d", lo)
			m.Post = downwatch.Post{Author: fmt.Sprint("a", r.IntN(1<<30)), CreatedAt: at.Add(time.Duration(j) * time.Minute / time.Duration(k)), Country: countries[r.IntN(len(countries))], Text: "x down"}
			ds[lo%parts].Handle(&m)
			n++
		}
		for _, d := range ds {
			d.Drain()
		}
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	sigs := 0
	for _, d := range ds {
		sigs += len(d.st.Keys)
	}
	t1 := time.Now()
	snap, _ := ds[0].Snapshot()
	enc := time.Since(t1)
	var seen, recent, past int
	for _, sg := range ds[0].st.Keys {
		seen += len(sg.Seen) + len(sg.Texts)
		past += len(sg.T.Past)
	}
	for _, sv := range ds[0].st.Svcs {
		recent += len(sv.Recent)
	}
	fmt.Printf("part0: signals %d seen %d recent %d past %d\n", len(ds[0].st.Keys), seen, recent, past)
	fmt.Printf("days %d posts %d signals %d in %v heap %d MB checkpoint(part0) %d KB in %v\n", days, n, sigs, time.Since(start), ms.HeapAlloc>>20, len(snap)>>10, enc)
}
