package replay

import (
	"context"
	"fmt"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/detect"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/scenario"
)

// Evaluation is one scenario's report and score.
type Evaluation struct {
	Report *Report
	Score  scenario.Score
	Truth  scenario.Truth
}

// Evaluate generates a scenario, replays it and scores the incidents against its
// ground truth. With full set it goes through Kafka and Redis (embedded unless opt
// names them); otherwise through the in-process path (Direct).
func Evaluate(ctx context.Context, s scenario.Scenario, m *catalog.Matcher, cfg detect.Config, full bool, opt Options) (*Evaluation, error) {
	posts := make(chan downwatch.Post, 4096)
	gctx, cancel := context.WithCancel(ctx)
	defer cancel()
	truthCh := make(chan scenario.Truth, 1)
	errCh := make(chan error, 1)
	go func() {
		defer close(posts)
		t, err := s.Generate(func(p downwatch.Post) error {
			select {
			case posts <- p:
				return nil
			case <-gctx.Done():
				return gctx.Err()
			}
		})
		truthCh <- t
		errCh <- err
	}()
	src := &ingest.Chan{C: posts}
	var rep *Report
	var err error
	if full {
		opt.Source, opt.Detect = src, &cfg
		rep, err = Run(ctx, opt)
	} else {
		rep, err = Direct(ctx, src, m, cfg)
	}
	if err != nil {
		return nil, fmt.Errorf("replay: evaluate %s: %w", s.Name, err)
	}
	truth := <-truthCh
	if err := <-errCh; err != nil {
		return nil, fmt.Errorf("replay: generate %s: %w", s.Name, err)
	}
	return &Evaluation{Report: rep, Score: scenario.Evaluate(truth, rep.Incidents), Truth: truth}, nil
}

// EvaluateSeeds evaluates every scenario of suite once per seed offset (added to the
// scenario's Seed), the whole suite for one seed before the next, and returns the scores
// in that order, each with its Seed set. each, when not nil, is called after every run.
func EvaluateSeeds(ctx context.Context, suite []scenario.Scenario, seeds []int64, m *catalog.Matcher, cfg detect.Config, full bool, opt Options, each func(*Evaluation)) ([]scenario.Score, error) {
	var runs []scenario.Score
	for _, n := range seeds {
		for _, s := range suite {
			s.Seed += n
			ev, err := Evaluate(ctx, s, m, cfg, full, opt)
			if err != nil {
				return nil, err
			}
			ev.Score.Seed = n
			if each != nil {
				each(ev)
			}
			runs = append(runs, ev.Score)
		}
	}
	return runs, nil
}
