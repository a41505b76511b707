package downwatch

import "time"

// Incident states (docs/CONTRACT.md §3).
const (
	StateOpen         = "open"
	StateAcknowledged = "acknowledged"
	StateResolved     = "resolved"
)

// Incident is what the detector stores in Redis, publishes in alerts and reports
// (docs/CONTRACT.md §3). Optional fields are omitted when unset.
type Incident struct {
	ID             string         `json:"id"`
	Service        string         `json:"service"`
	Region         string         `json:"region,omitempty"` // ISO country for a regional incident; empty = global
	State          string         `json:"state"`
	StartedAt      time.Time      `json:"started_at"`
	DetectedAt     time.Time      `json:"detected_at"`
	AcknowledgedAt *time.Time     `json:"acknowledged_at,omitempty"`
	ResolvedAt     *time.Time     `json:"resolved_at,omitempty"`
	PeakPerMin     float64        `json:"peak_per_min"`
	Mentions       int            `json:"mentions"`
	Authors        int            `json:"authors"`
	Languages      map[string]int `json:"languages,omitempty"`
	Countries      map[string]int `json:"countries,omitempty"`
	Symptoms       []string       `json:"symptoms,omitempty"`
	// SymptomCounts is how many of the incident's posts named each symptom
	// (every symptom named at least once, not only those in Symptoms); a post
	// may name several. Absent in incidents stored before it existed.
	SymptomCounts map[string]int `json:"symptom_counts,omitempty"`
	SamplePosts   []Post         `json:"sample_posts,omitempty"`
	Related       []string       `json:"related,omitempty"`
	// Acknowledgement is the post that acknowledged the incident, if any.
	Acknowledgement *Post `json:"acknowledgement,omitempty"`
	// Revision grows by one with every change, so sinks can order and deduplicate.
	Revision int `json:"revision"`
	// Evidence explains the decision that opened the incident.
	Evidence *Evidence `json:"evidence,omitempty"`
	// UpdatedAt is the event time of the last change (a person's: its wall-clock time).
	UpdatedAt time.Time `json:"updated_at"`

	// What people did (operator.go); every field optional.

	// OperatorAck is a person's acknowledgement (someone is on it), distinct
	// from the company's own (AcknowledgedAt); it does not change State.
	OperatorAck *Action `json:"operator_ack,omitempty"`
	// Resolution is the action that resolved the incident by hand, if one did.
	Resolution *Action `json:"resolution,omitempty"`
	// FalseAlarm is set when a person marked the incident a false alarm.
	FalseAlarm *Action `json:"false_alarm,omitempty"`
	// MergedInto is the surviving incident this one was merged into.
	MergedInto string `json:"merged_into,omitempty"`
	// Merged lists the incidents merged into this one.
	Merged []string `json:"merged,omitempty"`
	// Actions is what people did, oldest first (the last 50).
	Actions []Action `json:"actions,omitempty"`
	// Silenced is the id of the silence that matched this change (silence.go):
	// receivers were not notified of it.
	Silenced string `json:"silenced,omitempty"`
	// RedactedAt is when the retention (privacy.go) took the sample posts and
	// the acknowledgement out of the incident; its statistics stay.
	RedactedAt *time.Time `json:"redacted_at,omitempty"`
}

// Active reports whether the incident is open or acknowledged.
func (i *Incident) Active() bool { return i.State == StateOpen || i.State == StateAcknowledged }

// Evidence is what the burst decision saw when it fired: "why did this fire?".
type Evidence struct {
	Window   string  `json:"window"`   // e.g. "2m"
	Observed int     `json:"observed"` // distinct complaining authors in the window
	Expected float64 `json:"expected"` // baseline authors expected in the window
	PValue   float64 `json:"p_value"`  // tail probability of Observed under the baseline
	Baseline float64 `json:"baseline_per_min"`
	// Dispersion is the baseline's variance over its mean (1 = Poisson); the test
	// is quasi-Poisson, so a noisier baseline needs a larger burst.
	Dispersion float64 `json:"dispersion"`
}

// Alert types (docs/CONTRACT.md §5).
const (
	AlertOpened       = "incident.opened"
	AlertUpdated      = "incident.updated"
	AlertAcknowledged = "incident.acknowledged"
	AlertResolved     = "incident.resolved"
	// AlertReopened: a re-flare shortly after resolution (within the detector's
	// reopen window) reopens the same incident: same id, state open, resolved_at
	// removed, revision up.
	AlertReopened = "incident.reopened"
)

// Alert is the value of a record on the alerts topic (key = incident id) and of a
// message on the Redis channel downwatch:alerts.
type Alert struct {
	Type     string    `json:"type"`
	At       time.Time `json:"at"`
	Incident Incident  `json:"incident"`
	// Test marks an alert `downwatch notify test` made up to try a receiver:
	// no such incident exists.
	Test bool `json:"test,omitempty"`
}

// SeriesPoint is one minute of a service's signal: what the dashboard charts.
type SeriesPoint struct {
	Service  string    `json:"-"`
	Minute   time.Time `json:"t"`
	Authors  int       `json:"authors"`  // distinct complaining authors in the minute
	Baseline float64   `json:"baseline"` // expected authors per minute
}
