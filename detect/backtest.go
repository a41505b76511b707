package detect

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"
)

// SeriesRow is one row of a count series.
type SeriesRow struct {
	Raw   string // the timestamp as written
	At    time.Time
	Value float64
}

// ReadSeries reads a CSV with a "timestamp,value" header (docs/CONTRACT.md §7). Timestamps
// are "YYYY-MM-DD HH:MM:SS" (UTC) or RFC 3339. Errors name the line.
func ReadSeries(r io.Reader) ([]SeriesRow, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("detect: series: read header: %w", err)
	}
	ti, vi := -1, -1
	for i, h := range head {
		switch strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))) {
		case "timestamp":
			ti = i
		case "value":
			vi = i
		}
	}
	if ti < 0 || vi < 0 {
		return nil, fmt.Errorf("detect: series: line 1: header %q must name the columns timestamp and value", strings.Join(head, ","))
	}
	var rows []SeriesRow
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("detect: series: %w", err) // a csv.ParseError names the line
		}
		line, _ := cr.FieldPos(0)
		if len(rec) <= max(ti, vi) {
			return nil, fmt.Errorf("detect: series: line %d: want %d columns, got %d", line, len(head), len(rec))
		}
		raw := strings.TrimSpace(rec[ti])
		at, err := parseSeriesTime(raw)
		if err != nil {
			return nil, fmt.Errorf("detect: series: line %d: timestamp %q: want YYYY-MM-DD HH:MM:SS or RFC 3339", line, raw)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[vi]), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("detect: series: line %d: value %q is not a count", line, rec[vi])
		}
		if n := len(rows); n > 0 && !at.After(rows[n-1].At) {
			return nil, fmt.Errorf("detect: series: line %d: timestamp %s is not after the previous row's %s", line, raw, rows[n-1].Raw)
		}
		rows = append(rows, SeriesRow{Raw: raw, At: at, Value: v})
	}
	return rows, nil
}

func parseSeriesTime(s string) (time.Time, error) {
	if t, err := time.ParseInLocation("2006-01-02 15:04:05", s, time.UTC); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t.UTC(), err
}

// Spacing returns the series' own bucket size: the most common gap between rows.
func Spacing(rows []SeriesRow) time.Duration {
	counts := map[time.Duration]int{}
	for i := 1; i < len(rows) && i < 1000; i++ {
		counts[rows[i].At.Sub(rows[i-1].At)]++
	}
	best, n := time.Minute, 0
	for d, c := range counts {
		if c > n || (c == n && d < best) {
			best, n = d, c
		}
	}
	return best
}

// Backtest runs the live burst decision causally over a count series and returns
// the rows at which an incident opened. bucket 0 means the series' own spacing.
// Missing rows count as zero.
func Backtest(rows []SeriesRow, bucket time.Duration, cfg Config) ([]SeriesRow, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	if bucket <= 0 {
		bucket = Spacing(rows)
	}
	var t tracker
	t.init(newParams(&cfg, bucket, ""))
	var opened []SeriesRow
	cur := rows[0].At.UnixNano() / int64(bucket)
	for _, r := range rows {
		b := r.At.UnixNano() / int64(bucket)
		// A bucket is final when a row of a later bucket arrives; missing buckets
		// in between are final with a count of zero.
		for ; cur < b; cur++ {
			if b-cur > 100000 { // a gap of more than 100000 buckets: start over
				t = tracker{}
				t.init(newParams(&cfg, bucket, ""))
				cur = b
				break
			}
			t.close(cur, true)
		}
		t.add(b, int32(math.Round(r.Value)))
		if dec, fired := t.burst(b); fired && !dec.Reopen { // a re-flare continues the incident it follows
			opened = append(opened, r)
		}
	}
	return opened, nil
}
