package web

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"

	"github.com/downwatch/downwatch"
)

// Chart geometry, in SVG user units; the SVG scales to its container.
const (
	chartH                 = 230
	padL, padR, padT, padB = 40, 14, 14, 26
	plotH                  = chartH - padT - padB
	maxBuckets             = 480
	minChartMax            = 10 // a quiet service looks quiet, not like noise
)

// band is an incident drawn behind the series.
type band struct {
	From, To time.Time
	State    string
	Label    string
}

// chartView is one chart with what the page says around it.
type chartView struct {
	Service string
	Name    string
	From    time.Time
	To      time.Time
	SVG     template.HTML
	Empty   bool
	Peak    int
	PeakAt  time.Time
}

// bucket is the per-bucket aggregate the chart draws.
type bucket struct {
	at       time.Time
	authors  int     // max over the bucket's minutes
	baseline float64 // mean over the bucket's stored minutes
	ok       bool    // a stored minute fell in the bucket
}

// drawChart renders complainers per minute against the baseline, the
// Downdetector picture, as an inline SVG. Only numbers and escaped labels go
// into it.
// chartW is the SVG's width in user units: 960 for a full-width chart, less
// for the overview's grid so its labels stay legible when scaled down.
func drawChart(pts []downwatch.SeriesPoint, from, to time.Time, bands []band, title string, chartW int) chartView {
	cv := chartView{From: from, To: to}
	plotW := float64(chartW - padL - padR)
	maxBuckets := min(maxBuckets, chartW/2)
	if len(pts) == 0 || !to.After(from) {
		cv.Empty = true
		return cv
	}
	minutes := int(to.Sub(from)/time.Minute) + 1
	size := (minutes + maxBuckets - 1) / maxBuckets
	n := (minutes + size - 1) / size
	bs := make([]bucket, n)
	sums := make([]float64, n)
	counts := make([]int, n)
	for i := range bs {
		bs[i].at = from.Add(time.Duration(i*size) * time.Minute)
	}
	first, last := n, -1
	for _, p := range pts {
		i := int(p.Minute.Sub(from)/time.Minute) / size
		if i < 0 || i >= n {
			continue
		}
		b := &bs[i]
		b.ok = true
		if p.Authors > b.authors {
			b.authors = p.Authors
		}
		sums[i] += p.Baseline
		counts[i]++
		first, last = min(first, i), max(last, i)
		if p.Authors > cv.Peak {
			cv.Peak, cv.PeakAt = p.Authors, p.Minute
		}
	}
	if last < 0 {
		cv.Empty = true
		return cv
	}
	var prev float64
	ymax := float64(minChartMax)
	for i := first; i <= last; i++ {
		if counts[i] > 0 {
			prev = sums[i] / float64(counts[i])
		}
		bs[i].baseline = prev
		ymax = math.Max(ymax, math.Max(float64(bs[i].authors), 3*bs[i].baseline))
	}
	ymax, step := niceMax(ymax)

	span := to.Sub(from) + time.Minute
	x := func(t time.Time) float64 {
		return padL + float64(t.Sub(from))/float64(span)*plotW
	}
	bw := float64(size) * plotW / (float64(span) / float64(time.Minute))
	y := func(v float64) float64 { return padT + plotH - v/ymax*plotH }

	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s">`, chartW, chartH, html.EscapeString(title))
	// Grid and y labels.
	for v := 0.0; v <= ymax+1e-9; v += step {
		fmt.Fprintf(&b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, chartW-padR, y(v), y(v))
		fmt.Fprintf(&b, `<text class="ylab" x="%d" y="%.1f">%s</text>`, padL-6, y(v)+3.5, fmtNum(v))
	}
	// Incidents.
	for _, bd := range bands {
		x0, x1 := math.Max(x(bd.From), padL), math.Min(x(bd.To), float64(chartW-padR))
		if x1 <= x0 {
			if x0 >= float64(chartW-padR) || x(bd.To) < padL {
				continue
			}
			x1 = x0 + 2
		}
		fmt.Fprintf(&b, `<rect class="band band-%s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`,
			html.EscapeString(bd.State), x0, padT, x1-x0, plotH, html.EscapeString(bd.Label))
	}
	// X axis ticks.
	tstep := tickStep(span)
	t := from.Truncate(tstep)
	if t.Before(from) {
		t = t.Add(tstep)
	}
	lastDay := -1
	for ; !t.After(to); t = t.Add(tstep) {
		xt := x(t)
		fmt.Fprintf(&b, `<line class="tick" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, xt, xt, padT+plotH, padT+plotH+4)
		label := t.Format("15:04")
		if t.YearDay() != lastDay {
			if lastDay != -1 || t.Hour() == 0 && t.Minute() == 0 {
				label = t.Format("2 Jan")
			}
			lastDay = t.YearDay()
		}
		fmt.Fprintf(&b, `<text class="xlab" x="%.1f" y="%d">%s</text>`, xt, chartH-8, label)
	}
	// Complainers: area and line through the buckets that have data.
	var line strings.Builder
	for i := first; i <= last; i++ {
		xc := x(bs[i].at) + bw/2
		if i == first {
			fmt.Fprintf(&line, "M%.1f,%.1f", xc, y(float64(bs[i].authors)))
		} else {
			fmt.Fprintf(&line, "L%.1f,%.1f", xc, y(float64(bs[i].authors)))
		}
	}
	x0, x1 := x(bs[first].at)+bw/2, x(bs[last].at)+bw/2
	fmt.Fprintf(&b, `<path class="area" d="%sL%.1f,%.1fL%.1f,%.1fZ"/>`, line.String(), x1, y(0), x0, y(0))
	// Baseline.
	b.WriteString(`<polyline class="base" points="`)
	for i := first; i <= last; i++ {
		fmt.Fprintf(&b, "%.1f,%.1f ", x(bs[i].at)+bw/2, y(bs[i].baseline))
	}
	b.WriteString(`"/>`)
	fmt.Fprintf(&b, `<path class="line" d="%s"/>`, line.String())
	fmt.Fprintf(&b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`, padL, chartW-padR, padT+plotH, padT+plotH)
	// Peak marker.
	if cv.Peak > 0 {
		px, py := x(cv.PeakAt)+bw/2, y(float64(cv.Peak))
		anchor := "start"
		lx := px + 7
		if px > float64(chartW-200) {
			anchor, lx = "end", px-7
		}
		fmt.Fprintf(&b, `<circle class="peak" cx="%.1f" cy="%.1f" r="3.5"/>`, px, py)
		fmt.Fprintf(&b, `<text class="peaklab" x="%.1f" y="%.1f" text-anchor="%s">peak %d/min at %s</text>`,
			lx, math.Max(py+4, padT+10), anchor, cv.Peak, cv.PeakAt.Format("15:04"))
	}
	// Hover targets with native tooltips.
	for i := first; i <= last; i++ {
		bk := bs[i]
		label := fmt.Sprintf("%s UTC: %d complainers/min, baseline %.1f", bk.at.Format("2 Jan 15:04"), bk.authors, bk.baseline)
		if size > 1 {
			label = fmt.Sprintf("%s–%s UTC: up to %d complainers/min, baseline %.1f", bk.at.Format("2 Jan 15:04"),
				bk.at.Add(time.Duration(size-1)*time.Minute).Format("15:04"), bk.authors, bk.baseline)
		}
		fmt.Fprintf(&b, `<rect class="hit" x="%.1f" y="%d" width="%.2f" height="%d"><title>%s</title></rect>`,
			x(bk.at), padT, bw, plotH, label)
	}
	b.WriteString(`</svg>`)
	cv.SVG = template.HTML(b.String())
	return cv
}

// niceMax rounds v up to 1, 2 or 5 times a power of ten and returns the grid step.
func niceMax(v float64) (top, step float64) {
	raw := v / 4
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= raw {
			step = m * p
			break
		}
	}
	if step < 1 {
		step = 1
	}
	return math.Ceil(v/step) * step, step
}

func tickStep(span time.Duration) time.Duration {
	for _, s := range []time.Duration{5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
		time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour} {
		if span/s <= 8 {
			return s
		}
	}
	return 48 * time.Hour
}

func fmtNum(v float64) string {
	if v == math.Trunc(v) {
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.1f", v)
}
