package detect

import (
	"math"
	"testing"
	"time"
)

// Reference values by direct summation of the Poisson pmf tail, sum_{i>=k} e^-mu mu^i/i!
// (python3, math.lgamma), independent of the incomplete-gamma code under test.
func TestPoissonSF(t *testing.T) {
	tests := []struct {
		k    float64
		mu   float64
		want float64
	}{
		{1, 1, 0.6321205588285577},
		{3, 1, 0.08030139707139418},
		{10, 2, 4.649807501726091e-05},
		{25, 6, 5.887519888496265e-09},
		{0, 5, 1},
		{150, 100, 1.8842104660387047e-06},
	}
	for _, tt := range tests {
		got := poissonSF(tt.k, tt.mu)
		if math.Abs(got-tt.want) > 1e-9*tt.want {
			t.Errorf("poissonSF(%v, %v) = %g, want %g", tt.k, tt.mu, got, tt.want)
		}
	}
}

// Reference values by direct summation of the negative binomial pmf tail with
// size 1/a (python3, math.lgamma), independent of the incomplete-beta code.
func TestNegBinTail(t *testing.T) {
	tests := []struct {
		k     int
		mu, a float64
		want  float64
	}{
		{5, 2, 0.5, 0.10937499999999997},
		{20, 3, 0.1, 1.9821546035596698e-07},
		{200, 3, 10, 2.4865192848817878e-05},
		{100, 50, 0.2, 0.035035179655081926},
		{400, 50, 0.2, 2.2938935496545164e-12},
		{12, 0.1, 1, 3.186308177103581e-13},
		{60, 20, 0.01, 1.6561069712897102e-10},
	}
	for _, tt := range tests {
		got := tailP(tt.k, tt.mu, tt.a)
		if math.Abs(got-tt.want) > 1e-7*tt.want {
			t.Errorf("tailP(%d, %v, %v) = %g, want %g", tt.k, tt.mu, tt.a, got, tt.want)
		}
	}
	// a = 0 is Poisson.
	if got, want := tailP(10, 2, 0), 4.649807501726091e-05; math.Abs(got-want) > 1e-9*want {
		t.Errorf("tailP(10, 2, 0) = %g, want the Poisson tail %g", got, want)
	}
}

func TestThreshold(t *testing.T) {
	tests := []struct {
		name         string
		mu, a, alpha float64
		minK         int
	}{
		{"tiny service", 0.04, 0.5, 1e-6, 5},
		{"medium", 6, 0.1, 1e-6, 5},
		{"huge overdispersed", 1000, 0.3, 1e-6, 5},
		{"poisson", 30, 0, 1e-6, 5},
		{"very heavy tail", 3, 10, 1e-6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := threshold(tt.mu, tt.a, tt.alpha, tt.minK)
			if k < tt.minK {
				t.Fatalf("got %d, below the minimum %d", k, tt.minK)
			}
			if p := tailP(k, tt.mu, tt.a); p >= tt.alpha {
				t.Errorf("tail at threshold %d is %g, want < %g", k, p, tt.alpha)
			}
			if k > tt.minK {
				if p := tailP(k-1, tt.mu, tt.a); p < tt.alpha {
					t.Errorf("threshold %d is not the smallest: tail at %d is %g", k, k-1, p)
				}
			}
		})
	}
}

// The tracker's hour and weekday arithmetic agrees with the time package.
func TestTrackerClock(t *testing.T) {
	for _, bucket := range []time.Duration{time.Minute, 5 * time.Minute, time.Hour, 90 * time.Second} {
		var tr tracker
		tr.init(&params{bucket: bucket})
		for _, at := range []time.Time{
			time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC),
			time.Date(2015, 3, 1, 23, 59, 0, 0, time.UTC),
			time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
			time.Date(1969, 12, 31, 23, 0, 0, 0, time.UTC),
		} {
			b := at.UnixNano() / int64(bucket)
			u := time.Unix(0, b*int64(bucket)).UTC()
			h, d := tr.clock(b)
			if h != u.Hour() || d != int(u.Weekday()) {
				t.Errorf("bucket %v at %v: got hour %d weekday %d, want %d %d", bucket, u, h, d, u.Hour(), int(u.Weekday()))
			}
		}
	}
}

// The hour-of-day profile is linear between the middles of the hours: a bucket
// is placed between the two hours whose middles surround its own middle.
func TestSlots(t *testing.T) {
	cfg := DefaultConfig()
	var tr tracker
	tr.init(newParams(&cfg, time.Minute, ""))
	for _, c := range []struct {
		at     time.Time
		h0, h1 int
		f      float64
		wd     time.Weekday
	}{
		{time.Date(2022, 10, 25, 7, 29, 0, 0, time.UTC), 6, 7, 59.5 / 60, 2},         // the middle of 07:29 is 07:29:30
		{time.Date(2022, 10, 25, 7, 59, 0, 0, time.UTC), 7, 8, 59.5/60 - 0.5, 2},     // Tuesday
		{time.Date(2022, 10, 25, 0, 10, 0, 0, time.UTC), 23, 0, 1 - (30-10.5)/60, 2}, // between 23:30 and 00:30
		{time.Date(1969, 12, 31, 23, 44, 0, 0, time.UTC), 23, 0, 14.5 / 60, time.Wednesday},
	} {
		b := c.at.UnixNano() / int64(time.Minute)
		h0, h1, f, wd := tr.slots(b)
		if h0 != c.h0 || h1 != c.h1 || math.Abs(f-c.f) > 1e-9 || wd != int(c.wd) {
			t.Errorf("%v: got hours %d-%d at %.4f weekday %d, want %d-%d at %.4f weekday %d", c.at, h0, h1, f, wd, c.h0, c.h1, c.f, c.wd)
		}
	}
}
