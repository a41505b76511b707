package runner

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/store/storetest"
)

// TestPersistLinksWhateverTheInterleaving persists four incidents as detectors
// of four partitions would, in several orders and all at once, with the first
// one already resolved by the time the others open: the links stored in Redis
// must be the same every time, and the ones written here by hand.
func TestPersistLinksWhateverTheInterleaving(t *testing.T) {
	t0 := time.Date(2023, 1, 1, 12, 0, 0, 0, time.UTC)
	mk := func(svc string, at time.Time) downwatch.Incident {
		return downwatch.Incident{ID: svc + "." + at.Format("20060102T1504Z"), Service: svc, State: downwatch.StateOpen, StartedAt: at, DetectedAt: at, UpdatedAt: at, Revision: 1}
	}
	incs := []downwatch.Incident{
		mk("cloudflare", t0),
		mk("discord", t0.Add(time.Millisecond)),
		mk("shopify", t0.Add(4*time.Minute+59*time.Second)),
		mk("slack", t0.Add(6*time.Minute)),
	}
	cf, dc, sh, sl := incs[0].ID, incs[1].ID, incs[2].ID, incs[3].ID
	want := map[string][]string{cf: {dc, sh}, dc: {cf, sh}, sh: {cf, dc, sl}, sl: {sh}}
	opened := func(inc downwatch.Incident) detect.Drained {
		return detect.Drained{Alerts: []downwatch.Alert{{Type: downwatch.AlertOpened, Incident: inc}}, Opened: []string{inc.ID}}
	}
	resolved := incs[0]
	resolved.State, resolved.Revision = downwatch.StateResolved, 2
	rc := Config{RelatedWithin: 5 * time.Minute}
	orders := [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}, {1, 3, 0, 2}, {2, 0, 3, 1}}
	for n, order := range append(orders, nil) {
		name := fmt.Sprint(order)
		if order == nil {
			name = "all at once"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t)
			step := func(i int) {
				if err := persist(ctx, rc, st, nil, opened(incs[i])); err != nil {
					t.Error(err)
				}
				if i == 0 { // cloudflare resolves before the others are seen
					if err := persist(ctx, rc, st, nil, detect.Drained{Alerts: []downwatch.Alert{{Type: downwatch.AlertResolved, Incident: resolved}}}); err != nil {
						t.Error(err)
					}
				}
			}
			if order == nil {
				var wg sync.WaitGroup
				for i := range incs {
					wg.Go(func() { step(i) })
				}
				wg.Wait()
			} else {
				for _, i := range order {
					step(i)
				}
			}
			for id, w := range want {
				got, err := st.Incident(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(got.Related, w) {
					t.Errorf("case %d: related of %s: got %v, want %v", n, id, got.Related, w)
				}
			}
		})
	}
}
