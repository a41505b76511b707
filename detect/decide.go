package detect

import (
	"cmp"
	"math"
	"slices"
	"time"
)

// ringSize is how many buckets a tracker remembers: the long window plus the
// look-back used to estimate an outage's onset.
const ringSize = 64

// baseline is what a signal normally looks like, learnt from its own history:
//
//   - a seasonal shape: a level per UTC hour of day (memory ProfileMemory) and a
//     factor per day of the week (memory WeekMemory), so a quiet night, a busy
//     evening and a quiet Sunday each get their own expectation;
//   - a short-term level: how the last HalfLife compares with that shape (the
//     ratio of two running sums), so a busy day or a new normal after a news day
//     is followed within hours;
//   - the spread of its forecast errors, per window size, as the a of a negative
//     binomial variance mu + a·mu² (memory DispersionMemory).
//
// checkpoint.go encodes it.
type baseline struct {
	N      int64   // buckets learnt
	Events float64 // complaints learnt

	// Num/Den is the short-term level: running sums of counts and of their
	// seasonal expectation.
	Num, Den float64
	// Mean is the long-run mean count per bucket, corrected for the weekday; it
	// stands in for an hour of day not seen yet.
	Mean float64
	Hod  [24]float32 // level per UTC hour of day, corrected for the weekday
	HodN [24]int32   // buckets learnt per hour
	// WNum[d]/WDen[d] is the weekday factor: counts on day d against what the
	// hour-of-day levels expected.
	WNum, WDen [7]float32
	WN         [7]int32
	// Disp is the forecast-error spread for windows of one bucket, the short
	// window and the long window.
	Disp [3]spread
}

// spread estimates the a of a variance mu + a·mu² from forecast errors e of
// window sums with expectation mu, by weighted moments: each window says
// (e² - mu)/mu², weighted by (mu/(1+a·mu))², the inverse of its noise. A busy
// window counts no more than any other once mu is past 1/a, so an hour of high
// volume (a ramp, a news day) cannot blow the estimate up, while windows of a
// handful of complaints, which say little about a, count little.
type spread struct {
	Num, Den float32
	N        int64
}

// ewStep moves a running mean held in 32 bits a weight w towards v. The slow
// parts of a baseline (hour-of-day levels, weekday factors, spreads) are held
// in 32 bits: ample for averages, half the memory and checkpoint.
func ewStep(x float32, w, v float64) float32 {
	return float32(float64(x) + w*(v-float64(x)))
}

// a is the estimate, shrunk towards the prior a0 while few windows were seen.
func (s *spread) a(a0 float64, n0 float64) float64 {
	est := 0.0
	if s.Den > 0 {
		est = max(0, float64(s.Num)/float64(s.Den))
	}
	n := float64(s.N)
	return (n*est + n0*a0) / (n + n0)
}

// learn folds one window's forecast error in. The squared error is capped at
// winsor² variances, so one freak window moves the estimate by a bounded amount,
// while tails that keep coming (a bursty stream) still widen it.
func (s *spread) learn(obs, mu, a, w, winsor float64) {
	if mu <= 0 {
		return
	}
	e := obs - mu
	e2 := min(e*e, winsor*winsor*(mu+a*mu*mu))
	w = max(w, 1/float64(s.N+1))
	g := mu / (1 + a*mu)
	g *= g
	s.Num = ewStep(s.Num, w, g*(e2-mu)/(mu*mu))
	s.Den = ewStep(s.Den, w, g)
	s.N++
}

// episode is one past burst of a stream: when it ended and how big it was (its
// excess in minutes of the stream's average traffic).
type episode struct {
	At     int64
	Excess float32
	Len    int32 // buckets from its onset to its first quiet bucket, at least 1; 0: unknown (restored from checkpoint version 4)
}

// decision is the evidence of one burst decision, in buckets.
type decision struct {
	Reopen   bool    // a re-flare of the incident that ended last
	Window   int     // buckets
	Observed int     // authors in the window
	Expected float64 // baseline authors in the window
	P        float64 // tail probability of Observed
	PerMin   float64 // baseline per minute
	Phi      float64 // variance over mean of the window count
}

// tracker is one signal (a service, or a service in one country): counts per time
// bucket, its baseline, the burst decision and the open/quiet state that gives the
// lifecycle its hysteresis. checkpoint.go encodes it.
type tracker struct {
	Counts [ringSize]int32 // by bucket & (ringSize-1), for buckets Head-ringSize+1..Head
	Head   int64
	Base   baseline
	// Open: a burst episode is under way (significant and large) since Onset;
	// Alarmed: it is also rare for this stream, and an incident follows it.
	Open, Alarmed bool
	Onset         int64
	// OpenedAt is the bucket the episode opened in.
	OpenedAt int64
	// Excess is the episode's complaints above the baseline so far, in minutes of
	// the stream's average traffic (a 10-minute burst at 5 times the average is 40).
	Excess float64
	Dec    decision
	// Past holds the stream's recent episodes, alarmed or not (one entry per
	// episode), for the rarity test.
	Past []episode
	Peak int32
	// QuietRun buckets in a row have been quiet since QuietStart.
	QuietRun   int
	QuietStart int64
	// Suspect buckets in a row were elevated and not learnt.
	Suspect int
	// Zeros buckets in a row were empty; a run of them that the baseline makes
	// improbable (log-probability ZerosLogP) is a gap in the data (a source or
	// a collector down), not learnt.
	Zeros     int
	ZerosLogP float64
	// Held are the forecast errors of the suspect buckets, learnt if the spell
	// passes without a burst.
	Held []held
	// ResolvedAt is the bucket the last episode ended at (0: never), so a
	// re-flare soon after is the same episode; WasAlarmed says it was an incident.
	ResolvedAt int64
	WasAlarmed bool
	// Age is how many buckets the tracker has existed, for the rarity test's
	// exposure.
	Age int64

	p *params
	// tests is how many signals of one service are tested side by side (its
	// countries): each needs that many times the evidence (Bonferroni), or a
	// service followed in 30 countries would burst somewhere every day.
	tests  int
	thrAt  int64
	thrOK  bool
	lambda float64 // expected count per bucket
	disp   [3]float64
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
	adopt      int64
	reopen     int64
	warm       int64
	perHour    int
	perDay     int
	ewLevel    float64
	ewMean     float64
	ewHod      float64
	ewWeek     float64
	ewDisp     float64
	// rareEvery and episodeMemory, in buckets: see tracker.rare.
	rareEvery     float64
	longEpisode   float64 // LongEpisode in buckets
	episodeMemory float64
	floor         float64 // per bucket
	alpha         float64
	minK          int
	minRatio      float64
	quietAlpha    float64
	quietFrac     float64
	a0            float64
	winsor        float64
}

// halfLifeWeight is the per-update weight of a running mean whose memory halves
// after n updates.
func halfLifeWeight(n float64) float64 { return 1 - math.Exp2(-1/math.Max(1, n)) }

func newParams(c *Config, bucket time.Duration, service string) *params {
	n := func(d time.Duration, min int) int {
		k := int(math.Round(float64(d) / float64(bucket)))
		if k < min {
			k = min
		}
		return k
	}
	alpha, minK := c.forService(service)
	p := &params{
		bucket:     bucket,
		perMin:     bucket.Minutes(),
		short:      n(c.ShortWindow, 1),
		quiet:      n(c.QuietMinutes, 2),
		maxSuspect: n(30*time.Minute, 2),
		adopt:      int64(n(c.AdoptAfter, 1)),
		reopen:     int64(n(c.ReopenWithin, 0)),
		warm:       int64(n(c.Warmup, 2)),
		perHour:    n(time.Hour, 1),
		perDay:     n(24*time.Hour, 1),
		floor:      c.FloorPerMin * bucket.Minutes(),
		alpha:      alpha,
		minK:       minK,
		minRatio:   c.MinRatio,
		quietAlpha: c.QuietAlpha,
		quietFrac:  c.QuietFraction,
		a0:         0.25,
		winsor:     c.Winsor,
	}
	p.long = n(c.LongWindow, p.short+1)
	if p.long >= ringSize/2 {
		p.long = ringSize/2 - 1
	}
	p.ewLevel = halfLifeWeight(float64(c.HalfLife) / float64(bucket))
	// An hour-of-day slot is updated perHour times a day, a weekday slot perDay
	// times a week: their memories are counted in days and weeks of their own.
	p.ewHod = halfLifeWeight(c.ProfileMemory.Hours() / 24 * float64(p.perHour))
	p.ewMean = halfLifeWeight(c.ProfileMemory.Hours() / 24 * float64(p.perDay))
	p.ewWeek = halfLifeWeight(c.WeekMemory.Hours() / (24 * 7) * float64(p.perDay))
	p.ewDisp = halfLifeWeight(float64(c.DispersionMemory) / float64(bucket))
	p.rareEvery = float64(c.RareEvery) / float64(bucket)
	p.episodeMemory = float64(c.EpisodeMemory) / float64(bucket)
	p.longEpisode = float64(c.LongEpisode) / float64(bucket)
	return p
}

func (t *tracker) init(p *params) { t.p = p; t.thrOK = false }

// share says the signal is one of n tested side by side.
func (t *tracker) share(n int) {
	if t.tests != n {
		t.tests, t.thrOK = n, false
	}
}

func (t *tracker) count(b int64) int32 {
	if b > t.Head || b <= t.Head-ringSize {
		return 0
	}
	return t.Counts[b&(ringSize-1)]
}

// add counts n more in bucket b.
func (t *tracker) add(b int64, n int32) {
	switch {
	case b <= t.Head-ringSize:
		return // older than the ring remembers
	case b > t.Head:
		if b-t.Head >= ringSize {
			clear(t.Counts[:])
		} else {
			for x := t.Head + 1; x <= b; x++ {
				t.Counts[x&(ringSize-1)] = 0
			}
		}
		t.Head = b
	}
	t.Counts[b&(ringSize-1)] += n
}

func (t *tracker) clock(b int64) (hour, weekday int) {
	sec, day := t.secOfDay(b)
	return int(sec / 3600), int((day + 4) % 7) // 1 January 1970 was a Thursday
}

// secOfDay is bucket b's second of its UTC day and its day since 1970.
func (t *tracker) secOfDay(b int64) (sec, day int64) {
	if s := b * int64(t.p.bucket/time.Second); s >= 0 && t.p.bucket%time.Second == 0 {
		return s % 86400, s / 86400
	}
	u := time.Unix(0, b*int64(t.p.bucket)).UTC()
	return int64(u.Hour()*3600 + u.Minute()*60 + u.Second()), int64(u.Weekday()) + 3 // (day+4)%7 is the weekday
}

// slots places bucket b on the hour-of-day profile: the profile is piecewise
// linear between the middles of the hours, so bucket b lies a fraction f of the
// way from hour h0's middle to hour h1's (h1 = h0+1), and d is its weekday. A
// step at every full hour would make the expectation lag a daily ramp by up to
// an hour, and jump at the hour.
func (t *tracker) slots(b int64) (h0, h1 int, f float64, weekday int) {
	sec, day := t.secOfDay(b)
	x := (float64(sec)+t.p.bucket.Seconds()/2)/3600 - 0.5
	fl := math.Floor(x)
	h0 = (int(fl) + 24) % 24
	return h0, (h0 + 1) % 24, x - fl, int((day + 4) % 7) // 1 January 1970 was a Thursday
}

// hodAt is the hour-of-day expectation between the middles of hours h0 and h1.
func (b *baseline) hodAt(h0, h1 int, f, n0 float64) float64 {
	return (1-f)*b.hod(h0, n0) + f*b.hod(h1, n0)
}

// hod is the expected count per bucket at an hour of day before the weekday and
// the short-term level: the hour's own level, shrunk towards the long-run mean
// while the hour has been seen for less than an hour or so.
func (b *baseline) hod(h int, n0 float64) float64 {
	n := float64(b.HodN[h])
	return (n*float64(b.Hod[h]) + n0*b.Mean) / (n + n0)
}

// week is the weekday factor, shrunk towards 1 until the day was seen for a day.
func (b *baseline) week(d int, n0 float64) float64 {
	if b.WDen[d] <= 0 {
		return 1
	}
	n := float64(b.WN[d])
	return (n*float64(b.WNum[d])/float64(b.WDen[d]) + n0) / (n + n0)
}

// rates sets the expected count per bucket and the dispersion at bucket b.
func (t *tracker) rates(b int64) {
	h0, h1, f, d := t.slots(b)
	bs := &t.Base
	season := bs.hodAt(h0, h1, f, float64(t.p.perHour)) * bs.week(d, float64(t.p.perDay))
	level := 1.0
	if bs.Den > 0 {
		level = bs.Num / bs.Den
	}
	t.lambda = math.Max(season*level, t.p.floor)
	// The level is itself an estimate, from the events of its memory (about two
	// half-lives, fewer while young): a rate known from n events has a gamma
	// posterior, which makes the next count negative binomial with a = 1/(n+1).
	// A signal that has seen a handful of complaints has wide tails; a busy one
	// has the spread its forecast errors show.
	mem := min(float64(bs.N)+1, 2/t.p.ewLevel)
	param := 1 / (t.lambda*mem + 1)
	n0 := float64(t.p.perHour)
	for i := range t.disp {
		t.disp[i] = bs.Disp[i].a(t.p.a0, n0) + param
	}
}

// thresholds computes, once per bucket and after each change of the baseline, the
// smallest window counts that are a burst, so the per-post check is two compares.
func (t *tracker) thresholds(b int64) {
	if t.thrOK && t.thrAt == b {
		return
	}
	t.rates(b)
	t.thrS = t.burstAt(t.p.short, t.disp[1])
	t.thrL = t.burstAt(t.p.long, t.disp[2])
	t.quietK = threshold(t.lambda, t.disp[0], t.p.quietAlpha, 1)
	t.thrAt, t.thrOK = b, true
}

// burstAt is the smallest count in a window of w buckets that is a burst: both
// improbable under the baseline (tail probability below alpha with the window's
// own dispersion) and large against it (at least minRatio times the expected
// count), and never fewer than minK authors.
func (t *tracker) burstAt(w int, a float64) int {
	mu := t.lambda * float64(w)
	large := t.p.minRatio * mu
	return max(threshold(mu, a, t.p.alpha/float64(max(1, t.tests)), t.p.minK), int(math.Ceil(large)))
}

func (t *tracker) sum(b int64, n int) int {
	s := 0
	for i := int64(0); i < int64(n); i++ {
		s += int(t.count(b - i))
	}
	return s
}

// burst decides, at bucket b (inclusive, possibly still filling), whether an
// incident opens now. Causal: it uses only counts so far. A window that is both
// significant and large opens a burst episode; the episode raises an incident as
// soon as it is also rare for this stream (see rare), which may be at once or
// once it has grown. A re-flare soon after an incident ended raises it again.
func (t *tracker) burst(b int64) (decision, bool) {
	if t.Base.N < t.p.warm {
		return decision{}, false
	}
	if !t.Open {
		dec, ok := t.significant(b)
		if !ok {
			return decision{}, false
		}
		t.startEpisode(b, dec)
		if t.Alarmed {
			return t.Dec, true // a re-flare: the incident it continues reopens
		}
	}
	if t.Alarmed || !t.rare(b) {
		return decision{}, false
	}
	t.Alarmed = true
	return t.Dec, true
}

// significant tests the short and the long window ending at bucket b.
func (t *tracker) significant(b int64) (decision, bool) {
	t.thresholds(b)
	if s := t.sum(b, t.p.short); s >= t.thrS {
		return t.decision(t.p.short, s, t.disp[1]), true
	}
	if s := t.sum(b, t.p.long); s >= t.thrL {
		return t.decision(t.p.long, s, t.disp[2]), true
	}
	return decision{}, false
}

// up says the signal is significant and large at bucket b right now.
func (t *tracker) up(b int64) bool {
	if t.Base.N < t.p.warm {
		return false
	}
	_, ok := t.significant(b)
	return ok
}

func (t *tracker) decision(w, s int, a float64) decision {
	mu := t.lambda * float64(w)
	return decision{Window: w, Observed: s, Expected: mu, P: tailP(s, mu, a), PerMin: t.lambda / t.p.perMin, Phi: 1 + a*mu}
}

// startEpisode opens a burst episode at bucket b, with its onset walked back over
// the elevated buckets before it. Within ReopenWithin of the last episode's end
// it continues that episode instead (its size, and its incident if it had one).
func (t *tracker) startEpisode(b int64, dec decision) {
	onset := b
	for i := int64(1); i < ringSize-2; i++ {
		if !t.elevated(t.count(b - i)) {
			break
		}
		onset = b - i
	}
	t.Open, t.Alarmed, t.OpenedAt, t.Onset, t.QuietRun, t.Peak, t.Excess, t.Dec = true, false, b, onset, 0, 0, 0, dec
	t.Held = t.Held[:0] // the spell before it was the burst coming, not noise
	if t.ResolvedAt > 0 && b-t.ResolvedAt <= t.p.reopen && len(t.Past) > 0 {
		last := t.Past[len(t.Past)-1]
		t.Past = t.Past[:len(t.Past)-1]
		t.Excess = float64(last.Excess)
		t.Alarmed = t.WasAlarmed
		t.Dec.Reopen = t.WasAlarmed
	}
	for i := onset; i < b; i++ {
		t.Peak = max(t.Peak, t.count(i))
		t.Excess += t.excess(t.count(i))
	}
}

// excess is a bucket's count above the baseline in minutes of the stream's
// average traffic (its long-run mean, not the expectation of the hour): the
// same burst has the same size at night and at noon, and a quiet hour's low
// expectation does not inflate it.
func (t *tracker) excess(c int32) float64 {
	return max(0, float64(c)-t.lambda) / max(t.Base.Mean, t.p.floor) * t.p.perMin
}

// rare says the episode under way at bucket b is rare for this stream: episodes
// at least its size, or at least its length, happen less than once per
// RareEvery. Real streams burst often (bots, shows, news), so the burst decision
// alone would page every day on a busy one; the stream's own recent episodes,
// alarmed or not, say how often it bursts, how big its bursts get and how long
// they last. Their sizes (excess in minutes of average traffic) and their
// lengths are each taken to have a Pareto tail above their median, its index
// estimated from the episodes above the median (Hill's estimator, shrunk
// towards 1 while there are few); recent episodes weigh more (half-life
// EpisodeMemory). A stream that has not burst alarms on its first burst; a
// second burst alarms at once too; a stream that bursts every day alarms only
// on a burst far bigger than its usual, or, once it has lasted LongEpisode, far
// longer: complaints that stay up for hours on a stream whose bursts are short
// spikes (bots, one news item) are not its usual kind of burst, even while
// their sum is smaller than a spike's.
func (t *tracker) rare(b int64) bool {
	if len(t.Past) == 0 {
		return true
	}
	var ws [maxPast]float64
	var total float64
	for i, e := range t.Past {
		ws[i] = math.Exp2(-float64(b-e.At) / t.p.episodeMemory)
		total += ws[i]
	}
	m := t.p.episodeMemory / math.Ln2
	exposure := m * (1 - math.Exp2(-float64(t.Age)/t.p.episodeMemory))
	rate := total / (exposure + t.p.rareEvery) // episodes per bucket, with a prior of none in RareEvery
	size := t.Excess + t.excess(t.count(b))
	if rate*t.beyond(ws[:len(t.Past)], total, size, false) < 1/t.p.rareEvery {
		return true
	}
	long := float64(b - t.Onset)
	return long >= t.p.longEpisode && rate*t.beyond(ws[:len(t.Past)], total, long, true) < 1/t.p.rareEvery
}

// beyond is the weighted share of past episodes at least x in size (or, with
// byLen, in length, among the episodes whose length is known): 1 up to their
// median, then the Pareto tail above it.
func (t *tracker) beyond(ws []float64, total, x float64, byLen bool) float64 {
	if byLen {
		var known [maxPast]float64
		total = 0
		for i, e := range t.Past {
			if e.Len > 0 {
				known[i] = ws[i]
				total += ws[i]
			}
		}
		if total == 0 {
			return 1
		}
		ws = known[:len(ws)]
	}
	med := t.medianPast(ws, total, byLen)
	if x <= med {
		return 1
	}
	// Hill's estimator of the tail above the median, with a prior of one
	// episode at index 1 (sizes spread over a decade or so).
	num, den := 1.0, 1.0
	for i, e := range t.Past {
		if v := e.of(byLen); v > med {
			num += ws[i] * math.Log(v/med)
			den += ws[i]
		}
	}
	return 0.5 * math.Pow(x/med, -den/num)
}

// of is an episode's size, or with byLen its length.
func (e episode) of(byLen bool) float64 {
	if byLen {
		return float64(e.Len)
	}
	return float64(e.Excess)
}

// medianPast is the weighted median of the past episodes' sizes (or lengths).
func (t *tracker) medianPast(ws []float64, total float64, byLen bool) float64 {
	var idx [maxPast]int
	for i := range ws {
		idx[i] = i
	}
	sorted := idx[:len(ws)]
	slices.SortFunc(sorted, func(x, y int) int { return cmp.Compare(t.Past[x].of(byLen), t.Past[y].of(byLen)) })
	acc := 0.0
	for _, i := range sorted {
		acc += ws[i]
		if acc >= total/2 {
			return t.Past[i].of(byLen)
		}
	}
	return t.Past[sorted[len(sorted)-1]].of(byLen)
}

// endEpisode records the episode that ended at bucket b.
func (t *tracker) endEpisode(b int64) {
	if len(t.Past) >= maxPast {
		t.Past = append(t.Past[:0], t.Past[1:]...)
	}
	t.Past = append(t.Past, episode{At: b, Excess: float32(t.Excess), Len: int32(min(max(b-t.Onset, 1), math.MaxInt32))})
	t.ResolvedAt, t.WasAlarmed = b, t.Alarmed
	t.Open, t.Alarmed, t.QuietRun = false, false, 0
	t.thrOK = false
}

// maxPast bounds the episodes a tracker remembers; older ones weigh little.
const maxPast = 32

// elevatedAt says bucket b stands out from its own expectation (elevated). It
// needs only the rates of b, not the burst thresholds.
func (t *tracker) elevatedAt(b int64) bool {
	t.rates(b)
	t.thrOK = false
	return t.elevated(t.count(b))
}

// elevated says a single bucket stands out from the baseline (about two standard
// deviations); it is used to walk back to an outage's onset.
func (t *tracker) elevated(c int32) bool {
	l := t.lambda
	return float64(c) > l+2*math.Sqrt(l+t.disp[0]*l*l) && c >= 1
}

// open makes the signal's episode at bucket b an incident (opening the episode
// first if none is under way, for a signal that takes over an incident) and
// returns its onset bucket.
func (t *tracker) open(b int64) int64 {
	if !t.Open {
		t.thresholds(b)
		t.startEpisode(b, decision{})
	}
	t.Alarmed = true
	for i := t.Onset; i <= b; i++ {
		t.Peak = max(t.Peak, t.count(i))
	}
	return t.Onset
}

// close makes bucket b final. Outside an episode it is learnt into the baseline
// (when learn is set); inside one it adds to the episode's size and counts quiet
// buckets, and after enough of them the episode ends; resolved reports an ended
// episode that was an incident, with its first quiet bucket. Buckets inside an
// episode are not learnt, unless it has lasted AdoptAfter: a level that stays up
// that long is a new normal, and learning it lets the episode end.
func (t *tracker) close(b int64, learn bool) (resolvedAt int64, resolved bool) {
	t.Age++
	c := t.count(b)
	if !t.Open {
		if learn && !t.dormant(b, c) {
			t.learnBucket(b, c)
		}
		return 0, false
	}
	t.thresholds(b)
	t.Peak = max(t.Peak, c)
	if b < t.OpenedAt {
		return 0, false // a bucket before the alarm, made final late: not evidence of recovery
	}
	t.Excess += t.excess(c)
	if b-t.OpenedAt >= t.p.adopt {
		t.Suspect = t.p.maxSuspect // adopting: no more holding back
		t.learnBucket(b, c)
		t.thresholds(b)
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
	if t.QuietRun < t.p.quiet {
		return 0, false
	}
	alarmed := t.Alarmed
	t.endEpisode(t.QuietStart)
	return t.QuietStart, alarmed
}

// fallAt is when an episode that went quiet at bucket quiet really ended: the
// bucket after the last one that still held at least half the episode's level
// (the median count of its last half hour, up to quiet). Complaints do not stop
// when a service recovers: late posts, "still down?" and retries decay over
// minutes, and the first quiet bucket comes only at the end of that tail, or
// later when a stray bump interrupts the quiet run. The fall from the plateau is
// when people stopped finding it broken. Never later than quiet.
func (t *tracker) fallAt(quiet int64) int64 {
	const lookback = 30
	from := max(t.Onset, quiet-lookback, t.Head-ringSize+1)
	if quiet-from < 3 {
		return quiet
	}
	var buf [lookback]int32
	cs := buf[:0]
	for b := from; b < quiet; b++ {
		cs = append(cs, t.count(b))
	}
	slices.Sort(cs)
	half := float64(cs[len(cs)/2]) / 2
	for b := quiet - 1; b >= from; b-- {
		if c := t.count(b); float64(c) >= half && int(c) >= t.quietK && float64(c) > t.p.quietFrac*float64(t.Peak) {
			return b + 1
		}
	}
	return quiet
}

// dormant says bucket b teaches nothing worth the work: it is empty, so is the
// long window before it, and the expectation is already at the floor (a quiet
// service among thousands). Such a bucket only counts as history; once an hour a
// dormant signal still learns one, so its profile follows the day.
func (t *tracker) dormant(b int64, c int32) bool {
	if c != 0 {
		return false
	}
	// The expectation of bucket b itself, not whatever the last decision left
	// (a restored tracker has none): what is learnt must not depend on when the
	// detector last started.
	t.rates(b)
	t.thrOK = false
	if t.lambda > t.p.floor || b%int64(t.p.perHour) == 0 || t.Base.N < t.p.warm || t.sum(b, t.p.long) != 0 {
		return false
	}
	t.Base.N++
	return true
}

// learnBucket folds the final count c of bucket b into the baseline.
func (t *tracker) learnBucket(b int64, c int32) {
	// rates(b) overwrites the rates of the bucket the thresholds were made for:
	// make them again when next needed, or a decision in the open bucket reads
	// the closed bucket's expectation (and a restarted detector, which makes them
	// afresh, would disagree with one that never stopped).
	t.rates(b)
	t.thrOK = false
	p := t.p
	mu := t.lambda
	if t.gap(c) {
		return
	}
	errs := t.windowErrors(b, mu)
	// A window already half as high again as expected, and elevated at the 1%
	// level, is suspect: do not learn it, so a slowly building outage cannot
	// teach the baseline to expect it. Its forecast errors wait: if the spell
	// ends without a burst it was the stream's own noise, and they teach the
	// spread then. After maxSuspect buckets in a row it is the new normal, and
	// learnt. A baseline that has seen few complaints yet is still finding the
	// level: it holds nothing back.
	settled := t.Base.Events >= settledEvents
	if settled && t.Suspect < p.maxSuspect && (t.suspect(b, p.short, t.disp[1]) || t.suspect(b, p.long, t.disp[2])) {
		t.Suspect++
		t.Held = append(t.Held, errs)
		return
	}
	if t.Suspect < p.maxSuspect {
		t.Suspect = 0
	} else if float64(c) <= mu {
		t.Suspect = 0 // the adopted level is reached: hold back bursts again
	}
	for _, h := range t.Held {
		t.learnErrors(h)
	}
	t.Held = t.Held[:0]
	t.learnErrors(errs)
	// Once settled, clip, so a bump below the alarm threshold does not teach the
	// baseline to expect the next one: at most suspectRatio times the
	// expectation (or three Poisson deviations above it, for a handful), and
	// never beyond three of the stream's own deviations. A slow rise, which
	// never looks like a burst in any one bucket, is then followed at a bounded
	// pace instead of at its own.
	v := float64(c)
	if settled {
		v = min(v, mu+3*math.Sqrt(mu+t.disp[0]*mu*mu)+1, clipAt(mu))
	}
	t.Base.learn(t, b, v)
	t.thrOK = false
}

// held is the forecast error of the windows of one bucket, for the spread.
type held struct {
	Obs, Mu [3]float32
}

// windowErrors is what the windows of one bucket, the short and the long window
// ending at bucket b held against what was expected.
func (t *tracker) windowErrors(b int64, mu float64) held {
	var h held
	for i, w := range [3]int{1, t.p.short, t.p.long} {
		h.Obs[i], h.Mu[i] = float32(t.sum(b, w)), float32(mu*float64(w))
	}
	return h
}

// learnErrors teaches the spread one bucket's forecast errors, once the level is
// past its first hour (its first forecasts are guesses).
func (t *tracker) learnErrors(h held) {
	if t.Base.N < int64(max(t.p.perHour, int(t.p.warm))) {
		return
	}
	for i := range h.Obs {
		t.Base.Disp[i].learn(float64(h.Obs[i]), float64(h.Mu[i]), t.disp[i], t.p.ewDisp, t.p.winsor)
	}
}

// suspect says the window of w buckets ending at b is elevated: half as high
// again as expected and improbable at the 1% level.
func (t *tracker) suspect(b int64, w int, a float64) bool {
	n, m := t.sum(b, w), t.lambda*float64(w)
	return float64(n) > suspectRatio*m && tailP(n, m, a) < 0.01
}

// suspectRatio is how many times its expectation a window must hold to be
// suspect, and the most a learnt bucket may count for.
const suspectRatio = 1.5

// clipAt is the most a bucket expected to hold mu teaches a settled baseline.
func clipAt(mu float64) float64 { return max(suspectRatio*mu, mu+3*math.Sqrt(mu)+1) }

// gap says bucket count c continues a run of empty buckets that the baseline
// makes improbable (below 1e-3, each bucket judged by the baseline of its time):
// a gap in the data, such as a source or collector that is down, is not a quiet
// spell to learn, or the return of normal traffic would look like a burst. A run
// longer than AdoptAfter is learnt: the stream has really gone quiet.
func (t *tracker) gap(c int32) bool {
	if c != 0 {
		t.Zeros, t.ZerosLogP = 0, 0
		return false
	}
	t.Zeros++
	if int64(t.Zeros) > t.p.adopt {
		return false
	}
	a, mu := t.disp[0], t.lambda
	if a > 1e-9 { // log P(X = 0), negative binomial
		t.ZerosLogP -= math.Log1p(a*mu) / a
	} else {
		t.ZerosLogP -= mu
	}
	return t.ZerosLogP < math.Log(1e-3)
}

// learn folds one clipped count v of bucket b into the seasonal shape and level.
func (bs *baseline) learn(t *tracker, b int64, v float64) {
	p := t.p
	h0, h1, f, d := t.slots(b)
	wk := bs.week(d, float64(p.perDay))
	hod := bs.hodAt(h0, h1, f, float64(p.perHour))
	u := v / wk // corrected for the weekday
	// The hour's level learns at most what clipAt allows against its own
	// expectation: a spell the short-term level is following must not also
	// raise the hour's level at the same pace (that feedback lets a slow ramp
	// teach the baseline to expect it).
	u = min(u, clipAt(hod))
	bs.Mean += math.Max(p.ewMean, 1/float64(bs.N+1)) * (u - bs.Mean)
	// Each of the two hours moves towards u by its share of the bucket.
	for _, s := range [2]struct {
		h int
		w float64
	}{{h0, 1 - f}, {h1, f}} {
		bs.Hod[s.h] = ewStep(bs.Hod[s.h], s.w*math.Max(p.ewHod, 1/float64(bs.HodN[s.h]+1)), u)
	}
	if f < 0.5 {
		bs.HodN[h0]++
	} else {
		bs.HodN[h1]++
	}
	ww := math.Max(p.ewWeek, 1/float64(bs.WN[d]+1))
	bs.WNum[d] = ewStep(bs.WNum[d], ww, v)
	bs.WDen[d] = ewStep(bs.WDen[d], ww, hod)
	bs.WN[d]++
	wl := math.Max(p.ewLevel, 1/float64(bs.N+1))
	bs.Num += wl * (v - bs.Num)
	bs.Den += wl * (hod*wk - bs.Den)
	bs.N++
	bs.Events = min(bs.Events+v, 1e12)
}

// settledEvents is how many complaints a baseline must have learnt before it
// holds back elevated buckets and clips bumps: until then it is finding the
// level, and holding back would keep it at the floor.
const settledEvents = 20
