package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

// What every format for people says, in the same words: the headline, the
// facts, why it opened, who did what. Each format escapes these for its own
// markup; here they are plain text.

// headline is "WhatsApp incident opened (global)", "[TEST] " first for a test alert.
func headline(a downwatch.Alert, serviceName string) string {
	scope := "global"
	if a.Incident.Region != "" {
		scope = "in " + a.Incident.Region
	}
	verb := verbs[a.Type]
	if verb == "" {
		verb = a.Type
	}
	h := fmt.Sprintf("%s incident %s (%s)", serviceName, verb, scope)
	if a.Test {
		h = "[TEST] " + h
	}
	return h
}

// summary is the headline and the size: "…: 58 people complaining, peak 41/min, started 2022-10-25 07:05 UTC".
func summary(a downwatch.Alert, serviceName string) string {
	i := a.Incident
	return fmt.Sprintf("%s: %d people complaining, peak %.0f/min, started %s UTC", headline(a, serviceName),
		i.Authors, i.PeakPerMin, i.StartedAt.UTC().Format("2006-01-02 15:04"))
}

// fact is one name and value of an incident.
type fact struct{ name, value string }

// facts are the incident's state, start (and end), size, regions, languages and symptoms.
func facts(i downwatch.Incident) []fact {
	started := i.StartedAt.UTC().Format("2006-01-02 15:04 UTC")
	if i.ResolvedAt != nil {
		started += fmt.Sprintf(", resolved %s UTC (%s)", i.ResolvedAt.UTC().Format("15:04"), i.ResolvedAt.Sub(i.StartedAt).Round(time.Minute))
	}
	return []fact{
		{"State", i.State},
		{"Started", started},
		{"Complainers", fmt.Sprintf("%d (peak %.0f/min)", i.Authors, i.PeakPerMin)},
		{"Regions", or(top(i.Countries, 5), "–")},
		{"Languages", or(top(i.Languages, 5), "–")},
		{"Symptoms", or(strings.Join(i.Symptoms, ", "), "–")},
	}
}

// why are the lines saying why it opened, who acknowledged it and what a
// person did last, each clipped to n runes.
func why(a downwatch.Alert, n int) []string {
	i := a.Incident
	var out []string
	if e := i.Evidence; e != nil && a.Type == downwatch.AlertOpened {
		out = append(out, fmt.Sprintf("Why: %d distinct complainers in %s where %.1f were expected (p = %.1e)", e.Observed, e.Window, e.Expected, e.PValue))
	}
	if ack := i.Acknowledgement; ack != nil {
		out = append(out, fmt.Sprintf("Acknowledged by @%s: %s", ack.Author, oneLine(ack.Text, n)))
	}
	if k := len(i.Actions); k > 0 && i.Actions[k-1].Revision == i.Revision {
		act := i.Actions[k-1]
		line := fmt.Sprintf("%s by %s", act.Type, act.By)
		if act.Note != "" {
			line += ": " + oneLine(act.Note, n)
		}
		out = append(out, line)
	}
	if a.Test {
		out = append(out, "This is a test alert sent by downwatch notify test; there is no such incident.")
	}
	return out
}

// samples are up to k sample posts as "@author: text", each clipped to n runes.
func samples(i downwatch.Incident, k, n int) []string {
	var out []string
	for _, p := range i.SamplePosts {
		if len(out) == k {
			break
		}
		out = append(out, fmt.Sprintf("@%s: %s", p.Author, oneLine(p.Text, n)))
	}
	return out
}

// oneLine is s on one line, clipped to n runes.
func oneLine(s string, n int) string { return clip(strings.Join(strings.Fields(s), " "), n) }

// TestAlert is the alert `downwatch notify test` sends: marked Test, of a
// made-up service "downwatch-test", opened at now.
func TestAlert(now time.Time) downwatch.Alert {
	now = now.UTC().Truncate(time.Second)
	inc := downwatch.Incident{
		ID: "downwatch-test." + now.Format("20060102T150405Z"), Service: "downwatch-test", State: downwatch.StateOpen,
		StartedAt: now.Add(-3 * time.Minute), DetectedAt: now, PeakPerMin: 12, Mentions: 20, Authors: 18,
		Countries: map[string]int{"DE": 9, "GB": 5}, Languages: map[string]int{"de": 9, "en": 9}, Symptoms: []string{"login"},
		SamplePosts: []downwatch.Post{{ID: "test-1", Source: "test", Author: "downwatch", CreatedAt: now,
			Text: "a test post: nothing is down"}},
		Revision: 1, UpdatedAt: now,
		Evidence: &downwatch.Evidence{Window: "2m", Observed: 15, Expected: 1.2, PValue: 1e-12, Baseline: 0.6},
	}
	return downwatch.Alert{Type: downwatch.AlertOpened, At: now, Incident: inc, Test: true}
}
