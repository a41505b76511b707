package replay

import (
	"fmt"
	"time"

	"github.com/downwatch/downwatch/catalog"
)

// ScaleMatcher measures the ingest side's in-process figures of issue 10 on a
// generated catalog of services services (yaml, as scenario.WriteScaleCatalog
// writes it): parsing it and building the matcher (target under 2 s; built
// twice, the faster counts) and matching the firehose mix on one goroutine
// (target at least a million posts a second per core; three rounds of a
// second, the fastest counts: the machine is shared, a slow round is other
// work). It returns the catalog too, for pushing posts that name its services.
func ScaleMatcher(yaml []byte, services int, logf func(string, ...any)) ([]Figure, *catalog.Catalog, error) {
	var build, slow time.Duration
	var m *catalog.Matcher
	var c *catalog.Catalog
	for i := range 2 {
		logf("building the matcher of %d generated services (%d of 2)", services, i+1)
		t0 := time.Now()
		var err error
		if c, err = catalog.Parse("generated.yaml", yaml); err != nil {
			return nil, nil, err
		}
		if m, err = catalog.NewMatcher(c); err != nil {
			return nil, nil, err
		}
		el := time.Since(t0)
		build, slow = fewest(build, el), max(slow, el)
	}
	logf("matching the firehose mix on one core, three rounds of a second")
	posts := catalog.FirehoseMix()
	best, worst := 0.0, 0.0
	for i := range 3 {
		r := catalog.MatchRate(m, posts, time.Second)
		if i == 0 || r > best {
			best = r
		}
		if i == 0 || r < worst {
			worst = r
		}
	}
	return []Figure{{
		What:     fmt.Sprintf("%d generated services: parse the catalog and build the matcher, faster of 2", services),
		Target:   "< 2 s",
		Measured: fmt.Sprintf("%.2f s", build.Seconds()),
		Compared: fmt.Sprintf("the slower build: %.2f s", slow.Seconds()),
		Holds:    build < 2*time.Second,
	}, {
		What:     fmt.Sprintf("%d generated services: match the firehose mix (%d posts in turn) on one core, fastest of 3 s", services, len(posts)),
		Target:   ">= 1M posts/s per core",
		Measured: fmt.Sprintf("%.2fM posts/s, %.0f ns/post", best/1e6, 1e9/best),
		Compared: fmt.Sprintf("the slowest second: %.2fM posts/s", worst/1e6),
		Holds:    best >= 1e6,
	}}, c, nil
}
