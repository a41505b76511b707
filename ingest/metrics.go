package ingest

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

var (
	descPosts      = prometheus.NewDesc("downwatch_ingest_posts_total", "Records read from the source (accepted and rejected).", []string{"source"}, nil)
	descRejected   = prometheus.NewDesc("downwatch_ingest_rejected_total", "Records dead-lettered.", []string{"source"}, nil)
	descDuplicates = prometheus.NewDesc("downwatch_ingest_duplicates_total", "Posts dropped as already seen.", []string{"source"}, nil)
	descMatched    = prometheus.NewDesc("downwatch_ingest_matched_total", "Posts that produced at least one mention.", []string{"source"}, nil)
	descMentions   = prometheus.NewDesc("downwatch_ingest_mentions_total", "Mentions produced.", []string{"source"}, nil)
	descErrors     = prometheus.NewDesc("downwatch_ingest_errors_total", "Failed connects and lost connections.", []string{"source"}, nil)
	descReconnects = prometheus.NewDesc("downwatch_ingest_reconnects_total", "Connection attempts after a failure.", []string{"source"}, nil)
	descLag        = prometheus.NewDesc("downwatch_ingest_lag_seconds", "Wall clock minus the newest event time seen.", []string{"source"}, nil)
)

// statsCollector exposes a pipeline's Stats to Prometheus at scrape time.
type statsCollector struct {
	source string
	s      *Stats
	now    func() time.Time
}

func (c *statsCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPosts, descRejected, descDuplicates, descMatched, descMentions, descErrors, descReconnects, descLag} {
		ch <- d
	}
}

func (c *statsCollector) Collect(ch chan<- prometheus.Metric) {
	counter := func(d *prometheus.Desc, v int64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), c.source)
	}
	counter(descPosts, c.s.Posts.Load())
	counter(descRejected, c.s.Rejected.Load())
	counter(descDuplicates, c.s.Duplicates.Load())
	counter(descMatched, c.s.Matched.Load())
	counter(descMentions, c.s.Mentions.Load())
	counter(descErrors, c.s.Errors.Load())
	counter(descReconnects, c.s.Reconnects.Load())
	ch <- prometheus.MustNewConstMetric(descLag, prometheus.GaugeValue, c.s.Lag(c.now()).Seconds(), c.source)
}
