package detect

import (
	"testing"
	"time"
)

// A stream whose usual bursts are short spikes (a bot every 14 hours, 35
// minutes at 150 times its level) and which then has complaints up for five
// hours at 12 times its level: the sum of those hours is smaller than one
// spike's, so rarity by size keeps quiet, but no episode of the stream has
// lasted so long. It alarms within the rise (about six times the spikes'
// length, by the tail's prior), after LongEpisode, and does not
// when LongEpisode is longer than the rise.
func TestBacktestLongEpisodeOnSpikyStream(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	const step, days = 5 * time.Minute, 10
	var bursts []burstSpec
	for at := 100; at < 9*288; at += 14 * 12 {
		bursts = append(bursts, burstSpec{at: at, rows: 7, perRow: 150})
	}
	rise := burstSpec{at: 9*288 + 40, rows: 60, perRow: 12}
	rows := makeSeries(7, start, step, days*288, 1, 0.5, append(bursts, rise)...)
	riseAt := rows[rise.at].At
	inRise := func(cfg Config) []time.Duration {
		opened, err := Backtest(rows, step, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var out []time.Duration
		for _, r := range opened {
			if d := r.At.Sub(riseAt); d >= 0 && d < time.Duration(rise.rows)*step {
				out = append(out, d)
			}
		}
		return out
	}
	cfg := DefaultConfig()
	got := inRise(cfg)
	if len(got) != 1 || got[0] < cfg.LongEpisode {
		t.Errorf("alarms in the five-hour rise at %v after its onset; want one, after LongEpisode (%v)", got, cfg.LongEpisode)
	}
	cfg.LongEpisode = 10 * time.Hour
	if got := inRise(cfg); len(got) != 0 {
		t.Errorf("with LongEpisode 10h: alarms in the rise at %v after its onset; want none (the spikes are bigger)", got)
	}
}

// A stream whose usual episodes are long (five hours at 6 times its level,
// every 31 hours, so not at one hour of the day) is not alarmed on by length
// when it has one more of them.
func TestBacktestLongEpisodesAreUsualForSomeStreams(t *testing.T) {
	start := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	const step = 5 * time.Minute
	var bursts []burstSpec
	for at := 100; at < 20*288; at += 31 * 12 {
		bursts = append(bursts, burstSpec{at: at, rows: 60, perRow: 6})
	}
	rows := makeSeries(11, start, step, 21*288, 1, 0.5, bursts...)
	opened, err := Backtest(rows, step, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, r := range opened {
		if r.At.Sub(start) > 10*24*time.Hour {
			late++
		}
	}
	if late > 0 {
		t.Errorf("%d alarms in the second half (%v); want none: five-hour episodes are this stream's usual kind", late, raws(opened))
	}
}

// Episodes of unknown length (restored from checkpoint version 4) neither make
// a long episode rare nor common: only the known ones are its measure.
func TestUnknownLengthsAreLeftOut(t *testing.T) {
	cfg := DefaultConfig()
	var tr tracker
	tr.init(newParams(&cfg, time.Minute, ""))
	ws := make([]float64, 0, maxPast)
	for range 20 {
		tr.Past = append(tr.Past, episode{Excess: 100}) // Len 0: unknown
		ws = append(ws, 1)
	}
	if got := tr.beyond(ws, 20, 300, true); got != 1 {
		t.Errorf("only unknown lengths: beyond %v, want 1 (no evidence)", got)
	}
	for range 4 {
		tr.Past = append(tr.Past, episode{Excess: 100, Len: 30})
		ws = append(ws, 1)
	}
	// The known median is 30; with the zeros counted it would be 0.
	if got := tr.beyond(ws, 24, 30, true); got != 1 {
		t.Errorf("a length at the known median: beyond %v, want 1", got)
	}
	if got := tr.beyond(ws, 24, 300, true); got >= 0.5 || got <= 0 {
		t.Errorf("ten times the known median: beyond %v, want in (0, 0.5)", got)
	}
}
