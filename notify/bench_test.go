package notify

import (
	"testing"

	"github.com/downwatch/downwatch"
)

// BenchmarkBody renders one alert in every receiver format: a dispatcher's
// per-alert work besides the network.
func BenchmarkBody(b *testing.B) {
	u := "https://hooks.example.com/x"
	d, err := New(nil, Config{DashboardURL: "https://dw.example.com", Sinks: []Sink{
		{Name: "json", URL: u}, {Name: "slack", Format: FormatSlack, URL: u}, {Name: "teams", Format: FormatTeams, URL: u},
		{Name: "discord", Format: FormatDiscord, URL: u}, {Name: "pagerduty", Format: FormatPagerDuty, RoutingKey: "k"},
		{Name: "email", Format: FormatEmail, Email: &Email{Addr: "127.0.0.1:25", From: "a@example.com", To: []string{"b@example.com"}}},
	}})
	if err != nil {
		b.Fatal(err)
	}
	a := alert(downwatch.AlertOpened, 1)
	for _, s := range d.sinks {
		b.Run(s.Format, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := d.body(s, a); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
