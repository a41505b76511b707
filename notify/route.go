package notify

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

// Routing: which alerts a receiver gets (Filter) and how many (RateLimit).
// Both are judged per sink, after its Events and after silences: a silenced
// alert goes to no receiver whatever its filter.

// Filter narrows the alerts a sink is sent. Every field set must match (they
// are ANDed); a field left at its zero value matches everything.
//
// The size thresholds are judged on the incident as the alert carries it, so
// an incident that opened small reaches the receiver with its first change
// past the threshold (usually an incident.updated), and every later change of
// it (counts only grow) passes too, its resolution included.
type Filter struct {
	// Services are the catalog ids delivered (e.g. "whatsapp"); empty: all.
	Services []string
	// Regions are the ISO countries of regional incidents delivered, and
	// "global" for incidents without a region; empty: all.
	Regions []string
	// MinAuthors: only incidents with at least this many distinct authors.
	MinAuthors int
	// MinPeak: only incidents with a peak of at least this many complaints a minute.
	MinPeak float64
}

// RegionGlobal names, in Filter.Regions, incidents that are not regional.
const RegionGlobal = "global"

// Match reports whether a passes the filter.
func (f Filter) Match(a downwatch.Alert) bool {
	i := a.Incident
	region := i.Region
	if region == "" {
		region = RegionGlobal
	}
	switch {
	case len(f.Services) > 0 && !slices.Contains(f.Services, i.Service):
		return false
	case len(f.Regions) > 0 && !slices.ContainsFunc(f.Regions, func(r string) bool { return strings.EqualFold(r, region) }):
		return false
	case i.Authors < f.MinAuthors:
		return false
	case i.PeakPerMin < f.MinPeak:
		return false
	}
	return true
}

func (f Filter) validate() error {
	if f.MinAuthors < 0 || f.MinPeak < 0 {
		return errors.New("filter: minimum authors and peak must not be negative")
	}
	for _, r := range f.Regions {
		if !strings.EqualFold(r, RegionGlobal) && len(r) != 2 {
			return fmt.Errorf("filter: region %q: want an ISO country code (DE) or %q", r, RegionGlobal)
		}
	}
	return nil
}

// RateLimit caps the alerts a sink is sent: at most Max in any Per of wall-clock
// time (a sliding window over the sends themselves). An alert over the limit is
// dropped, not delayed: it is counted as
// downwatch_notify_alerts_total{outcome="rate_limited"}, its cursor moves on,
// and the incident's next change is judged afresh. An incident's resolution
// (incident.resolved, incident.false_alarm) is never dropped, so no receiver is
// left believing an outage goes on; it still counts against the limit.
//
// The window lives in the dispatcher's memory: a restart starts it empty.
type RateLimit struct {
	// Max alerts per Per; 0: no limit.
	Max int
	// Per is the window; default 1 minute.
	Per time.Duration
}

func (r RateLimit) validate() error {
	if r.Max < 0 || r.Per < 0 {
		return errors.New("rate limit: must not be negative")
	}
	return nil
}

// String is the limit as ParseRateLimit reads it ("10/1m0s"), "" for none.
func (r RateLimit) String() string {
	if r.Max == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%s", r.Max, r.per())
}

func (r RateLimit) per() time.Duration {
	if r.Per == 0 {
		return time.Minute
	}
	return r.Per
}

// ParseRateLimit reads "N/PERIOD": "10/m" (ten a minute), "30/h", "5/10m",
// "1/30s"; a bare unit means one of it.
func ParseRateLimit(s string) (RateLimit, error) {
	n, per, ok := strings.Cut(strings.TrimSpace(s), "/")
	var max int
	if _, err := fmt.Sscanf(n, "%d", &max); !ok || err != nil || max <= 0 || fmt.Sprint(max) != n {
		return RateLimit{}, fmt.Errorf("rate limit %q: want N/PERIOD, e.g. 10/m or 30/h", s)
	}
	if per == "s" || per == "m" || per == "h" {
		per = "1" + per
	}
	d, err := time.ParseDuration(per)
	if err != nil || d <= 0 {
		return RateLimit{}, fmt.Errorf("rate limit %q: period %q: want s, m, h or a duration such as 10m", s, per)
	}
	return RateLimit{Max: max, Per: d}, nil
}

// limiter keeps the times of a sink's recent sends.
type limiter struct {
	RateLimit
	sent []time.Time // oldest first, within the window
}

// allow reports whether a may be sent at now, and if so counts it.
func (l *limiter) allow(a downwatch.Alert, now time.Time) bool {
	if l.Max == 0 {
		return true
	}
	cut := 0
	for cut < len(l.sent) && !l.sent[cut].After(now.Add(-l.per())) {
		cut++
	}
	l.sent = l.sent[cut:]
	closing := a.Type == downwatch.AlertResolved || a.Type == downwatch.AlertFalseAlarm
	if len(l.sent) >= l.Max && !closing {
		return false
	}
	l.sent = append(l.sent, now)
	return true
}
