package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/downwatch/downwatch/detect"
)

func runBacktest(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "backtest", "--series FILE|- [--bucket DURATION]",
		`Runs the detector's burst decision, causally, on a CSV count series with a
"timestamp,value" header (timestamps YYYY-MM-DD HH:MM:SS in UTC, or RFC 3339; value =
distinct complaining authors, or posts, per bucket) and prints the timestamp of each
row at which an incident opened, exactly as written in the file. Use it to tune the
detector on your own history without Kafka or Redis.`)
	series := fs.String("series", "", "CSV file, or - for stdin (required)")
	bucket := fs.Duration("bucket", 0, "bucket size (default: the spacing of the series' timestamps); windows and baseline scale to it")
	var c commonFlags
	c.registerDetect(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *series == "" {
		fmt.Fprintln(env.stderr, "backtest needs --series")
		fs.Usage()
		return errUsage
	}
	var r io.Reader = env.stdin
	if *series != "-" {
		f, err := os.Open(*series)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	cfg, err := c.loadDetect()
	if err != nil {
		return err
	}
	rows, err := detect.ReadSeries(r)
	if err != nil {
		return err
	}
	opened, err := detect.Backtest(rows, *bucket, *cfg)
	if err != nil {
		return err
	}
	for _, o := range opened {
		fmt.Fprintln(env.stdout, o.Raw)
	}
	b := *bucket
	if b == 0 {
		b = detect.Spacing(rows)
	}
	fmt.Fprintf(env.stderr, "backtest: %d rows, bucket %v, %d incidents opened\n", len(rows), b, len(opened))
	return nil
}
