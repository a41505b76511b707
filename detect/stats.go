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

// betaI is the regularized incomplete beta function I_x(a, b) (continued fraction
// by the modified Lentz method, with the symmetry I_x(a,b) = 1 - I_{1-x}(b,a) where
// it converges faster; Numerical Recipes 6.4).
func betaI(x, a, b float64) float64 {
	switch {
	case x <= 0:
		return 0
	case x >= 1:
		return 1
	}
	la, _ := math.Lgamma(a)
	lb, _ := math.Lgamma(b)
	lab, _ := math.Lgamma(a + b)
	front := math.Exp(lab - la - lb + a*math.Log(x) + b*math.Log1p(-x))
	if x < (a+1)/(a+b+2) {
		return front * betaCF(x, a, b) / a
	}
	return 1 - front*betaCF(1-x, b, a)/b
}

// lentz is one step of the modified Lentz method for a continued fraction with
// partial numerator aa: it updates c and d and returns the factor of the step.
func lentz(aa float64, c, d *float64) float64 {
	const tiny = 1e-300
	*d = 1 + aa**d
	if math.Abs(*d) < tiny {
		*d = tiny
	}
	*c = 1 + aa / *c
	if math.Abs(*c) < tiny {
		*c = tiny
	}
	*d = 1 / *d
	return *d * *c
}

func betaCF(x, a, b float64) float64 {
	const tiny = 1e-300
	qab, qap, qam := a+b, a+1, a-1
	c, d := 1.0, 1-qab*x/qap
	if math.Abs(d) < tiny {
		d = tiny
	}
	d = 1 / d
	h := d
	for m := 1; m < 1000; m++ {
		fm := float64(m)
		m2 := 2 * fm
		h *= lentz(fm*(b-fm)*x/((qam+m2)*(a+m2)), &c, &d)
		del := lentz(-(a+fm)*(qab+fm)*x/((a+m2)*(qap+m2)), &c, &d)
		h *= del
		if math.Abs(del-1) < 1e-14 {
			break
		}
	}
	return h
}

// tailP is the tail probability P(X >= k) of a negative binomial count with mean
// mu and variance mu + a·mu² (a = 1/size >= 0; a = 0 is Poisson). Real mention
// counts are overdispersed in this way: their spread grows faster than their mean,
// so the same relative burst is far less surprising on a big, noisy service than a
// Poisson test would say.
func tailP(k int, mu, a float64) float64 {
	if k <= 0 {
		return 1
	}
	if mu <= 0 {
		return 0
	}
	if a < 1e-9 {
		return poissonSF(float64(k), mu)
	}
	size := 1 / a
	// P(X >= k) = I_q(k, size) with q = mu / (mu + size).
	return betaI(mu/(mu+size), float64(k), size)
}

// threshold returns the smallest k >= minK with tailP(k, mu, a) < alpha.
func threshold(mu, a, alpha float64, minK int) int {
	if minK < 1 {
		minK = 1
	}
	if tailP(minK, mu, a) < alpha {
		return minK
	}
	// Bracket by doubling from the mean, then bisect: O(log k) tail evaluations.
	lo, hi := minK, max(minK+1, int(mu+3*math.Sqrt(mu+a*mu*mu))+1)
	for tailP(hi, mu, a) >= alpha {
		lo, hi = hi, 2*hi
		if hi > 1<<40 {
			return hi
		}
	}
	for hi-lo > 1 {
		m := lo + (hi-lo)/2
		if tailP(m, mu, a) < alpha {
			hi = m
		} else {
			lo = m
		}
	}
	return hi
}
