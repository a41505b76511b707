package scenario

import (
	"math"
	"strconv"
	"time"

	"github.com/downwatch/downwatch"
)

type trapDefault struct {
	service string
	perMin  float64
	note    string
}

// trapDefaults holds each trap kind's default service, peak rate and note.
var trapDefaults = map[TrapKind]trapDefault{
	TrapSharePrice:   {"facebook", 6, "share-price talk: a company's stock is down, the service is not"},
	TrapSlang:        {"", 3, "slang with a service named: down bad, let me down, calm down, down to earth, upside down, down for"},
	TrapDownWords:    {"", 3, "words that contain down: download, countdown, downtown, markdown, downvote, breakdown"},
	TrapSpamAccount:  {"whatsapp", 4, "one account posts the same complaint hundreds of times: one author, not a crowd"},
	TrapRepostStorm:  {"whatsapp", 70, "thousands of reposts and copy-pastes of one news post about old phones losing support"},
	TrapViralLaunch:  {"youtube", 60, "a launch watched live: ten times the usual chatter naming the service, no outage language"},
	TrapShuttingDown: {"google", 8, "a product shutting down: a business decision, not an outage"},
	TrapMediaReports: {"whatsapp", 0.25, "news outlets report the outage from users' posts; they do not quote the company, so they are not an acknowledgement"},
	TrapOtherSubject: {"", 15, "something else is down (the power, the wifi, a car, a phone battery): posts name the app they are still on"},
	TrapNewsJokes:    {"", 10, "an announcement draws jokes, slang and share-price talk that use outage words loosely; nothing is broken"},
}

// Accounts that start a trap; all verified.
const (
	spamHandle    = "trendz_alerts_247"
	stormOutlet   = "HTTech"
	shutterOutlet = "verge"
)

// trapMinute is one minute of a trap: the minute's start and middle, how far into the
// trap its middle is and how long the trap lasts (both in minutes), and the meta of the
// trap's posts.
type trapMinute struct {
	t0, mid  time.Time
	dt, span float64
	m        meta
}

// trapWriters write one minute of each kind of trap.
var trapWriters = map[TrapKind]func(*generator, *trapState, trapMinute){
	TrapSharePrice:   (*generator).sharePriceMinute,
	TrapSlang:        (*generator).everydayTrapMinute,
	TrapDownWords:    (*generator).everydayTrapMinute,
	TrapSpamAccount:  (*generator).spamMinute,
	TrapRepostStorm:  (*generator).repostStormMinute,
	TrapViralLaunch:  (*generator).viralLaunchMinute,
	TrapShuttingDown: (*generator).shuttingDownMinute,
	TrapOtherSubject: (*generator).otherSubjectMinute,
	TrapNewsJokes:    (*generator).newsJokesMinute,
	TrapMediaReports: (*generator).mediaReportsMinute,
}

// trap writes the minute starting at t0 of a trap, if the trap is on then.
func (g *generator) trap(t *trapState, t0, mid time.Time) {
	sp := t.spec
	if !t0.Add(time.Minute).After(sp.Start) || !t0.Before(sp.End) {
		return
	}
	trapWriters[sp.Kind](g, t, trapMinute{
		t0: t0, mid: mid, span: sp.End.Sub(sp.Start).Minutes(), dt: mid.Sub(sp.Start).Minutes(),
		m: meta{kind: kindTrap, service: sp.Service, outage: -1, trap: t.idx},
	})
}

// sharePriceMinute: loud at the news, fading over the session.
func (g *generator) sharePriceMinute(t *trapState, tm trapMinute) {
	r := g.r
	lam := t.perMin * math.Max(0.2, 1-0.8*tm.dt/tm.span) * math.Min(1, (tm.dt+0.5)/3)
	for range r.poisson(lam) {
		g.add(g.newAuthor(pickCountry(r, "US", "GB", "IN", "")), tm.t0, "en", g.trapText(t, "en"), tm.m)
	}
}

// everydayTrapMinute: slang and words containing "down", on an ordinary daily cycle.
func (g *generator) everydayTrapMinute(t *trapState, tm trapMinute) {
	r := g.r
	for range r.poisson(t.perMin * g.cycle(tm.mid, -5, 0.5)) {
		g.add(g.newAuthor(pickCountry(r, "US", "GB", "IN", "NG", "")), tm.t0, "en", g.trapText(t, "en"), tm.m)
	}
}

// spamMinute: one account, the same complaint.
func (g *generator) spamMinute(t *trapState, tm trapMinute) {
	a := author(uint64(countryIndex("IN"))*authorSpan + 4_242_424_242)
	for range g.r.poisson(t.perMin) {
		p := g.add(a, tm.t0, "en", trapTexts[TrapSpamAccount][0], tm.m)
		p.post.Author = spamHandle
		p.post.Source = "x"
	}
}

// repostStormMinute: reposts and copy-pastes of one news post.
func (g *generator) repostStormMinute(t *trapState, tm trapMinute) {
	r := g.r
	if t.origID == "" {
		t.orig = trapTexts[TrapRepostStorm][0]
		t.by = stormOutlet
		t.origID = g.original(t, t.spec.Start, stormOutlet, t.orig, tm.m)
	}
	lam := t.perMin * math.Min(1, (tm.dt+0.5)/5) * math.Exp(-tm.dt/(tm.span/2.5))
	for range r.poisson(lam) {
		a := g.newAuthor(pickCountry(r, "IN", "IN", "IN", "GB", "NG", "US", ""))
		if r.IntN(5) == 0 {
			g.add(a, tm.t0, "en", t.orig, tm.m) // copy-paste
			continue
		}
		p := g.add(a, tm.t0, "en", "RT @"+t.by+": "+t.orig, tm.m)
		p.post.RepostOf = t.origID
	}
}

// viralLaunchMinute: mostly English from everywhere, some chatter in the watchers' own
// languages.
func (g *generator) viralLaunchMinute(t *trapState, tm trapMinute) {
	r := g.r
	lam := t.perMin * math.Min(1, (tm.dt+0.5)/5)
	for range r.poisson(lam) {
		lang, country := "en", pickCountry(r, "US", "US", "US", "IN", "GB", "")
		if r.IntN(5) == 0 {
			lw := launchWatchers[r.IntN(len(launchWatchers))]
			lang, country = lw[0], lw[1]
		}
		var text string
		if lang == "en" {
			text = g.trapText(t, "en")
		} else {
			text = fill(pick(r, chatterFor(t.svc.kind), lang), t.svc.name(r, lang), "", "")
		}
		g.add(g.newAuthor(country), tm.t0, lang, text, tm.m)
	}
}

// shuttingDownMinute: a product's end, reposted and talked about.
func (g *generator) shuttingDownMinute(t *trapState, tm trapMinute) {
	r := g.r
	if t.origID == "" {
		t.orig = "Google is shutting down Google Podcasts next year and moving listeners to YouTube Music"
		t.by = shutterOutlet
		t.origID = g.original(t, t.spec.Start, shutterOutlet, t.orig, tm.m)
	}
	lam := t.perMin * math.Min(1, (tm.dt+0.5)/4) * math.Exp(-tm.dt/(tm.span/2))
	for range r.poisson(lam) {
		a := g.newAuthor(pickCountry(r, "US", "US", "GB", "IN", ""))
		if r.IntN(4) == 0 {
			p := g.add(a, tm.t0, "en", "RT @"+t.by+": "+t.orig, tm.m)
			p.post.RepostOf = t.origID
			continue
		}
		g.add(a, tm.t0, "en", g.trapText(t, "en"), tm.m)
	}
}

// otherSubjectMinute: a power cut or a storm; the crowd builds up over 10 minutes and
// thins out over the last quarter of the trap.
func (g *generator) otherSubjectMinute(t *trapState, tm trapMinute) {
	lam := t.perMin * math.Min(1, (tm.dt+0.5)/10) * math.Min(1, (tm.span-tm.dt)/(tm.span/4))
	for range g.r.poisson(lam) {
		reg, lang := g.region(t.mix)
		sv := g.trapService(t)
		g.add(g.newAuthor(reg.Country), tm.t0, lang, g.otherSubjectText(sv, lang), tm.m)
	}
}

// newsJokesMinute: loud at the announcement, fading over the trap.
func (g *generator) newsJokesMinute(t *trapState, tm trapMinute) {
	lam := t.perMin * math.Min(1, (tm.dt+0.5)/3) * math.Exp(-3*tm.dt/tm.span)
	for range g.r.poisson(lam) {
		reg, lang := g.region(t.mix)
		g.add(g.newAuthor(reg.Country), tm.t0, lang, g.looseText(g.trapService(t), lang), tm.m)
	}
}

// mediaReportsMinute: outlets report the outage without quoting the company.
func (g *generator) mediaReportsMinute(t *trapState, tm trapMinute) {
	r := g.r
	for range r.poisson(t.perMin) {
		outlet := mediaOutlets[r.IntN(len(mediaOutlets))]
		tpl := mediaReports[r.IntN(len(mediaReports))]
		lang := "en"
		if outlet == "abpanandatv" {
			tpl, lang = mediaReports[1], "bn"
		} else if tpl == mediaReports[1] {
			tpl = mediaReports[0]
		}
		at := tm.t0.Add(time.Duration(r.Int64N(60000)) * time.Millisecond)
		g.seq++
		p := downwatch.Post{
			ID: "sim-" + strconv.FormatInt(g.seq, 10), Source: "x", Author: outlet, CreatedAt: at,
			Text: fill(tpl, t.svc.name(r, lang), "", ""), Lang: lang, Country: "IN", AuthorVerified: true, AuthorFollowers: 2_100_000,
		}
		if outlet == "Independent" {
			p.Country = "GB"
		} else if outlet == "CorriereIT" {
			p.Country, p.Text, p.Lang = "IT", t.svc.names[""][0]+" down: problemi nell'invio dei messaggi in tutta Italia", "it"
		}
		g.queue(p, tm.m)
	}
}

// original posts the news post a trap's reposts point at, at the trap's start.
func (g *generator) original(t *trapState, at time.Time, by, text string, m meta) string {
	g.seq++
	p := downwatch.Post{
		ID: "sim-" + strconv.FormatInt(g.seq, 10), Source: "x", Author: by, Text: text, CreatedAt: at,
		Lang: "en", AuthorVerified: true, AuthorFollowers: 3_400_000,
	}
	g.queue(p, m)
	return p.ID
}

// trapService is the service a trap's post names: the trap's own, or for traps with no
// service one of the scenario's background services.
func (g *generator) trapService(t *trapState) *svc {
	switch {
	case t.svc != nil:
		return t.svc
	case len(g.bg) > 0:
		return g.bg[g.r.IntN(len(g.bg))].svc
	}
	return service("youtube")
}

// trapText writes one post of the trap's kind about its service (or, for traps with no
// service, about one of the scenario's background services).
func (g *generator) trapText(t *trapState, lang string) string {
	r := g.r
	sv := t.svc
	if sv == nil {
		if len(g.bg) > 0 {
			sv = g.bg[r.IntN(len(g.bg))].svc
		} else {
			sv = service("youtube")
		}
	}
	ts := trapTexts[t.spec.Kind]
	company := sv.company
	if company == "" {
		company = sv.names[""][0]
	}
	ticker := sv.ticker
	if ticker == "" {
		ticker = "META"
	}
	return fill(ts[r.IntN(len(ts))], sv.name(r, lang), company, ticker)
}

// launchWatchers are the (language, country) pairs of non-English launch chatter.
var launchWatchers = [][2]string{{"es", "MX"}, {"pt", "BR"}, {"hi", "IN"}, {"ja", "JP"}}

func pickCountry(r *rng, cs ...string) string { return cs[r.IntN(len(cs))] }
