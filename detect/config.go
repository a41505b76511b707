package detect

import (
	"errors"
	"fmt"
	"time"
)

// Config is the burst decision and lifecycle. The zero value is not usable; start
// from DefaultConfig. Every knob trades sensitivity against false alarms:
//
//   - Alpha lower → fewer false alarms, later detection. It is the tail
//     probability of the observed distinct authors under the baseline.
//   - MinAuthors higher → small services need more people before an alert.
//   - ShortWindow catches sudden outages; LongWindow catches slow-rising ones.
//   - QuietMinutes longer → fewer flapping incidents, later resolution.
type Config struct {
	// Alpha is the tail probability below which a window is a burst; default 1e-6.
	Alpha float64
	// MinAuthors is the fewest distinct complaining authors in a window that can
	// open an incident; default 5.
	MinAuthors int
	// ShortWindow and LongWindow are the sliding windows tested; default 2m and 10m.
	ShortWindow, LongWindow time.Duration
	// MinRatio is how many times the expected count a window must hold to be a
	// burst, besides being improbable; default 3. A 30% rise over a big baseline
	// is a busy hour, not an outage. Higher: only bigger bursts alarm.
	MinRatio float64
	// HalfLife of the short-term level (how the last two hours compare with the
	// seasonal shape); default 2h: short enough to follow a busy day within a few
	// hours, long enough that a slow ramp is not followed as fast as it rises
	// (minutes inside an outage are not learnt and bumps are clipped at 1.5
	// times the expectation, so an outage cannot teach the baseline to expect it).
	HalfLife time.Duration
	// ProfileMemory is the half-life of the hour-of-day levels, in days of data;
	// default 3 days. WeekMemory is that of the weekday factors; default 3 weeks.
	ProfileMemory, WeekMemory time.Duration
	// DispersionMemory is the half-life of the forecast-error spread; default 3
	// days. Winsor caps each forecast error at this many standard deviations
	// before it is learnt; default 5: lower makes the spread ignore rare bursts
	// (more alarms on a bursty stream), higher lets one freak burst widen it.
	DispersionMemory time.Duration
	Winsor           float64
	// RareEvery and EpisodeMemory make a burst alarm only when it is rare for its
	// stream: bursts at least its size (in complaints above the baseline) happen
	// less than once per RareEvery by the stream's recent burst episodes, older
	// episodes weighing less (half-life EpisodeMemory). A stream that has not
	// burst alarms on its first burst; one that bursts every day alarms only on
	// bursts bigger than its usual ones. Defaults 30 days and 28 days. Longer
	// RareEvery: quieter bursty streams; shorter: more alarms.
	RareEvery, EpisodeMemory time.Duration
	// LongEpisode: an episode that has lasted this long is also rare when
	// episodes at least its length happen less than once per RareEvery, so
	// complaints that stay up for hours alarm on a stream whose usual bursts are
	// short spikes bigger in sum; default 1h. Shorter: sooner on such streams,
	// and more alarms on ones whose bursts vary in length; longer: fewer.
	LongEpisode time.Duration
	// AdoptAfter: an incident still open this long starts teaching the baseline,
	// so a lasting new level (a news day, a growing audience) becomes the new
	// normal and the incident ends; default 3h.
	AdoptAfter time.Duration
	// ReopenWithin: a burst this soon after an incident resolved reopens it (same
	// id, incident.reopened) instead of opening another; default 30m.
	ReopenWithin time.Duration
	// FloorPerMin is the smallest baseline rate assumed, in authors per minute;
	// default 0.02 (about 30 a day). It keeps tiny services from firing on noise.
	FloorPerMin float64
	// Warmup is the history needed before any decision; default 10m.
	Warmup time.Duration
	// QuietAlpha: a minute is quiet when its count is not a burst at this level;
	// default 0.01. QuietFraction: or when it is below this fraction of the peak;
	// default 0.05. Together they are the closing side of the hysteresis.
	QuietAlpha    float64
	QuietFraction float64
	// QuietMinutes of quiet in a row resolve an incident; default 10.
	QuietMinutes time.Duration
	// Lateness is how long a minute stays open for late posts before it is final;
	// default 60s.
	Lateness time.Duration
	// MaxSkew: event times further ahead of the detector's clock are clamped; default 5m.
	MaxSkew time.Duration
	// AckWindow: an acknowledgement up to this long before an incident opens is
	// attached to it; default 30m.
	AckWindow time.Duration
	// Regional enables per-country signals and regional incidents; default true.
	// RegionalMin is the long-run mean, in complaints a minute, a service needs
	// before its posts are also counted per country; default 0.2 (about 300 a day). A
	// quieter service's regional outage stands out in its global signal.
	Regional    bool
	RegionalMin float64
	// RelatedWithin: incidents starting within this of each other are related; default 5m.
	RelatedWithin time.Duration
	// Services overrides Alpha and MinAuthors per service id.
	Services map[string]Sensitivity `json:"services,omitempty" yaml:"services"`
}

// Sensitivity overrides the global decision for one service. Zero fields inherit.
type Sensitivity struct {
	Alpha      float64 `json:"alpha,omitempty" yaml:"alpha"`
	MinAuthors int     `json:"min_authors,omitempty" yaml:"min_authors"`
}

// DefaultConfig returns the defaults, which work without tuning.
func DefaultConfig() Config {
	return Config{
		Alpha:            1e-6,
		MinAuthors:       5,
		ShortWindow:      2 * time.Minute,
		LongWindow:       10 * time.Minute,
		MinRatio:         3,
		HalfLife:         2 * time.Hour,
		ProfileMemory:    3 * 24 * time.Hour,
		WeekMemory:       21 * 24 * time.Hour,
		DispersionMemory: 3 * 24 * time.Hour,
		Winsor:           5,
		AdoptAfter:       3 * time.Hour,
		RareEvery:        30 * 24 * time.Hour,
		EpisodeMemory:    28 * 24 * time.Hour,
		LongEpisode:      time.Hour,
		ReopenWithin:     30 * time.Minute,
		FloorPerMin:      0.02,
		Warmup:           10 * time.Minute,
		QuietAlpha:       0.01,
		QuietFraction:    0.05,
		QuietMinutes:     10 * time.Minute,
		Lateness:         60 * time.Second,
		MaxSkew:          5 * time.Minute,
		AckWindow:        30 * time.Minute,
		Regional:         true,
		RegionalMin:      0.2,
		RelatedWithin:    5 * time.Minute,
	}
}

// Validate rejects contradictions.
func (c Config) Validate() error {
	var errs []error
	if c.Alpha <= 0 || c.Alpha >= 1 {
		errs = append(errs, fmt.Errorf("alpha %g must be in (0, 1)", c.Alpha))
	}
	if c.QuietAlpha <= c.Alpha || c.QuietAlpha >= 1 {
		errs = append(errs, fmt.Errorf("quiet alpha %g must be in (alpha=%g, 1): closing must be easier than opening", c.QuietAlpha, c.Alpha))
	}
	if c.MinAuthors < 1 {
		errs = append(errs, fmt.Errorf("min authors %d must be at least 1", c.MinAuthors))
	}
	if c.ShortWindow <= 0 || c.LongWindow < c.ShortWindow {
		errs = append(errs, fmt.Errorf("windows %v and %v: want 0 < short <= long", c.ShortWindow, c.LongWindow))
	}
	if c.LongWindow > 30*time.Minute {
		errs = append(errs, fmt.Errorf("long window %v: at most 30m", c.LongWindow))
	}
	if c.HalfLife <= 0 || c.QuietMinutes <= 0 || c.ProfileMemory <= 0 || c.WeekMemory <= 0 || c.DispersionMemory <= 0 || c.AdoptAfter <= 0 || c.RareEvery <= 0 || c.EpisodeMemory <= 0 || c.LongEpisode <= 0 {
		errs = append(errs, errors.New("half-life, profile, week and dispersion memories, adopt-after, rare-every, episode memory, long episode and quiet minutes must be positive"))
	}
	if c.MinRatio < 1 {
		errs = append(errs, fmt.Errorf("min ratio %g must be at least 1", c.MinRatio))
	}
	if c.Winsor < 1 {
		errs = append(errs, fmt.Errorf("winsor %g must be at least 1 (standard deviations)", c.Winsor))
	}
	if c.ReopenWithin < 0 {
		errs = append(errs, fmt.Errorf("reopen within %v must not be negative", c.ReopenWithin))
	}
	if c.RegionalMin < 0 {
		errs = append(errs, fmt.Errorf("regional min %g must not be negative", c.RegionalMin))
	}
	if c.FloorPerMin <= 0 {
		errs = append(errs, fmt.Errorf("floor %g must be positive", c.FloorPerMin))
	}
	if c.QuietFraction < 0 || c.QuietFraction >= 1 {
		errs = append(errs, fmt.Errorf("quiet fraction %g must be in [0, 1)", c.QuietFraction))
	}
	for id, s := range c.Services {
		if s.Alpha < 0 || s.Alpha >= 1 || s.MinAuthors < 0 {
			errs = append(errs, fmt.Errorf("service %s: alpha %g or min authors %d out of range", id, s.Alpha, s.MinAuthors))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("detect: invalid config: %w", errors.Join(errs...))
	}
	return nil
}

// forService returns alpha and min authors for one service.
func (c *Config) forService(id string) (float64, int) {
	a, m := c.Alpha, c.MinAuthors
	if s, ok := c.Services[id]; ok {
		if s.Alpha > 0 {
			a = s.Alpha
		}
		if s.MinAuthors > 0 {
			m = s.MinAuthors
		}
	}
	return a, m
}
