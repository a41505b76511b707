package downwatch

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// What people do to an incident (docs/CONTRACT.md §3, "operator actions").
const (
	ActionAcknowledge = "acknowledge" // a person is on it; distinct from the company's acknowledgement
	ActionResolve     = "resolve"     // a person says it is over
	ActionReopen      = "reopen"      // a person says it is not over
	ActionFalseAlarm  = "false-alarm" // a person says it was never an outage; needs a reason
	ActionMerge       = "merge"       // two incidents of one service are one; Other is the other id
	ActionLink        = "link"        // incidents of two services share a cause; Other is the other id
)

// Alert types of operator actions (docs/CONTRACT.md §5). A person's resolve and
// reopen use AlertResolved and AlertReopened, so subscribers that know only the
// detector's types still see the state change.
const (
	AlertOperatorAcknowledged = "incident.operator_acknowledged"
	AlertFalseAlarm           = "incident.false_alarm"
	AlertMerged               = "incident.merged"
	AlertLinked               = "incident.linked"
)

// AlertTypes lists every alert type, the detector's first.
var AlertTypes = []string{AlertOpened, AlertUpdated, AlertAcknowledged, AlertResolved, AlertReopened,
	AlertOperatorAcknowledged, AlertFalseAlarm, AlertMerged, AlertLinked}

// Action is one thing a person did to an incident: who, when (wall clock), why.
type Action struct {
	Type string `json:"type"` // one of the Action* constants
	By   string `json:"by"`   // the person
	// Token is the name of the API token the change was made with, if any.
	Token string    `json:"token,omitempty"`
	At    time.Time `json:"at"`
	Note  string    `json:"note,omitempty"` // the note, or the reason of a false alarm
	// Other is the other incident of a merge or link.
	Other string `json:"other,omitempty"`
	// Revision is the incident revision this action made.
	Revision int `json:"revision"`
}

// maxActions bounds the actions kept on an incident (the newest are kept).
const maxActions = 50

// ErrAction is wrapped by every error Apply and Merge return for an action that
// does not fit the incident's state; the message says what would.
var ErrAction = errors.New("incident action refused")

// ActionTypes are the actions Apply takes (merge goes through Merge).
var ActionTypes = []string{ActionAcknowledge, ActionResolve, ActionReopen, ActionFalseAlarm, ActionMerge, ActionLink}

// Check says what is missing from a for it to be recorded.
func (a *Action) Check() error {
	if !slices.Contains(ActionTypes, a.Type) {
		return fmt.Errorf("%w: unknown action %q (want one of %s)", ErrAction, a.Type, strings.Join(ActionTypes, ", "))
	}
	if strings.TrimSpace(a.By) == "" {
		return fmt.Errorf("%w: %s needs the name of the person doing it (by)", ErrAction, a.Type)
	}
	if a.Type == ActionFalseAlarm && strings.TrimSpace(a.Note) == "" {
		return fmt.Errorf("%w: a false alarm needs a reason (note)", ErrAction)
	}
	if (a.Type == ActionMerge || a.Type == ActionLink) && a.Other == "" {
		return fmt.Errorf("%w: %s needs the other incident's id", ErrAction, a.Type)
	}
	if a.At.IsZero() {
		return fmt.Errorf("%w: %s has no time", ErrAction, a.Type)
	}
	return nil
}

// Apply records a person's acknowledge, resolve, reopen, false alarm or link on
// the incident, raises its revision and returns the alert type to publish.
// resolved_at of a resolve by hand is the action's (wall-clock) time.
func (i *Incident) Apply(a Action) (string, error) {
	if err := a.Check(); err != nil {
		return "", err
	}
	if i.MergedInto != "" {
		return "", fmt.Errorf("%w: %s was merged into %s; act on that one", ErrAction, i.ID, i.MergedInto)
	}
	var typ string
	switch a.Type {
	case ActionAcknowledge:
		if !i.Active() {
			return "", fmt.Errorf("%w: %s is %s; reopen it before acknowledging it", ErrAction, i.ID, i.State)
		}
		i.OperatorAck, typ = &a, AlertOperatorAcknowledged
	case ActionResolve:
		if !i.Active() {
			return "", fmt.Errorf("%w: %s is already resolved", ErrAction, i.ID)
		}
		i.close(&a)
		typ = AlertResolved
	case ActionReopen:
		if i.Active() {
			return "", fmt.Errorf("%w: %s is %s, not resolved", ErrAction, i.ID, i.State)
		}
		i.Reopen()
		typ = AlertReopened
	case ActionFalseAlarm:
		if i.Active() {
			i.close(&a)
		}
		i.FalseAlarm, typ = &a, AlertFalseAlarm
	case ActionLink:
		if !slices.Contains(i.Related, a.Other) {
			i.Related = append(i.Related, a.Other)
			slices.Sort(i.Related)
		}
		typ = AlertLinked
	default:
		return "", fmt.Errorf("%w: %s takes two incidents (Merge)", ErrAction, a.Type)
	}
	i.record(a)
	return typ, nil
}

// Reopen makes a resolved incident active again (acknowledged if the company
// had acknowledged it); a person's resolution and false-alarm mark are cleared,
// and stay in Actions.
func (i *Incident) Reopen() {
	i.State = StateOpen
	if i.AcknowledgedAt != nil {
		i.State = StateAcknowledged
	}
	i.ResolvedAt, i.Resolution, i.FalseAlarm = nil, nil, nil
}

func (i *Incident) close(a *Action) {
	t := a.At.UTC()
	i.State, i.ResolvedAt, i.Resolution = StateResolved, &t, a
}

// record raises the revision and appends a to Actions.
func (i *Incident) record(a Action) {
	i.Revision++
	a.Revision = i.Revision
	a.At = a.At.UTC()
	i.UpdatedAt = a.At
	i.Actions = append(i.Actions, a)
	if n := len(i.Actions); n > maxActions {
		i.Actions = slices.Delete(i.Actions, 0, n-maxActions)
	}
}

// OperatorRevision is the revision of the last action a person took on the
// incident (0: none).
func (i *Incident) OperatorRevision() int {
	if n := len(i.Actions); n > 0 {
		return i.Actions[n-1].Revision
	}
	return 0
}

// Merge folds incident x into incident s of the same service: s survives with
// the earlier onset, the larger peak and author count, the mentions, languages
// and countries summed, and x in Merged; x is resolved with merged_into s. Both
// revisions go up. Later changes of x go to s.
func Merge(s, x *Incident, a Action) error {
	a.Type, a.Other = ActionMerge, x.ID
	if err := a.Check(); err != nil {
		return err
	}
	switch {
	case s.ID == x.ID:
		return fmt.Errorf("%w: cannot merge %s into itself", ErrAction, s.ID)
	case s.Service != x.Service:
		return fmt.Errorf("%w: %s and %s are incidents of different services; link them as related instead", ErrAction, s.ID, x.ID)
	case s.MergedInto != "" || x.MergedInto != "":
		return fmt.Errorf("%w: one of %s and %s was already merged; merge into the surviving incident", ErrAction, s.ID, x.ID)
	}
	if x.StartedAt.Before(s.StartedAt) {
		s.StartedAt = x.StartedAt
	}
	s.PeakPerMin = max(s.PeakPerMin, x.PeakPerMin)
	s.Authors = max(s.Authors, x.Authors)
	s.Mentions += x.Mentions
	s.Languages = addCounts(s.Languages, x.Languages)
	s.Countries = addCounts(s.Countries, x.Countries)
	s.SymptomCounts = addCounts(s.SymptomCounts, x.SymptomCounts)
	for _, sym := range x.Symptoms {
		if !slices.Contains(s.Symptoms, sym) {
			s.Symptoms = append(s.Symptoms, sym)
		}
	}
	if s.AcknowledgedAt == nil && x.AcknowledgedAt != nil {
		s.AcknowledgedAt, s.Acknowledgement = x.AcknowledgedAt, x.Acknowledgement
	}
	s.Merged = append(s.Merged, x.ID)
	s.record(a)
	if x.Active() {
		x.close(&a)
	}
	x.MergedInto = s.ID
	a.Other = s.ID
	x.record(a)
	return nil
}

func addCounts(a, b map[string]int) map[string]int {
	if len(b) == 0 {
		return a
	}
	out := maps.Clone(a)
	if out == nil {
		out = map[string]int{}
	}
	for k, v := range b {
		out[k] += v
	}
	return out
}
