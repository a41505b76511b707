package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestIncidentCommand(t *testing.T) {
	prefix, st := testPrefix(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	for _, id := range []string{"whatsapp.20221025T0705Z", "whatsapp.20221025T0900Z"} {
		inc := downwatch.Incident{ID: id, Service: "whatsapp", State: downwatch.StateOpen, StartedAt: t0, DetectedAt: t0, Revision: 1, UpdatedAt: t0}
		if err := st.Save(context.Background(), []downwatch.Alert{{Type: downwatch.AlertOpened, At: t0, Incident: inc}}); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"--redis", redisURL(), "--prefix", prefix, "--by", "ana"}
	cases := []struct {
		args    []string
		code    int
		wantOut string
	}{
		{[]string{"ack", "whatsapp.20221025T0705Z", "--note", "on it"}, 0, "incident.operator_acknowledged whatsapp.20221025T0705Z: state open, revision 2"},
		{[]string{"resolve", "whatsapp.20221025T0705Z", "--revision", "1"}, 1, "revision 2, you saw 1; read it again and retry"},
		{[]string{"false-alarm", "whatsapp.20221025T0705Z"}, 1, "needs a reason"},
		{[]string{"merge", "whatsapp.20221025T0705Z", "--other", "whatsapp.20221025T0900Z"}, 0, "incident.merged whatsapp.20221025T0900Z: state resolved, revision 2"},
		{[]string{"resolve", "whatsapp.20221025T0705Z", "--note", "fixed"}, 0, "incident.resolved whatsapp.20221025T0705Z: state resolved, revision 4"},
		{[]string{"explode", "whatsapp.20221025T0705Z"}, 2, "want an action and an incident id"},
		{[]string{"resolve"}, 2, "want an action and an incident id"},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		args := append(append([]string{"incident"}, c.args...), base...)
		code := run(args, strings.NewReader(""), &out, &errb)
		if code != c.code || !strings.Contains(out.String()+errb.String(), c.wantOut) {
			t.Errorf("%v: exit %d, output %q %q; want exit %d with %q", c.args, code, out.String(), errb.String(), c.code, c.wantOut)
		}
	}
	got, err := st.Incident(context.Background(), "whatsapp.20221025T0705Z")
	if err != nil {
		t.Fatal(err)
	}
	if got.Resolution == nil || got.Resolution.By != "ana" || got.Resolution.Note != "fixed" || len(got.Merged) != 1 {
		t.Errorf("stored: resolution %+v merged %v; want ana's 'fixed' and the merged incident", got.Resolution, got.Merged)
	}
}

// TestServeTokens runs `downwatch serve` with a read and a write token: the
// read token reads but cannot act, the write token acts under its name.
func TestServeTokens(t *testing.T) {
	prefix, st := testPrefix(t)
	t.Setenv("DOWNWATCH_AUTH_TOKEN", "")
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	inc := downwatch.Incident{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateOpen, StartedAt: t0, DetectedAt: t0, Revision: 1, UpdatedAt: t0}
	if err := st.Save(context.Background(), []downwatch.Alert{{Type: downwatch.AlertOpened, At: t0, Incident: inc}}); err != nil {
		t.Fatal(err)
	}
	if err := runServe(context.Background(), &cliEnv{stdout: io.Discard, stderr: io.Discard}, []string{"--redis", redisURL(), "--http", "127.0.0.1:0", "--write-token", "nosecret"}); err == nil || !strings.Contains(err.Error(), "NAME=SECRET") {
		t.Errorf("--write-token without a name: got %v, want an error asking for NAME=SECRET", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var out syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- runServe(ctx, &cliEnv{stdout: &out, stderr: io.Discard}, []string{
			"--redis", redisURL(), "--prefix", prefix, "--http", "127.0.0.1:0", "--read-token", "wall=r3ad", "--write-token", "ana=wr1te"})
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	re := regexp.MustCompile(`dashboard on (http://[^/]+)/ \(1 read and 1 write tokens\)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == ""; time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		} else if time.Now().After(deadline) {
			t.Fatalf("serve did not start as expected: %q", out.String())
		}
	}
	act := func(secret string) int {
		req, _ := http.NewRequest(http.MethodPost, base+"/api/incidents/"+inc.ID+"/acknowledge", strings.NewReader(`{"note":"on it"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := act("r3ad"); code != http.StatusForbidden {
		t.Errorf("acting with the read token: got %d, want 403", code)
	}
	if code := act("wr1te"); code != http.StatusOK {
		t.Errorf("acting with the write token: got %d, want 200", code)
	}
	got, err := st.Incident(context.Background(), inc.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.OperatorAck == nil || got.OperatorAck.Token != "ana" || got.OperatorAck.By != "ana" {
		t.Errorf("operator_ack = %+v, want one recorded with the token named ana", got.OperatorAck)
	}
}

func TestSilenceCommand(t *testing.T) {
	prefix, _ := testPrefix(t)
	base := []string{"--redis", redisURL(), "--prefix", prefix, "--by", "ana"}
	do := func(args ...string) (int, string) {
		var out, errb bytes.Buffer
		code := run(append(append([]string{"silence"}, args...), base...), strings.NewReader(""), &out, &errb)
		return code, out.String() + errb.String()
	}
	code, out := do("add", "--match", "service=whatsapp", "--match", "symptom=~login|connect", "--for", "2h", "--comment", "planned maintenance", "--json")
	var added struct{ Silences []downwatch.Silence }
	if code != 0 || json.Unmarshal([]byte(out), &added) != nil || len(added.Silences) != 1 {
		t.Fatalf("add: exit %d %s", code, out)
	}
	s := added.Silences[0]
	if s.By != "ana" || len(s.Matchers) != 2 || s.EndsAt.Sub(s.StartsAt) != 2*time.Hour {
		t.Errorf("added %+v: want ana's two matchers for 2h", s)
	}
	for _, bad := range [][]string{
		{"add", "--match", "country=IN", "--for", "1h", "--comment", "x"},
		{"add", "--match", "service=x", "--comment", "x"},
		{"add", "--match", "service=x", "--for", "1h"},
		{"expire"},
	} {
		if code, out := do(bad...); code == 0 {
			t.Errorf("%v: exit 0 (%s), want an error", bad, out)
		}
	}
	if code, out := do("list"); code != 0 || !strings.Contains(out, s.ID) || !strings.Contains(out, "service=whatsapp,symptom=~login|connect") || !strings.Contains(out, "active") {
		t.Errorf("list: exit %d %s; want %s active with its matchers", code, out, s.ID)
	}
	if code, out := do("expire", s.ID); code != 0 || !strings.Contains(out, "expired") {
		t.Errorf("expire: exit %d %s", code, out)
	}
	if code, out := do("list"); code != 0 || !strings.Contains(out, "no silences") {
		t.Errorf("list after expire: exit %d %s, want none", code, out)
	}
}

func TestReportCommand(t *testing.T) {
	prefix, st := testPrefix(t)
	t0 := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	ack := t0.Add(time.Hour)
	incs := []downwatch.Incident{
		{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", State: downwatch.StateAcknowledged, StartedAt: t0, DetectedAt: t0.Add(2 * time.Minute), AcknowledgedAt: &ack, Revision: 1},
		{ID: "gmail.20221025T0800Z", Service: "gmail", State: downwatch.StateOpen, StartedAt: t0.Add(time.Hour), DetectedAt: t0.Add(time.Hour), Revision: 1},
	}
	for _, inc := range incs {
		if err := st.Save(context.Background(), []downwatch.Alert{{Type: downwatch.AlertOpened, At: t0, Incident: inc}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Act(context.Background(), "gmail.20221025T0800Z", 0, downwatch.Action{Type: downwatch.ActionFalseAlarm, By: "ana", Note: "a meme", At: time.Now()}); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	code := run([]string{"report", "--redis", redisURL(), "--prefix", prefix, "--since", "2d", "--until", "2022-10-26T00:00:00Z"}, strings.NewReader(""), &out, &errb)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	rows := map[string]string{}
	for _, l := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(l); len(f) > 0 {
			rows[f[0]] = strings.Join(f, " ")
		}
	}
	for svc, want := range map[string]string{"all": "all 2 1 1 0 50% 58m0s", "whatsapp": "whatsapp 1 1 0 0 100% 58m0s", "gmail": "gmail 1 0 1 0 0% -"} {
		if rows[svc] != want {
			t.Errorf("%s row %q, want %q\n%s", svc, rows[svc], want, out.String())
		}
	}
	if code := run([]string{"report", "--redis", redisURL(), "--since", "soon"}, strings.NewReader(""), &out, &errb); code != 1 || !strings.Contains(errb.String(), "30d") {
		t.Errorf("--since soon: exit %d %s, want an error suggesting 30d", code, errb.String())
	}
}
