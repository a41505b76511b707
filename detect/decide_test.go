package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// series builds a count series: a Poisson background with a daily cycle, plus
// bursts added on top. It is independent of the code under test.
type burstSpec struct {
	at     int     // row index of onset
	rows   int     // duration in rows
	perRow float64 // added mean per row
}

func makeSeries(seed uint64, start time.Time, step time.Duration, n int, meanPerRow, swing float64, bursts ...burstSpec) []SeriesRow {
	r := rand.New(rand.NewPCG(seed, 1))
	rows := make([]SeriesRow, n)
	for i := range rows {
		at := start.Add(time.Duration(i) * step)
		h := float64(at.Hour()) + float64(at.Minute())/60
		mu := meanPerRow * (1 + swing*math.Sin(2*math.Pi*(h-15)/24))
		for _, b := range bursts {
			if i >= b.at && i < b.at+b.rows {
				mu += b.perRow
			}
		}
		rows[i] = SeriesRow{Raw: at.Format("2006-01-02 15:04:05"), At: at, Value: float64(poisson(r, mu))}
	}
	return rows
}

func poisson(r *rand.Rand, mu float64) int {
	if mu > 50 {
		return max(0, int(math.Round(r.NormFloat64()*math.Sqrt(mu)+mu)))
	}
	l, k, p := math.Exp(-mu), 0, 1.0
	for {
		p *= r.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func TestBacktestNoFalseAlarms(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		mean  float64
		swing float64
	}{
		{"tiny service, 4 a day", 4.0 / 1440, 0.5},
		{"small service", 0.2, 0.6},
		{"medium service", 3, 0.7},
		{"huge service", 400, 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				rows := makeSeries(seed, start, time.Minute, 3*1440, tt.mean, tt.swing)
				opened, err := Backtest(rows, 0, DefaultConfig())
				if err != nil {
					t.Fatal(err)
				}
				if len(opened) != 0 {
					t.Errorf("seed %d: got %d false alarms (first at %s), want 0", seed, len(opened), opened[0].Raw)
				}
			}
		})
	}
}

func TestBacktestFindsBursts(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		mean     float64
		burst    burstSpec
		maxDelay int // rows from onset to the alarm
	}{
		{"tiny service, 10 a minute", 4.0 / 1440, burstSpec{at: 2000, rows: 25, perRow: 10}, 2},
		{"medium service, 10x", 3, burstSpec{at: 2500, rows: 60, perRow: 30}, 2},
		{"huge service, 4x", 400, burstSpec{at: 3000, rows: 60, perRow: 1200}, 2},
		{"night onset", 1, burstSpec{at: 1440 + 4*60, rows: 40, perRow: 12}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := makeSeries(7, start, time.Minute, 3*1440, tt.mean, 0.6, tt.burst)
			opened, err := Backtest(rows, 0, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			if len(opened) != 1 {
				t.Fatalf("got %d incidents %v, want exactly 1", len(opened), raws(opened))
			}
			onset := rows[tt.burst.at].At
			if d := opened[0].At.Sub(onset); d < 0 || d > time.Duration(tt.maxDelay)*time.Minute {
				t.Errorf("opened at %s, %v after onset %s; want within %d rows", opened[0].Raw, d, onset.Format(time.TimeOnly), tt.maxDelay)
			}
		})
	}
}

// A rise that is improbable but not large is a busy hour, not an outage: on a
// service with 400 complaints a minute, +50% for an hour is far beyond Poisson
// noise (p < 1e-100) and still no incident.
func TestBacktestBusyHourIsNotAnOutage(t *testing.T) {
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, rise := range []float64{0.3, 0.5, 1.0} {
		rows := makeSeries(7, start, time.Minute, 3*1440, 400, 0.6, burstSpec{at: 3000, rows: 60, perRow: 400 * rise})
		opened, err := Backtest(rows, 0, DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		if len(opened) != 0 {
			t.Errorf("+%.0f%% for an hour: got %d incidents %v, want none", 100*rise, len(opened), raws(opened))
		}
	}
}

func TestBacktestOneAlarmPerBurst(t *testing.T) {
	// A fading outage with a short dip in the middle is one incident, not two.
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := makeSeries(3, start, time.Minute, 2*1440, 2, 0.5,
		burstSpec{at: 1800, rows: 30, perRow: 40},
		burstSpec{at: 1833, rows: 10, perRow: 25}, // after a 3-minute dip
	)
	opened, err := Backtest(rows, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 {
		t.Fatalf("got %d incidents %v, want 1", len(opened), raws(opened))
	}
	// A second, separate outage hours later is a second incident.
	rows = makeSeries(3, start, time.Minute, 2*1440, 2, 0.5,
		burstSpec{at: 1800, rows: 30, perRow: 40},
		burstSpec{at: 2100, rows: 30, perRow: 40},
	)
	if opened, _ = Backtest(rows, 0, DefaultConfig()); len(opened) != 2 {
		t.Fatalf("two outages 4h apart: got %d incidents %v, want 2", len(opened), raws(opened))
	}
}

func TestBacktestFiveMinuteBuckets(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	rows := makeSeries(11, start, 5*time.Minute, 4*288, 10, 0.6, burstSpec{at: 700, rows: 8, perRow: 120})
	if got := Spacing(rows); got != 5*time.Minute {
		t.Fatalf("spacing: got %v, want 5m", got)
	}
	opened, err := Backtest(rows, 0, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 1 || opened[0].Raw != rows[700].Raw {
		t.Fatalf("got %v, want exactly the burst row %s", raws(opened), rows[700].Raw)
	}
}

func TestBacktestCausal(t *testing.T) {
	// Appending rows never changes decisions already made.
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := makeSeries(5, start, time.Minute, 2*1440, 3, 0.6, burstSpec{at: 1500, rows: 30, perRow: 40}, burstSpec{at: 2500, rows: 30, perRow: 40})
	full, _ := Backtest(rows, 0, DefaultConfig())
	prefix, _ := Backtest(rows[:1600], 0, DefaultConfig())
	if len(full) != 2 || len(prefix) != 1 || full[0].Raw != prefix[0].Raw {
		t.Fatalf("full %v, prefix %v: want the prefix's decisions to be the full run's first", raws(full), raws(prefix))
	}
}

func TestReadSeries(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr string
		rows    int
	}{
		{"plain", "timestamp,value\n2024-01-01 00:00:00,3\n2024-01-01 00:05:00,4\n", "", 2},
		{"rfc3339 and extra columns", "host,timestamp,value\na,2024-01-01T00:00:00Z,3\na,2024-01-01T05:35:00+05:30,4.0\n", "", 2},
		{"bom and spaces", "\ufefftimestamp, value\n2024-01-01 00:00:00, 3\n", "", 1},
		{"bad header", "time,count\n2024-01-01 00:00:00,3\n", "line 1", 0},
		{"bad time", "timestamp,value\n2024-01-01 00:00:00,3\nyesterday,4\n", "line 3", 0},
		{"negative", "timestamp,value\n2024-01-01 00:00:00,-3\n", "line 2", 0},
		{"not increasing", "timestamp,value\n2024-01-01 00:05:00,3\n2024-01-01 00:00:00,3\n", "line 3", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := ReadSeries(strings.NewReader(tt.in))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got error %v, want one naming %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || len(rows) != tt.rows {
				t.Fatalf("got %d rows, %v; want %d rows", len(rows), err, tt.rows)
			}
		})
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []func(*Config){
		func(c *Config) { c.Alpha = 0 },
		func(c *Config) { c.QuietAlpha = c.Alpha / 2 },
		func(c *Config) { c.MinAuthors = 0 },
		func(c *Config) { c.LongWindow = time.Minute },
		func(c *Config) { c.FloorPerMin = 0 },
		func(c *Config) { c.Services = map[string]Sensitivity{"x": {Alpha: 2}} },
	}
	for i, f := range bad {
		c := DefaultConfig()
		f(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("case %d: got nil error, want a validation error", i)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default config: %v", err)
	}
	var c = DefaultConfig()
	if err := ParseConfig("t.yaml", []byte("alpha: 1e-7\nlong_window: 15m\nservices:\n  sbi: {min_authors: 8}\n"), &c); err != nil {
		t.Fatal(err)
	}
	if c.Alpha != 1e-7 || c.LongWindow != 15*time.Minute || c.Services["sbi"].MinAuthors != 8 {
		t.Errorf("parsed config: got %+v", c)
	}
	if err := ParseConfig("t.yaml", []byte("alpah: 1e-7\n"), &c); err == nil {
		t.Error("a misspelt key: got nil error, want one")
	}
}

func raws(rows []SeriesRow) string {
	var s []string
	for _, r := range rows {
		s = append(s, r.Raw)
	}
	return fmt.Sprint(s)
}
