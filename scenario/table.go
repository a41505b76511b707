package scenario

import (
	"fmt"
	"strings"
	"time"
)

// Table renders scores as a Markdown table with a totals row.
func Table(scores []Score) string {
	var b strings.Builder
	b.WriteString("| scenario | outages found | false alarms | time to detect (median / max) | resolution error (max) | acks attached | regional as regional | related linked |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	var tot Score
	var det, res []time.Duration
	for _, s := range scores {
		fmt.Fprintf(&b, "| %s | %d / %d | %d | %s | %s | %s | %s | %s |\n", s.Scenario, s.Found, s.Outages, len(s.FalseAlarms),
			detectCell(s.Detect), resolveCell(s.Resolve, s.Unresolved), ratio(s.AcksAttached, s.Acks), ratio(s.Regional, s.RegionalWanted), ratio(s.Related, s.RelatedWanted))
		tot.Found += s.Found
		tot.Outages += s.Outages
		tot.FalseAlarms = append(tot.FalseAlarms, s.FalseAlarms...)
		tot.AcksAttached += s.AcksAttached
		tot.Acks += s.Acks
		tot.Regional += s.Regional
		tot.RegionalWanted += s.RegionalWanted
		tot.Related += s.Related
		tot.RelatedWanted += s.RelatedWanted
		tot.Unresolved += s.Unresolved
		det = append(det, s.Detect...)
		res = append(res, s.Resolve...)
	}
	fmt.Fprintf(&b, "| **all** | **%d / %d** | **%d** | **%s** | **%s** | **%s** | **%s** | **%s** |\n", tot.Found, tot.Outages, len(tot.FalseAlarms),
		detectCell(det), resolveCell(res, tot.Unresolved), ratio(tot.AcksAttached, tot.Acks), ratio(tot.Regional, tot.RegionalWanted), ratio(tot.Related, tot.RelatedWanted))
	return b.String()
}

func detectCell(ds []time.Duration) string {
	if len(ds) == 0 {
		return "–"
	}
	return fmt.Sprintf("%s / %s", short(Median(ds)), short(MaxAbs(ds)))
}

func resolveCell(ds []time.Duration, unresolved int) string {
	s := "–"
	if len(ds) > 0 {
		s = short(MaxAbs(ds))
	}
	if unresolved > 0 {
		s += fmt.Sprintf(" (%d unresolved)", unresolved)
	}
	return s
}

func ratio(a, b int) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%d / %d", a, b)
}

func short(d time.Duration) string {
	d = d.Round(time.Second)
	if d < time.Minute {
		return fmt.Sprintf("%ds", int(d.Seconds()))
	}
	return fmt.Sprintf("%dm%02ds", int(d.Minutes()), int(d.Seconds())%60)
}
