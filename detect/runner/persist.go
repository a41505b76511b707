package runner

import (
	"context"
	"slices"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/detect"
)

// persist stores what the detector produced: the incidents, the links of the
// incidents it opened, then publishes the alerts to sink, then the series.
//
// Links follow Related, from the incidents' own onsets. Each opened incident is
// first related to what the store already holds (so its opened alert carries
// those links), and linked again after it is stored: of two related incidents
// opened at once by two detectors, each stores itself before it looks, so at
// least one of them sees the other, and Link is symmetric and idempotent.
func persist(ctx context.Context, rc Config, st Store, sink AlertSink, out detect.Drained) error {
	for _, id := range out.Opened {
		rel, err := related(ctx, rc, st, out, id)
		if err != nil {
			return err
		}
		for i := range out.Alerts {
			if out.Alerts[i].Incident.ID == id {
				out.Alerts[i].Incident.Related = rel
			}
		}
	}
	if err := st.Save(ctx, out.Alerts); err != nil {
		return err
	}
	for _, id := range out.Opened {
		rel, err := related(ctx, rc, st, out, id)
		if err != nil {
			return err
		}
		for _, other := range rel {
			if err := st.Link(ctx, id, other); err != nil {
				return err
			}
		}
	}
	if sink != nil {
		if err := sink.Publish(ctx, out.Alerts); err != nil {
			return err
		}
	}
	return st.AppendSeries(ctx, out.Series)
}

// related returns the sorted ids of the incidents, in the store or in out, that
// Related links to the incident id of out.
func related(ctx context.Context, rc Config, st Store, out detect.Drained, id string) ([]string, error) {
	var me downwatch.Incident
	for _, al := range out.Alerts {
		if al.Incident.ID == id {
			me = al.Incident
		}
	}
	if me.ID == "" {
		return nil, nil
	}
	stored, err := st.IncidentsStartedBetween(ctx, me.StartedAt.Add(-rc.RelatedWithin), me.StartedAt.Add(rc.RelatedWithin))
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, other := range stored {
		if detect.Related(me, other, rc.RelatedWithin) {
			ids = append(ids, other.ID)
		}
	}
	for _, al := range out.Alerts {
		if detect.Related(me, al.Incident, rc.RelatedWithin) {
			ids = append(ids, al.Incident.ID)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}
