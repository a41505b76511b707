package detect

import (
	"strings"
	"testing"
	"time"
)

func FuzzReadSeries(f *testing.F) {
	f.Add("timestamp,value\n2024-01-01 00:00:00,3\n2024-01-01 00:05:00,4\n")
	f.Add("host,timestamp,value\na,2024-01-01T00:00:00Z,3\n")
	f.Add("timestamp,value\nyesterday,4\n")
	f.Add("\ufefftimestamp, value\n2024-01-01 00:00:00, 1e308\n")
	f.Fuzz(func(t *testing.T, in string) {
		rows, err := ReadSeries(strings.NewReader(in))
		if err != nil {
			return
		}
		for i := 1; i < len(rows); i++ {
			if !rows[i].At.After(rows[i-1].At) {
				t.Fatalf("rows out of order accepted: %v then %v", rows[i-1].At, rows[i].At)
			}
		}
		// The decision must never panic on what the reader accepts.
		if _, err := Backtest(rows, 0, DefaultConfig()); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	f.Add("alpha: 1e-7\nlong_window: 15m\nservices:\n  sbi: {min_authors: 8}\n")
	f.Add("quiet: 0s\n")
	f.Add("alpah: 1\n")
	f.Fuzz(func(t *testing.T, in string) {
		c := DefaultConfig()
		if err := ParseConfig("fuzz.yaml", []byte(in), &c); err != nil {
			return
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("ParseConfig accepted an invalid config: %v", err)
		}
		if c.ShortWindow <= 0 || c.LongWindow > 30*time.Minute {
			t.Fatalf("accepted windows %v, %v", c.ShortWindow, c.LongWindow)
		}
	})
}
