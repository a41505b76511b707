package detect

import (
	"slices"
	"time"

	"github.com/downwatch/downwatch"
)

// Related is the one rule that links incidents as one common cause (a CDN
// taking several services down): incidents of different services whose onsets
// (started_at, event time) are within d of each other. It reads only the two
// incidents, never what the store shows as active at some wall-clock moment, so
// a replay's report and the links a live detector stores agree whatever the
// order in which partitions are processed.
func Related(a, b downwatch.Incident, d time.Duration) bool {
	if a.ID == b.ID || a.Service == b.Service {
		return false
	}
	gap := a.StartedAt.Sub(b.StartedAt)
	return gap <= d && gap >= -d
}

// Relate sets each incident's Related to the sorted ids of the others that
// Related links it to.
func Relate(incs []downwatch.Incident, d time.Duration) {
	for i := range incs {
		incs[i].Related = nil
		for j := range incs {
			if Related(incs[i], incs[j], d) {
				incs[i].Related = append(incs[i].Related, incs[j].ID)
			}
		}
		slices.Sort(incs[i].Related)
	}
}
