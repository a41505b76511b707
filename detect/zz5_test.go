package detect

import (
	"fmt"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

var zzMinutes = 360

func TestZZScale(t *testing.T) {
	if os.Getenv("DBG_SCALE") == "" {
		t.Skip()
	}
	d, _ := New(DefaultConfig())
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	countries := []string{"US", "IN", "BR", "GB", "DE"}
	m := downwatch.Mention{Kind: downwatch.KindComplaint}
	start := time.Now()
	n := 0
	for min := 0; min < zzMinutes; min++ {
		at := t0.Add(time.Duration(min) * time.Minute)
		for s := 0; s < 10000; s += 7 { // a seventh of the services get a complaint each minute
			svc := (s + min) % 10000
			m.Service = fmt.Sprintf("svc%05d", svc)
			m.Post = downwatch.Post{Author: fmt.Sprint("a", n), CreatedAt: at.Add(time.Duration(s) * time.Millisecond), Country: countries[n%5], Text: "x down"}
			d.Handle(&m)
			n++
		}
		d.Drain()
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	snap, _ := d.Snapshot()
	fmt.Printf("posts %d signals %d in %v heap %d MB checkpoint %d KB\n", n, len(d.st.Keys), time.Since(start), ms.HeapAlloc>>20, len(snap)>>10)
}
