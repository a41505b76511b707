package downwatch

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Silence keeps receivers (webhooks, Slack) from being told about the incidents
// it matches while it is active, as an Alertmanager silence does: a planned
// maintenance, a known outage. Silenced incidents are still detected, stored and
// published on Kafka and Redis, marked with the silence's id (Incident.Silenced).
// docs/CONTRACT.md §9.
type Silence struct {
	ID       string    `json:"id"`
	Matchers []Matcher `json:"matchers"` // all must match
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"` // it expires by itself then
	By       string    `json:"created_by"`
	Comment  string    `json:"comment"`
	// Token is the name of the API token it was made with, if any.
	Token     string    `json:"token,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	// ExpiredBy is who ended it early (EndsAt is then when).
	ExpiredBy string `json:"expired_by,omitempty"`
}

// Matcher matches one label of an incident: service, region (empty for a
// global incident) or symptom (any of the incident's symptoms), exactly or by a
// regular expression that must match the whole value.
type Matcher struct {
	Name  string `json:"name"` // service, region or symptom
	Value string `json:"value"`
	Regex bool   `json:"regex,omitempty"`

	re *regexp.Regexp
}

// MatcherNames are the labels a matcher can name.
var MatcherNames = []string{"service", "region", "symptom"}

// ErrSilence is wrapped by every error Check returns.
var ErrSilence = errors.New("silence refused")

// ParseMatcher reads "name=value" (exact) or "name=~regexp".
func ParseMatcher(s string) (Matcher, error) {
	name, value, ok := strings.Cut(s, "=")
	if !ok {
		return Matcher{}, fmt.Errorf("%w: matcher %q: want NAME=VALUE or NAME=~REGEXP, NAME one of %s", ErrSilence, s, strings.Join(MatcherNames, ", "))
	}
	m := Matcher{Name: strings.TrimSpace(name), Value: value}
	if v, re := strings.CutPrefix(value, "~"); re {
		m.Value, m.Regex = v, true
	}
	return m, m.compile()
}

func (m *Matcher) compile() error {
	if !slices.Contains(MatcherNames, m.Name) {
		return fmt.Errorf("%w: matcher on %q: want one of %s", ErrSilence, m.Name, strings.Join(MatcherNames, ", "))
	}
	if !m.Regex {
		return nil
	}
	re, err := regexp.Compile("^(?:" + m.Value + ")$")
	if err != nil {
		return fmt.Errorf("%w: matcher %s=~%s: %v", ErrSilence, m.Name, m.Value, err)
	}
	m.re = re
	return nil
}

func (m *Matcher) match(v string) bool {
	if m.Regex {
		if m.re == nil && m.compile() != nil {
			return false
		}
		return m.re.MatchString(v)
	}
	return v == m.Value
}

// String is the matcher as ParseMatcher reads it.
func (m Matcher) String() string {
	op := "="
	if m.Regex {
		op = "=~"
	}
	return m.Name + op + m.Value
}

// Check says what is wrong with a silence before it is stored, and compiles
// its regular expressions.
func (s *Silence) Check() error {
	if len(s.Matchers) == 0 {
		return fmt.Errorf("%w: a silence needs at least one matcher (e.g. service=whatsapp); one that matches everything silences every incident", ErrSilence)
	}
	for i := range s.Matchers {
		if err := s.Matchers[i].compile(); err != nil {
			return err
		}
	}
	switch {
	case strings.TrimSpace(s.By) == "":
		return fmt.Errorf("%w: a silence needs its author (created_by)", ErrSilence)
	case strings.TrimSpace(s.Comment) == "":
		return fmt.Errorf("%w: a silence needs a comment saying why (e.g. the maintenance ticket)", ErrSilence)
	case s.StartsAt.IsZero() || s.EndsAt.IsZero():
		return fmt.Errorf("%w: a silence needs a start and an end", ErrSilence)
	case !s.EndsAt.After(s.StartsAt):
		return fmt.Errorf("%w: it ends (%s) before it starts (%s)", ErrSilence, s.EndsAt.Format(time.RFC3339), s.StartsAt.Format(time.RFC3339))
	}
	return nil
}

// Active reports whether the silence holds at now (wall clock).
func (s *Silence) Active(now time.Time) bool {
	return !now.Before(s.StartsAt) && now.Before(s.EndsAt)
}

// Matches reports whether every matcher matches the incident.
func (s *Silence) Matches(inc *Incident) bool {
	for i := range s.Matchers {
		m := &s.Matchers[i]
		var ok bool
		switch m.Name {
		case "service":
			ok = m.match(inc.Service)
		case "region":
			ok = m.match(inc.Region)
		case "symptom":
			ok = slices.ContainsFunc(inc.Symptoms, m.match)
		}
		if !ok {
			return false
		}
	}
	return true
}

// SilenceAlerts marks each alert whose incident an active silence matches, at now,
// with the first such silence's id, and clears the mark of the others. It
// returns how many it marked.
func SilenceAlerts(alerts []Alert, silences []Silence, now time.Time) int {
	n := 0
	for i := range alerts {
		inc := &alerts[i].Incident
		inc.Silenced = ""
		for j := range silences {
			if s := &silences[j]; s.Active(now) && s.Matches(inc) {
				inc.Silenced = s.ID
				n++
				break
			}
		}
	}
	return n
}
