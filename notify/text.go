package notify

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/downwatch/downwatch"
)

// Text renderings of alerts and incidents for people at a terminal (the demo's
// alert lines, `downwatch incidents`).

var alertVerbs = map[string]string{
	downwatch.AlertOpened: "OPENED", downwatch.AlertUpdated: "UPDATED", downwatch.AlertReopened: "REOPENED",
	downwatch.AlertAcknowledged: "ACKNOWLEDGED", downwatch.AlertResolved: "RESOLVED",
	downwatch.AlertOperatorAcknowledged: "OPERATOR-ACK", downwatch.AlertFalseAlarm: "FALSE-ALARM",
	downwatch.AlertMerged: "MERGED", downwatch.AlertLinked: "LINKED",
}

// AlertText is an alert as a line a person reads, with a second line saying
// why it opened, who acknowledged it or when it went back to baseline.
func AlertText(a downwatch.Alert) string {
	i := a.Incident
	verb := alertVerbs[a.Type]
	if verb == "" {
		verb = strings.ToUpper(a.Type)
	}
	scope := "global"
	if i.Region != "" {
		scope = "region " + i.Region
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s  %-12s %s (%s) started %s, peak %.0f/min, %d authors, languages %s, countries %s, symptoms %s\n",
		a.At.Format("15:04:05"), verb, i.ID, scope, i.StartedAt.Format("15:04"), i.PeakPerMin, i.Authors,
		topList(i.Languages, 6), topList(i.Countries, 6), or(strings.Join(i.Symptoms, ","), "-"))
	switch a.Type {
	case downwatch.AlertAcknowledged:
		if i.Acknowledgement != nil {
			fmt.Fprintf(&b, "          by @%s: %s\n", i.Acknowledgement.Author, clip(strings.Join(strings.Fields(i.Acknowledgement.Text), " "), 140))
		}
	case downwatch.AlertResolved:
		if i.ResolvedAt != nil {
			fmt.Fprintf(&b, "          back to baseline at %s (%s after onset)\n", i.ResolvedAt.Format("15:04"), i.ResolvedAt.Sub(i.StartedAt))
		}
	case downwatch.AlertOpened:
		if e := i.Evidence; e != nil {
			fmt.Fprintf(&b, "          why: %d distinct complainers in %s where %.1f were expected (p=%.1e)\n", e.Observed, e.Window, e.Expected, e.PValue)
		}
	}
	return b.String()
}

// WriteIncidentTable writes incidents as an aligned table, one a line.
func WriteIncidentTable(w io.Writer, incs []downwatch.Incident) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATE\tSTARTED (UTC)\tDURATION\tPEAK/MIN\tAUTHORS\tACK\tREGIONS\tLANGUAGES\tSYMPTOMS")
	for _, i := range incs {
		end := i.UpdatedAt
		if i.ResolvedAt != nil {
			end = *i.ResolvedAt
		}
		ack := "-"
		if i.AcknowledgedAt != nil {
			ack = i.AcknowledgedAt.Format("15:04")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%.0f\t%d\t%s\t%s\t%s\t%s\n", i.ID, i.State, i.StartedAt.Format("2006-01-02 15:04"),
			end.Sub(i.StartedAt).Round(time.Minute), i.PeakPerMin, i.Authors, ack, topList(i.Countries, 4), topList(i.Languages, 4), or(strings.Join(i.Symptoms, ","), "-"))
	}
	return tw.Flush()
}

// topKeys are the keys of the n largest counts, largest first (ties by key).
func topKeys(m map[string]int, n int) []string {
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		if m[a] != m[b] {
			return m[b] - m[a]
		}
		return strings.Compare(a, b)
	})
	return keys[:min(n, len(keys))]
}

// topList is "IN,GB,TR", with "…" when there are more than n, "-" when none.
func topList(m map[string]int, n int) string {
	keys := topKeys(m, n)
	if len(m) > n {
		keys = append(keys, "…")
	}
	return or(strings.Join(keys, ","), "-")
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
