package detect

import (
	"math"
	"time"
)

// ringSize is how many buckets a Tracker remembers: the long window plus the
// look-back used to estimate an outage's onset.
const ringSize = 64

// Baseline is what a signal normally looks like: a running level with its
// variance (exponentially weighted, bias-corrected while young) and an hour-of-day
// profile, so a quiet night and a busy evening each get their own expectation.
// Fields are exported for checkpoints.
type Baseline struct {
	N    int64       // buckets learned
	Mean float64     // running level, per bucket
	Var  float64     // running variance of the one-step forecast error, per bucket
	Tod  [24]float64 // level per UTC hour of day, per bucket
	TodN [24]int32   // buckets learned per hour of day
}

// learn folds one final bucket count into the baseline.
func (b *Baseline) learn(hour int, c, ew float64, perHour int) {
	w := math.Max(ew, 1/float64(b.N+1))
	d := c - b.Mean
	b.Mean += w * d
	b.Var = (1 - w) * (b.Var + w*d*d)
	b.N++
	tw := math.Max(1/float64(4*perHour), 1/float64(b.TodN[hour]+1))
	b.Tod[hour] += tw * (c - b.Tod[hour])
	b.TodN[hour]++
}

// phi is the overdispersion (forecast-error variance over mean), 2 while the
// baseline is young.
func (b *Baseline) phi() float64 {
	if b.N < 30 || b.Mean <= 0 {
		return 2
	}
	return math.Min(10, math.Max(1, b.Var/b.Mean))
}

// rate is the expected count per bucket at hour, before the floor: the hour-of-day
// profile once that hour (or the next, for a rising evening) has been seen for a
// full hour, never below half the running level; plus the estimate's own
// uncertainty while it is young.
func (b *Baseline) rate(hour, perHour int) float64 {
	l := b.Mean
	next := (hour + 1) % 24
	if int(b.TodN[hour]) >= perHour {
		l = math.Max(b.Tod[hour], 0.5*l)
		if int(b.TodN[next]) >= perHour {
			l = math.Max(l, b.Tod[next])
		}
	}
	if b.N > 0 {
		l += 2 * math.Sqrt(l*b.phi()/float64(b.N))
	}
	return l
}

// Evidence of one burst decision, in buckets.
type decision struct {
	window   int     // buckets
	observed int     // authors in the window
	expected float64 // baseline authors in the window
	p        float64
	perMin   float64 // baseline per minute
	phi      float64
}

// Tracker is one signal (a service, or a service in one country): counts per time
// bucket, its baseline, the burst decision and the open/quiet state that gives the
// lifecycle its hysteresis. Fields are exported for checkpoints.
type Tracker struct {
	Counts [ringSize]int32
	Starts [ringSize]int64 // bucket index held by each slot
	Base   Baseline
	Open   bool
	// OpenedAt is the bucket the signal opened in.
	OpenedAt int64
	Peak     int32
	// QuietRun buckets in a row have been quiet since QuietStart.
	QuietRun   int
	QuietStart int64
	// Suspect buckets in a row were elevated and not learnt.
	Suspect int

	p      params
	thrAt  int64
	thrOK  bool
	lambda float64
	phi    float64
	thrS   int
	thrL   int
	quietK int
}

// params are a Config scaled to one bucket size.
type params struct {
	bucket     time.Duration
	perMin     float64 // minutes per bucket
	short      int
	long       int
	quiet      int
	maxSuspect int
	warm       int64
	perHour    int
	ew         float64
	floor      float64 // per bucket
	alpha      float64
	minK       int
	quietAlpha float64
	quietFrac  float64
}

func newParams(c *Config, bucket time.Duration, service string) params {
	n := func(d time.Duration, min int) int {
		k := int(math.Round(float64(d) / float64(bucket)))
		if k < min {
			k = min
		}
		return k
	}
	alpha, minK := c.forService(service)
	p := params{
		bucket:     bucket,
		perMin:     bucket.Minutes(),
		short:      n(c.ShortWindow, 1),
		quiet:      n(c.QuietMinutes, 2),
		maxSuspect: n(30*time.Minute, 2),
		warm:       int64(n(c.Warmup, 2)),
		perHour:    n(time.Hour, 1),
		ew:         1 - math.Exp2(-1/math.Max(1, float64(c.HalfLife)/float64(bucket))),
		floor:      c.FloorPerMin * bucket.Minutes(),
		alpha:      alpha,
		minK:       minK,
		quietAlpha: c.QuietAlpha,
		quietFrac:  c.QuietFraction,
	}
	p.long = n(c.LongWindow, p.short+1)
	if p.long >= ringSize/2 {
		p.long = ringSize/2 - 1
	}
	return p
}

func (t *Tracker) init(p params) { t.p = p; t.thrOK = false }

func (t *Tracker) count(b int64) int32 {
	s := b & (ringSize - 1)
	if t.Starts[s] == b {
		return t.Counts[s]
	}
	return 0
}

// add counts n more in bucket b.
func (t *Tracker) add(b int64, n int32) {
	s := b & (ringSize - 1)
	if t.Starts[s] != b {
		if t.Starts[s] > b {
			return // older than the ring remembers
		}
		t.Starts[s] = b
		t.Counts[s] = 0
	}
	t.Counts[s] += n
}

func (t *Tracker) hour(b int64) int {
	return time.Unix(0, b*int64(t.p.bucket)).UTC().Hour()
}

// thresholds computes, once per bucket and after each change of the baseline, the
// smallest window counts that are a burst, so the per-post check is two compares.
func (t *Tracker) thresholds(b int64) {
	if t.thrOK && t.thrAt == b {
		return
	}
	t.rates(b)
	t.thrS = threshold(t.lambda*float64(t.p.short), t.phi, t.p.alpha, t.p.minK)
	t.thrL = threshold(t.lambda*float64(t.p.long), t.phi, t.p.alpha, t.p.minK)
	t.quietK = threshold(t.lambda, t.phi, t.p.quietAlpha, 1)
	t.thrAt, t.thrOK = b, true
}

// rates sets the expected count per bucket and the overdispersion at bucket b.
func (t *Tracker) rates(b int64) {
	t.lambda = math.Max(t.Base.rate(t.hour(b), t.p.perHour), t.p.floor)
	t.phi = t.Base.phi()
}

func (t *Tracker) sum(b int64, n int) int {
	s := 0
	for i := int64(0); i < int64(n); i++ {
		s += int(t.count(b - i))
	}
	return s
}

// burst decides whether the windows ending at bucket b (inclusive, possibly still
// filling) are a burst against the baseline. Causal: it uses only counts so far.
func (t *Tracker) burst(b int64) (decision, bool) {
	if t.Open || t.Base.N < t.p.warm {
		return decision{}, false
	}
	t.thresholds(b)
	if s := t.sum(b, t.p.short); s >= t.thrS {
		mu := t.lambda * float64(t.p.short)
		return decision{window: t.p.short, observed: s, expected: mu, p: tailP(s, mu, t.phi), perMin: t.lambda / t.p.perMin, phi: t.phi}, true
	}
	if s := t.sum(b, t.p.long); s >= t.thrL {
		mu := t.lambda * float64(t.p.long)
		return decision{window: t.p.long, observed: s, expected: mu, p: tailP(s, mu, t.phi), perMin: t.lambda / t.p.perMin, phi: t.phi}, true
	}
	return decision{}, false
}

// elevated says a single bucket stands out from the baseline (about two standard
// deviations); it is used to walk back to an outage's onset.
func (t *Tracker) elevated(c int32) bool {
	return float64(c) > t.lambda+2*math.Sqrt(t.lambda*t.phi) && c >= 1
}

// open marks the signal open at bucket b and returns the estimated onset bucket:
// the start of the run of elevated buckets that ends at b.
func (t *Tracker) open(b int64) int64 {
	t.thresholds(b)
	onset := b
	for i := int64(1); i < ringSize-2; i++ {
		if !t.elevated(t.count(b - i)) {
			break
		}
		onset = b - i
	}
	// The bucket that fired may itself be mostly background when the burst began
	// in the previous one; keep the first bucket that carries the burst.
	t.Open, t.OpenedAt, t.QuietRun, t.Peak = true, b, 0, 0
	for i := onset; i <= b; i++ {
		t.Peak = max(t.Peak, t.count(i))
	}
	return onset
}

// close makes bucket b final. A closed signal learns it into the baseline (when
// learn is set; never from minutes inside an outage); an open one counts quiet
// buckets and reports resolved, with the first quiet bucket, after enough of them.
func (t *Tracker) close(b int64, learn bool) (resolvedAt int64, resolved bool) {
	c := t.count(b)
	if t.Open {
		t.thresholds(b)
		t.Peak = max(t.Peak, c)
		if b < t.OpenedAt {
			return 0, false // a minute before the alarm, made final late: not evidence of recovery
		}
		quiet := int(c) < t.quietK || float64(c) <= t.p.quietFrac*float64(t.Peak)
		if !quiet {
			t.QuietRun = 0
			return 0, false
		}
		if t.QuietRun == 0 {
			t.QuietStart = b
		}
		t.QuietRun++
		if t.QuietRun >= t.p.quiet {
			t.Open = false
			t.QuietRun = 0
			t.thrOK = false
			return t.QuietStart, true
		}
		return 0, false
	}
	if learn {
		t.rates(b)
		// A long window already half as high again as expected, and elevated at the
		// 1% level, is suspect: do not learn
		// it, so a slowly building outage cannot teach the baseline to expect it.
		// After maxSuspect buckets in a row it is the new normal, and learnt.
		if w, mu := t.p.long, t.lambda*float64(t.p.long); t.Suspect < t.p.maxSuspect && float64(t.sum(b, w)) > 1.5*mu && tailP(t.sum(b, w), mu, t.phi) < 0.01 {
			t.Suspect++
			return 0, false
		}
		t.Suspect = 0
		// Once warm, clip, so a bump below the alarm threshold does not teach the
		// baseline to expect the next one.
		v := float64(c)
		if t.Base.N >= t.p.warm {
			v = math.Min(v, t.lambda+3*math.Sqrt(t.lambda*t.phi)+1)
		}
		t.Base.learn(t.hour(b), v, t.p.ew, t.p.perHour)
		t.thrOK = false
	}
	return 0, false
}
