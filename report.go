package downwatch

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Outcomes of an incident, from what the company and people said about it.
const (
	OutcomeConfirmed   = "confirmed"   // the company (or a news agency quoting it) acknowledged it
	OutcomeFalseAlarm  = "false-alarm" // a person marked it a false alarm
	OutcomeUnconfirmed = "unconfirmed" // neither
)

// Outcome is what became of the incident: a false alarm mark wins over an
// official acknowledgement (a person saw more).
func (i *Incident) Outcome() string {
	switch {
	case i.FalseAlarm != nil:
		return OutcomeFalseAlarm
	case i.AcknowledgedAt != nil:
		return OutcomeConfirmed
	}
	return OutcomeUnconfirmed
}

// Precision is how often downwatch was right, per service and over all, from
// the outcomes of its incidents (docs/CONTRACT.md §10).
type Precision struct {
	Service     string `json:"service,omitempty"` // empty: all services
	Incidents   int    `json:"incidents"`
	Confirmed   int    `json:"confirmed"`
	FalseAlarms int    `json:"false_alarms"`
	Unconfirmed int    `json:"unconfirmed"`
	// Precision is the share of incidents not marked false alarms among those
	// with an outcome (confirmed or false alarm); absent without any.
	Precision *float64 `json:"precision,omitempty"`
	// LeadSeconds is the median of acknowledged_at minus detected_at over the
	// confirmed incidents: how long before the company said so downwatch knew
	// (negative: after). Absent without confirmed incidents.
	LeadSeconds *float64 `json:"lead_seconds,omitempty"`
	leads       []float64
}

// PrecisionOf sums up incidents: the total first, then one row per service by
// id. Incidents merged into another are left out (the survivor counts).
func PrecisionOf(incs []Incident) []Precision {
	all := &Precision{}
	by := map[string]*Precision{}
	for i := range incs {
		inc := &incs[i]
		if inc.MergedInto != "" {
			continue
		}
		row := by[inc.Service]
		if row == nil {
			row = &Precision{Service: inc.Service}
			by[inc.Service] = row
		}
		for _, p := range []*Precision{all, row} {
			p.add(inc)
		}
	}
	out := []Precision{all.finish()}
	for _, svc := range slices.Sorted(maps.Keys(by)) {
		out = append(out, by[svc].finish())
	}
	return out
}

func (p *Precision) add(inc *Incident) {
	p.Incidents++
	switch inc.Outcome() {
	case OutcomeConfirmed:
		p.Confirmed++
		p.leads = append(p.leads, inc.AcknowledgedAt.Sub(inc.DetectedAt).Seconds())
	case OutcomeFalseAlarm:
		p.FalseAlarms++
	default:
		p.Unconfirmed++
	}
}

func (p *Precision) finish() Precision {
	if n := p.Confirmed + p.FalseAlarms; n > 0 {
		v := float64(p.Confirmed) / float64(n)
		p.Precision = &v
	}
	if len(p.leads) > 0 {
		slices.SortFunc(p.leads, cmp.Compare[float64])
		m := p.leads[len(p.leads)/2]
		if len(p.leads)%2 == 0 {
			m = (p.leads[len(p.leads)/2-1] + m) / 2
		}
		p.LeadSeconds = &m
	}
	p.leads = nil
	return *p
}

// ReportSince is the default window of a precision report.
const ReportSince = 30 * 24 * time.Hour

// ParseSince reads a report window: a Go duration (36h) or a number of days (30d).
func ParseSince(s string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(d)
		if err == nil && n > 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	} else if d, err := time.ParseDuration(s); err == nil && d > 0 {
		return d, nil
	}
	return 0, fmt.Errorf("since %q: want a number of days such as 30d, or a duration such as 36h", s)
}
