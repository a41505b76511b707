package web

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/store/storetest"
)

const hostile = `<img src=x onerror="document.title='pwned'"><script>document.title='pwned'</script>`

// hostileIncident is a new incident whose posts try to run script.
func hostileIncident() downwatch.Incident {
	at := clock.Add(-3 * time.Minute)
	return downwatch.Incident{
		ID: "signal.20221025T0837Z", Service: "signal", State: downwatch.StateOpen,
		StartedAt: at, DetectedAt: clock, PeakPerMin: 12, Mentions: 30, Authors: 27,
		Languages: map[string]int{"en": 27}, Countries: map[string]int{"DE": 20, "US": 7},
		Symptoms: []string{"send-messages"},
		SamplePosts: []downwatch.Post{
			{ID: "666", Source: "x", Author: `"><svg onload=alert(1)>`, Lang: "en", Text: hostile, CreatedAt: at, URL: "javascript:alert(1)"},
		},
		Revision: 1, UpdatedAt: clock,
		Evidence: &downwatch.Evidence{Window: "2m", Observed: 14, Expected: 0.4, PValue: 1e-12, Baseline: 0.2},
	}
}

func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("DOWNWATCH_CI") != "" {
		t.Fatal("chromium is not installed, and CI (DOWNWATCH_CI) must not skip the browser test: apt-get install -y chromium")
	}
	t.Skip("chromium is not installed (apt-get install -y chromium); skipping the browser test")
	return ""
}

// TestBrowserLiveAndSafe loads the dashboard in headless Chromium, stores and
// publishes an incident whose post is an XSS attempt, and waits until it
// appears without a reload, shown as text. With DOWNWATCH_SCREENSHOTS=1 it
// first saves docs/incident.png and docs/dashboard.png of what the real
// pipeline made of the demo scenario (replayedStore), not of the seed.
func TestBrowserLiveAndSafe(t *testing.T) {
	bin := chromium(t)
	st := testStore(t)
	seed(t, st)
	_, hs := testServer(t, st, "")

	shots := os.Getenv("DOWNWATCH_SCREENSHOTS") == "1"
	var (
		replayed *httptest.Server
		wa       downwatch.Incident
	)
	if shots {
		rst, _ := replayedStore(t)
		var err error
		if wa, err = activeIncident(rst, "whatsapp"); err != nil {
			t.Fatalf("replayed demo: %v", err)
		}
		if wa.State != downwatch.StateAcknowledged || wa.Acknowledgement == nil || wa.Acknowledgement.Author != "ANI" {
			t.Fatalf("replayed demo: WhatsApp incident %s is %s (acknowledgement %+v), want acknowledged by ANI", wa.ID, wa.State, wa.Acknowledgement)
		}
		rsrv, err := New(Config{Store: rst, Heartbeat: 200 * time.Millisecond, ServiceName: catalogNames(t), Catalog: catalogInfo(t)})
		if err != nil {
			t.Fatal(err)
		}
		replayed = httptest.NewServer(rsrv.Handler())
		t.Cleanup(func() { rsrv.Close(); replayed.Close() })
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun, chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 1000),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
	defer cancelT()

	shot := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join("..", "docs", name), png, 0o644)
		})
	}
	eval := func(expr string, v any) {
		t.Helper()
		var err error
		switch p := v.(type) {
		case *bool:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		case *int:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[int](expr))
		case *[]string:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[[]string](expr))
		case *string:
			*p, err = chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		}
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
	}

	// The screenshots, of the replayed demo.
	if shots {
		if err := os.MkdirAll(filepath.Join("..", "docs"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(replayed.URL+"/incidents/"+wa.ID),
			chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
			chromedp.WaitVisible(chromedp.CSS(`#live-status[data-state="on"]`)),
			shot("incident.png"),
		); err != nil {
			t.Fatalf("replayed incident page: %v", err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(replayed.URL+"/"),
			chromedp.WaitVisible(chromedp.CSS(`#active article.incident`)),
			chromedp.WaitVisible(chromedp.CSS(`#live-status[data-state="on"]`)),
			shot("dashboard.png"),
		); err != nil {
			t.Fatalf("replayed dashboard: %v", err)
		}
		if err := chromedp.Do(ctx,
			chromedp.Navigate(replayed.URL+"/services/whatsapp?range=24h&scale=log"),
			chromedp.WaitVisible(chromedp.CSS(`svg.chart[data-scale="log"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#live-status[data-state="on"]`)),
			shot("service.png"),
		); err != nil {
			t.Fatalf("replayed service page: %v", err)
		}
	}

	// The seeded incident page, then the seeded dashboard, which stays open
	// for the live update.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(hs.URL+"/incidents/whatsapp.20221025T0705Z"),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart`)),
		chromedp.WaitVisible(chromedp.CSS(`#live-status[data-state="on"]`)),
	); err != nil {
		t.Fatalf("incident page: %v", err)
	}
	// The service page, linked from the incident page, toggled to a log scale.
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`nav.crumbs a[href="/services/whatsapp"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart[data-scale="linear"]`)),
		chromedp.Click(chromedp.CSS(`#scale-toggle`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.chart[data-scale="log"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#symptoms .shares`)),
	); err != nil {
		t.Fatalf("service page and its log-scale toggle: %v", err)
	}

	if err := chromedp.Do(ctx,
		chromedp.Navigate(hs.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#active article.incident`)),
		chromedp.WaitVisible(chromedp.CSS(`#live-status[data-state="on"]`)),
	); err != nil {
		t.Fatalf("dashboard: %v", err)
	}
	var title0 string
	eval(`document.title`, &title0)
	// Remember that this page was not reloaded, and every title it ever had.
	var ok bool
	eval(`window.__notReloaded = true; window.__titles = [document.title];
		new MutationObserver(() => window.__titles.push(document.title))
			.observe(document.querySelector('title'), {childList: true, characterData: true, subtree: true}); true`, &ok)

	inc := hostileIncident()
	if err := storetest.Alerts(context.Background(), st, downwatch.Alert{Type: downwatch.AlertOpened, At: inc.DetectedAt, Incident: inc}); err != nil {
		t.Fatal(err)
	}
	sel := `#active article[data-incident="` + inc.ID + `"]`
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
		t.Fatalf("the new incident did not appear live: %v", err)
	}
	var (
		notReloaded bool
		titles      []string
		imgs, svgs  int
		text, href  string
	)
	eval(`window.__notReloaded === true`, &notReloaded)
	eval(`window.__titles`, &titles)
	eval(`document.querySelectorAll('img[src="x"]').length`, &imgs)
	eval(`document.querySelectorAll('#live-root svg:not(.chart):not(.bd-bar)').length`, &svgs)
	eval(`document.querySelector('`+sel+` .post-text').textContent`, &text)
	eval(`(document.querySelector('`+sel+` .post-link') || {}).href || ""`, &href)
	if !notReloaded {
		t.Error("the page reloaded; want a live update")
	}
	if len(titles) == 0 {
		t.Error("no titles recorded")
	}
	for _, ti := range titles {
		if ti != title0 {
			t.Errorf("document.title changed to %q: post text ran as script", ti)
		}
	}
	if imgs != 0 {
		t.Errorf(`got %d <img src=x> elements, want 0: post text became markup`, imgs)
	}
	if svgs != 0 {
		t.Errorf("got %d unexpected <svg> elements: the author name became markup", svgs)
	}
	if text != hostile {
		t.Errorf("post text shown: got %q, want it verbatim %q", text, hostile)
	}
	if strings.HasPrefix(href, "javascript:") {
		t.Errorf("a javascript: URL from a post became a link: %s", href)
	}
	var final string
	eval(`document.title`, &final)
	if final != title0 {
		t.Errorf("final title: got %q, want %q", final, title0)
	}
}
