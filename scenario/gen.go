package scenario

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/downwatch/downwatch"
)

// rng is the generator's random source: PCG seeded from the scenario's Seed.
type rng struct{ *rand.Rand }

func newRNG(seed int64) *rng {
	return &rng{rand.New(rand.NewPCG(uint64(seed), 0x646f776e77617463))} // "downwatc"
}

func (r *rng) chance(p float64) bool { return r.Float64() < p }

// poisson draws from a Poisson distribution with mean lam: Knuth's method for small
// means, a rounded normal approximation for large ones.
func (r *rng) poisson(lam float64) int {
	switch {
	case lam <= 0:
		return 0
	case lam < 30:
		l, k, p := math.Exp(-lam), 0, r.Float64()
		for p > l {
			k++
			p *= r.Float64()
		}
		return k
	default:
		n := math.Round(lam + math.Sqrt(lam)*r.NormFloat64())
		if n < 0 {
			return 0
		}
		return int(n)
	}
}

// postKind says why the generator wrote a post; tests use it to check the ground truth.
type postKind uint8

const (
	kindNoise     postKind = iota
	kindChatter            // names a service, no outage language
	kindComplaint          // says a service is broken (background or outage)
	kindTail               // "still down?" after an outage's End
	kindRecovered          // "back now"
	kindAck                // the official or news acknowledgement
	kindRepost             // a repost of an acknowledgement
	kindTrap               // part of a trap
)

// meta is what the generator knows about a post beyond the post itself.
type meta struct {
	kind    postKind
	service string
	outage  int // index into Scenario.Outages, -1 for background
	trap    int // index into Scenario.Traps, -1 when not a trap post
}

type pending struct {
	post    downwatch.Post
	meta    meta
	seq     int64
	arrival int64 // Unix ms at which the post is emitted
}

type bgState struct {
	b       Background
	svc     *svc
	regions []Region // weights normalised to sum 1
	// A shaped background's curve, the complaints' multiplier and the index in the
	// Truth's traps of its news-chatter trap.
	curve     *curve
	mult      lognormal
	looseTrap int
}

type outState struct {
	spec     OutageSpec
	idx      int
	svc      *svc
	mix      []Region
	ramp     time.Duration
	tail     time.Duration
	sag      float64
	recent   []author // recent complainers, some of whom post again
	lastLvl  float64  // level in the last minute before End
	ackText  string
	ackID    string
	ackAgent string
}

type trapState struct {
	spec   TrapSpec
	idx    int
	svc    *svc
	mix    []Region // other-subject and news-jokes: where the posts come from
	origID string
	orig   string // original post's text (repost storm, shutting down)
	by     string // original post's author
	perMin float64
}

// generator holds one run's state; it is created by Generate and dropped after.
type generator struct {
	s      Scenario
	r      *rng
	start  time.Time
	nMin   int
	seq    int64
	pend   []pending
	bg     []bgState
	outs   []outState
	traps  []trapState
	noise  []Region
	diurn  [25]float64 // hourly daily-cycle multipliers, mean 1, [24] == [0]
	emitFn func(downwatch.Post, meta) error
}

// hourly is the shape of a day's activity in local time, trough ~04:00, peak ~21:00.
var hourly = [24]float64{0.75, 0.5, 0.35, 0.25, 0.22, 0.28, 0.45, 0.7, 0.95, 1.1, 1.15, 1.2, 1.2, 1.15, 1.1, 1.1, 1.15, 1.25, 1.35, 1.5, 1.6, 1.65, 1.45, 1.1}

func newGenerator(s Scenario) (*generator, error) {
	g := &generator{
		s:     s,
		r:     newRNG(s.Seed),
		start: s.Start.UTC().Truncate(time.Minute),
		nMin:  int(s.Duration / time.Minute),
		noise: normalise(mixSocial),
	}
	var sum float64
	for _, v := range hourly {
		sum += v
	}
	for i := range 25 {
		g.diurn[i] = hourly[i%24] * 24 / sum
	}
	loose := len(s.Traps) // the news-chatter traps follow the scenario's own in the Truth
	for _, b := range s.Background {
		st, err := g.newBackground(b)
		if err != nil {
			return nil, fmt.Errorf("scenario %s: background %s: %w", s.Name, b.Service, err)
		}
		if st.curve != nil && b.Shape.loose() > 0 {
			st.looseTrap = loose
			loose++
		}
		g.bg = append(g.bg, st)
	}
	for i, o := range s.Outages {
		g.outs = append(g.outs, newOutage(i, o))
	}
	for i, t := range s.Traps {
		g.traps = append(g.traps, newTrap(i, t))
	}
	return g, nil
}

// newBackground prepares one background; a shaped one reads its stretch of the series.
func (g *generator) newBackground(b Background) (bgState, error) {
	sv := service(b.Service)
	regs := b.Regions
	if regs == nil {
		regs = sv.regions
	}
	st := bgState{b: b, svc: sv, regions: normalise(regs), looseTrap: -1}
	if b.Shape != nil {
		c, err := newCurve(*b.Shape, g.nMin)
		if err != nil {
			return st, err
		}
		st.curve, st.mult = c, newLognormal(g.r, b.Shape.noise())
	}
	return st, nil
}

// newOutage fills in the defaults of outage i.
func newOutage(i int, o OutageSpec) outState {
	st := outState{spec: o, idx: i, svc: service(o.Service), mix: normalise(o.mix()), ramp: o.Ramp, tail: o.Tail, sag: o.Sag}
	if st.ramp <= 0 {
		st.ramp = 2 * time.Minute
	}
	if st.tail <= 0 {
		st.tail = 12 * time.Minute
	}
	switch {
	case st.sag == 0:
		st.sag = 0.25
	case st.sag < 0:
		st.sag = 0
	}
	st.ackText = o.AckText
	if st.ackText == "" && o.AckBy != "" {
		st.ackText = defaultAck(o.AckBy, st.svc, o.Symptoms)
	}
	return st
}

// newTrap fills in the defaults of trap i from its kind.
func newTrap(i int, t TrapSpec) trapState {
	d := trapDefaults[t.Kind]
	st := trapState{spec: t, idx: i, perMin: t.PerMin}
	if t.Service == "" {
		st.spec.Service = d.service
	}
	if st.spec.Service != "" {
		st.svc = service(st.spec.Service)
	}
	if st.perMin <= 0 {
		st.perMin = d.perMin
	}
	switch {
	case t.Mix != nil:
		st.mix = normalise(t.Mix)
	case st.svc != nil:
		st.mix = normalise(st.svc.regions)
	default:
		st.mix = normalise(mixSocial)
	}
	return st
}

// mix returns where the outage's complaints come from.
func (o OutageSpec) mix() []Region {
	if o.Mix != nil {
		return o.Mix
	}
	langs := o.Langs
	if len(langs) == 0 {
		langs = []string{"en"}
	}
	var regs []Region
	for i, l := range langs {
		c := o.Country
		if c == "" {
			c = langCountry[l]
		}
		regs = append(regs, Region{Country: c, Weight: 1 / float64(i+1), Langs: []string{l}})
	}
	return regs
}

// mixLangs lists the post languages a mix produces, in order of first appearance.
func mixLangs(regs []Region) []string {
	var out []string
	for _, r := range regs {
		for _, l := range r.Langs {
			if l == "hi-Latn" {
				l = "hi"
			}
			if !slices.Contains(out, l) {
				out = append(out, l)
			}
		}
	}
	return out
}

func normalise(regs []Region) []Region {
	var sum float64
	for _, r := range regs {
		sum += r.Weight
	}
	out := make([]Region, len(regs))
	for i, r := range regs {
		out[i] = r
		if sum > 0 {
			out[i].Weight = r.Weight / sum
		} else {
			out[i].Weight = 1 / float64(len(regs))
		}
		if len(out[i].Langs) == 0 {
			out[i].Langs = []string{"en"}
		}
	}
	return out
}

// cycle is the daily-cycle multiplier at t for a region at utcOffset hours.
func (g *generator) cycle(t time.Time, utcOffset, swing float64) float64 {
	switch {
	case swing == 0:
		swing = 1
	case swing < 0:
		return 1
	}
	h := float64(t.Hour()) + float64(t.Minute())/60 + utcOffset
	h = math.Mod(h+48, 24)
	i := int(h)
	f := h - float64(i)
	v := g.diurn[i]*(1-f) + g.diurn[i+1]*f
	return 1 + swing*(v-1)
}

func (g *generator) run(emit func(downwatch.Post, meta) error) error {
	g.emitFn = emit
	for m := range g.nMin {
		t0 := g.start.Add(time.Duration(m) * time.Minute)
		mid := t0.Add(30 * time.Second)
		for i := range g.bg {
			g.background(&g.bg[i], m, t0, mid)
		}
		if g.s.NoisePerMin > 0 {
			for _, reg := range g.noise {
				n := g.r.poisson(g.s.NoisePerMin * reg.Weight * g.cycle(mid, reg.UTCOffset, 0))
				for range n {
					lang := reg.Langs[g.r.IntN(len(reg.Langs))]
					a := g.newAuthor(reg.Country)
					g.add(a, t0, lang, pick(g.r, noise, lang), meta{kind: kindNoise, outage: -1, trap: -1})
				}
			}
		}
		for i := range g.outs {
			g.outage(&g.outs[i], t0, mid)
		}
		for i := range g.traps {
			g.trap(&g.traps[i], t0, mid)
		}
		if err := g.flush(t0.Add(time.Minute).UnixMilli()); err != nil {
			return err
		}
	}
	return g.flush(math.MaxInt64)
}

// flush emits, in arrival order, every pending post that arrives before limit.
func (g *generator) flush(limit int64) error {
	slices.SortFunc(g.pend, func(a, b pending) int {
		if a.arrival != b.arrival {
			if a.arrival < b.arrival {
				return -1
			}
			return 1
		}
		return int(a.seq - b.seq)
	})
	n := 0
	for n < len(g.pend) && g.pend[n].arrival < limit {
		if err := g.emitFn(g.pend[n].post, g.pend[n].meta); err != nil {
			return err
		}
		n++
	}
	rest := copy(g.pend, g.pend[n:])
	clear(g.pend[rest:])
	g.pend = g.pend[:rest]
	return nil
}

func (g *generator) newAuthor(country string) author {
	return author(uint64(countryIndex(country))*authorSpan + g.r.Uint64N(authorSpan))
}

// add queues a post by a at a random moment of the minute starting at t0.
func (g *generator) add(a author, t0 time.Time, lang, text string, m meta) *pending {
	return g.addAt(a, t0.Add(time.Duration(g.r.Int64N(60000))*time.Millisecond), lang, text, m)
}

// addAt queues a post by a at event time at.
func (g *generator) addAt(a author, at time.Time, lang, text string, m meta) *pending {
	g.seq++
	src := a.source()
	p := downwatch.Post{
		ID:              "sim-" + strconv.FormatInt(g.seq, 10),
		Source:          src,
		Author:          a.handle(),
		Text:            text,
		CreatedAt:       at,
		Lang:            g.postLang(lang, src),
		AuthorVerified:  a.verified(),
		AuthorFollowers: a.followers(),
	}
	if a.countryKnown() {
		p.Country = a.country()
	}
	return g.queue(p, m)
}

// queue adds a finished post, deciding whether it arrives late.
func (g *generator) queue(p downwatch.Post, m meta) *pending {
	arr := p.CreatedAt.UnixMilli()
	if l := g.s.Late; l.Fraction > 0 && g.r.chance(l.Fraction) {
		arr += l.Min.Milliseconds() + g.r.Int64N(l.Max.Milliseconds()-l.Min.Milliseconds()+1)
	}
	g.pend = append(g.pend, pending{post: p, meta: m, seq: g.seq, arrival: arr})
	return &g.pend[len(g.pend)-1]
}

// postLang is the language tag the source reports for a post written in lang.
func (g *generator) postLang(lang, src string) string {
	if lang == "hi-Latn" {
		// Sources tag romanised Hindi as Hindi or English, sometimes as undetermined.
		switch u := g.r.IntN(10); {
		case u < 5:
			lang = "hi"
		case u < 8:
			lang = "en"
		default:
			lang = "und"
		}
	}
	if src == "mastodon" && g.r.IntN(3) == 0 {
		return "" // many Mastodon posts carry no language
	}
	return lang
}

// background writes minute m of a service's everyday traffic.
func (g *generator) background(b *bgState, m int, t0, mid time.Time) {
	if b.curve != nil {
		g.shapedBackground(b, m, t0, mid)
		return
	}
	f := shiftFactor(b.b.Shifts, mid)
	for _, reg := range b.regions {
		c := g.cycle(mid, reg.UTCOffset, b.b.Swing) * f
		for range g.r.poisson(b.b.ComplaintsPerMin * reg.Weight * c) {
			lang := reg.Langs[g.r.IntN(len(reg.Langs))]
			text := g.complaint(b.svc, lang, b.svc.symptoms, 0.04)
			g.add(g.newAuthor(reg.Country), t0, lang, text, meta{kind: kindComplaint, service: b.svc.id, outage: -1, trap: -1})
		}
		for range g.r.poisson(b.b.ChatterPerMin * reg.Weight * c) {
			lang := reg.Langs[g.r.IntN(len(reg.Langs))]
			text := fill(pick(g.r, chatterFor(b.svc.kind), lang), b.svc.name(g.r, lang), b.svc.company, b.svc.ticker)
			g.add(g.newAuthor(reg.Country), t0, lang, text, meta{kind: kindChatter, service: b.svc.id, outage: -1, trap: -1})
		}
	}
}

// shapedBackground writes minute m of a background that follows a real series (Shape):
// complaints around the smoothed curve times the multiplier, chatter along the raw
// series, and the loose outage words of its spikes.
func (g *generator) shapedBackground(b *bgState, m int, t0, mid time.Time) {
	f := shiftFactor(b.b.Shifts, mid)
	sv := b.svc
	bgMeta := meta{kind: kindComplaint, service: sv.id, outage: -1, trap: -1}
	for range g.r.poisson(g.meanComplaints(b, m) * b.mult.next(g.r)) {
		reg, lang := g.region(b.regions)
		g.add(g.newAuthor(reg.Country), t0, lang, g.complaint(sv, lang, sv.symptoms, 0.04), bgMeta)
	}
	bgMeta.kind = kindChatter
	for range g.r.poisson(b.b.ChatterPerMin * b.curve.chatter[m] * f) {
		reg, lang := g.region(b.regions)
		text := fill(pick(g.r, chatterFor(sv.kind), lang), sv.name(g.r, lang), sv.company, sv.ticker)
		g.add(g.newAuthor(reg.Country), t0, lang, text, bgMeta)
	}
	if b.looseTrap < 0 {
		return
	}
	trapMeta := meta{kind: kindTrap, service: sv.id, outage: -1, trap: b.looseTrap}
	for range g.r.poisson(b.b.ChatterPerMin * b.curve.loose[m] * f * b.b.Shape.loose()) {
		reg, lang := g.region(b.regions)
		g.add(g.newAuthor(reg.Country), t0, lang, g.looseText(sv, lang), trapMeta)
	}
}

// meanComplaints is the expected number of a background's complaints in minute m, before
// a shaped background's multiplier.
func (g *generator) meanComplaints(b *bgState, m int) float64 {
	mid := g.start.Add(time.Duration(m)*time.Minute + 30*time.Second)
	f := shiftFactor(b.b.Shifts, mid)
	if b.curve != nil {
		return b.b.ComplaintsPerMin * b.curve.complaints[m] * f
	}
	var sum float64
	for _, reg := range b.regions {
		sum += b.b.ComplaintsPerMin * reg.Weight * g.cycle(mid, reg.UTCOffset, b.b.Swing) * f
	}
	return sum
}

// region picks a region of regs by weight, and a language of it.
func (g *generator) region(regs []Region) (Region, string) {
	u := g.r.Float64()
	reg := regs[len(regs)-1]
	for _, x := range regs {
		if u < x.Weight {
			reg = x
			break
		}
		u -= x.Weight
	}
	return reg, reg.Langs[g.r.IntN(len(reg.Langs))]
}

func chatterFor(kind string) map[string][]string {
	if c, ok := chatter[kind]; ok {
		return c
	}
	return chatter["social"]
}

// complaint writes one complaint about sv in lang, naming one of symptoms about half
// the time, with a hashtag with probability tagP.
func (g *generator) complaint(sv *svc, lang string, symptoms []string, tagP float64) string {
	r := g.r
	var tpl string
	u := r.Float64()
	if ex, ok := complaintExtra[sv.id][lang]; ok && u < 0.15 {
		tpl = ex[r.IntN(len(ex))]
	} else if u < 0.6 && len(symptoms) > 0 {
		// The first symptom is the most common.
		sym := symptoms[0]
		if len(symptoms) > 1 && r.IntN(2) == 0 {
			sym = symptoms[r.IntN(len(symptoms))]
		}
		if ts, ok := complaintSymptom[sym][lang]; ok {
			tpl = ts[r.IntN(len(ts))]
		}
	}
	if tpl == "" {
		tpl = pick(r, complaintGeneric, lang)
	}
	return g.decorate(fill(tpl, sv.name(r, lang), sv.company, sv.ticker), sv, lang, tagP)
}

// decorate adds what people add to complaints: a mention of the official account,
// punctuation or an emoji, a hashtag.
func (g *generator) decorate(text string, sv *svc, lang string, tagP float64) string {
	r := g.r
	if (lang == "en" || lang == "es" || lang == "pt") && r.IntN(20) == 0 {
		text = "@" + sv.official + " " + text
	}
	if r.IntN(10) < 3 {
		if lang == "en" && r.IntN(4) == 0 {
			text += suffixEn[r.IntN(len(suffixEn))]
		} else {
			text += suffixAny[r.IntN(len(suffixAny))]
		}
	}
	if r.chance(tagP) {
		text += " " + sv.hashtag
	}
	return text
}

// level is the outage's complaint rate at mid as a fraction of its peak, before End.
func (o *outState) level(mid time.Time, jitter float64) float64 {
	sp := o.spec
	if mid.Before(sp.Start) || !mid.Before(sp.End) {
		return 0
	}
	dt := mid.Sub(sp.Start)
	l := 1.0
	if dt < o.ramp {
		l = float64(dt) / float64(o.ramp)
	}
	l *= 1 - o.sag*float64(dt)/float64(sp.End.Sub(sp.Start))
	for _, d := range sp.Dips {
		if !mid.Before(d.Start) && mid.Before(d.End) {
			l *= 0.04
		}
	}
	return l * jitter
}

func (g *generator) outage(o *outState, t0, mid time.Time) {
	sp := o.spec
	if t0.Add(time.Minute).After(sp.Start) && t0.Before(sp.End.Add(o.tail)) {
		g.outageMinute(o, t0, mid)
	}
	if sp.AckAt != nil && o.inMinute(*sp.AckAt, t0) {
		g.ack(o)
	}
	g.ackReposts(o, t0)
}

// outageMinute writes one minute of an outage's complaints, or of its tail after End.
func (g *generator) outageMinute(o *outState, t0, mid time.Time) {
	sp := o.spec
	r := g.r
	m := meta{kind: kindComplaint, service: sp.Service, outage: o.idx, trap: -1}
	if mid.Before(sp.End) {
		lvl := o.level(mid, 0.88+0.12*r.Float64())
		o.lastLvl = lvl
		for range r.poisson(sp.PeakPerMin * lvl) {
			a, lang := g.outageAuthor(o)
			p := g.add(a, t0, lang, g.complaint(o.svc, lang, sp.Symptoms, 0.2), m)
			if o.ackID != "" && r.IntN(40) == 0 {
				p.post.ReplyTo = o.ackID // "still not working" under the acknowledgement
			}
		}
		return
	}
	// Tail: complaints decay, "still down?" and then "back now" posts.
	dt := mid.Sub(sp.End).Minutes()
	for range r.poisson(sp.PeakPerMin * o.lastLvl * math.Exp(-dt/3)) {
		a, lang := g.outageAuthor(o)
		if r.IntN(10) < 6 {
			tm := m
			tm.kind = kindTail
			g.add(a, t0, lang, g.decorate(fill(pick(r, stillDown, lang), o.svc.name(r, lang), "", ""), o.svc, lang, 0.05), tm)
		} else {
			g.add(a, t0, lang, g.complaint(o.svc, lang, sp.Symptoms, 0.1), m)
		}
	}
	for range r.poisson(sp.PeakPerMin * 0.3 * math.Exp(-dt/5)) {
		a, lang := g.outageAuthor(o)
		rm := m
		rm.kind = kindRecovered
		g.add(a, t0, lang, fill(pick(r, recovered, lang), o.svc.name(r, lang), "", ""), rm)
	}
}

func (o *outState) inMinute(t, t0 time.Time) bool {
	return !t.Before(t0) && t.Before(t0.Add(time.Minute))
}

// outageAuthor picks who complains next: mostly someone new from the outage's mix,
// sometimes someone who already complained.
func (g *generator) outageAuthor(o *outState) (author, string) {
	r := g.r
	if len(o.recent) > 50 && r.IntN(10) == 0 {
		a := o.recent[r.IntN(len(o.recent))]
		return a, g.langOf(o, a)
	}
	u := r.Float64()
	reg := o.mix[len(o.mix)-1]
	for _, x := range o.mix {
		if u < x.Weight {
			reg = x
			break
		}
		u -= x.Weight
	}
	a := g.newAuthor(reg.Country)
	if len(o.recent) < 4096 {
		o.recent = append(o.recent, a)
	} else {
		o.recent[r.IntN(len(o.recent))] = a
	}
	return a, reg.Langs[int(mix64(uint64(a))>>52)%len(reg.Langs)]
}

// langOf is the language a repeat complainer writes in: the one they wrote in first.
func (g *generator) langOf(o *outState, a author) string {
	c := a.country()
	for _, reg := range o.mix {
		if reg.Country == c {
			return reg.Langs[int(mix64(uint64(a))>>52)%len(reg.Langs)]
		}
	}
	return o.mix[0].Langs[0]
}

func (g *generator) ack(o *outState) {
	sp := o.spec
	country := ""
	if na, ok := newsAgencies[sp.AckBy]; ok {
		country = na.country
	}
	g.seq++
	p := downwatch.Post{
		ID: "sim-" + strconv.FormatInt(g.seq, 10), Source: "x", Author: sp.AckBy, Text: o.ackText,
		CreatedAt: *sp.AckAt, Lang: "en", Country: country, AuthorVerified: true, AuthorFollowers: 7_600_000,
	}
	o.ackID = p.ID
	o.ackAgent = sp.AckBy
	g.queue(p, meta{kind: kindAck, service: sp.Service, outage: o.idx, trap: -1})
}

// ackReposts writes the reposts of an acknowledgement over the half hour after it.
func (g *generator) ackReposts(o *outState, t0 time.Time) {
	if o.ackID == "" {
		return
	}
	dt := t0.Sub(*o.spec.AckAt).Minutes()
	if dt < 0 || dt > 30 {
		return
	}
	lam := math.Max(2, o.spec.PeakPerMin/20) * math.Exp(-dt/8)
	for range g.r.poisson(lam) {
		a, _ := g.outageAuthor(o)
		at := t0.Add(time.Duration(g.r.Int64N(60000)) * time.Millisecond)
		if at.Before(*o.spec.AckAt) {
			at = o.spec.AckAt.Add(time.Duration(1+g.r.IntN(20)) * time.Second)
		}
		p := g.addAt(a, at, "en", "RT @"+o.ackAgent+": "+o.ackText, meta{kind: kindRepost, service: o.spec.Service, outage: o.idx, trap: -1})
		p.post.RepostOf = o.ackID
	}
}

// defaultAck writes an acknowledgement in the style of its author: a news agency
// quoting the company, or the service's own account.
func defaultAck(by string, sv *svc, symptoms []string) string {
	name := sv.names[""][0]
	trouble := "accessing " + name
	if len(symptoms) > 0 {
		switch symptoms[0] {
		case "send-messages":
			trouble = "sending messages"
		case "login":
			trouble = "logging in to " + name
		case "load":
			trouble = "loading " + name
		case "payments":
			trouble = "making payments with " + name
		case "connect":
			trouble = "connecting to " + name
		}
	}
	company := sv.company
	if company == "" {
		company = name
	}
	if _, ok := newsAgencies[by]; ok {
		return "#UPDATE | \"We're aware that some people are currently having trouble " + trouble +
			" and we're working to restore " + name + " for everyone as quickly as possible,\" says " + company + " spokesperson"
	}
	switch by {
	case "githubstatus", "CloudflareHelp", "AWSSupport", "MSFT365Status":
		return "We are investigating reports of issues affecting " + name + ". Some users may have trouble " + trouble +
			". We will provide an update as soon as we know more."
	}
	return "We're aware that some people are having trouble " + trouble +
		" right now. We're working to get things back to normal as quickly as possible and apologise for any inconvenience."
}
