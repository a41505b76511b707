package replay

import (
	"context"
	"log/slog"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/ingest"
)

// detectorOutput hands the pipeline's mentions straight to a detector in the same
// process: the ingest and detect code of a full replay without Kafka and Redis in
// between. The evaluation suite uses it; one detector sees every service, where the
// full pipeline has one per partition, which changes nothing because a service's
// state never leaves its detector.
type detectorOutput struct {
	det  *detect.Detector
	on   func([]downwatch.Alert)
	mark time.Time // a watermark that follows the next Write's mentions, as on Kafka
}

func (o *detectorOutput) Write(_ context.Context, ms []downwatch.Mention) error {
	for i := range ms {
		o.det.Handle(&ms[i])
	}
	if !o.mark.IsZero() {
		o.det.Watermark(o.mark)
		o.mark = time.Time{}
	}
	o.drain()
	return nil
}

func (o *detectorOutput) Watermark(_ context.Context, at time.Time) error {
	o.mark = at
	return nil
}

func (o *detectorOutput) End(_ context.Context, at time.Time) error {
	o.det.End(at)
	o.drain()
	return nil
}

func (o *detectorOutput) Close() error { return nil }

func (o *detectorOutput) drain() {
	if out := o.det.Drain(); len(out.Alerts) > 0 {
		o.on(out.Alerts)
	}
}

// Direct runs src through the matcher and one in-process detector and returns the
// report; nothing is stored or published. It is the fast path for evaluating
// detection quality.
func Direct(ctx context.Context, src ingest.Source, m *catalog.Matcher, cfg detect.Config) (*Report, error) {
	began := time.Now()
	det, err := detect.New(cfg)
	if err != nil {
		return nil, err
	}
	col := &collector{}
	out := &detectorOutput{det: det, on: func(a []downwatch.Alert) { col.keep(a) }}
	pipe := ingest.New(ingest.Config{EndOnEOF: true, Logger: slog.New(slog.DiscardHandler)}, m, out)
	if err := pipe.Run(ctx, src); err != nil {
		return nil, err
	}
	incs := col.incidents()
	detect.Relate(incs, cfg.RelatedWithin)
	// Nothing is published on this path, so no alert is counted.
	return newReport(&pipe.Stats, incs, 0, began), nil
}
