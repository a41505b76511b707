package scenario

import (
	"fmt"
	"time"
)

// Firehose is one hour of a sampled stream at full rate: about posts posts, most
// of them ordinary chatter that names no service (in the languages of the social
// mix: Latin, Devanagari, Bengali, Arabic, Cyrillic, Japanese and more), a tenth
// chatter about the services and a tenth complaints, and one outage. It is for
// measuring throughput (issue 10: a one-hour firehose of a million posts), not for
// scoring detection.
//
// The same arguments always give the same posts; the count is within a few
// percent of posts.
func Firehose(start time.Time, posts int, services []string) (Scenario, error) {
	if posts < 600 || len(services) == 0 {
		return Scenario{}, fmt.Errorf("%w: firehose of %d posts over %d services: want at least 600 posts and one service", ErrInvalid, posts, len(services))
	}
	perMin := float64(posts) / 60
	s := Scenario{
		Name: "firehose",
		Description: fmt.Sprintf("one hour of about %d posts over %d services: 80%% chatter naming no service, "+
			"10%% chatter about the services, 10%% complaints, one outage", posts, len(services)),
		Seed:        int64(posts) + int64(len(services))*7,
		Start:       start.UTC().Truncate(time.Minute),
		Duration:    time.Hour,
		NoisePerMin: 0.8 * perMin / noiseCycle(start),
	}
	var sum float64
	for i := range services {
		sum += 1 / (1 + float64(i)/6)
	}
	for i, id := range services {
		w := 1 / (1 + float64(i)/6) / sum
		s.Background = append(s.Background, Background{Service: id, ComplaintsPerMin: 0.09 * perMin * w,
			ChatterPerMin: 0.1 * perMin * w, Swing: -1})
	}
	svc := services[len(services)/2]
	s.Outages = []OutageSpec{{Outage: Outage{
		Service: svc, Start: s.Start.Add(25 * time.Minute), End: s.Start.Add(50 * time.Minute),
		PeakPerMin: 0.01 * perMin, Symptoms: service(svc).symptoms[:1],
	}, Mix: service(svc).regions}}
	return s, s.Validate()
}

// noiseCycle is the mean daily-cycle multiplier of the noise over the hour from
// start, so that Firehose's noise comes to its share whatever the hour.
func noiseCycle(start time.Time) float64 {
	g, _ := newGenerator(Scenario{Start: start, Duration: time.Hour})
	regs := g.noise
	var sum float64
	for m := range 60 {
		mid := start.Add(time.Duration(m)*time.Minute + 30*time.Second)
		for _, r := range regs {
			sum += r.Weight * g.cycle(mid, r.UTCOffset, 0)
		}
	}
	return sum / 60
}
