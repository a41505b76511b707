package store

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/downwatch/downwatch"
)

// AppendSeries adds per-minute points, and trims each touched series to SeriesKeep.
func (r *Redis) AppendSeries(ctx context.Context, pts []downwatch.SeriesPoint) error {
	if len(pts) == 0 {
		return nil
	}
	pipe := r.c.Pipeline()
	newest := map[string]int64{}
	for _, p := range pts {
		m := p.Minute.Unix() / 60
		key := r.svc(p.Service) + "series"
		member := strconv.FormatInt(m, 10) + ":" + strconv.Itoa(p.Authors) + ":" + strconv.FormatFloat(p.Baseline, 'f', 3, 64)
		pipe.ZRemRangeByScore(ctx, key, strconv.FormatInt(m, 10), strconv.FormatInt(m, 10))
		pipe.ZAdd(ctx, key, redis.Z{Score: float64(m), Member: member})
		if m > newest[key] {
			newest[key] = m
		}
	}
	keep := int64(r.cfg.SeriesKeep / time.Minute)
	for key, m := range newest {
		pipe.ZRemRangeByScore(ctx, key, "-inf", "("+strconv.FormatInt(m-keep, 10))
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return fmt.Errorf("store: append %d series points: %w", len(pts), err)
	}
	return nil
}

// Series returns a service's points with Minute in [from, to], oldest first.
func (r *Redis) Series(ctx context.Context, service string, from, to time.Time) ([]downwatch.SeriesPoint, error) {
	key := r.svc(service) + "series"
	vals, err := r.c.ZRangeByScore(ctx, key, &redis.ZRangeBy{
		Min: strconv.FormatInt(from.Unix()/60, 10), Max: strconv.FormatInt(to.Unix()/60, 10),
	}).Result()
	if err != nil {
		return nil, fmt.Errorf("store: read series of %s: %w", service, err)
	}
	out := make([]downwatch.SeriesPoint, 0, len(vals))
	for _, v := range vals {
		parts := strings.SplitN(v, ":", 3)
		if len(parts) != 3 {
			continue
		}
		m, _ := strconv.ParseInt(parts[0], 10, 64)
		a, _ := strconv.Atoi(parts[1])
		b, _ := strconv.ParseFloat(parts[2], 64)
		out = append(out, downwatch.SeriesPoint{Service: service, Minute: time.Unix(m*60, 0).UTC(), Authors: a, Baseline: b})
	}
	return out, nil
}

// LatestSeriesMinute returns the newest minute stored for service, or zero time.
func (r *Redis) LatestSeriesMinute(ctx context.Context, service string) (time.Time, error) {
	vals, err := r.c.ZRevRangeWithScores(ctx, r.svc(service)+"series", 0, 0).Result()
	if err != nil || len(vals) == 0 {
		return time.Time{}, err
	}
	return time.Unix(int64(vals[0].Score)*60, 0).UTC(), nil
}
