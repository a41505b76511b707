package web

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/replay"
	"github.com/downwatch/downwatch/scenario"
	"github.com/downwatch/downwatch/store"
)

// demoCut is where the screenshots' stream stops: the WhatsApp outage of the
// demo scenario is an hour and a half old and acknowledged (ANI, 08:05), not
// yet over (09:15).
var demoCut = time.Date(2022, 10, 25, 8, 40, 0, 0, time.UTC)

// cdnShift moves the cdn-upstream scenario (November 2023) so that it ends
// where the demo scenario begins (2022-10-25T04:05Z): its Cloudflare, Discord
// and Shopify outages become resolved incidents of the evening before. The two
// streams are back to back: the detector finds nothing in the demo's WhatsApp
// outage when ten hours of silence separate them.
const cdnShift = -374*24*time.Hour + 10*time.Hour + 5*time.Minute

// errCut stops a scenario's generator at demoCut.
var errCut = errors.New("stream cut")

// replayedStore runs the real pipeline (ingest, Kafka, detector, store; package
// replay) over the posts of scenario "cdn-upstream" (shifted, see cdnShift)
// followed by scenario "demo" cut at demoCut, into a fresh prefix of the test
// Redis. What it stores is what the detector made of them: series, incidents,
// alerts.
func replayedStore(t *testing.T) (*store.Redis, *replay.Report) {
	t.Helper()
	st := testStore(t)
	cdn, ok := scenario.ByName("cdn-upstream")
	if !ok {
		t.Fatal("no scenario cdn-upstream")
	}
	demo, ok := scenario.ByName("demo")
	if !ok {
		t.Fatal("no scenario demo")
	}
	if end := cdn.Start.Add(cdn.Duration + cdnShift); !end.Equal(demo.Start) {
		t.Fatalf("cdn-upstream shifted ends at %v, not where the demo starts (%v)", end, demo.Start)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	posts := make(chan downwatch.Post, 4096)
	send := func(p downwatch.Post) error {
		select {
		case posts <- p:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	genErr := make(chan error, 1)
	go func() {
		defer close(posts)
		// Post ids are "sim-N" in every scenario: keep the two apart.
		_, err := cdn.Generate(func(p downwatch.Post) error {
			p.ID, p.CreatedAt = "cdn-"+p.ID, p.CreatedAt.Add(cdnShift)
			if p.RepostOf != "" {
				p.RepostOf = "cdn-" + p.RepostOf
			}
			return send(p)
		})
		if err != nil {
			genErr <- err
			return
		}
		_, err = demo.Generate(func(p downwatch.Post) error {
			if !p.CreatedAt.Before(demoCut) {
				return errCut
			}
			return send(p)
		})
		if errors.Is(err, errCut) {
			err = nil
		}
		genErr <- err
	}()

	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	rep, err := replay.Run(ctx, replay.Options{Source: &ingest.Chan{C: posts}, Catalog: cat, Redis: redisURL(), Prefix: st.Prefix()})
	cancel() // unblocks the generator if the replay stopped early
	if gerr := <-genErr; gerr != nil && err == nil {
		err = gerr
	}
	if err != nil {
		t.Fatalf("replay: %v", err)
	}
	t.Logf("replayed %d posts (%d mentions) into %d incidents in %.1fs", rep.Stats.Posts, rep.Stats.Mentions, rep.Stats.Incidents, rep.Stats.Seconds)
	return st, rep
}

// catalogNames names services as the catalog does (what `downwatch serve` shows).
func catalogNames(t testing.TB) func(string) string {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return func(id string) string {
		if s, ok := cat.Service(id); ok && s.Name != "" {
			return s.Name
		}
		return id
	}
}

// catalogInfo describes services as the catalog does (what `downwatch serve` shows).
func catalogInfo(t testing.TB) func(string) (ServiceInfo, bool) {
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	return func(id string) (ServiceInfo, bool) {
		s, ok := cat.Service(id)
		if !ok {
			return ServiceInfo{}, false
		}
		return ServiceInfo{Name: s.Name, Official: s.Official, StatusPage: s.StatusPage}, true
	}
}

// activeIncident is service's active incident in st.
func activeIncident(st *store.Redis, service string) (downwatch.Incident, error) {
	incs, err := st.Incidents(context.Background(), store.Query{Active: true})
	if err != nil {
		return downwatch.Incident{}, err
	}
	for _, i := range incs {
		if i.Service == service {
			return i, nil
		}
	}
	return downwatch.Incident{}, fmt.Errorf("no active %s incident among %d active ones", service, len(incs))
}
