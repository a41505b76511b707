package detect

import (
	"math"
	"testing"
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

func TestThreshold(t *testing.T) {
	tests := []struct {
		name       string
		mu, phi, a float64
		minK       int
	}{
		{"tiny service", 0.04, 1, 1e-6, 5},
		{"medium", 6, 1, 1e-6, 5},
		{"huge overdispersed", 1000, 3, 1e-6, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k := threshold(tt.mu, tt.phi, tt.a, tt.minK)
			if k < tt.minK {
				t.Fatalf("got %d, below the minimum %d", k, tt.minK)
			}
			if p := tailP(k, tt.mu, tt.phi); p >= tt.a {
				t.Errorf("tail at threshold %d is %g, want < %g", k, p, tt.a)
			}
			if k > tt.minK {
				if p := tailP(k-1, tt.mu, tt.phi); p < tt.a {
					t.Errorf("threshold %d is not the smallest: tail at %d is %g", k, k-1, p)
				}
			}
		})
	}
}
