package notify

import (
	"context"
	"fmt"
	"slices"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store"
)

// TestResult is what one receiver answered to a test alert.
type TestResult struct {
	Receiver string // the receiver's name ("webhook" for a plain --webhook)
	Sink     string // the sink's description, without secrets
	Event    string // what was sent: the alert type, or the PagerDuty event_action
	Answer   string // the HTTP status and body, or the SMTP reply
	Err      error
}

// Test sends TestAlert (alert "test": true, "[TEST]" in every title, incident
// "downwatch-test.<time>") to every sink whose receiver is named name, once:
// without the notification log, filters, silences, rate limit or retries, so
// it says at once whether the receiver takes downwatch's messages. A
// PagerDuty receiver is sent the trigger and then its resolve, so no test
// incident stays open. The plain --webhook sinks are named "webhook".
// It needs no store: a Dispatcher made with a nil Store can Test.
func (d *Dispatcher) Test(ctx context.Context, name string) ([]TestResult, error) {
	a := TestAlert(d.cfg.Now())
	var out []TestResult
	for _, s := range d.sinks {
		if s.receiver != name {
			continue
		}
		sends := []downwatch.Alert{a}
		if s.Format == FormatPagerDuty {
			r := a
			r.Type = downwatch.AlertResolved
			r.Incident.State, r.Incident.Revision = downwatch.StateResolved, 2
			sends = append(sends, r)
		}
		for _, al := range sends {
			res := TestResult{Receiver: s.receiver, Sink: s.describe(), Event: al.Type}
			if s.Format == FormatPagerDuty {
				res.Event = PagerDutyAction(al)
			}
			body, err := d.body(s, al)
			if err == nil {
				res.Answer, _, err = d.send(ctx, s, store.StreamAlert{ID: "0-0", Alert: al}, body)
			}
			res.Err = err
			out = append(out, res)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("notify: no receiver named %q (have %v)", name, d.Receivers())
	}
	return out, nil
}

// Receivers are the receivers' names, each once, in configuration order.
func (d *Dispatcher) Receivers() []string {
	var names []string
	for _, s := range d.sinks {
		if !slices.Contains(names, s.receiver) {
			names = append(names, s.receiver)
		}
	}
	return names
}
