package detect

import "math"

// poissonSF returns P(X >= k) for X ~ Poisson(mu), for real k > 0 (the regularized
// lower incomplete gamma function P(k, mu)); P(X >= 0) = 1.
func poissonSF(k, mu float64) float64 {
	if k <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	return gammaP(k, mu)
}

// gammaP is the regularized lower incomplete gamma function P(a, x)
// (series for x < a+1, continued fraction otherwise; Numerical Recipes 6.2).
func gammaP(a, x float64) float64 {
	if x <= 0 {
		return 0
	}
	lg, _ := math.Lgamma(a)
	if x < a+1 {
		sum, del, ap := 1/a, 1/a, a
		for n := 0; n < 500; n++ {
			ap++
			del *= x / ap
			sum += del
			if math.Abs(del) < math.Abs(sum)*1e-15 {
				break
			}
		}
		return sum * math.Exp(-x+a*math.Log(x)-lg)
	}
	const tiny = 1e-300
	b := x + 1 - a
	c := 1 / tiny
	d := 1 / b
	h := d
	for i := 1; i < 500; i++ {
		an := -float64(i) * (float64(i) - a)
		b += 2
		d = an*d + b
		if math.Abs(d) < tiny {
			d = tiny
		}
		c = b + an/c
		if math.Abs(c) < tiny {
			c = tiny
		}
		d = 1 / d
		del := d * c
		h *= del
		if math.Abs(del-1) < 1e-15 {
			break
		}
	}
	return 1 - math.Exp(-x+a*math.Log(x)-lg)*h
}

// tailP is the quasi-Poisson tail probability of seeing k or more when mu is
// expected and the variance is phi times the mean (phi >= 1): Poisson on the
// scaled counts k/phi and mu/phi.
func tailP(k int, mu, phi float64) float64 {
	if phi < 1 {
		phi = 1
	}
	return poissonSF(float64(k)/phi, mu/phi)
}

// threshold returns the smallest k >= minK with tailP(k, mu, phi) < alpha.
func threshold(mu, phi, alpha float64, minK int) int {
	if minK < 1 {
		minK = 1
	}
	// Start near the normal approximation and walk; counts are small or the
	// approximation is close, so the walk is short.
	k := int(mu + 3*math.Sqrt(mu*phi))
	if k < minK {
		k = minK
	}
	for k > minK && tailP(k-1, mu, phi) < alpha {
		k--
	}
	for tailP(k, mu, phi) >= alpha {
		k++
	}
	return k
}
