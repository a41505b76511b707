package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/store/storetest"
)

// hookLog is a local receiver that records the bodies it is sent.
type hookLog struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newHookLog(t *testing.T, status int) *hookLog {
	h := &hookLog{}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		h.mu.Lock()
		h.bodies = append(h.bodies, string(b))
		h.mu.Unlock()
		w.WriteHeader(status)
	}))
	t.Cleanup(h.Close)
	return h
}

func (h *hookLog) got() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.bodies...)
}

func routingConfig(t *testing.T, teams, discord, pd string) string {
	return writeConfig(t, fmt.Sprintf(`serve:
  receiver:
    - name: wa-team
      kind: teams
      url: %s/workflows/SECRET-PATH
      services: [whatsapp]
    - name: signal-team
      kind: discord
      url: %s
      services: [signal]
      rate-limit: 10/m
    - name: pager
      kind: pagerduty
      url: %s
      routing-key: $TEST_PD_KEY
      min-authors: 20
`, teams, discord, pd))
}

// TestRoutingFromTheConfigFile: serve takes its receivers from the file; a
// silenced WhatsApp incident reaches none of them, while Signal's incident
// reaches the receivers whose filters take it; config print shows the
// receivers without their secrets; notify test reaches one and says what it
// answered.
func TestRoutingFromTheConfigFile(t *testing.T) {
	t.Setenv("TEST_PD_KEY", "pd-routing-key-secret")
	t.Setenv("DOWNWATCH_AUTH_TOKEN", "")
	teams, discord, pd := newHookLog(t, 200), newHookLog(t, 204), newHookLog(t, 202)
	path := routingConfig(t, teams.URL, discord.URL, pd.URL)

	lines := printed(t, "--config", path, "config", "print", "serve")
	if got, want := lines["receiver"], `"wa-team (teams), signal-team (discord), pager (pagerduty)"  # `+path+`:2`; got != want {
		t.Errorf("config print serve: receiver %s, want %s", got, want)
	}
	if n := printed(t, "--config", path, "config", "print", "notify"); !strings.HasPrefix(n["receiver"], `"wa-team (teams)`) {
		t.Errorf("config print notify: receiver %s, want serve's receivers", n["receiver"])
	}

	prefix, st := testPrefix(t)
	cfg, err := loadConfig(path, collectFlags())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &cliEnv{stdout: &out, stderr: io.Discard, config: cfg},
			[]string{"--redis", redisURL(), "--prefix", prefix, "--http", "127.0.0.1:0"})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	cursor := func(name string) string {
		return st.Client().Get(context.Background(), prefix+"notify:"+notify.SinkHash("receiver:"+name)+":cursor").Val()
	}
	waitFor(t, "every receiver's cursor", func() bool { return cursor("wa-team") != "" && cursor("signal-team") != "" && cursor("pager") != "" })
	if s := out.String(); !strings.Contains(s, "receiver pager: pagerduty http://127.0.0.1") || strings.Contains(s, "SECRET-PATH") {
		t.Errorf("startup lines: %s", s)
	}

	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	wa := downwatch.Incident{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateOpen, StartedAt: t0,
		DetectedAt: t0, PeakPerMin: 41, Authors: 58, Revision: 1, UpdatedAt: t0, Silenced: "3f9a2c41d07e"}
	sig := wa
	sig.ID, sig.Service, sig.Silenced = "signal.20221025T0705Z", "signal", ""
	if err := storetest.Alerts(context.Background(), st, downwatch.Alert{Type: downwatch.AlertOpened, At: t0, Incident: wa},
		downwatch.Alert{Type: downwatch.AlertOpened, At: t0, Incident: sig}); err != nil {
		t.Fatal(err)
	}
	last, _ := st.LastAlertID(context.Background())
	waitFor(t, "every receiver past the alerts", func() bool {
		return cursor("wa-team") == last && cursor("signal-team") == last && cursor("pager") == last
	})
	if got := teams.got(); len(got) != 0 {
		t.Errorf("wa-team (whatsapp only, silenced): got %d messages, want none", len(got))
	}
	if got := discord.got(); len(got) != 1 || !strings.Contains(got[0], "signal") {
		t.Errorf("signal-team: got %v, want Signal's alert", got)
	}
	got := pd.got()
	var ev struct{ RoutingKey, EventAction, DedupKey string }
	if len(got) == 1 {
		json.Unmarshal([]byte(strings.NewReplacer("routing_key", "RoutingKey", "event_action", "EventAction", "dedup_key", "DedupKey").Replace(got[0])), &ev)
	}
	if ev.RoutingKey != "pd-routing-key-secret" || ev.EventAction != "trigger" || ev.DedupKey != "signal.20221025T0705Z" {
		t.Errorf("pager: got %v, want one trigger of Signal's incident with the key from $TEST_PD_KEY", got)
	}

	// notify test, the file given after the receiver's name.
	var stdout, stderr bytes.Buffer
	if code := run([]string{"notify", "test", "signal-team", "--config", path}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("notify test: exit %d: %s", code, stderr.String())
	}
	if s := stdout.String(); !strings.Contains(s, "signal-team: test incident.opened sent to receiver signal-team (discord)") || !strings.Contains(s, "it answered: 204 No Content") {
		t.Errorf("notify test said: %s", s)
	}
	if d := discord.got(); len(d) != 2 || !strings.Contains(d[1], "[TEST]") {
		t.Errorf("discord after notify test: got %v, want a second message marked [TEST]", d)
	}
	stdout.Reset()
	stderr.Reset()
	if code := run([]string{"--config", path, "notify", "test", "nobody"}, nil, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), `no receiver named "nobody"`) {
		t.Errorf("notify test of an unknown receiver: exit %d, %s", code, stderr.String())
	}
}

// TestReceiverFlag: --receiver on the command line, the webhook flags beside
// it as the receiver "webhook", and a mistake named with the flag.
func TestReceiverFlag(t *testing.T) {
	hook, slack := newHookLog(t, 200), newHookLog(t, 200)
	var stdout, stderr bytes.Buffer
	code := run([]string{"notify", "test", "ops", "--receiver", "name=ops,kind=slack,url=" + slack.URL + ",services=whatsapp,signal",
		"--webhook", hook.URL}, nil, &stdout, &stderr)
	if code != 0 || len(slack.got()) != 1 || len(hook.got()) != 0 {
		t.Fatalf("notify test ops: exit %d (%s), slack got %d, webhook got %d; want 0, 1, 0", code, stderr.String(), len(slack.got()), len(hook.got()))
	}
	if code := run([]string{"notify", "test", "webhook", "--webhook", hook.URL}, nil, &stdout, &stderr); code != 0 || len(hook.got()) != 1 {
		t.Errorf("notify test webhook: exit %d, webhook got %d", code, len(hook.got()))
	}
	var a downwatch.Alert
	if json.Unmarshal([]byte(hook.got()[0]), &a); !a.Test {
		t.Errorf("the webhook's test alert is not marked test: %s", hook.got()[0])
	}
	stderr.Reset()
	if code := run([]string{"serve", "--receiver", "name=x,kind=sms,url=https://x.example.com"}, nil, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), `kind "sms"`) {
		t.Errorf("serve with a bad receiver: exit %d, %s", code, stderr.String())
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestREADMERoutingConfig loads the README's routing example (its secrets from
// the environment) and checks that serve would run with all its receivers.
func TestREADMERoutingConfig(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# routing.yaml[^\n]*\n.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no routing.yaml example")
	}
	for _, v := range []string{"SLACK_NEWSROOM_URL", "TEAMS_WORKFLOW_URL", "DISCORD_WEBHOOK_URL"} {
		t.Setenv(v, "https://hooks.example.com/"+v+"/SECRET")
	}
	t.Setenv("PAGERDUTY_ROUTING_KEY", "SECRET-KEY")
	t.Setenv("SMTP_PASSWORD", "SECRET-PASSWORD")
	t.Setenv("ARCHIVE_WEBHOOK_SECRET", "SECRET-HMAC")
	path := writeConfig(t, string(m[1]))
	var out, errb bytes.Buffer
	if code := run([]string{"--config", path, "config", "print", "serve"}, nil, &out, &errb); code != 0 {
		t.Fatalf("config print serve with the README's routing example: exit %d: %s", code, errb.String())
	}
	want := `receiver: "newsroom (slack), messaging-team (teams), dach-community (discord), pager (pagerduty), oncall-mail (email), archive (webhook)"`
	if !strings.Contains(out.String(), want) {
		t.Errorf("config print lacks %s:\n%s", want, out.String())
	}
	if strings.Contains(out.String(), "SECRET") {
		t.Errorf("config print shows a receiver's secret:\n%s", out.String())
	}
	// Without the environment, the file names what is missing.
	t.Setenv("PAGERDUTY_ROUTING_KEY", "")
	errb.Reset()
	if code := run([]string{"--config", path, "config", "print", "serve"}, nil, &out, &errb); code == 0 || !strings.Contains(errb.String(), "PAGERDUTY_ROUTING_KEY is not set") {
		t.Errorf("without $PAGERDUTY_ROUTING_KEY: exit %d, %s", code, errb.String())
	}
}

// TestReceiverListErrorsNameTheLine: a receiver the file gets wrong is reported
// with the file and line.
func TestReceiverListErrorsNameTheLine(t *testing.T) {
	for text, want := range map[string]string{
		"serve:\n  receiver:\n    - name: a\n      kind: slack\n      url: {x: 1}\n": ":5: url: want a value or a list of values",
		"serve:\n  receiver:\n    - name: a\n    - plain\n":                          ":4: a list of mappings only",
		"serve:\n  receiver:\n    - name: a\n      kind: sms\n":                      `:2: receiver: "name=a,kind=sms": notify: receiver a: kind "sms"`,
	} {
		p := writeConfig(t, text)
		var out, errb bytes.Buffer
		if code := run([]string{"--config", p, "config", "print", "serve"}, nil, &out, &errb); code == 0 || !strings.Contains(errb.String(), p+want) {
			t.Errorf("%q: exit %d, %q; want an error containing %q", text, code, errb.String(), p+want)
		}
	}
}
