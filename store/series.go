package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// The per-minute series is one hash per service per UTC day, P{svc}:series:YYYYMMDD,
// field HHMM, value "authors:baseline"; P{svc}:series:latest holds the newest unix
// minute written. Writing a minute is an HSET into a hash of at most 1440 fields,
// so its cost does not grow with the length of the series (the first release's
// one sorted set per service, P{svc}:series, made each write cost O(n) on the
// embedded Redis). That sorted set is still read, beside the day hashes, until it
// is gone; nothing writes it any more.
//
// Expiry: each day hash and the latest key get a relative TTL of SeriesKeep plus
// two days from the wall-clock time of the write (never an EXPIREAT from event
// time, which would delete a replay's keys at once). By event time, a write to day
// D deletes day D-keepDays-1, so a long replay keeps keepDays+1 days.

const dayLayout = "20060102"

// AppendSeries writes per-minute points (a minute written again is replaced) in
// pipelined batches of at most Config.SeriesBatch points and Config.SeriesBatchBytes
// bytes. A batch that times out is split in halves, each written on its own, down to
// single points: a batch is never retried unchanged.
func (r *Redis) AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error {
	for len(pts) > 0 {
		n := r.batchLen(pts)
		if err := r.writeSeries(ctx, pts[:n]); err != nil {
			return err
		}
		pts = pts[n:]
	}
	return nil
}

// batchLen is how many of pts fit in one batch (at least one).
func (r *Redis) batchLen(pts []downwatch.SeriesPoint) int {
	size := 0
	for i, p := range pts {
		size += pointBytes(p)
		if i > 0 && (i >= r.cfg.SeriesBatch || size > r.cfg.SeriesBatchBytes) {
			return i
		}
	}
	return len(pts)
}

// pointBytes is about what a point costs on the wire: key, field and value.
func pointBytes(p downwatch.SeriesPoint) int { return 48 + 2*len(p.Service) }

// writeSeries writes one batch, splitting it when it times out.
func (r *Redis) writeSeries(ctx context.Context, pts []downwatch.SeriesPoint) error {
	err := r.execSeries(ctx, pts)
	if err == nil {
		return nil
	}
	if len(pts) == 1 || !isTimeout(err) || ctx.Err() != nil {
		return fmt.Errorf("store: append %d series points: %w", len(pts), err)
	}
	half := len(pts) / 2
	if err := r.writeSeries(ctx, pts[:half]); err != nil {
		return err
	}
	return r.writeSeries(ctx, pts[half:])
}

// isTimeout reports a network timeout, the error a too-large batch ends with.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// execSeries sends one batch in one pipeline: an HSET per day hash with all of its
// fields, an EXPIRE per day hash, and per service the latest minute and the
// deletion of the day that fell out of SeriesKeep. Every command touches keys of
// one service only, so each is in one cluster slot.
func (r *Redis) execSeries(ctx context.Context, pts []downwatch.SeriesPoint) error {
	fields := map[string][]any{}
	var keys []string
	newest := map[string]int64{}
	var services []string
	for _, p := range pts {
		m := p.Minute.Unix() / 60
		key := r.dayKey(p.Service, p.Minute)
		if _, ok := fields[key]; !ok {
			keys = append(keys, key)
		}
		fields[key] = append(fields[key], p.Minute.UTC().Format("1504"), seriesValue(p))
		if old, ok := newest[p.Service]; !ok || m > old {
			if !ok {
				services = append(services, p.Service)
			}
			newest[p.Service] = m
		}
	}
	ttl := r.cfg.SeriesKeep + 48*time.Hour
	keepDays := int((r.cfg.SeriesKeep + 24*time.Hour - 1) / (24 * time.Hour))
	pipe := r.c.Pipeline()
	for _, key := range keys {
		pipe.HSet(ctx, key, fields[key]...)
		pipe.Expire(ctx, key, ttl)
	}
	for _, svc := range services {
		last := time.Unix(newest[svc]*60, 0).UTC()
		pipe.Set(ctx, r.svc(svc)+"series:latest", newest[svc], ttl)
		pipe.Del(ctx, r.dayKey(svc, last.AddDate(0, 0, -keepDays-1)))
	}
	_, err := pipe.Exec(ctx)
	return err
}

func seriesValue(p downwatch.SeriesPoint) string {
	return strconv.Itoa(p.Authors) + ":" + strconv.FormatFloat(p.Baseline, 'f', 3, 64)
}

func (r *Redis) dayKey(service string, t time.Time) string {
	return r.svc(service) + "series:" + t.UTC().Format(dayLayout)
}

// legacySeriesKey is the first release's sorted set (read only).
func (r *Redis) legacySeriesKey(service string) string { return r.svc(service) + "series" }

// Series returns a service's points with Minute in [from, to], oldest first, in
// one round trip: the day hashes of the range and the first release's sorted set.
func (r *Redis) Series(ctx context.Context, service string, from, to time.Time) ([]downwatch.SeriesPoint, error) {
	if to.Before(from) {
		return nil, nil
	}
	pipe := r.c.Pipeline()
	var days []*redis.MapStringStringCmd
	var dates []time.Time
	for d := from.UTC().Truncate(24 * time.Hour); !d.After(to); d = d.AddDate(0, 0, 1) {
		days = append(days, pipe.HGetAll(ctx, r.dayKey(service, d)))
		dates = append(dates, d)
	}
	legacy := pipe.ZRangeByScore(ctx, r.legacySeriesKey(service), &redis.ZRangeBy{
		Min: strconv.FormatInt(from.Unix()/60, 10), Max: strconv.FormatInt(to.Unix()/60, 10),
	})
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return nil, fmt.Errorf("store: read series of %s: %w", service, err)
	}
	byMinute := map[int64]downwatch.SeriesPoint{}
	for _, v := range legacy.Val() {
		if p, ok := parseLegacyPoint(service, v); ok {
			byMinute[p.Minute.Unix()] = p
		}
	}
	for i, cmd := range days {
		for field, v := range cmd.Val() {
			p, ok := parsePoint(service, dates[i], field, v)
			if ok && !p.Minute.Before(from) && !p.Minute.After(to) {
				byMinute[p.Minute.Unix()] = p
			}
		}
	}
	out := make([]downwatch.SeriesPoint, 0, len(byMinute))
	for _, p := range byMinute {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b downwatch.SeriesPoint) int { return a.Minute.Compare(b.Minute) })
	return out, nil
}

// parsePoint reads one field ("HHMM") and value ("authors:baseline") of day.
func parsePoint(service string, day time.Time, field, v string) (downwatch.SeriesPoint, bool) {
	hhmm, err := strconv.Atoi(field)
	a, b, ok := strings.Cut(v, ":")
	if err != nil || !ok || len(field) != 4 || hhmm/100 > 23 || hhmm%100 > 59 {
		return downwatch.SeriesPoint{}, false
	}
	authors, err1 := strconv.Atoi(a)
	base, err2 := strconv.ParseFloat(b, 64)
	if err1 != nil || err2 != nil {
		return downwatch.SeriesPoint{}, false
	}
	at := day.Add(time.Duration(hhmm/100)*time.Hour + time.Duration(hhmm%100)*time.Minute)
	return downwatch.SeriesPoint{Service: service, Minute: at, Authors: authors, Baseline: base}, true
}

// parseLegacyPoint reads a member "unixminute:authors:baseline" of the first
// release's sorted set.
func parseLegacyPoint(service, v string) (downwatch.SeriesPoint, bool) {
	parts := strings.SplitN(v, ":", 3)
	if len(parts) != 3 {
		return downwatch.SeriesPoint{}, false
	}
	m, err0 := strconv.ParseInt(parts[0], 10, 64)
	a, err1 := strconv.Atoi(parts[1])
	b, err2 := strconv.ParseFloat(parts[2], 64)
	if err0 != nil || err1 != nil || err2 != nil {
		return downwatch.SeriesPoint{}, false
	}
	return downwatch.SeriesPoint{Service: service, Minute: time.Unix(m*60, 0).UTC(), Authors: a, Baseline: b}, true
}

// LatestSeriesMinute returns the newest minute stored for service, or zero time.
func (r *Redis) LatestSeriesMinute(ctx context.Context, service string) (time.Time, error) {
	pipe := r.c.Pipeline()
	latest := pipe.Get(ctx, r.svc(service)+"series:latest")
	legacy := pipe.ZRevRangeWithScores(ctx, r.legacySeriesKey(service), 0, 0)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return time.Time{}, fmt.Errorf("store: read the newest series minute of %s: %w", service, err)
	}
	var m int64
	if v, err := latest.Int64(); err == nil {
		m = v
	}
	if z := legacy.Val(); len(z) > 0 && int64(z[0].Score) > m {
		m = int64(z[0].Score)
	}
	if m == 0 {
		return time.Time{}, nil
	}
	return time.Unix(m*60, 0).UTC(), nil
}
