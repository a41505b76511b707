package main

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/notify"
	"github.com/downwatch/downwatch/replay"
	"github.com/downwatch/downwatch/scenario"
)

func runDemo(ctx context.Context, env *cliEnv, args []string) error {
	fs := flags(env, "demo", "[--speed N] [--http ADDR]",
		`Replays a simulated multilingual stream modelled on the WhatsApp outage of 25 October
2022 (three quiet hours, then complaints in Hindi, Bengali, English, Italian, Turkish
and more, a news agency quoting the company, the recovery) through the whole pipeline
on an embedded Kafka broker and an embedded Redis, and prints alerts as they fire.
The quiet history is fast-forwarded; from 15 minutes before the outage the stream is
paced at --speed times real time.`)
	speed := fs.Float64("speed", 600, "event-time speed-up once the outage approaches (600 = ten minutes a second)")
	httpAddr := fs.String("http", "127.0.0.1:8080", "serve the dashboard here while the demo runs (empty: no dashboard)")
	hold := fs.Bool("hold", false, "keep Kafka, Redis and the dashboard running after the replay until Ctrl-C")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *speed <= 0 {
		return fmt.Errorf("--speed %v: must be positive", *speed)
	}
	if *httpAddr != "" {
		if err := portFree(*httpAddr); err != nil {
			return err
		}
	}
	s := scenario.Demo()
	truth := s.Truth()
	paceFrom := s.Start
	if len(truth.Outages) > 0 {
		paceFrom = truth.Outages[0].Start.Add(-15 * time.Minute)
	}
	genCtx, stopGen := context.WithCancel(ctx)
	defer stopGen()
	posts := s.Paced(genCtx, paceFrom, *speed)

	fmt.Fprintf(env.stdout, "downwatch demo: %s\n", s.Description)
	fmt.Fprintf(env.stdout, "ground truth: whatsapp outage %s – %s UTC; fast-forwarding the quiet hours, then %gx real time\n\n",
		truth.Outages[0].Start.Format("2006-01-02 15:04"), truth.Outages[0].End.Format("15:04"), *speed)
	var mu sync.Mutex
	stopServe := func() {}
	var redisAddr, prefix string
	_, err := replay.Run(ctx, replay.Options{
		Source: &ingest.Chan{C: posts},
		AfterRun: func(rep *replay.Report) {
			fmt.Fprintf(env.stdout, "\ndone: %d posts (%d rejected), %d mentions, %d incidents, %d alerts\n",
				rep.Stats.Posts, rep.Stats.Rejected, rep.Stats.Mentions, rep.Stats.Incidents, rep.Stats.Alerts)
			if !*hold {
				fmt.Fprintln(env.stdout, "the embedded Kafka and Redis stop with the demo; to keep them and query what it built, run `downwatch demo --hold`")
				return
			}
			fmt.Fprintf(env.stdout, "holding Kafka, Redis and the dashboard; Ctrl-C to quit. In another terminal:\n")
			fmt.Fprintf(env.stdout, "  downwatch incidents --redis redis://%s/0 --prefix %s\n", redisAddr, prefix)
			fmt.Fprintf(env.stdout, "  redis-cli -p %s SUBSCRIBE %salerts\n", portOf(redisAddr), prefix)
			<-ctx.Done()
		},
		OnStart: func(e *replay.Env) {
			redisAddr, prefix = e.Redis, e.Prefix
			fmt.Fprintf(env.stdout, "embedded Kafka: %s   (kcat -b %s -t %s -C -o beginning)\n", strings.Join(e.Kafka, ","), e.Kafka[0], e.Alerts)
			fmt.Fprintf(env.stdout, "embedded Redis: %s   (redis-cli -p %s ZREVRANGE %sactive 0 -1; SUBSCRIBE %salerts)\n", e.Redis, portOf(e.Redis), e.Prefix, e.Prefix)
			if *httpAddr != "" {
				addr, stop, err := startDashboard(ctx, e.Store, *httpAddr)
				if err != nil {
					fmt.Fprintf(env.stderr, "dashboard not started: %v\n", err)
				} else {
					stopServe = stop
					fmt.Fprintf(env.stdout, "dashboard:      http://%s/\n", addr)
				}
			}
			fmt.Fprintln(env.stdout)
		},
		OnAlert: func(a downwatch.Alert) {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprint(env.stdout, notify.AlertText(a))
		},
	})
	defer stopServe()
	if err != nil && !(*hold && ctx.Err() != nil) {
		return err
	}
	return nil
}

// portFree says, before anything starts, whether addr can be listened on, so a
// busy port is an error that names the flag rather than a demo without dashboard.
func portFree(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("--http %s: %w (choose another address with --http 127.0.0.1:PORT, or --http \"\" for no dashboard)", addr, err)
	}
	return ln.Close()
}
