package scenario

import (
	"context"
	"time"

	"github.com/downwatch/downwatch"
)

// Paced generates the scenario's posts on a channel: as fast as they are
// taken until paceFrom, then at speed times real time. It closes the channel at
// the end of the scenario or when ctx is done.
func (s *Scenario) Paced(ctx context.Context, paceFrom time.Time, speed float64) <-chan downwatch.Post {
	posts := make(chan downwatch.Post, 1024)
	go func() {
		defer close(posts)
		var wallStart time.Time
		s.Generate(func(p downwatch.Post) error {
			if !p.CreatedAt.Before(paceFrom) {
				if wallStart.IsZero() {
					wallStart = time.Now()
				}
				due := wallStart.Add(time.Duration(float64(p.CreatedAt.Sub(paceFrom)) / speed))
				if d := time.Until(due); d > 0 {
					select {
					case <-time.After(d):
					case <-ctx.Done():
						return ctx.Err()
					}
				}
			}
			select {
			case posts <- p:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	return posts
}
