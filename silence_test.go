package downwatch

import (
	"errors"
	"testing"
	"time"
)

func TestSilenceMatches(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	inc := Incident{Service: "whatsapp", Region: "IN", Symptoms: []string{"send-messages", "login"}}
	global := Incident{Service: "whatsapp", Symptoms: []string{"connect"}}
	cases := []struct {
		name     string
		matchers []string
		regional bool
		global   bool
	}{
		{"service exact", []string{"service=whatsapp"}, true, true},
		{"service prefix is not exact", []string{"service=whats"}, false, false},
		{"regexp matches the whole value", []string{"service=~whats"}, false, false},
		{"regexp", []string{"service=~whats.*|gmail"}, true, true},
		{"region", []string{"service=whatsapp", "region=IN"}, true, false},
		{"global only", []string{"region="}, false, true},
		{"any symptom", []string{"symptom=login"}, true, false},
		{"symptom regexp", []string{"symptom=~log.*|conn.*"}, true, true},
		{"all must match", []string{"service=whatsapp", "symptom=payments"}, false, false},
	}
	for _, c := range cases {
		s := Silence{ID: "s1", StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour), By: "ana", Comment: "x"}
		for _, m := range c.matchers {
			pm, err := ParseMatcher(m)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			s.Matchers = append(s.Matchers, pm)
		}
		if err := s.Check(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := s.Matches(&inc); got != c.regional {
			t.Errorf("%s: regional incident matched %v, want %v", c.name, got, c.regional)
		}
		if got := s.Matches(&global); got != c.global {
			t.Errorf("%s: global incident matched %v, want %v", c.name, got, c.global)
		}
	}
}

func TestSilenceAlertsOnlyWhileActive(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	m, _ := ParseMatcher("service=whatsapp")
	ss := []Silence{{ID: "later", Matchers: []Matcher{m}, StartsAt: now.Add(time.Hour), EndsAt: now.Add(2 * time.Hour)},
		{ID: "now", Matchers: []Matcher{m}, StartsAt: now.Add(-time.Hour), EndsAt: now.Add(time.Hour)}}
	alerts := []Alert{{Incident: Incident{Service: "whatsapp", Silenced: "stale"}}, {Incident: Incident{Service: "gmail", Silenced: "stale"}}}
	if n := SilenceAlerts(alerts, ss, now); n != 1 || alerts[0].Incident.Silenced != "now" || alerts[1].Incident.Silenced != "" {
		t.Errorf("at 08:00: %d marked, %q and %q; want 1, now and none", n, alerts[0].Incident.Silenced, alerts[1].Incident.Silenced)
	}
	if SilenceAlerts(alerts, ss, now.Add(3*time.Hour)); alerts[0].Incident.Silenced != "" {
		t.Errorf("after both ended: marked %q, want nothing", alerts[0].Incident.Silenced)
	}
}

func TestSilenceCheck(t *testing.T) {
	now := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	m, _ := ParseMatcher("service=whatsapp")
	bad := map[string]Silence{
		"no matchers": {By: "a", Comment: "c", StartsAt: now, EndsAt: now.Add(time.Hour)},
		"no author":   {Matchers: []Matcher{m}, Comment: "c", StartsAt: now, EndsAt: now.Add(time.Hour)},
		"no comment":  {Matchers: []Matcher{m}, By: "a", StartsAt: now, EndsAt: now.Add(time.Hour)},
		"ends first":  {Matchers: []Matcher{m}, By: "a", Comment: "c", StartsAt: now, EndsAt: now.Add(-time.Hour)},
		"bad label":   {Matchers: []Matcher{{Name: "country", Value: "IN"}}, By: "a", Comment: "c", StartsAt: now, EndsAt: now.Add(time.Hour)},
		"bad regexp":  {Matchers: []Matcher{{Name: "service", Value: "(", Regex: true}}, By: "a", Comment: "c", StartsAt: now, EndsAt: now.Add(time.Hour)},
	}
	for name, s := range bad {
		if err := s.Check(); !errors.Is(err, ErrSilence) {
			t.Errorf("%s: got %v, want ErrSilence", name, err)
		}
	}
	if _, err := ParseMatcher("whatsapp"); !errors.Is(err, ErrSilence) {
		t.Errorf("a matcher without =: got %v, want ErrSilence", err)
	}
}
