package notify

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

var receiverEnv = map[string]string{"PD_KEY": "pd-secret-key", "SMTP_PASSWORD": "smtp-secret"}

func getenv(k string) string { return receiverEnv[k] }

func TestParseReceiver(t *testing.T) {
	tests := []struct {
		spec string
		want string // fmt of the fields that matter
	}{
		{"name=ops,kind=slack,url=https://hooks.slack.com/services/T/B/X,services=whatsapp,signal,rate-limit=10/m",
			"ops slack https://hooks.slack.com/services/T/B/X [whatsapp signal] [] 0 0 10/1m0s"},
		{"name=hook,url=https://h.example.com/x?a=1,b=2",
			"hook json https://h.example.com/x?a=1,b=2 [] [] 0 0 "},
		{"name=big,kind=discord,url=https://discord.com/api/webhooks/1/x,min_authors=100,min-peak=12.5,regions=DE,global",
			"big discord https://discord.com/api/webhooks/1/x [] [DE global] 100 12.5 "},
		{"name=pd,kind=pagerduty,routing-key=$PD_KEY,severity=critical,events=incident.opened,incident.resolved",
			"pd pagerduty  [] [] 0 0  key=pd-secret-key sev=critical events=[incident.opened incident.resolved]"},
		{"name=mail,kind=email,smtp=smtp.example.com:587,from=dw@example.com,to=a@example.com,b+tag@example.com,starttls=true,username=dw,password=${SMTP_PASSWORD}",
			"mail email  [] [] 0 0  smtp=smtp.example.com:587 to=[a@example.com b+tag@example.com] tls=true auth=dw/smtp-secret"},
	}
	for _, tc := range tests {
		s, err := ParseReceiver(tc.spec, getenv)
		if err != nil {
			t.Errorf("%s: %v", tc.spec, err)
			continue
		}
		got := fmt.Sprintf("%s %s %s %v %v %d %g %s", s.Name, s.Format, s.URL, s.Filter.Services, s.Filter.Regions, s.Filter.MinAuthors, s.Filter.MinPeak, s.Limit)
		if s.RoutingKey != "" {
			got += fmt.Sprintf(" key=%s sev=%s events=%v", s.RoutingKey, s.Severity, s.Events)
		}
		if e := s.Email; e != nil {
			got += fmt.Sprintf(" smtp=%s to=%v tls=%v auth=%s/%s", e.Addr, e.To, e.StartTLS, e.Username, e.Password)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.spec, got, tc.want)
		}
	}
}

func TestParseReceiverErrors(t *testing.T) {
	tests := []struct{ spec, want string }{
		{"kind=slack,url=https://x.example.com/h", "needs a name"},
		{"name=a,name=b,url=https://x.example.com/h", "needs a name"},
		{"name=a,kind=sms,url=https://x.example.com/h", `kind "sms"`},
		{"name=a,url=https://x.example.com/h,colour=red", `unknown key "colour"`},
		{"name=a,kind=slack,url=https://x.example.com/h,servces=whatsapp", `unknown key "servces"`},
		{"name=a,kind=pagerduty", "needs a routing key"},
		{"name=a,kind=pagerduty,routing-key=$NOT_SET", "NOT_SET is not set"},
		{"name=a,kind=pagerduty,routing-key=k,severity=high", "severity"},
		{"name=a,kind=email,smtp=mail.example.com:25,from=dw@example.com", "at least one to"},
		{"name=a,kind=email,smtp=mail.example.com,from=dw@example.com,to=a@example.com", "host:port"},
		{"name=a,kind=email,smtp=mail.example.com:25,from=dw@example.com,to=not an address", "mail address"},
		{"name=a,kind=slack,url=https://x.example.com/h,to=a@example.com", "takes no email settings"},
		{"name=a,kind=teams,url=ftp://x.example.com/SECRET", "not an http(s) URL"},
		{"name=a,url=https://x.example.com/h,rate-limit=lots", "rate limit"},
		{"name=a,url=https://x.example.com/h,min-authors=-3", "min-authors"},
		{"name=a,url=https://x.example.com/h,regions=Germany", "ISO country"},
		{"name=a,url=https://x.example.com/h,events=opened", "unknown event"},
		{"https://hooks.slack.com/services/SECRET", "KEY=VALUE"},
	}
	for _, tc := range tests {
		_, err := ParseReceiver(tc.spec, getenv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error containing %q", tc.spec, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%s: the error shows a secret: %v", tc.spec, err)
		}
	}
}

func TestParseRateLimit(t *testing.T) {
	for in, want := range map[string]RateLimit{
		"10/m": {10, time.Minute}, "30/h": {30, time.Hour}, "5/10m": {5, 10 * time.Minute}, "1/30s": {1, 30 * time.Second},
	} {
		if got, err := ParseRateLimit(in); err != nil || got != want {
			t.Errorf("%s: got %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "10", "0/m", "-1/m", "10/", "10/week", "1x/m", "10/-1m"} {
		if _, err := ParseRateLimit(in); err == nil {
			t.Errorf("%q: accepted", in)
		}
	}
}

// FuzzParseReceiver: any spec either fails with an error or gives a sink that
// passes Validate; it never panics.
func FuzzParseReceiver(f *testing.F) {
	for _, s := range []string{
		"name=ops,kind=slack,url=https://hooks.slack.com/services/T/B/X,services=whatsapp,signal,rate-limit=10/m",
		"name=pd,kind=pagerduty,routing-key=$PD_KEY", "name=mail,kind=email,smtp=h:25,from=a@b.c,to=d@e.f",
		"name=x,,url=", "=,=,=", "name=a,url=https://x/,min-peak=NaN",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := ParseReceiver(spec, getenv)
		if err != nil {
			return
		}
		cfg := Config{Sinks: []Sink{s}}
		if err := cfg.Validate(); err != nil {
			t.Errorf("%q parsed but does not validate: %v", spec, err)
		}
	})
}

func TestReceiverNames(t *testing.T) {
	for name, ok := range map[string]bool{"ops": true, "pager-1": true, "team.eu_west": true, "webhook": false, "a b": false, "ops\n": false, strings.Repeat("x", 65): false} {
		err := (&Sink{Name: name, URL: "https://x.example.com/h"}).validate()
		if (err == nil) != ok {
			t.Errorf("name %q: got %v, want ok=%v", name, err, ok)
		}
	}
}
