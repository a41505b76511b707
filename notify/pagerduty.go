package notify

import (
	"github.com/downwatch/downwatch"
)

// PagerDuty: an Events API v2 event, POSTed to https://events.pagerduty.com/v2/enqueue
// (Sink.URL overrides it), which answers 202 {"status":"success","dedup_key":…}:
//
//	{"routing_key":"R0UT1NGK3Y…","event_action":"trigger","dedup_key":"whatsapp.20221025T0705Z",
//	 "payload":{"summary":"WhatsApp incident opened (global): 58 people complaining, peak 41/min, started 2022-10-25 07:05 UTC",
//	   "source":"whatsapp","severity":"error","timestamp":"2022-10-25T07:08:12Z","component":"global","group":"downwatch",
//	   "class":"send-messages","custom_details":{"incident":"whatsapp.20221025T0705Z","state":"open", …}},
//	 "client":"downwatch","client_url":"https://…/incidents/ID","links":[{"href":"https://…/incidents/ID","text":"downwatch incident"}]}
//
// The dedup_key is the incident id, so every change of one incident lands on one
// PagerDuty alert. event_action follows the alert type:
//
//	incident.resolved, incident.false_alarm, and the merged-away side of
//	incident.merged                                           resolve
//	incident.operator_acknowledged (a person is on it)        acknowledge
//	everything else (opened, updated, reopened, the company's
//	acknowledgement, the surviving side of a merge, linked)   trigger
//
// A trigger for a dedup_key PagerDuty already has open adds to that alert
// rather than paging again. acknowledge and resolve carry no payload (the API
// needs only routing_key, event_action and dedup_key for them).

// PagerDutyEvent is the body of an Events API v2 request.
type PagerDutyEvent struct {
	RoutingKey  string            `json:"routing_key"`
	EventAction string            `json:"event_action"` // trigger, acknowledge or resolve
	DedupKey    string            `json:"dedup_key"`
	Payload     *PagerDutyPayload `json:"payload,omitempty"`
	Client      string            `json:"client,omitempty"`
	ClientURL   string            `json:"client_url,omitempty"`
	Links       []PagerDutyLink   `json:"links,omitempty"`
}

// PagerDutyPayload describes a trigger.
type PagerDutyPayload struct {
	Summary       string         `json:"summary"` // at most 1024 characters
	Source        string         `json:"source"`
	Severity      string         `json:"severity"` // critical, error, warning or info
	Timestamp     string         `json:"timestamp,omitempty"`
	Component     string         `json:"component,omitempty"`
	Group         string         `json:"group,omitempty"`
	Class         string         `json:"class,omitempty"`
	CustomDetails map[string]any `json:"custom_details,omitempty"`
}

// PagerDutyLink is a link shown on the PagerDuty alert.
type PagerDutyLink struct {
	Href string `json:"href"`
	Text string `json:"text"`
}

// PagerDuty's documented limits, in characters.
const (
	PagerDutySummaryMax  = 1024
	PagerDutyDedupKeyMax = 255
)

// PagerDutyAction is the event_action of an alert.
func PagerDutyAction(a downwatch.Alert) string {
	switch {
	case a.Type == downwatch.AlertResolved || a.Type == downwatch.AlertFalseAlarm:
		return "resolve"
	case a.Type == downwatch.AlertMerged && a.Incident.MergedInto != "":
		return "resolve"
	case a.Type == downwatch.AlertOperatorAcknowledged:
		return "acknowledge"
	}
	return "trigger"
}

// PagerDutyEventOf renders an alert as an Events API v2 event for routingKey;
// severity "" is "error" ("info" for a test alert).
func PagerDutyEventOf(a downwatch.Alert, serviceName, link, routingKey, severity string) PagerDutyEvent {
	i := a.Incident
	ev := PagerDutyEvent{RoutingKey: routingKey, EventAction: PagerDutyAction(a), DedupKey: clip(i.ID, PagerDutyDedupKeyMax)}
	if ev.EventAction != "trigger" {
		return ev
	}
	switch {
	case a.Test:
		severity = "info"
	case severity == "":
		severity = "error"
	}
	component := i.Region
	if component == "" {
		component = RegionGlobal
	}
	details := map[string]any{
		"incident": i.ID, "alert": a.Type, "revision": i.Revision, "state": i.State,
		"started_at": i.StartedAt.UTC().Format("2006-01-02T15:04:05Z"), "authors": i.Authors, "peak_per_min": i.PeakPerMin,
	}
	for _, f := range facts(i)[3:] {
		details[f.name] = f.value
	}
	if w := why(a, 280); len(w) > 0 {
		details["why"] = w
	}
	if s := samples(i, 3, 200); len(s) > 0 {
		details["sample_posts"] = s
	}
	if i.Silenced != "" {
		details["silenced"] = i.Silenced
	}
	if a.Test {
		details["test"] = true
	}
	class := ""
	if len(i.Symptoms) > 0 {
		class = i.Symptoms[0]
	}
	ev.Payload = &PagerDutyPayload{
		Summary: clip(summary(a, serviceName), PagerDutySummaryMax), Source: i.Service, Severity: severity,
		Timestamp: a.At.UTC().Format("2006-01-02T15:04:05Z"), Component: component, Group: "downwatch", Class: class,
		CustomDetails: details,
	}
	ev.Client = "downwatch"
	if link != "" {
		ev.ClientURL = link
		ev.Links = []PagerDutyLink{{Href: link, Text: "downwatch incident"}}
	}
	return ev
}
