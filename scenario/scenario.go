package scenario

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/downwatch/downwatch"
)

// Outage is one ground-truth outage.
type Outage struct {
	Service    string     `json:"service"`           // catalog id, e.g. "whatsapp"
	Country    string     `json:"country,omitempty"` // "" = global; ISO alpha-2 for a regional outage
	Start      time.Time  `json:"start"`
	End        time.Time  `json:"end"`
	PeakPerMin float64    `json:"peak_per_min"` // distinct complaining authors per minute at the peak
	Langs      []string   `json:"langs,omitempty"`
	Symptoms   []string   `json:"symptoms,omitempty"` // send-messages, login, connect, load, payments, calls, ...
	AckAt      *time.Time `json:"ack_at,omitempty"`   // when an official/news acknowledgement is posted
	AckBy      string     `json:"ack_by,omitempty"`   // handle that posts it
	Group      string     `json:"group,omitempty"`    // outages sharing an upstream cause share a group name
}

// Trap is a stretch of the stream that looks like an outage to a careless detector but
// is not one: no incident should be raised for it.
type Trap struct {
	Name    string    `json:"name"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Service string    `json:"service,omitempty"`
	Note    string    `json:"note"`
}

// Shift is a lasting change of a service's everyday traffic (LevelShift): from At it is
// Factor times what it was. It is not an outage: an incident of the service that opens at
// it (from 10 minutes before At) is tolerated if it has resolved by Until; any other
// incident is a false alarm.
type Shift struct {
	Service string    `json:"service"`
	At      time.Time `json:"at"`
	Until   time.Time `json:"until"`
	Factor  float64   `json:"factor"`
	Note    string    `json:"note,omitempty"`
}

// Truth is what a scenario's stream really contains: the outages a detector should
// find, the traps it should not alarm on and the level shifts it should get used to.
type Truth struct {
	Scenario string    `json:"scenario"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Outages  []Outage  `json:"outages"`
	Traps    []Trap    `json:"traps"`
	Shifts   []Shift   `json:"shifts,omitempty"`
}

// Scenario describes one synthetic stream. The zero value of each optional field has the
// default its comment gives. A Scenario is a value: Generate never modifies it.
type Scenario struct {
	Name        string
	Description string
	Seed        int64
	Start       time.Time     // event time of the first minute (truncated to the minute)
	Duration    time.Duration // length of the stream (whole minutes)

	// Background is the everyday traffic of each simulated service.
	Background []Background
	// NoisePerMin is the mean rate (posts per minute over the day) of generic posts that
	// name no service. Zero means no noise.
	NoisePerMin float64
	// Outages are the ground-truth outages, with how their complaints are shaped.
	Outages []OutageSpec
	// Traps are the non-outage bursts the stream contains.
	Traps []TrapSpec
	// Late says how many posts arrive after posts with later event times.
	Late Lateness
}

// Background is one service's everyday traffic. Complaints and chatter follow a daily
// cycle in each region's local time: lowest around 04:00, highest around 21:00; or, with
// a Shape, a stretch of a real series.
type Background struct {
	Service string
	// ComplaintsPerMin is the mean, over the day and all regions, of distinct authors per
	// minute saying the service is broken when it is not (a big service ~1-4, a small one
	// a few a day ~0.002).
	ComplaintsPerMin float64
	// ChatterPerMin is the mean rate of posts naming the service without outage language.
	ChatterPerMin float64
	// Swing scales the daily cycle: 0 means 1 (full cycle), a negative value means flat.
	Swing float64
	// Regions is where the posts come from; nil means the service's usual mix. With a
	// Shape only their weights and languages count: the series gives the daily cycle.
	Regions []Region
	// Shape, when set, takes the traffic's cycles, level shifts and spikes from a real
	// series (see Shape); ComplaintsPerMin and ChatterPerMin are then the means of its
	// smoothed curve, and Swing is ignored.
	Shape *Shape
	// Shifts are lasting changes of the traffic: a new normal, not an outage.
	Shifts []LevelShift
}

// Region is one share of a service's users: where they are, when their evening is and
// what languages they post in.
type Region struct {
	Country   string  // ISO alpha-2; "" when unknown
	Weight    float64 // share of the traffic (weights are normalised)
	UTCOffset float64 // hours; drives the daily cycle
	// Langs are template languages (BCP 47, plus "hi-Latn" for romanised Hindi); a
	// language listed twice is picked twice as often.
	Langs []string
}

// OutageSpec is a ground-truth Outage together with the shape of its complaints. The
// number of distinct complaining authors in a minute is Poisson around PeakPerMin times
// the outage's level (ramp, plateau with jitter and sag, dips), so the busiest observed
// minute usually lies a few times sqrt(PeakPerMin) above PeakPerMin.
type OutageSpec struct {
	Outage
	// Mix is where the complaints come from; nil derives one from Country and Langs.
	Mix []Region
	// Ramp is how long the rate takes to climb to PeakPerMin; 0 means 2 minutes.
	Ramp time.Duration
	// Sag is the fraction by which the rate has fallen from the peak by End as interest
	// fades; 0 means 0.25, a negative value means none.
	Sag float64
	// Dips are windows inside [Start, End) where the complaints almost stop (flapping).
	Dips []Window
	// Tail is how long complaints and "back now" posts go on after End; 0 means 12 minutes.
	Tail time.Duration
	// AckText is the acknowledgement posted at AckAt by AckBy; "" means a default text.
	AckText string
}

// Window is a half-open interval of event time.
type Window struct {
	Start, End time.Time
}

// TrapKind names a kind of trap.
type TrapKind string

// The kinds of trap Generate knows.
const (
	TrapSharePrice   TrapKind = "share-price"   // "META shares down 5%"
	TrapSlang        TrapKind = "slang"         // "down bad", "let me down", "calm down"
	TrapDownWords    TrapKind = "down-words"    // "download", "countdown", "downtown", "markdown"
	TrapSpamAccount  TrapKind = "spam-account"  // one account posting the same complaint hundreds of times
	TrapRepostStorm  TrapKind = "repost-storm"  // thousands of reposts and copy-pastes of one news post
	TrapViralLaunch  TrapKind = "viral-launch"  // huge chatter naming a service without outage language
	TrapShuttingDown TrapKind = "shutting-down" // "Google is shutting down Podcasts"
	TrapMediaReports TrapKind = "media-reports" // outlets report an outage without quoting the company
	TrapOtherSubject TrapKind = "other-subject" // "power's down in the whole street, still on WhatsApp"
	TrapNewsJokes    TrapKind = "news-jokes"    // "is iCloud down? lol no, everyone's watching the keynote"
)

// TrapNewsChatter names the trap every shaped background brings (Shape.Loose): outage
// words used loosely in the chatter of the series' spikes. It is listed in the Truth; it
// is not a kind a TrapSpec can ask for.
const TrapNewsChatter = "news-chatter"

// TrapSpec is one trap in a scenario.
type TrapSpec struct {
	Kind    TrapKind
	Service string // the service the trap names
	Start   time.Time
	End     time.Time
	// PerMin is the trap's peak rate in posts per minute; 0 means the kind's default.
	PerMin float64
	// Note explains the trap in the Truth; "" means the kind's default note.
	Note string
	// Mix is where the posts of an other-subject or news-jokes trap come from; nil means
	// the usual mix of the service's users.
	Mix []Region
}

// Lateness says which posts arrive late: each post, with probability Fraction, is emitted
// after the posts of up to Max later event time. Zero value: everything in order.
type Lateness struct {
	Fraction float64
	Min, Max time.Duration
}

// ErrInvalid is wrapped by the errors Validate returns.
var ErrInvalid = errors.New("scenario: invalid")

// Validate reports contradictions in the scenario: a non-positive duration, an outage
// that ends before it starts or lies outside the stream, a lateness bound out of order.
func (s Scenario) Validate() error {
	if s.Duration < time.Minute {
		return fmt.Errorf("%w: %s: duration %v is less than a minute", ErrInvalid, s.Name, s.Duration)
	}
	end := s.Start.Add(s.Duration)
	for i, o := range s.Outages {
		switch {
		case o.Service == "":
			return fmt.Errorf("%w: %s: outage %d has no service", ErrInvalid, s.Name, i)
		case !o.End.After(o.Start):
			return fmt.Errorf("%w: %s: outage %d of %s ends at %v, not after its start %v", ErrInvalid, s.Name, i, o.Service, o.End, o.Start)
		case o.Start.Before(s.Start) || o.End.After(end):
			return fmt.Errorf("%w: %s: outage %d of %s (%v-%v) lies outside the stream (%v-%v)", ErrInvalid, s.Name, i, o.Service, o.Start, o.End, s.Start, end)
		case o.PeakPerMin <= 0:
			return fmt.Errorf("%w: %s: outage %d of %s has peak %v, want > 0", ErrInvalid, s.Name, i, o.Service, o.PeakPerMin)
		case o.AckAt != nil && o.AckBy == "":
			return fmt.Errorf("%w: %s: outage %d of %s has ack_at but no ack_by", ErrInvalid, s.Name, i, o.Service)
		}
	}
	if err := s.validateBackgrounds(); err != nil {
		return err
	}
	for i, t := range s.Traps {
		if !t.End.After(t.Start) {
			return fmt.Errorf("%w: %s: trap %d (%s) ends at %v, not after its start %v", ErrInvalid, s.Name, i, t.Kind, t.End, t.Start)
		}
		if _, ok := trapDefaults[t.Kind]; !ok {
			return fmt.Errorf("%w: %s: trap %d has unknown kind %q", ErrInvalid, s.Name, i, t.Kind)
		}
	}
	if s.Late.Fraction < 0 || s.Late.Fraction > 1 || s.Late.Min < 0 || s.Late.Max < s.Late.Min {
		return fmt.Errorf("%w: %s: lateness %+v out of range", ErrInvalid, s.Name, s.Late)
	}
	return nil
}

// validateBackgrounds checks the shapes and level shifts; whether a shape's stretch lies
// inside its series is checked when the series is read (Generate).
func (s Scenario) validateBackgrounds() error {
	end := s.Start.Add(s.Duration)
	for _, b := range s.Background {
		if sh := b.Shape; sh != nil {
			if !slices.Contains(RealSeries(), sh.Series) {
				return fmt.Errorf("%w: %s: background %s: no real series %q; there are %v", ErrInvalid, s.Name, b.Service, sh.Series, RealSeries())
			}
			if sh.From.IsZero() {
				return fmt.Errorf("%w: %s: background %s: shape of %s has no From", ErrInvalid, s.Name, b.Service, sh.Series)
			}
		}
		for _, ls := range b.Shifts {
			if ls.Factor <= 0 || ls.Ramp < 0 || ls.At.Before(s.Start) || !ls.At.Before(end) {
				return fmt.Errorf("%w: %s: background %s: level shift at %v (factor %v, ramp %v) out of range", ErrInvalid, s.Name, b.Service, ls.At, ls.Factor, ls.Ramp)
			}
		}
	}
	return nil
}

// Truth returns the ground truth of the scenario without generating its posts.
func (s Scenario) Truth() Truth {
	start := s.Start.UTC().Truncate(time.Minute)
	t := Truth{
		Scenario: s.Name,
		Start:    start,
		End:      start.Add(s.Duration.Truncate(time.Minute)),
		Outages:  make([]Outage, 0, len(s.Outages)),
		Traps:    make([]Trap, 0, len(s.Traps)),
	}
	for _, o := range s.Outages {
		out := o.Outage
		if len(out.Langs) == 0 {
			out.Langs = mixLangs(o.mix())
		}
		t.Outages = append(t.Outages, out)
	}
	for _, tr := range s.Traps {
		note := tr.Note
		if note == "" {
			note = trapDefaults[tr.Kind].note
		}
		t.Traps = append(t.Traps, Trap{Name: string(tr.Kind), Start: tr.Start, End: tr.End, Service: tr.Service, Note: note})
	}
	for _, b := range s.Background {
		if b.Shape != nil && b.Shape.loose() > 0 {
			t.Traps = append(t.Traps, Trap{Name: TrapNewsChatter, Start: t.Start, End: t.End, Service: b.Service, Note: newsChatterNote})
		}
		for _, ls := range b.Shifts {
			t.Shifts = append(t.Shifts, Shift{Service: b.Service, At: ls.At, Until: ls.At.Add(ls.grace()), Factor: ls.Factor, Note: ls.Note})
		}
	}
	return t
}

const newsChatterNote = "chatter follows the real series, news spikes included; a few percent of the chatter above twice " +
	"the smoothed curve uses outage words loosely (jokes, share prices, slang, \"is it down? no\")"

// Generate writes the scenario's posts, roughly in event-time order (late by up to
// Late.Max when the scenario says so), calling emit for each, and returns the ground
// truth. It stops at the first error emit returns and returns it wrapped. It is
// deterministic: the same Scenario yields the same posts in the same order.
func (s Scenario) Generate(emit func(downwatch.Post) error) (Truth, error) {
	if err := s.Validate(); err != nil {
		return Truth{}, err
	}
	g, err := newGenerator(s)
	if err != nil {
		return Truth{}, err
	}
	if err := g.run(func(p downwatch.Post, _ meta) error { return emit(p) }); err != nil {
		return Truth{}, fmt.Errorf("scenario %s: emit: %w", s.Name, err)
	}
	return s.Truth(), nil
}

// WriteJSONL writes the scenario's posts to w as JSON Lines (one post per line) and
// returns the ground truth.
func WriteJSONL(w io.Writer, s Scenario) (Truth, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	truth, err := s.Generate(func(p downwatch.Post) error { return enc.Encode(p) })
	if err != nil {
		return Truth{}, err
	}
	if err := bw.Flush(); err != nil {
		return Truth{}, fmt.Errorf("scenario %s: write: %w", s.Name, err)
	}
	return truth, nil
}
