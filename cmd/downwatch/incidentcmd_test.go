package main

import (
	"bytes"
	"context"
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
		if err := st.Save(context.Background(), []downwatch.Alert{{Type: downwatch.AlertOpened, At: t0, Incident: inc}}, true); err != nil {
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
