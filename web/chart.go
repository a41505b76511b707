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
	Log     bool // logarithmic y axis
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
// for the overview's grid so its labels stay legible when scaled down. With
// logY the y axis is logarithmic (log(1+v), so 0 stays on the axis): a
// baseline of 1/min stays readable beside a spike of 200/min.
func drawChart(pts []downwatch.SeriesPoint, from, to time.Time, bands []band, title string, chartW int, logY bool) chartView {
	cv := chartView{From: from, To: to, Log: logY}
	if len(pts) == 0 || !to.After(from) {
		cv.Empty = true
		return cv
	}
	bs, size, first, last := bucketize(pts, from, to, min(maxBuckets, chartW/2), &cv)
	if last < 0 {
		cv.Empty = true
		return cv
	}
	ymax := float64(minChartMax)
	for i := first; i <= last; i++ {
		ymax = math.Max(ymax, math.Max(float64(bs[i].authors), 3*bs[i].baseline))
	}
	var ticks []float64
	if logY {
		ymax, ticks = logMax(ymax)
	} else {
		ymax, ticks = linearTicks(ymax)
	}
	span := to.Sub(from) + time.Minute
	plotW := float64(chartW - padL - padR)
	pl := &plot{from: from, span: span, plotW: plotW, ymax: ymax, chartW: chartW, log: logY,
		bw: float64(size) * plotW / (float64(span) / float64(time.Minute))}
	scale := "linear"
	if logY {
		scale = "log"
	}
	fmt.Fprintf(&pl.b, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" data-from="%s" data-to="%s" data-scale="%s">`,
		chartW, chartH, html.EscapeString(title), from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), scale)
	pl.grid(ticks)
	pl.bands(bands)
	pl.xTicks(to)
	pl.series(bs[first : last+1])
	if cv.Peak > 0 {
		pl.peak(cv.Peak, cv.PeakAt)
	}
	pl.hover(bs[first:last+1], size)
	pl.b.WriteString(`</svg>`)
	cv.SVG = template.HTML(pl.b.String())
	return cv
}

// bucketize groups the points into at most maxBuckets buckets of size minutes
// from from to to, each with its highest count and its mean baseline (carried
// over buckets without data), notes the peak in cv and returns the first and
// last bucket with data (last < 0: none).
func bucketize(pts []downwatch.SeriesPoint, from, to time.Time, maxBuckets int, cv *chartView) (bs []bucket, size, first, last int) {
	minutes := int(to.Sub(from)/time.Minute) + 1
	size = (minutes + maxBuckets - 1) / maxBuckets
	n := (minutes + size - 1) / size
	bs = make([]bucket, n)
	sums := make([]float64, n)
	counts := make([]int, n)
	for i := range bs {
		bs[i].at = from.Add(time.Duration(i*size) * time.Minute)
	}
	first, last = n, -1
	for _, p := range pts {
		i := int(p.Minute.Sub(from)/time.Minute) / size
		if i < 0 || i >= n {
			continue
		}
		b := &bs[i]
		b.ok = true
		b.authors = max(b.authors, p.Authors)
		sums[i] += p.Baseline
		counts[i]++
		first, last = min(first, i), max(last, i)
		if p.Authors > cv.Peak {
			cv.Peak, cv.PeakAt = p.Authors, p.Minute
		}
	}
	var prev float64
	for i := first; i <= last; i++ {
		if counts[i] > 0 {
			prev = sums[i] / float64(counts[i])
		}
		bs[i].baseline = prev
	}
	return bs, size, first, last
}

// plot draws one chart's SVG elements into b.
type plot struct {
	b        strings.Builder
	from     time.Time
	span     time.Duration
	plotW    float64
	ymax, bw float64 // top of the y axis; width of a bucket
	chartW   int
	log      bool // y is log(1+v)
}

func (pl *plot) x(t time.Time) float64 {
	return padL + float64(t.Sub(pl.from))/float64(pl.span)*pl.plotW
}

func (pl *plot) y(v float64) float64 {
	if pl.log {
		return padT + plotH - math.Log1p(max(v, 0))/math.Log1p(pl.ymax)*plotH
	}
	return padT + plotH - v/pl.ymax*plotH
}

// grid draws the horizontal grid lines at ticks and their labels.
func (pl *plot) grid(ticks []float64) {
	for _, v := range ticks {
		fmt.Fprintf(&pl.b, `<line class="grid" x1="%d" x2="%d" y1="%.1f" y2="%.1f"/>`, padL, pl.chartW-padR, pl.y(v), pl.y(v))
		fmt.Fprintf(&pl.b, `<text class="ylab" x="%d" y="%.1f">%s</text>`, padL-6, pl.y(v)+3.5, fmtNum(v))
	}
}

// bands shades the incidents.
func (pl *plot) bands(bands []band) {
	right := float64(pl.chartW - padR)
	for _, bd := range bands {
		x0, x1 := math.Max(pl.x(bd.From), padL), math.Min(pl.x(bd.To), right)
		if x1 <= x0 {
			if x0 >= right || pl.x(bd.To) < padL {
				continue
			}
			x1 = x0 + 2
		}
		fmt.Fprintf(&pl.b, `<rect class="band band-%s" x="%.1f" y="%d" width="%.1f" height="%d"><title>%s</title></rect>`,
			html.EscapeString(bd.State), x0, padT, x1-x0, plotH, html.EscapeString(bd.Label))
	}
}

// xTicks draws the time axis's ticks and labels, naming the day where it changes.
func (pl *plot) xTicks(to time.Time) {
	tstep := tickStep(pl.span)
	t := pl.from.Truncate(tstep)
	if t.Before(pl.from) {
		t = t.Add(tstep)
	}
	lastDay := -1
	for ; !t.After(to); t = t.Add(tstep) {
		xt := pl.x(t)
		fmt.Fprintf(&pl.b, `<line class="tick" x1="%.1f" x2="%.1f" y1="%d" y2="%d"/>`, xt, xt, padT+plotH, padT+plotH+4)
		label := t.Format("15:04")
		if t.YearDay() != lastDay {
			if lastDay != -1 || t.Hour() == 0 && t.Minute() == 0 {
				label = t.Format("2 Jan")
			}
			lastDay = t.YearDay()
		}
		fmt.Fprintf(&pl.b, `<text class="xlab" x="%.1f" y="%d">%s</text>`, xt, chartH-8, label)
	}
}

// series draws the complainers (area and line) and the baseline through the
// buckets with data, and the axis.
func (pl *plot) series(bs []bucket) {
	var line strings.Builder
	for i, bk := range bs {
		cmd := "L"
		if i == 0 {
			cmd = "M"
		}
		fmt.Fprintf(&line, "%s%.1f,%.1f", cmd, pl.x(bk.at)+pl.bw/2, pl.y(float64(bk.authors)))
	}
	x0, x1 := pl.x(bs[0].at)+pl.bw/2, pl.x(bs[len(bs)-1].at)+pl.bw/2
	fmt.Fprintf(&pl.b, `<path class="area" d="%sL%.1f,%.1fL%.1f,%.1fZ"/>`, line.String(), x1, pl.y(0), x0, pl.y(0))
	pl.b.WriteString(`<polyline class="base" points="`)
	for _, bk := range bs {
		fmt.Fprintf(&pl.b, "%.1f,%.1f ", pl.x(bk.at)+pl.bw/2, pl.y(bk.baseline))
	}
	pl.b.WriteString(`"/>`)
	fmt.Fprintf(&pl.b, `<path class="line" d="%s"/>`, line.String())
	fmt.Fprintf(&pl.b, `<line class="axis" x1="%d" x2="%d" y1="%d" y2="%d"/>`, padL, pl.chartW-padR, padT+plotH, padT+plotH)
}

// peak marks the highest count and labels it, to the left near the right edge.
func (pl *plot) peak(peak int, at time.Time) {
	px, py := pl.x(at)+pl.bw/2, pl.y(float64(peak))
	anchor, lx := "start", px+7
	if px > float64(pl.chartW-200) {
		anchor, lx = "end", px-7
	}
	fmt.Fprintf(&pl.b, `<circle class="peak" cx="%.1f" cy="%.1f" r="3.5"/>`, px, py)
	fmt.Fprintf(&pl.b, `<text class="peaklab" x="%.1f" y="%.1f" text-anchor="%s">peak %d/min at %s</text>`,
		lx, math.Max(py+4, padT+10), anchor, peak, at.Format("15:04"))
}

// hover adds a target with a native tooltip over each bucket.
func (pl *plot) hover(bs []bucket, size int) {
	for _, bk := range bs {
		label := fmt.Sprintf("%s UTC: %d complainers/min, baseline %.1f", bk.at.Format("2 Jan 15:04"), bk.authors, bk.baseline)
		if size > 1 {
			label = fmt.Sprintf("%s–%s UTC: up to %d complainers/min, baseline %.1f", bk.at.Format("2 Jan 15:04"),
				bk.at.Add(time.Duration(size-1)*time.Minute).Format("15:04"), bk.authors, bk.baseline)
		}
		fmt.Fprintf(&pl.b, `<rect class="hit" x="%.1f" y="%d" width="%.2f" height="%d"><title>%s</title></rect>`,
			pl.x(bk.at), padT, pl.bw, plotH, label)
	}
}

// linearTicks rounds v up to a nice top and lists the grid lines from 0 to it.
func linearTicks(v float64) (top float64, ticks []float64) {
	top, step := niceMax(v)
	for t := 0.0; t <= top+1e-9; t += step {
		ticks = append(ticks, t)
	}
	return top, ticks
}

// logMax rounds v up to a power of ten and lists the grid lines of a log axis:
// 0, 1, 10, 100, ... and the 3s between them.
func logMax(v float64) (top float64, ticks []float64) {
	top = math.Pow(10, math.Ceil(math.Log10(math.Max(v, 10))))
	ticks = []float64{0}
	for p := 1.0; p <= top; p *= 10 {
		ticks = append(ticks, p)
		if 3*p < top {
			ticks = append(ticks, 3*p)
		}
	}
	return top, ticks
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
