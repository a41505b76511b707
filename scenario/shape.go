package scenario

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Shape makes a background follow a stretch of one of the real series the package embeds
// (RealSeries: Twitter mention volume of five companies, one count per 5 minutes) instead
// of the built-in daily cycle, so that it has what real streams have: daily and weekly
// cycles, level shifts, news days and heavy-tailed bursts.
//
// The series is read in two ways, because its spikes are news, not complaints:
//
//   - Complaints follow the series smoothed: each row is clipped at twice the median of
//     the 3 hours around it (at least 3), then averaged over those 3 hours. What is left is
//     the daily and weekly cycle, level shifts and news days, without the spikes of an
//     hour or less. Per minute the count is Poisson around that curve times a lognormal
//     multiplier with a 10-minute memory (Noise), so complaints are overdispersed and come
//     in clusters, as real ones do.
//   - Chatter (posts naming the service without outage language) follows the raw series,
//     spikes included: AAPL's largest is 280 times its median.
//   - During spikes, Loose of the chatter above twice the smoothed curve uses outage words
//     loosely ("is iCloud down? lol no, everyone's watching the keynote", "Apple stock down
//     after the event", "down bad"): a trap, listed in the Truth as "news-chatter".
//
// Both curves are scaled so that the smoothed one has mean 1 over the stream: the
// background's ComplaintsPerMin and ChatterPerMin are their means on an ordinary day,
// and spikes come on top of ChatterPerMin. The labels of the series are never read.
type Shape struct {
	// Series names one of RealSeries, e.g. "Twitter_volume_AAPL.csv".
	Series string
	// From is the series time that the scenario's Start maps to; the stretch lasts the
	// scenario's Duration. Pick a Start on the same weekday and time of day to keep the
	// weekly cycle where the calendar says it is.
	From time.Time
	// Noise is the standard deviation of the log of the complaints' multiplier; 0 means
	// 0.4, a negative value means none (Poisson around the curve).
	Noise float64
	// Loose is the share of chatter above twice the smoothed curve that uses outage words
	// loosely; 0 means 0.03, a negative value means none.
	Loose float64
}

// LevelShift is a lasting change of a service's everyday traffic: from At, over Ramp,
// complaints and chatter are multiplied by Factor and stay so (a growing audience, a new
// normal after a news day). It is not an outage: an incident that opens at it is
// tolerated only if it has resolved by At + Grace.
type LevelShift struct {
	At     time.Time
	Factor float64
	// Ramp is how long the change takes; 0 means a step.
	Ramp time.Duration
	// Grace is how long an incident opened by the shift may last; 0 means 3 hours.
	Grace time.Duration
	// Note explains the shift in the Truth.
	Note string
}

// Defaults of Shape and LevelShift.
const (
	defaultShapeNoise  = 0.3
	defaultShapeLoose  = 0.03
	defaultShiftGrace  = 3 * time.Hour
	shapeNoiseMemory   = 10   // minutes
	shapeSmoothRows    = 18   // rows either side: 3 hours of 5-minute rows in all
	shapeWeekRows      = 1008 // rows either side: a week in all
	shapeWeekStep      = 12   // rows between two weekly medians: an hour
	shapeWeekCap       = 2.5
	shapeFloorFraction = 0.05
)

func (sh Shape) noise() float64 {
	switch {
	case sh.Noise == 0:
		return defaultShapeNoise
	case sh.Noise < 0:
		return 0
	}
	return sh.Noise
}

func (sh Shape) loose() float64 {
	switch {
	case sh.Loose == 0:
		return defaultShapeLoose
	case sh.Loose < 0:
		return 0
	}
	return sh.Loose
}

func (ls LevelShift) grace() time.Duration {
	if ls.Grace <= 0 {
		return defaultShiftGrace
	}
	return ls.Grace
}

// factor is the product of the shifts' multipliers at t.
func shiftFactor(shifts []LevelShift, t time.Time) float64 {
	f := 1.0
	for _, s := range shifts {
		switch {
		case t.Before(s.At):
		case s.Ramp <= 0 || !t.Before(s.At.Add(s.Ramp)):
			f *= s.Factor
		default:
			f *= 1 + (s.Factor-1)*float64(t.Sub(s.At))/float64(s.Ramp)
		}
	}
	return f
}

// curve is a shaped background's per-minute rates, relative to its per-minute means.
type curve struct {
	complaints []float64 // the smoothed series, mean 1 over the stream
	chatter    []float64 // the raw series on the same scale
	loose      []float64 // the raw series' excess over twice the smoothed one, same scale
}

// newCurve reads sh's stretch of nMin minutes.
func newCurve(sh Shape, nMin int) (*curve, error) {
	f, err := realSeries(sh.Series)
	if err != nil {
		return nil, err
	}
	from, to := sh.From, sh.From.Add(time.Duration(nMin)*time.Minute)
	if first, last := f.Times[0], f.Times[len(f.Times)-1]; from.Before(first) || to.After(last) {
		return nil, fmt.Errorf("%w: shape %s from %v to %v lies outside the series (%v to %v)", ErrInvalid, sh.Series, from, to, first, last)
	}
	lo, _ := slices.BinarySearchFunc(f.Times, from, func(a, b time.Time) int { return a.Compare(b) })
	hi, _ := slices.BinarySearchFunc(f.Times, to, func(a, b time.Time) int { return a.Compare(b) })
	lo, hi = max(0, lo-1), min(len(f.Times), hi+1)
	smooth := smoothSeries(f.Values, lo, hi)
	c := &curve{complaints: make([]float64, nMin), chatter: make([]float64, nMin), loose: make([]float64, nMin)}
	i := lo
	for m := range nMin {
		t := from.Add(time.Duration(m)*time.Minute + 30*time.Second)
		for i+1 < len(f.Times)-1 && !f.Times[i+1].After(t) {
			i++
		}
		// Linear between the rows around t.
		w := float64(t.Sub(f.Times[i])) / float64(f.Times[i+1].Sub(f.Times[i]))
		w = min(max(w, 0), 1)
		s := smooth[i]*(1-w) + smooth[i+1]*w
		v := f.Values[i]*(1-w) + f.Values[i+1]*w
		c.complaints[m], c.chatter[m], c.loose[m] = s, v, max(0, v-2*s)
	}
	var mean float64
	for _, s := range c.complaints {
		mean += s
	}
	mean /= float64(nMin)
	if mean <= 0 {
		return nil, fmt.Errorf("%w: shape %s from %v: the series is empty there", ErrInvalid, sh.Series, from)
	}
	for m := range nMin {
		c.complaints[m] = max(c.complaints[m]/mean, shapeFloorFraction)
		c.chatter[m] /= mean
		c.loose[m] /= mean
	}
	return c, nil
}

// smoothSeries is rows lo..hi-1 of the series without its spikes: each value clipped at
// twice the median of the 3 hours around it (at least 3) and averaged over those 3 hours,
// then capped at shapeWeekCap times the median of that over the week around it, so that a
// news day raises complaints a little, not tenfold, while cycles and level shifts that
// last days come through. Rows outside lo..hi-1 are 0.
func smoothSeries(v []float64, lo, hi int) []float64 {
	n := len(v)
	span := func(i, d int) (int, int) { return max(0, i-d), min(n, i+d+1) }
	// The weekly medians need the 3-hour curve a week around lo..hi-1, which needs the
	// clipped series 3 hours further out.
	wlo, whi := max(0, lo-shapeWeekRows), min(n, hi+shapeWeekRows)
	clo, chi := max(0, wlo-shapeSmoothRows), min(n, whi+shapeSmoothRows)
	clipped := make([]float64, n)
	win := make([]float64, 0, 2*shapeWeekRows+1)
	for i := clo; i < chi; i++ {
		a, b := span(i, shapeSmoothRows)
		win = append(win[:0], v[a:b]...)
		slices.Sort(win)
		clipped[i] = min(v[i], max(2*win[len(win)/2], 3))
	}
	s3 := make([]float64, n)
	for i := wlo; i < whi; i++ {
		a, b := span(i, shapeSmoothRows)
		a, b = max(a, clo), min(b, chi)
		var sum float64
		for _, x := range clipped[a:b] {
			sum += x
		}
		s3[i] = sum / float64(b-a)
	}
	// The weekly median, every shapeWeekStep rows and linear in between.
	week := func(i int) float64 {
		a, b := span(i, shapeWeekRows)
		a, b = max(a, wlo), min(b, whi)
		win = append(win[:0], s3[a:b]...)
		slices.Sort(win)
		return win[len(win)/2]
	}
	out := make([]float64, n)
	for k := lo; k < hi; k += shapeWeekStep {
		w0, w1 := week(k), week(min(k+shapeWeekStep, n-1))
		for i := k; i < min(k+shapeWeekStep, hi); i++ {
			f := float64(i-k) / shapeWeekStep
			out[i] = min(s3[i], shapeWeekCap*(w0*(1-f)+w1*f))
		}
	}
	return out
}

// lognormal is a mean-1 multiplier whose log is an AR(1) process: standard deviation sd,
// memory of about shapeNoiseMemory steps.
type lognormal struct {
	x, sd, rho float64
}

func newLognormal(r *rng, sd float64) lognormal {
	return lognormal{x: sd * r.NormFloat64(), sd: sd, rho: math.Exp(-1.0 / shapeNoiseMemory)}
}

// next moves the process one minute on and returns the multiplier.
func (l *lognormal) next(r *rng) float64 {
	if l.sd == 0 {
		return 1
	}
	l.x = l.rho*l.x + math.Sqrt(1-l.rho*l.rho)*l.sd*r.NormFloat64()
	return math.Exp(l.x - l.sd*l.sd/2)
}
