package web

import (
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestReportAPIAndPage(t *testing.T) {
	now := time.Date(2022, 10, 26, 0, 0, 0, 0, time.UTC)
	st := testStore(t)
	seed(t, st)
	srv, err := New(Config{Store: st, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	// A person marks X's outage a false alarm.
	if _, err := st.Act(t.Context(), "x.20221025T0231Z", 0, downwatch.Action{Type: downwatch.ActionFalseAlarm, By: "ana", Note: "a meme", At: now}); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() { srv.Close(); ts.Close() })
	hs := ts.URL
	_, body := get(t, hs+"/api/report?since=2d")
	var rep struct {
		Precision []downwatch.Precision
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	byService := map[string]downwatch.Precision{}
	for _, p := range rep.Precision {
		byService[p.Service] = p
	}
	all, wa, x := byService[""], byService["whatsapp"], byService["x"]
	// In the two days: WhatsApp (acknowledged), Instagram in Turkey (not), X (false alarm), Instagram on the 24th (acknowledged).
	if all.Incidents != 4 || all.Confirmed != 2 || all.FalseAlarms != 1 || all.Unconfirmed != 1 || all.Precision == nil || *all.Precision != 2.0/3 {
		t.Errorf("all: %+v, want 4 incidents, 2 confirmed, 1 false alarm, 1 unconfirmed, precision 2/3", all)
	}
	if wa.LeadSeconds == nil || *wa.LeadSeconds != (56*time.Minute+48*time.Second).Seconds() {
		t.Errorf("whatsapp lead %v, want 56m48s from detection (07:08:12) to ANI's quote (08:05)", wa.LeadSeconds)
	}
	if x.FalseAlarms != 1 || x.Precision == nil || *x.Precision != 0 {
		t.Errorf("x: %+v, want its one false alarm", x)
	}
	if resp, _ := get(t, hs+"/api/report?since=soon"); resp.StatusCode != 400 {
		t.Errorf("?since=soon: got %d, want 400", resp.StatusCode)
	}
	resp, page := get(t, hs+"/report?since=2d")
	if resp.StatusCode != 200 || !strings.Contains(page, "<strong>all</strong>") || !strings.Contains(page, "67%") || !strings.Contains(page, "56m48s") {
		t.Errorf("/report: %d, want the table with 67%% and 56m48s:\n%s", resp.StatusCode, page)
	}
}
