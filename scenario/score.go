package scenario

import (
	"fmt"
	"slices"
	"sort"
	"time"

	"github.com/downwatch/downwatch"
)

// Score is how a detector's incidents compare with a scenario's ground truth.
type Score struct {
	Scenario string `json:"scenario"`
	Outages  int    `json:"outages"`
	Found    int    `json:"found"`
	// Missed lists the outages no incident covered.
	Missed []string `json:"missed,omitempty"`
	// FalseAlarms are incidents that match no outage, or a second incident for an
	// outage that already has one (a flap).
	FalseAlarms []string `json:"false_alarms,omitempty"`
	// Detect is, per found outage, detected_at minus the true start.
	Detect []time.Duration `json:"time_to_detect"`
	// Resolve is, per found outage that resolved, resolved_at minus the true end.
	Resolve []time.Duration `json:"resolution_error"`
	// Unresolved counts found outages whose incident never resolved.
	Unresolved int `json:"unresolved"`
	// Acks counts outages with an acknowledgement in the data; AcksAttached those
	// whose incident carries it (acknowledged_at within two minutes of it).
	Acks         int `json:"acks"`
	AcksAttached int `json:"acks_attached"`
	// Related counts found outages of a shared-cause group whose incident links
	// another incident of the group; RelatedWanted those that should.
	Related       int `json:"related"`
	RelatedWanted int `json:"related_wanted"`
	// Regional counts regional outages found as a regional incident of that country.
	Regional       int `json:"regional"`
	RegionalWanted int `json:"regional_wanted"`
}

// Evaluate matches incidents to the truth's outages. An incident covers an outage
// when it is for the same service and its life [started_at, resolved_at] overlaps
// the outage widened by 10 minutes before and 30 after; a regional outage also
// accepts a global incident (it is found, but not counted as Regional).
func Evaluate(t Truth, incs []downwatch.Incident) Score {
	s := Score{Scenario: t.Scenario, Outages: len(t.Outages)}
	used := make([]bool, len(incs))
	matchedTo := make([]int, len(incs))
	for i := range matchedTo {
		matchedTo[i] = -1
	}
	idOf := map[int]string{}
	for oi, o := range t.Outages {
		best := -1
		for ii, inc := range incs {
			if used[ii] || inc.Service != o.Service || !overlaps(inc, o, t.End) {
				continue
			}
			if inc.Region != "" && inc.Region != o.Country {
				continue
			}
			if best < 0 || inc.DetectedAt.Before(incs[best].DetectedAt) {
				best = ii
			}
		}
		label := o.Service
		if o.Country != "" {
			label += "/" + o.Country
		}
		label += "@" + o.Start.Format("2006-01-02T15:04Z")
		if best < 0 {
			s.Missed = append(s.Missed, label)
			continue
		}
		used[best], matchedTo[best] = true, oi
		idOf[oi] = incs[best].ID
		inc := incs[best]
		s.Found++
		s.Detect = append(s.Detect, inc.DetectedAt.Sub(o.Start))
		if inc.ResolvedAt != nil {
			s.Resolve = append(s.Resolve, inc.ResolvedAt.Sub(o.End))
		} else {
			s.Unresolved++
		}
		if o.AckAt != nil {
			s.Acks++
			if a := inc.AcknowledgedAt; a != nil && absDur(a.Sub(*o.AckAt)) <= 2*time.Minute {
				s.AcksAttached++
			}
		}
		if o.Country != "" {
			s.RegionalWanted++
			if inc.Region == o.Country {
				s.Regional++
			}
		}
	}
	for oi, o := range t.Outages { // acks of missed outages still count as wanted
		if _, ok := idOf[oi]; !ok && o.AckAt != nil {
			s.Acks++
		}
	}
	// Shared-cause groups: each found member should link another found member.
	for oi, o := range t.Outages {
		if o.Group == "" {
			continue
		}
		peers := 0
		for oj, p := range t.Outages {
			if oj != oi && p.Group == o.Group {
				peers++
			}
		}
		if peers == 0 {
			continue
		}
		s.RelatedWanted++
		id, ok := idOf[oi]
		if !ok {
			continue
		}
		for _, inc := range incs {
			if inc.ID != id {
				continue
			}
			for oj, p := range t.Outages {
				if oj != oi && p.Group == o.Group && slices.Contains(inc.Related, idOf[oj]) && idOf[oj] != "" {
					s.Related++
					break
				}
			}
		}
	}
	for ii, inc := range incs {
		if !used[ii] {
			s.FalseAlarms = append(s.FalseAlarms, inc.ID)
		}
	}
	return s
}

func overlaps(inc downwatch.Incident, o Outage, streamEnd time.Time) bool {
	end := streamEnd
	if inc.ResolvedAt != nil {
		end = *inc.ResolvedAt
	}
	return !inc.StartedAt.After(o.End.Add(30*time.Minute)) && !end.Before(o.Start.Add(-10*time.Minute))
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// Median returns the median of ds (0 for none).
func Median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// MaxAbs returns the largest |d| in ds.
func MaxAbs(ds []time.Duration) time.Duration {
	var m time.Duration
	for _, d := range ds {
		m = max(m, absDur(d))
	}
	return m
}

// Targets are what the project promises on its own suite (issue 3).
type Targets struct {
	MedianDetect time.Duration // 2m
	MaxDetect    time.Duration // 5m
	MaxResolve   time.Duration // 15m
	// MaxDetectFor overrides MaxDetect for named scenarios: known limits, each
	// documented in the README.
	MaxDetectFor map[string]time.Duration
}

// DefaultTargets returns the project's targets.
func DefaultTargets() Targets {
	return Targets{MedianDetect: 2 * time.Minute, MaxDetect: 5 * time.Minute, MaxResolve: 15 * time.Minute}
}

// Check lists the targets a set of scores misses (nil when all are met): every
// outage found, no false alarm, detection and resolution within bounds, every ack
// attached.
func (tg Targets) Check(scores []Score) []string {
	var fails []string
	var all []time.Duration
	for _, s := range scores {
		for _, m := range s.Missed {
			fails = append(fails, fmt.Sprintf("%s: missed %s", s.Scenario, m))
		}
		for _, f := range s.FalseAlarms {
			fails = append(fails, fmt.Sprintf("%s: false alarm %s", s.Scenario, f))
		}
		maxDetect := tg.MaxDetect
		if d, ok := tg.MaxDetectFor[s.Scenario]; ok {
			maxDetect = d
		}
		for _, d := range s.Detect {
			if d > maxDetect {
				fails = append(fails, fmt.Sprintf("%s: detected %v after onset (max %v)", s.Scenario, d, maxDetect))
			}
		}
		for _, r := range s.Resolve {
			if absDur(r) > tg.MaxResolve {
				fails = append(fails, fmt.Sprintf("%s: resolved %v from the true end (max %v)", s.Scenario, r, tg.MaxResolve))
			}
		}
		if s.Unresolved > 0 {
			fails = append(fails, fmt.Sprintf("%s: %d incidents never resolved", s.Scenario, s.Unresolved))
		}
		if s.AcksAttached < s.Acks {
			fails = append(fails, fmt.Sprintf("%s: %d of %d acknowledgements attached", s.Scenario, s.AcksAttached, s.Acks))
		}
		all = append(all, s.Detect...)
	}
	if m := Median(all); m > tg.MedianDetect {
		fails = append(fails, fmt.Sprintf("median time to detect %v (max %v)", m, tg.MedianDetect))
	}
	return fails
}
