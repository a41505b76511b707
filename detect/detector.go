package detect

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
)

// minute is the live bucket.
const minute = time.Minute

// Detector turns one partition's mentions into incidents. It is driven entirely by
// event time (Handle, Watermark, End) and keeps state sized by services and
// countries, not by posts. It is not safe for concurrent use: one per partition.
type Detector struct {
	cfg    Config
	params map[string]*params
	st     state

	alerts []downwatch.Alert
	series []downwatch.SeriesPoint
	opened []string // ids opened since the last Drain, for linking related incidents
	// retracted: the retract mentions handled since the last Drain (retract.go)
	retracted []downwatch.Retracted
	order     []*signal // signals in key order, so output order never depends on map order
	// frames hold the last checkpoint's frames, before and after compression;
	// the next one is encoded into them again.
	frames []*frame
	// svcOrder is the services' ids sorted, for checkpoints; nil when a
	// service was added since.
	svcOrder []string
	late     int64 // complaints that arrived after their minute was final
}

// Late is how many complaints arrived after their minute was final (more than
// Lateness after it ended) and were not counted.
func (d *Detector) Late() int64 { return d.late }

// Pending is the number of alerts decided and not yet drained.
func (d *Detector) Pending() int { return len(d.alerts) }

// state is everything a checkpoint holds.
type state struct {
	Clock  int64 // newest event time seen, unix ns
	Ahead  int   // posts in a row far ahead of Clock
	Closed int64 // last final minute index (unix minutes); 0 = none yet
	First  int64 // the first minute the detector saw
	Keys   map[string]*signal
	Svcs   map[string]*service
}

// signal is one Tracker with the author and text memory that feeds it.
type signal struct {
	Service string
	Country string
	T       tracker
	// Seen maps an author hash to the minute the author was last counted: an author
	// counts once per long window, so one account posting a hundred times is one.
	Seen stamps
	// Texts maps the hash of a long text to the minute it was first counted: the
	// same long text from many accounts (copy-paste, bots) counts once.
	Texts stamps

	key string   // Keys' key of this signal
	sv  *service // the service it belongs to
}

type service struct {
	Inc       *incident
	Countries []string // countries with a signal of this service
	// PromoteCheck is the last minute a regional incident was checked for spread.
	PromoteCheck int64
	LastID       string
	// Last is the incident resolved at minute LastResolved, kept for
	// ReopenWithin so that a re-flare reopens it.
	Last         *incident
	LastResolved int64
	PendingAck   *downwatch.Post
	Recent       []downwatch.Post // last complaint posts, to backfill an incident from its onset
	busyAt       int64            // last minute closed with a signal in an episode or elevated (not checkpointed: set and read within closeMinute)
	// counted maps a post (postKey) counted in a minute not yet final to where
	// it counted, so that a retract can take it back. Not checkpointed: a
	// retract after a restart of a post counted before it is not subtracted.
	counted map[uint64]countedPost
}

// countedPost is where one post counted: its minute, its author's hash, and
// the signals (global, country or nil) it added one to.
type countedPost struct {
	b      int64
	author uint64
	in     [2]*signal
}

type incident struct {
	I             downwatch.Incident
	Owner         string // key of the signal whose lifecycle it follows
	Authors       map[uint64]struct{}
	HLL           []uint8
	Symptoms      map[string]int
	PublishedPeak float64
	LastUpdate    int64 // minute of the last incident.updated
	// authorsFloor is the author count of the incident this one was merged
	// into (Operated); the count published never drops below it. Not
	// checkpointed.
	authorsFloor int
	// storedSeen is the newest stored revision Operated took in: a store
	// write that changes no action (a post removed, privacy.go of package
	// store) raises the operator mark too, and is taken in once. Not
	// checkpointed: after a restart it is taken in once more.
	storedSeen int
}

// New returns a detector. cfg must be valid.
func New(cfg Config) (*Detector, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Detector{cfg: cfg, params: map[string]*params{}, st: state{Keys: map[string]*signal{}, Svcs: map[string]*service{}}}, nil
}

func (d *Detector) paramsFor(svc string) *params {
	p, ok := d.params[svc]
	if !ok {
		p = newParams(&d.cfg, minute, svc)
		d.params[svc] = p
	}
	return p
}

func (d *Detector) signal(svc, country string) *signal {
	key := svc
	if country != "" {
		key = svc + "/" + country
	}
	s, ok := d.st.Keys[key]
	if !ok {
		s = &signal{Service: svc, Country: country, key: key, sv: d.service(svc)}
		s.T.init(d.paramsFor(svc))
		// Nobody complained about this service since the detector started: that
		// silence is history too (zeros), so a first burst is judged at once
		// against the floor instead of waiting out a warm-up of its own.
		if d.st.First > 0 {
			s.T.Base.N = min(d.st.Closed-d.st.First, 120)
		}
		d.st.Keys[key] = s
		d.order = nil
	}
	return s
}

func (d *Detector) sortedSignals() []*signal {
	if d.order == nil {
		keys := slices.Sorted(maps.Keys(d.st.Keys))
		for _, k := range keys {
			d.order = append(d.order, d.st.Keys[k])
		}
	}
	return d.order
}

// sortedServices returns the services' ids in order.
func (d *Detector) sortedServices() []string {
	if d.svcOrder == nil {
		d.svcOrder = slices.Sorted(maps.Keys(d.st.Svcs))
	}
	return d.svcOrder
}

func (d *Detector) service(svc string) *service {
	s, ok := d.st.Svcs[svc]
	if !ok {
		s = &service{}
		d.st.Svcs[svc] = s
		d.svcOrder = nil
	}
	return s
}

// Clock returns the detector's event time.
func (d *Detector) Clock() time.Time {
	if d.st.Clock == 0 {
		return time.Time{}
	}
	return time.Unix(0, d.st.Clock).UTC()
}

// eventTime clamps a post's time: one post far ahead of the clock is taken as the
// clock, so one bad clock cannot move the detector's time. Two in a row are a real
// jump (a quiet stretch with no watermark), and time moves on.
func (d *Detector) eventTime(t time.Time) time.Time {
	if d.st.Clock != 0 && t.UnixNano() > d.st.Clock+int64(d.cfg.MaxSkew) {
		d.st.Ahead++
		if d.st.Ahead < 2 {
			return time.Unix(0, d.st.Clock).UTC()
		}
	}
	d.st.Ahead = 0
	return t
}

// Handle processes one mention.
func (d *Detector) Handle(m *downwatch.Mention) {
	t := d.eventTime(m.Post.CreatedAt)
	d.advance(t, d.cfg.Lateness)
	switch m.Kind {
	case downwatch.KindComplaint:
		if minuteOf(t) <= d.st.Closed {
			d.late++ // its minute is final (Lateness has passed): too late to count
			return
		}
		d.complaint(m, t)
	case downwatch.KindOfficial, downwatch.KindNews:
		if m.Ack {
			d.acknowledge(m, t)
		}
	case downwatch.KindRetract:
		d.retract(m, t)
	}
}

// Watermark advances event time on a quiet partition.
func (d *Detector) Watermark(t time.Time) { d.advance(t, d.cfg.Lateness) }

// End finishes the input: every minute up to t becomes final.
func (d *Detector) End(t time.Time) {
	d.advance(t, 0)
}

func (d *Detector) advance(t time.Time, lateness time.Duration) {
	ns := t.UnixNano()
	if ns > d.st.Clock {
		d.st.Clock = ns
	}
	final := (d.st.Clock-int64(lateness))/int64(minute) - 1 // last minute whose end (+lateness) has passed
	if d.st.Closed == 0 {
		d.st.Closed = ns/int64(minute) - 1
		d.st.First = d.st.Closed
	}
	if final-d.st.Closed > 2*gapEdge {
		// A long silence (a gap between recordings, a partition idle for days):
		// close its first minutes, so incidents resolve where the silence began,
		// then skip to its last minutes. Minutes in between teach nothing and
		// would cost work and series points for every signal.
		for end := d.st.Closed + gapEdge; d.st.Closed < end; {
			d.st.Closed++
			d.closeMinute(d.st.Closed)
		}
		d.st.Closed = final - gapEdge
	}
	for d.st.Closed < final {
		d.st.Closed++
		d.closeMinute(d.st.Closed)
	}
}

// gapEdge is how many minutes at each end of a long silence are closed one by one.
const gapEdge = 90

func minuteOf(t time.Time) int64 { return t.UnixNano() / int64(minute) }

func minuteTime(b int64) time.Time { return time.Unix(b*60, 0).UTC() }

func (d *Detector) complaint(m *downwatch.Mention, t time.Time) {
	p := &m.Post
	sv := d.service(m.Service)
	if p.RepostOf == "" {
		sv.remember(p, t)
	}
	if inc := sv.Inc; inc != nil && !t.Before(inc.I.StartedAt) {
		d.recordPost(inc, p, m.Symptoms)
	}
	if p.RepostOf != "" {
		return // a repost adds no new voice
	}
	b := minuteOf(t)
	ah := hashString(p.Author)
	th, long := textHash(p.Text)
	// Count the post in its country's signal first, so that a global decision
	// sees where the burst comes from.
	var c *signal
	cCounted := false
	g := d.signal(m.Service, "")
	if d.cfg.Regional && p.Country != "" && d.regional(sv, g, m.Service, p.Country, b) {
		c = d.signal(m.Service, p.Country)
		if !slices.Contains(sv.Countries, p.Country) {
			sv.Countries = append(sv.Countries, p.Country)
			d.shareCountries(sv, m.Service)
		}
		cCounted = c.count(ah, th, long, b)
	}
	gCounted := g.count(ah, th, long, b)
	if gCounted || cCounted {
		cp := countedPost{b: b, author: ah}
		if gCounted {
			cp.in[0] = g
		}
		if cCounted {
			cp.in[1] = c
		}
		sv.track(postKey(p), cp)
	}
	globalFired := false
	if gCounted {
		if dec, fired := g.T.burst(b); fired {
			globalFired = true
			if sv.Inc == nil {
				if cc, ok := d.concentrated(sv, m.Service, b, otherOpen); ok {
					d.open(sv, g, cc.Country, b, t, dec) // one country carries the burst: regional
				} else {
					d.open(sv, g, "", b, t, dec)
				}
			}
		}
	}
	// A regional incident whose burst has spread to other countries becomes
	// global; checked once a minute while the service's global signal is up.
	if inc := sv.Inc; inc != nil && inc.I.Region != "" && b > sv.PromoteCheck && (globalFired || g.T.up(b)) {
		sv.PromoteCheck = b
		if _, ok := d.concentrated(sv, m.Service, b, otherPromote); !ok {
			d.open(sv, g, "", b, t, decision{})
		}
	}
	if cCounted && sv.Inc == nil {
		if dec, fired := c.T.burst(b); fired {
			d.open(sv, c, c.Country, b, t, dec)
		}
	}
}

// regional says a post from country cc counts in a per-country signal of its
// own: the service has one already, or is busy enough (RegionalMin complaints
// a minute on average) that one country's outage could vanish inside its global baseline.
// A quiet service's regional outage stands out in its global signal, and tens
// of thousands of services times their countries would otherwise hold memory
// for signals that never see five complaints in ten minutes.
func (d *Detector) regional(sv *service, g *signal, svc, cc string, b int64) bool {
	if _, ok := d.st.Keys[svc+"/"+cc]; ok {
		return true
	}
	// The long-run mean of a settled baseline, not the level of the hour: a
	// service just under the line crosses it by chance in a busy half hour, and
	// a signal once made is kept.
	bs := &g.T.Base
	return bs.Events >= settledEvents && bs.Mean/g.T.p.perMin >= d.cfg.RegionalMin
}

// shareCountries tells each country signal of a service how many there are.
func (d *Detector) shareCountries(sv *service, svc string) {
	for _, cc := range sv.Countries {
		if s := d.st.Keys[svc+"/"+cc]; s != nil {
			s.T.share(len(sv.Countries))
		}
	}
}

// remember keeps a complaint among the service's recent ones, which an incident
// opening soon after takes from its onset: at most maxRecent, none older than
// recentFor.
func (sv *service) remember(p *downwatch.Post, t time.Time) {
	horizon := t.Add(-recentFor)
	drop := 0
	for drop < len(sv.Recent) && sv.Recent[drop].CreatedAt.Before(horizon) {
		drop++
	}
	if len(sv.Recent)-drop >= maxRecent {
		drop = len(sv.Recent) - maxRecent/2
	}
	if drop > 0 {
		sv.Recent = slices.Delete(sv.Recent, 0, drop)
	}
	sv.Recent = append(sv.Recent, *p)
}

// forgetRecent drops the recent complaints of minute b and before from every
// service none of whose signals is in an episode or elevated at b: an onset is
// walked back over elevated minutes only, so no incident can start at or before
// b, and a quiet service keeps no posts at all between minutes.
func (d *Detector) forgetRecent(b int64) {
	for _, sv := range d.st.Svcs {
		if len(sv.Recent) == 0 || sv.busyAt == b {
			continue
		}
		keep := 0
		for keep < len(sv.Recent) && minuteOf(sv.Recent[keep].CreatedAt) <= b {
			keep++
		}
		sv.Recent = slices.Delete(sv.Recent, 0, keep)
	}
}

// maxRecent and recentFor bound the recent complaints kept per service: an
// incident's statistics start from the posts of its onset when the onset is at
// most recentFor before the alarm (nearly always), from the alarm's time
// otherwise.
const (
	maxRecent = 100
	recentFor = 30 * minute
)

// A burst is regional when it is confined to one country: that country carries at
// least half of the excess over baseline across countries (another country's excess
// counts only as far as it stands out of that country's own noise, two standard
// deviations: many small countries a little above a lagging expectation must not add
// up to a spread), normally carries at
// most half of the complaints (so a service used in one country only is not
// "regional"), and no other country is itself elevated (tail probability below
// otherOpen). A regional incident becomes global when another country is elevated
// at the stricter otherPromote: the hysteresis keeps it from flapping.
const (
	otherOpen    = 1e-3
	otherPromote = 1e-4
)

// concentrated finds the one country whose signal carries the burst at minute b.
func (d *Detector) concentrated(sv *service, svc string, b int64, otherAlpha float64) (*signal, bool) {
	var top *signal
	var topExcess, topOut, outs, topBase, baseTotal float64
	for _, cc := range sv.Countries {
		s := d.st.Keys[svc+"/"+cc]
		if s == nil {
			continue
		}
		s.T.rates(b)
		w := s.T.p.long
		mu := s.T.lambda * float64(w)
		excess := float64(s.T.sum(b, w)) - mu
		out := max(0, excess-2*math.Sqrt(mu+s.T.disp[2]*mu*mu))
		baseTotal += s.T.Base.Mean
		outs += out
		if excess > topExcess {
			top, topExcess, topOut, topBase = s, excess, out, s.T.Base.Mean
		}
	}
	total := topExcess + outs - topOut
	if top == nil || topExcess < 0.5*max(total, topExcess) || baseTotal <= 0 || topBase > 0.5*baseTotal {
		return nil, false
	}
	if top.T.sum(b, top.T.p.long) < top.T.p.minK {
		return nil, false
	}
	for _, cc := range sv.Countries {
		s := d.st.Keys[svc+"/"+cc]
		if s == nil || s == top {
			continue
		}
		w := s.T.p.long
		if n := s.T.sum(b, w); n >= 3 && tailP(n, s.T.lambda*float64(w), s.T.disp[2]) < otherAlpha {
			return nil, false // another country is bursting too: not regional
		}
	}
	return top, true
}

// count adds an author to minute b unless the author, or the same long text, was
// already counted within the long window. It reports whether it counted.
func (s *signal) count(author, text uint64, long bool, b int64) bool {
	win := int64(s.T.p.long)
	if last, ok := s.Seen.get(author); ok && last > b-win && last <= b {
		return false
	}
	if long {
		if first, ok := s.Texts.get(text); ok && first > b-win && first <= b {
			s.Seen.set(author, b)
			return false
		}
		s.Texts.set(text, b)
	}
	s.Seen.set(author, b)
	s.T.add(b, 1)
	return true
}

// open opens an incident whose lifecycle follows signal s, for region ("" =
// global); with an incident already open for the service, it makes it global.
// A regional incident found by the service's global signal follows that signal,
// since the country's own signal sees only the posts that name a country.
func (d *Detector) open(sv *service, s *signal, region string, b int64, t time.Time, dec decision) {
	if sv.Inc != nil { // a regional incident becomes global
		inc := sv.Inc
		inc.I.Region = ""
		if inc.Owner != s.Service {
			inc.Owner = s.Service
			s.T.open(b)
		}
		d.emit(inc, downwatch.AlertUpdated, t)
		return
	}
	if d.reopen(sv, s, region, b, t) {
		return
	}
	onset := s.T.open(b)
	started := minuteTime(onset)
	// One incident per service at a time, so service and onset make the id; the
	// region is a field, and a regional incident keeps its id when it turns global.
	id := s.Service + "." + started.Format("20060102T1504Z")
	if id == sv.LastID {
		id += "-2"
	}
	key := s.Service
	if s.Country != "" {
		key += "/" + s.Country
	}
	inc := &incident{
		Owner:    key,
		Authors:  map[uint64]struct{}{},
		Symptoms: map[string]int{},
		I: downwatch.Incident{
			ID: id, Service: s.Service, Region: region, State: downwatch.StateOpen,
			StartedAt: started, DetectedAt: t.UTC(),
			Languages: map[string]int{}, Countries: map[string]int{},
			Evidence: &downwatch.Evidence{
				Window: fmt.Sprintf("%dm", dec.Window), Observed: dec.Observed,
				Expected: round3(dec.Expected), PValue: dec.P, Baseline: round3(dec.PerMin), Dispersion: round3(dec.Phi),
			},
		},
		LastUpdate: b,
	}
	sv.Inc, sv.LastID = inc, id
	for i := range sv.Recent {
		if r := &sv.Recent[i]; !r.CreatedAt.Before(started) && !r.CreatedAt.After(t) {
			d.recordPost(inc, r, nil)
		}
	}
	inc.I.PeakPerMin = float64(s.T.Peak) / s.T.p.perMin
	inc.PublishedPeak = inc.I.PeakPerMin
	d.opened = append(d.opened, id)
	d.emit(inc, downwatch.AlertOpened, t)
	if a := sv.PendingAck; a != nil && !a.CreatedAt.Before(started.Add(-d.cfg.AckWindow)) {
		d.ack(inc, a, t)
	}
	sv.PendingAck = nil
}

func (d *Detector) acknowledge(m *downwatch.Mention, t time.Time) {
	sv := d.service(m.Service)
	if sv.Inc == nil {
		p := m.Post
		sv.PendingAck = &p
		return
	}
	if sv.Inc.I.AcknowledgedAt == nil {
		p := m.Post
		d.ack(sv.Inc, &p, t)
	}
}

func (d *Detector) ack(inc *incident, p *downwatch.Post, t time.Time) {
	at := p.CreatedAt.UTC()
	if at.Before(inc.I.StartedAt) {
		at = inc.I.StartedAt // acknowledged before users noticed: as of the onset
	}
	inc.I.AcknowledgedAt = &at
	if inc.I.State == downwatch.StateOpen {
		inc.I.State = downwatch.StateAcknowledged
	}
	inc.I.Acknowledgement = p
	d.emit(inc, downwatch.AlertAcknowledged, t)
}

// recordPost adds a complaint to an open incident's statistics.
func (d *Detector) recordPost(inc *incident, p *downwatch.Post, symptoms []string) {
	i := &inc.I
	i.Mentions++
	if p.Lang != "" {
		i.Languages[baseLang(p.Lang)]++
	}
	if p.Country != "" {
		i.Countries[p.Country]++
	}
	for _, s := range symptoms {
		inc.Symptoms[s]++
	}
	h := hashString(p.Author)
	if inc.HLL != nil {
		hllAdd(inc.HLL, h)
	} else {
		inc.Authors[h] = struct{}{}
		if len(inc.Authors) > 20000 { // beyond this, estimate: memory stays bounded
			inc.HLL = make([]uint8, hllM)
			for a := range inc.Authors {
				hllAdd(inc.HLL, a)
			}
			inc.Authors = nil
		}
	}
	if p.RepostOf == "" {
		pickSample(i, p)
	}
}

// pickSample keeps up to 9 complaint samples (one slot stays for the
// acknowledgement): the first post in each language first, preferring posts of a
// readable length, then the earliest others.
func pickSample(i *downwatch.Incident, p *downwatch.Post) {
	n := utf8.RuneCountInString(p.Text)
	if n < 12 || n > 400 {
		return
	}
	lang := baseLang(p.Lang)
	for _, s := range i.SamplePosts {
		if s.Author == p.Author || s.Text == p.Text {
			return
		}
	}
	if len(i.SamplePosts) < 9 {
		i.SamplePosts = append(i.SamplePosts, *p)
		return
	}
	// Full: a new language replaces a post whose language is represented twice.
	for _, s := range i.SamplePosts {
		if baseLang(s.Lang) == lang {
			return
		}
	}
	seen := map[string]int{}
	for _, s := range i.SamplePosts {
		seen[baseLang(s.Lang)]++
	}
	for k := len(i.SamplePosts) - 1; k >= 0; k-- {
		if seen[baseLang(i.SamplePosts[k].Lang)] > 1 {
			i.SamplePosts[k] = *p
			return
		}
	}
}

func (d *Detector) closeMinute(b int64) {
	for _, s := range d.sortedSignals() {
		sv, inc := s.sv, s.sv.Inc
		at, resolved := s.T.close(b, inc == nil)
		// Busy: its recent posts may still start an incident (forgetRecent).
		// Only a service with some to forget needs the check.
		if s.T.Open || inc != nil || len(sv.Recent) > 0 && s.T.elevatedAt(b) {
			sv.busyAt = b
		}
		if inc != nil && inc.Owner == s.key {
			if resolved {
				d.resolve(sv, at, s.T.fallAt(at), b)
			} else if peak := float64(s.T.Peak) / s.T.p.perMin; peak > inc.I.PeakPerMin {
				inc.I.PeakPerMin = peak
				if peak >= 1.25*inc.PublishedPeak && b-inc.LastUpdate >= 5 {
					inc.PublishedPeak, inc.LastUpdate = peak, b
					d.emit(inc, downwatch.AlertUpdated, minuteTime(b+1))
				}
			}
		}
		if s.Country == "" {
			d.series = append(d.series, downwatch.SeriesPoint{
				Service: s.Service, Minute: minuteTime(b), Authors: int(s.T.count(b)), Baseline: round3(s.T.lambda / s.T.p.perMin),
			})
		}
		if b%5 == 0 && s.Seen.Len()+s.Texts.Len() > 0 {
			s.forget(b)
		}
	}
	d.forgetRecent(b)
	for _, sv := range d.st.Svcs {
		for k, c := range sv.counted {
			if c.b <= b {
				delete(sv.counted, k) // its minute is final: a retract no longer changes it
			}
		}
	}
}

// forget drops the authors and texts that left the long window at minute b.
// Once a burst of new authors has passed, their tables are made anew at the
// size of what is left (stamps.dropUpTo): a detector of thousands of services
// would otherwise keep each one's largest burst for good.
func (s *signal) forget(b int64) {
	win := int64(s.T.p.long)
	s.Seen.dropUpTo(b - win)
	s.Texts.dropUpTo(b - win)
}

// resolve closes the service's incident: back to baseline from minute at, known
// when minute final closed. The alert's time is the end of that minute, not the
// clock, so that replays agree however records were batched.
func (d *Detector) resolve(sv *service, at, fell, final int64) {
	inc := sv.Inc
	// A person resolved it while the burst went on (Operated): its episode ends
	// now, quietly, keeping the person's resolution.
	byHand := inc.I.State == downwatch.StateResolved
	t := minuteTime(fell)
	if t.Before(inc.I.DetectedAt) {
		t = inc.I.DetectedAt // quiet from the alarm's own minute: resolved as soon as raised
	}
	if !byHand {
		inc.I.ResolvedAt = &t
		inc.I.State = downwatch.StateResolved
	}
	sv.Inc, sv.Last, sv.LastResolved = nil, inc, at
	for _, s := range d.st.Keys { // every signal of the service closes with it
		if s.Service == inc.I.Service && s.T.Open {
			s.T.endEpisode(at)
		}
	}
	if !byHand {
		d.emit(inc, downwatch.AlertResolved, minuteTime(final+1))
	}
}

// reopen reopens the service's last incident when a burst comes within
// ReopenWithin of its resolution: one episode is one incident, however often it
// flares. A regional incident reopens on a burst in its country or a global one
// (which makes it global); the signal that fired takes over the lifecycle.
func (d *Detector) reopen(sv *service, s *signal, region string, b int64, t time.Time) bool {
	last := sv.Last
	if last == nil || b-sv.LastResolved > int64(d.cfg.ReopenWithin/minute) {
		return false
	}
	if last.I.Region != "" && region != "" && region != last.I.Region {
		return false // another country's burst is not this incident flaring again
	}
	sv.Inc, sv.Last = last, nil
	s.T.open(b)
	last.Owner = s.Service
	if s.Country != "" {
		last.Owner += "/" + s.Country
	}
	if last.I.Region != region {
		last.I.Region = ""
	}
	last.I.State = downwatch.StateOpen
	last.I.ResolvedAt, last.I.Resolution, last.I.FalseAlarm = nil, nil, nil // a new burst: a person's verdict was on the last one
	last.LastUpdate = b
	d.emit(last, downwatch.AlertReopened, t)
	return true
}

// emit finalises the incident's derived fields and queues an alert.
func (d *Detector) emit(inc *incident, typ string, at time.Time) {
	i := &inc.I
	if i.State == downwatch.StateResolved && typ != downwatch.AlertResolved {
		return // resolved by a person while the burst goes on: followed quietly until it ends
	}
	i.Revision++
	i.UpdatedAt = at.UTC()
	if inc.HLL != nil {
		i.Authors = hllCount(inc.HLL)
	} else {
		i.Authors = len(inc.Authors)
	}
	i.Authors = max(i.Authors, inc.authorsFloor)
	i.Symptoms = topSymptoms(inc.Symptoms, i.Mentions)
	snap := *i
	snap.Languages = maps.Clone(i.Languages)
	snap.Countries = maps.Clone(i.Countries)
	if len(inc.Symptoms) > 0 {
		snap.SymptomCounts = maps.Clone(inc.Symptoms)
	}
	snap.SamplePosts = slices.Clone(i.SamplePosts)
	if i.Acknowledgement != nil && len(snap.SamplePosts) < 10 {
		snap.SamplePosts = append(snap.SamplePosts, *i.Acknowledgement)
	}
	d.alerts = append(d.alerts, downwatch.Alert{Type: typ, At: at.UTC(), Incident: snap})
}

// topSymptoms lists symptoms reported by at least 3 posts and 2% of mentions, most
// reported first.
func topSymptoms(c map[string]int, mentions int) []string {
	var out []string
	for s, n := range c {
		if n >= 3 && float64(n) >= 0.02*float64(mentions) {
			out = append(out, s)
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if x := cmp.Compare(c[b], c[a]); x != 0 {
			return x
		}
		return cmp.Compare(a, b)
	})
	return out
}

// Drained is what the detector produced since the last Drain.
type Drained struct {
	Alerts []downwatch.Alert
	Series []downwatch.SeriesPoint
	Opened []string
	// Retracted are the retract mentions handled, so that the post leaves
	// the incidents the detector no longer holds too (store.Redis.RemovePosts).
	Retracted []downwatch.Retracted
}

// Drain returns and forgets the alerts, series points, opened ids and
// retractions produced so far.
func (d *Detector) Drain() Drained {
	out := Drained{Alerts: d.alerts, Series: d.series, Opened: d.opened, Retracted: d.retracted}
	d.alerts, d.series, d.opened, d.retracted = nil, nil, nil, nil
	return out
}

// Active returns the open and acknowledged incidents of this detector (not
// one a person resolved whose burst it still follows).
func (d *Detector) Active() []downwatch.Incident {
	var out []downwatch.Incident
	for _, s := range d.st.Svcs {
		if s.Inc != nil && s.Inc.I.Active() {
			out = append(out, s.Inc.I)
		}
	}
	slices.SortFunc(out, func(a, b downwatch.Incident) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// hashString is FNV-1a 64: stable across processes, so checkpoints stay valid.
func hashString(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// textHash hashes a text's letters, case-folded, ignoring everything else (links,
// mentions' punctuation, digits, spacing), and says whether the text is long enough
// (40 letters) for identical copies from different accounts to be suspicious.
// Short complaints ("whatsapp down?") are naturally identical and always count.
func textHash(s string) (uint64, bool) {
	h := uint64(14695981039346656037)
	n := 0
	skip := false
	for i, r := range s {
		if r == '@' || (r == 'h' && len(s)-i > 7 && (s[i:i+7] == "http://" || s[i:i+8] == "https://")) {
			skip = true
		}
		if skip {
			if unicode.IsSpace(r) {
				skip = false
			}
			continue
		}
		if !unicode.IsLetter(r) {
			continue
		}
		r = unicode.ToLower(r)
		h ^= uint64(r)
		h *= 1099511628211
		n++
	}
	return h, n >= 40
}

func baseLang(l string) string {
	for i := 0; i < len(l); i++ {
		if l[i] == '-' || l[i] == '_' {
			return strings.ToLower(l[:i])
		}
	}
	return strings.ToLower(l)
}

func round3(f float64) float64 { return math.Round(f*1000) / 1000 }

// OperatorRevision is the revision of the last action of a person that the
// detector knows of on incident id, which it holds in memory; for an incident
// it does not hold, the largest int (nothing to learn).
func (d *Detector) OperatorRevision(id string) int {
	if _, inc := d.held(id); inc != nil {
		return max(inc.I.OperatorRevision(), inc.storedSeen)
	}
	return math.MaxInt
}

func (d *Detector) held(id string) (*service, *incident) {
	svc, _, _ := strings.Cut(id, ".")
	sv := d.st.Svcs[svc]
	if sv == nil {
		return nil, nil
	}
	for _, inc := range []*incident{sv.Inc, sv.Last} {
		if inc != nil && inc.I.ID == id {
			return sv, inc
		}
	}
	return sv, nil
}

// Operated takes in what people did to an incident the detector holds: stored
// is the incident as the store has it, survivor (for a merged one) the incident
// it was merged into, and dropped the last alert the detector had made for it
// before it knew (not stored: it is made again here over the person's change,
// at a revision above theirs).
//
// A person's resolve stands: the detector follows the rest of the burst quietly
// and ends it without an alert (no reopening on the same burst); a new burst
// after it reopens the incident as usual. A merged incident takes the surviving
// id, and its later changes go there.
func (d *Detector) Operated(stored downwatch.Incident, survivor *downwatch.Incident, dropped downwatch.Alert) {
	sv, inc := d.held(stored.ID)
	if inc == nil {
		return
	}
	from := stored
	if survivor != nil {
		redirect(inc, stored, *survivor)
		from = *survivor
	}
	inc.storedSeen = max(inc.storedSeen, stored.Revision)
	i := &inc.I
	i.Revision = max(i.Revision, from.Revision)
	i.OperatorAck, i.Resolution, i.FalseAlarm = from.OperatorAck, from.Resolution, from.FalseAlarm
	i.Merged, i.Actions, i.MergedInto = from.Merged, from.Actions, ""
	byHand := from.State == downwatch.StateResolved && from.Resolution != nil
	switch {
	case dropped.Type == downwatch.AlertReopened:
		i.Reopen()
	case byHand:
		i.State, i.ResolvedAt = downwatch.StateResolved, from.ResolvedAt
	case from.Active() && i.State == downwatch.StateResolved && sv.Inc == inc:
		i.Reopen() // a person reopened it while the detector still follows its burst
	}
	if dropped.Type != "" && (!byHand || dropped.Type == downwatch.AlertReopened) {
		d.emit(inc, dropped.Type, dropped.At)
	}
}

// redirect gives the in-memory incident merged into s the surviving id and
// s's totals, plus what it counted since the store's copy x was written.
func redirect(inc *incident, x, s downwatch.Incident) {
	i := &inc.I
	i.ID, i.StartedAt, i.DetectedAt, i.Evidence = s.ID, s.StartedAt, s.DetectedAt, s.Evidence
	i.Mentions = s.Mentions + max(0, i.Mentions-x.Mentions)
	i.Languages = since(s.Languages, i.Languages, x.Languages)
	i.Countries = since(s.Countries, i.Countries, x.Countries)
	i.PeakPerMin = max(i.PeakPerMin, s.PeakPerMin)
	inc.authorsFloor = s.Authors
	if i.AcknowledgedAt == nil {
		i.AcknowledgedAt, i.Acknowledgement = s.AcknowledgedAt, s.Acknowledgement
	}
	if i.Region != s.Region {
		i.Region = ""
	}
}

// since returns base plus what now counts beyond then.
func since(base, now, then map[string]int) map[string]int {
	out := maps.Clone(base)
	if out == nil {
		out = map[string]int{}
	}
	for k, v := range now {
		if n := v - then[k]; n > 0 {
			out[k] += n
		}
	}
	return out
}
