package notify

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/downwatch/downwatch"
)

// receivers is one receiver of every kind, each at its own local server.
type receivers struct {
	hook, slack, teams, discord, pd *receiver
	smtp                            *smtpServer
}

func newReceivers(t *testing.T) *receivers {
	r := &receivers{hook: newReceiver(t), slack: newReceiver(t), teams: newReceiver(t), discord: newReceiver(t, 204), pd: newReceiver(t, 202, 202, 202), smtp: newSMTPServer(t)}
	r.pd.reply = `{"status":"success","message":"Event processed","dedup_key":"x"}`
	return r
}

// sinks are the receivers as sinks; with narrows every one of them.
func (r *receivers) sinks(with func(*Sink)) []Sink {
	ss := []Sink{
		{Name: "hook", URL: r.hook.URL, Secret: "s"},
		{Name: "chat", Format: FormatSlack, URL: r.slack.URL},
		{Name: "teams", Format: FormatTeams, URL: r.teams.URL},
		{Name: "discord", Format: FormatDiscord, URL: r.discord.URL},
		{Name: "pager", Format: FormatPagerDuty, URL: r.pd.URL, RoutingKey: "R0UTINGKEY"},
		{Name: "mail", Format: FormatEmail, Email: &Email{Addr: r.smtp.Addr, From: "downwatch <dw@example.com>",
			To: []string{"oncall@example.com", "Ana <ana@example.com>"}, Username: "dw", Password: "pw"}},
	}
	for i := range ss {
		if with != nil {
			with(&ss[i])
		}
	}
	return ss
}

// TestEveryFormatAsItsServiceDocumentsIt delivers one alert to a receiver of
// every kind and checks each payload as its service documents it.
func TestEveryFormatAsItsServiceDocumentsIt(t *testing.T) {
	st := testStore(t)
	r := newReceivers(t)
	start(t, st, Config{Sinks: r.sinks(nil), DashboardURL: "https://dw.example.com", ServiceName: func(string) string { return "WhatsApp" }})
	save(t, st, hostile())

	var got downwatch.Alert
	if err := json.Unmarshal(r.hook.wait(t).body, &got); err != nil || got.Incident.ID != "whatsapp.20221025T0705Z" {
		t.Errorf("webhook: got %v %v, want the alert JSON", got.Incident.ID, err)
	}
	if b := r.slack.wait(t).body; !strings.Contains(string(b), `"blocks":[`) {
		t.Errorf("slack: no blocks: %s", b)
	}
	if p := checkTeams(r.teams.wait(t).body); len(p) > 0 {
		t.Errorf("teams: %s", strings.Join(p, "; "))
	}
	if p := checkDiscord(r.discord.wait(t).body); len(p) > 0 {
		t.Errorf("discord: %s", strings.Join(p, "; "))
	}
	pd := r.pd.wait(t)
	p, m := checkPagerDuty(pd.body, "R0UTINGKEY")
	if len(p) > 0 {
		t.Errorf("pagerduty: %s", strings.Join(p, "; "))
	}
	if m["event_action"] != "trigger" || m["dedup_key"] != "whatsapp.20221025T0705Z" {
		t.Errorf("pagerduty: got %v for %v, want trigger for the incident id", m["event_action"], m["dedup_key"])
	}

	mail := r.smtp.wait(t)
	p, subject, body := checkMail(mail)
	if len(p) > 0 {
		t.Errorf("mail: %s", strings.Join(p, "; "))
	}
	if mail.auth != "dw\x00pw" || mail.from != "dw@example.com" || strings.Join(mail.to, " ") != "oncall@example.com ana@example.com" {
		t.Errorf("SMTP envelope: auth %q, from %q, to %v", mail.auth, mail.from, mail.to)
	}
	if subject != "[downwatch] WhatsApp incident opened (global)" {
		t.Errorf("subject: got %q", subject)
	}
	for _, want := range []string{"58 people complaining", "https://dw.example.com/incidents/whatsapp.20221025T0705Z", "@eve: @everyone"} {
		if !strings.Contains(body, want) {
			t.Errorf("mail body lacks %q:\n%s", want, body)
		}
	}
}

// TestSilencedGoesToNoReceiver: a silenced incident reaches no receiver of
// any kind, whatever its filter, while an unsilenced service's alert reaches
// every receiver whose filter takes it.
func TestSilencedGoesToNoReceiver(t *testing.T) {
	st := testStore(t)
	r := newReceivers(t)
	onlyWA, onlySignal := newReceiver(t), newReceiver(t)
	sinks := append(r.sinks(nil),
		Sink{Name: "whatsapp-team", URL: onlyWA.URL, Filter: Filter{Services: []string{"whatsapp"}}},
		Sink{Name: "signal-team", URL: onlySignal.URL, Filter: Filter{Services: []string{"signal"}}})
	reg := prometheus.NewRegistry()
	d := start(t, st, Config{Sinks: sinks, Registerer: reg})

	silenced := alert(downwatch.AlertOpened, 1)
	silenced.Incident.Silenced = "3f9a2c41d07e"
	signal := alert(downwatch.AlertOpened, 1)
	signal.Incident.ID, signal.Incident.Service = "signal.20221025T0705Z", "signal"
	id := save(t, st, silenced, signal)
	waitCursor(t, d.Dispatcher, st, id)

	for name, rc := range map[string]*receiver{"hook": r.hook, "slack": r.slack, "teams": r.teams, "discord": r.discord, "pagerduty": r.pd, "signal-team": onlySignal} {
		if n := rc.count(); n != 1 {
			t.Errorf("%s: got %d requests, want 1 (signal's alert only)", name, n)
			continue
		}
		if b := string(rc.wait(t).body); !strings.Contains(b, "signal") || strings.Contains(b, "whatsapp.2022") {
			t.Errorf("%s: got %s, want signal's alert", name, b)
		}
	}
	if n := onlyWA.count(); n != 0 {
		t.Errorf("whatsapp-team: got %d requests, want none (its one incident is silenced)", n)
	}
	if n := r.smtp.count(); n != 1 {
		t.Errorf("mail: got %d, want 1", n)
	} else if _, subj, _ := checkMail(r.smtp.wait(t)); !strings.Contains(subj, "signal") {
		t.Errorf("mail subject: got %q, want signal's", subj)
	}
	for _, name := range []string{"hook", "chat", "teams", "discord", "pager", "mail", "whatsapp-team"} {
		if got := count(t, d.m.deliveries, SinkHash("receiver:"+name), name, "silenced"); got != 1 {
			t.Errorf(`%s: downwatch_notify_alerts_total{outcome="silenced"}: got %v, want 1`, name, got)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	regional := alert(downwatch.AlertOpened, 1)
	regional.Incident.Region = "IN"
	tests := []struct {
		name string
		f    Filter
		a    downwatch.Alert
		want bool
	}{
		{"zero filter takes all", Filter{}, alert(downwatch.AlertOpened, 1), true},
		{"service listed", Filter{Services: []string{"signal", "whatsapp"}}, alert(downwatch.AlertOpened, 1), true},
		{"service not listed", Filter{Services: []string{"signal"}}, alert(downwatch.AlertOpened, 1), false},
		{"global asked for", Filter{Regions: []string{"global"}}, alert(downwatch.AlertOpened, 1), true},
		{"global not asked for", Filter{Regions: []string{"IN"}}, alert(downwatch.AlertOpened, 1), false},
		{"region listed, any case", Filter{Regions: []string{"in"}}, regional, true},
		{"region not listed", Filter{Regions: []string{"DE", "global"}}, regional, false},
		{"authors at the minimum", Filter{MinAuthors: 58}, alert(downwatch.AlertOpened, 1), true},
		{"authors below", Filter{MinAuthors: 59}, alert(downwatch.AlertOpened, 1), false},
		{"peak at the minimum", Filter{MinPeak: 41}, alert(downwatch.AlertOpened, 1), true},
		{"peak below", Filter{MinPeak: 41.5}, alert(downwatch.AlertOpened, 1), false},
		{"all must match", Filter{Services: []string{"whatsapp"}, MinAuthors: 100}, alert(downwatch.AlertOpened, 1), false},
	}
	for _, tc := range tests {
		if got := tc.f.Match(tc.a); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLimiter(t *testing.T) {
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	l := limiter{RateLimit: RateLimit{Max: 2}} // two a minute
	steps := []struct {
		sec  int
		typ  string
		want bool
	}{
		{0, downwatch.AlertOpened, true},
		{10, downwatch.AlertUpdated, true},
		{20, downwatch.AlertUpdated, false},   // third in the minute
		{30, downwatch.AlertResolved, true},   // a resolution always goes, and counts
		{59, downwatch.AlertOpened, false},    // 0, 10 and 30 still in the window
		{60, downwatch.AlertOpened, false},    // 0 has left; 10 and 30 remain
		{71, downwatch.AlertOpened, true},     // 10 has left too
		{72, downwatch.AlertFalseAlarm, true}, // over the limit, but it closes an incident
	}
	for _, s := range steps {
		a := alert(s.typ, 1)
		if got := l.allow(a, at(s.sec)); got != s.want {
			t.Errorf("%s at %ds: got %v, want %v", s.typ, s.sec, got, s.want)
		}
	}
	var none limiter
	for i := range 100 {
		if !none.allow(alert(downwatch.AlertOpened, 1), at(i)) {
			t.Fatal("no limit refused an alert")
		}
	}
}

// TestRateLimitDropsAndCounts: at most two a minute; the third and fourth
// incidents are dropped and counted, and a minute later the next one goes.
func TestRateLimitDropsAndCounts(t *testing.T) {
	st := testStore(t)
	rcv := newReceiver(t)
	var mu sync.Mutex
	now := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	d := start(t, st, Config{Sinks: []Sink{{Name: "slow", URL: rcv.URL, Limit: RateLimit{Max: 2, Per: time.Minute}}}, Now: clock})
	var as []downwatch.Alert
	for _, svc := range []string{"a", "b", "c", "d"} {
		a := alert(downwatch.AlertOpened, 1)
		a.Incident.ID, a.Incident.Service = svc+".20221025T0705Z", svc
		as = append(as, a)
	}
	id := save(t, st, as...)
	waitCursor(t, d.Dispatcher, st, id)
	if got := rcv.count(); got != 2 {
		t.Errorf("deliveries within the minute: got %d, want 2", got)
	}
	h := SinkHash("receiver:slow")
	if got := count(t, d.m.deliveries, h, "slow", "rate_limited"); got != 2 {
		t.Errorf(`outcome="rate_limited": got %v, want 2`, got)
	}
	// The resolution of a delivered incident goes even over the limit.
	res := alert(downwatch.AlertResolved, 2)
	res.Incident.ID, res.Incident.Service = "a.20221025T0705Z", "a"
	id = save(t, st, res)
	waitCursor(t, d.Dispatcher, st, id)
	if got := rcv.count(); got != 3 {
		t.Errorf("deliveries after a resolution over the limit: got %d, want 3", got)
	}
	mu.Lock()
	now = now.Add(61 * time.Second)
	mu.Unlock()
	next := alert(downwatch.AlertOpened, 1)
	next.Incident.ID, next.Incident.Service = "e.20221025T0705Z", "e"
	id = save(t, st, next)
	waitCursor(t, d.Dispatcher, st, id)
	if got := rcv.count(); got != 4 {
		t.Errorf("deliveries a minute later: got %d, want 4", got)
	}
}

// TestFilterPerReceiver: each receiver gets what its own filter takes.
func TestFilterPerReceiver(t *testing.T) {
	st := testStore(t)
	big, india, all := newReceiver(t), newReceiver(t), newReceiver(t)
	d := start(t, st, Config{Sinks: []Sink{
		{Name: "big", URL: big.URL, Filter: Filter{MinAuthors: 100}},
		{Name: "india", URL: india.URL, Filter: Filter{Regions: []string{"IN"}}},
		{Name: "all", URL: all.URL, Events: []string{downwatch.AlertOpened, downwatch.AlertUpdated}},
	}})
	small := alert(downwatch.AlertOpened, 1) // 58 authors, global
	grown := alert(downwatch.AlertUpdated, 2)
	grown.Incident.Authors = 140
	inIndia := alert(downwatch.AlertOpened, 1)
	inIndia.Incident.ID, inIndia.Incident.Region = "whatsapp.IN.20221025T0705Z", "IN"
	id := save(t, st, small, grown, inIndia)
	waitCursor(t, d.Dispatcher, st, id)
	if big.count() != 1 || india.count() != 1 || all.count() != 3 {
		t.Fatalf("deliveries: big %d, india %d, all %d; want 1, 1, 3", big.count(), india.count(), all.count())
	}
	if got := big.wait(t).header.Get(HeaderDelivery); got != "whatsapp.20221025T0705Z@2" {
		t.Errorf("big: got %s, want the change that grew past 100 authors", got)
	}
	if got := india.wait(t).header.Get(HeaderDelivery); got != "whatsapp.IN.20221025T0705Z@1" {
		t.Errorf("india: got %s, want the regional incident", got)
	}
}

// TestSendTest: notify test's send reaches each kind once (PagerDuty: the
// trigger and its resolve), marked as a test, and says what the receiver answered.
func TestSendTest(t *testing.T) {
	r := newReceivers(t)
	d, err := New(nil, Config{Sinks: r.sinks(nil)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Test(context.Background(), "pager")
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].Event != "trigger" || res[1].Event != "resolve" {
		t.Fatalf("pagerduty test: got %+v, want a trigger and a resolve", res)
	}
	for _, x := range res {
		if x.Err != nil || !strings.Contains(x.Answer, "202 Accepted") || !strings.Contains(x.Answer, `"status":"success"`) {
			t.Errorf("pagerduty answer: got %q, %v", x.Answer, x.Err)
		}
	}
	trigger := r.pd.wait(t)
	_, m := checkPagerDuty(trigger.body, "R0UTINGKEY")
	pl, _ := m["payload"].(map[string]any)
	if s, _ := pl["summary"].(string); !strings.HasPrefix(s, "[TEST] ") || pl["severity"] != "info" {
		t.Errorf("test trigger: summary %q severity %v, want [TEST] and info", s, pl["severity"])
	}
	if resolve := r.pd.wait(t); !strings.Contains(string(resolve.body), `"event_action":"resolve"`) {
		t.Errorf("second PagerDuty event: got %s, want the resolve", resolve.body)
	}

	res, err = d.Test(context.Background(), "mail")
	if err != nil || len(res) != 1 || res[0].Err != nil || !strings.HasPrefix(res[0].Answer, "250 2.0.0 Ok: queued as TEST") {
		t.Fatalf("mail test: got %+v, %v; want the server's 250 reply", res, err)
	}
	if _, subj, _ := checkMail(r.smtp.wait(t)); !strings.HasPrefix(subj, "[downwatch] [TEST] ") {
		t.Errorf("test mail subject: got %q", subj)
	}
	res, _ = d.Test(context.Background(), "hook")
	var a downwatch.Alert
	if json.Unmarshal(r.hook.wait(t).body, &a); !a.Test || res[0].Err != nil {
		t.Errorf("webhook test: got test=%v, err %v; want an alert marked test", a.Test, res[0].Err)
	}
	for name, rc := range map[string]*receiver{"chat": r.slack, "teams": r.teams, "discord": r.discord} {
		if res, err := d.Test(context.Background(), name); err != nil || res[0].Err != nil {
			t.Errorf("%s test: %v %v", name, err, res)
			continue
		}
		if b := string(rc.wait(t).body); !strings.Contains(b, "[TEST] WhatsApp") && !strings.Contains(b, "[TEST] downwatch-test incident opened") {
			t.Errorf("%s test message not marked [TEST]: %s", name, b)
		}
	}
	if _, err := d.Test(context.Background(), "nobody"); err == nil || !strings.Contains(err.Error(), "hook") {
		t.Errorf("unknown receiver: got %v, want an error listing the receivers", err)
	}

	r.smtp.reject = "550 5.1.1 no such mailbox"
	res, _ = d.Test(context.Background(), "mail")
	if res[0].Err == nil || !strings.Contains(res[0].Err.Error(), "550 5.1.1 no such mailbox") {
		t.Errorf("rejected mail: got %v, want the server's 550", res[0].Err)
	}
}

// TestMailRetriesA4xxAndGivesUpOn5xx: an SMTP 4xx is retried, a 5xx is not.
func TestMailRetriesA4xxAndGivesUpOn5xx(t *testing.T) {
	for _, tc := range []struct {
		reply    string
		attempts float64
	}{{"450 4.2.1 try later", 3}, {"550 5.1.1 no such mailbox", 1}} {
		st := testStore(t)
		srv := newSMTPServer(t)
		srv.reject = tc.reply
		d := start(t, st, Config{MaxAttempts: 3, Sinks: []Sink{{Name: "mail", Format: FormatEmail,
			Email: &Email{Addr: srv.Addr, From: "dw@example.com", To: []string{"a@example.com"}}}}})
		id := save(t, st, alert(downwatch.AlertOpened, 1))
		waitCursor(t, d.Dispatcher, st, id)
		code := strings.Fields(tc.reply)[0]
		if got := count(t, d.m.attempts, SinkHash("receiver:mail"), "mail", code); got != tc.attempts {
			t.Errorf("%s: attempts: got %v, want %v", tc.reply, got, tc.attempts)
		}
		if got := count(t, d.m.deliveries, SinkHash("receiver:mail"), "mail", "failed"); got != 1 {
			t.Errorf("%s: failed: got %v, want 1", tc.reply, got)
		}
	}
}

// count is the value of the counter of vec with these label values (sink,
// receiver, outcome or result), 0 if it has none.
func count(t *testing.T, vec *prometheus.CounterVec, sink, receiver, last string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(vec)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			got := map[string]string{}
			for _, l := range m.GetLabel() {
				got[l.GetName()] = l.GetValue()
			}
			if got["sink"] == sink && got["receiver"] == receiver && (got["outcome"] == last || got["result"] == last) {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestMailSTARTTLS: with starttls the session is upgraded before AUTH and
// MAIL, the server's certificate checked; a server that does not offer
// STARTTLS is refused at once, without sending the password.
func TestMailSTARTTLS(t *testing.T) {
	ts := httptest.NewTLSServer(http.NotFoundHandler()) // its certificate covers 127.0.0.1
	defer ts.Close()
	roots := ts.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs

	srv := newSMTPServer(t)
	srv.tls = &tls.Config{Certificates: ts.TLS.Certificates}
	mailTo := func(addr string, cfg *tls.Config) Sink {
		return Sink{Name: "mail", Format: FormatEmail, Email: &Email{Addr: addr, From: "dw@example.com", To: []string{"a@example.com"},
			StartTLS: true, TLS: cfg, Username: "dw", Password: "pw"}}
	}
	d, err := New(nil, Config{Sinks: []Sink{mailTo(srv.Addr, &tls.Config{RootCAs: roots, ServerName: "127.0.0.1"})}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := d.Test(context.Background(), "mail")
	if err != nil || res[0].Err != nil {
		t.Fatalf("mail over STARTTLS: %v %+v", err, res)
	}
	if m := srv.wait(t); !m.tls || !m.authTLS || m.auth != "dw\x00pw" {
		t.Errorf("session: tls %v, auth over tls %v, auth %q; want the upgrade before AUTH", m.tls, m.authTLS, m.auth)
	}

	// A certificate the client does not trust ends the session before AUTH.
	d, _ = New(nil, Config{Sinks: []Sink{mailTo(srv.Addr, &tls.Config{ServerName: "127.0.0.1"})}})
	if res, _ := d.Test(context.Background(), "mail"); res[0].Err == nil {
		t.Error("mail to a server with an untrusted certificate: sent")
	}

	plain := newSMTPServer(t) // offers no STARTTLS
	d, _ = New(nil, Config{Sinks: []Sink{mailTo(plain.Addr, nil)}})
	res, _ = d.Test(context.Background(), "mail")
	var perm *permanentError
	if res[0].Err == nil || !errors.As(res[0].Err, &perm) || !strings.Contains(res[0].Err.Error(), "does not offer STARTTLS") {
		t.Errorf("server without STARTTLS: got %v, want a permanent error saying so", res[0].Err)
	}
	if plain.count() != 0 || srv.count() != 1 {
		t.Errorf("mails taken: %d without STARTTLS and %d with it, want 0 and 1 (the first test's)", plain.count(), srv.count())
	}
}
