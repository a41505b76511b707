package notify

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

func TestAlertText(t *testing.T) {
	at := time.Date(2022, 10, 25, 7, 5, 17, 0, time.UTC)
	inc := downwatch.Incident{ID: "whatsapp.20221025T0705Z", Service: "whatsapp", Region: "IN", StartedAt: at.Truncate(time.Minute),
		PeakPerMin: 14, Authors: 14, Languages: map[string]int{"hi": 5, "bn": 5, "en": 3}, Countries: map[string]int{"IN": 12, "BD": 2},
		Evidence: &downwatch.Evidence{Window: "2m", Observed: 17, Expected: 3.1, PValue: 4.5e-7}}
	got := AlertText(downwatch.Alert{Type: downwatch.AlertOpened, At: at, Incident: inc})
	want := "07:05:17  OPENED       whatsapp.20221025T0705Z (region IN) started 07:05, peak 14/min, 14 authors, languages bn,hi,en, countries IN,BD, symptoms -\n" +
		"          why: 17 distinct complainers in 2m where 3.1 were expected (p=4.5e-07)\n"
	if got != want {
		t.Errorf("opened:\n got %q\nwant %q", got, want)
	}
	if got := AlertText(downwatch.Alert{Type: downwatch.AlertReopened, At: at, Incident: inc}); !strings.Contains(got, " REOPENED ") {
		t.Errorf("reopened alert reads %q", got)
	}
}

func TestWriteIncidentTable(t *testing.T) {
	start := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	end := start.Add(139 * time.Minute)
	var b bytes.Buffer
	if err := WriteIncidentTable(&b, []downwatch.Incident{{ID: "whatsapp.20221025T0705Z", State: downwatch.StateResolved, StartedAt: start, ResolvedAt: &end,
		PeakPerMin: 227, Authors: 24563, Countries: map[string]int{"IN": 9, "GB": 5, "TR": 4, "IT": 3, "ZA": 1}, Symptoms: []string{"send-messages"}}}); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], "ID") {
		t.Fatalf("table:\n%s", b.String())
	}
	f := strings.Fields(lines[1])
	if f[0] != "whatsapp.20221025T0705Z" || f[1] != "resolved" || f[4] != "2h19m0s" || f[5] != "227" || f[7] != "-" || f[8] != "IN,GB,TR,IT,…" || f[10] != "send-messages" {
		t.Errorf("row %q", lines[1])
	}
}
