package scenario

import (
	"fmt"
	"time"
)

// LongHistory is a stream of days to weeks over many services at once: every
// service in services gets an everyday background on the daily cycle (the first
// ones are the busiest, as a catalog's big names are), there is generic noise, and
// one outage a day falls on a service picked in turn, at a different hour each day.
// It is for measuring how the pipeline and the store hold up as history grows, not
// for scoring detection: its outages are plain (the service's usual mix of users,
// no traps).
//
// With 56 services and 7 days it writes about a million posts. The same arguments
// always give the same posts.
func LongHistory(start time.Time, days float64, services []string) (Scenario, error) {
	if days <= 0 || len(services) == 0 {
		return Scenario{}, fmt.Errorf("%w: long history of %v days over %d services: want days > 0 and at least one service", ErrInvalid, days, len(services))
	}
	dur := time.Duration(days * float64(24*time.Hour)).Truncate(time.Minute)
	s := Scenario{
		Name: "long-history",
		Description: fmt.Sprintf("%.3g days over %d services: everyday complaints and chatter on the daily cycle, "+
			"generic noise, one outage a day on a service taken in turn", days, len(services)),
		Seed:        int64(len(services))*1000 + int64(dur/time.Minute),
		Start:       start.UTC().Truncate(time.Minute),
		Duration:    dur,
		NoisePerMin: 15,
	}
	for i, id := range services {
		// Rank-based rates: the first service about 0.7 complaints and 4.8 chatter
		// posts a minute, the 56th about a tenth of that.
		w := 1 / (1 + float64(i)/6)
		s.Background = append(s.Background, Background{Service: id, ComplaintsPerMin: 0.7 * w, ChatterPerMin: 4.8 * w})
	}
	for d := 0; ; d++ {
		// Outages start at 02:00 on the first day and 5h later each day, last 70
		// minutes and peak between 40 and 160 complainers a minute.
		at := s.Start.Add(time.Duration(d)*24*time.Hour + 2*time.Hour + time.Duration(d*5%24)*time.Hour)
		end := at.Add(70 * time.Minute)
		if end.Add(15 * time.Minute).After(s.Start.Add(dur)) {
			break
		}
		svc := services[(d*7)%len(services)]
		s.Outages = append(s.Outages, OutageSpec{Outage: Outage{
			Service: svc, Start: at, End: end, PeakPerMin: 40 + float64((d*37)%121),
			Symptoms: service(svc).symptoms[:1],
		}, Mix: service(svc).regions})
	}
	return s, s.Validate()
}
