package notify

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestSlackMessageOfAPersonsAction(t *testing.T) {
	at := time.Date(2026, 12, 3, 8, 0, 0, 0, time.UTC)
	inc := downwatch.Incident{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateResolved,
		StartedAt: at.Add(-time.Hour), ResolvedAt: &at, Revision: 7,
		Actions: []downwatch.Action{{Type: downwatch.ActionFalseAlarm, By: "ana <b>", Note: "a TV show", At: at, Revision: 7}}}
	msg := SlackMessage(downwatch.Alert{Type: downwatch.AlertFalseAlarm, At: at, Incident: inc}, "WhatsApp", "")
	var buf strings.Builder
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.Encode(msg)
	b := buf.String()
	for _, want := range []string{"WhatsApp incident marked a false alarm (global)", "*false-alarm by ana &lt;b&gt;*", "a TV show"} {
		if !strings.Contains(b, want) {
			t.Errorf("Slack message lacks %q: %s", want, b)
		}
	}
	cfg := Config{Sinks: []Sink{{URL: "https://hooks.example.com/x", Events: []string{downwatch.AlertFalseAlarm, downwatch.AlertMerged}}}}
	if err := cfg.Validate(); err != nil {
		t.Errorf("a sink asking for operator alert types: %v", err)
	}
	cfg.Sinks[0].Events = []string{"incident.exploded"}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "incident.false_alarm") {
		t.Errorf("an unknown event: got %v, want an error listing the known ones", err)
	}
}
