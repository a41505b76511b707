package deployments

import (
	"bufio"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// ruleFile is the part of a Prometheus rule file these tests read; decoding it
// strictly fails on a misspelt key.
type ruleFile struct {
	Groups []struct {
		Name  string `json:"name"`
		Rules []struct {
			Alert       string            `json:"alert"`
			Expr        string            `json:"expr"`
			For         string            `json:"for"`
			Labels      map[string]string `json:"labels"`
			Annotations map[string]string `json:"annotations"`
		} `json:"rules"`
	} `json:"groups"`
}

func readRules(t *testing.T) ruleFile {
	t.Helper()
	b, err := os.ReadFile("monitoring/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var rf ruleFile
	if err := yaml.UnmarshalStrict(b, &rf); err != nil {
		t.Fatalf("monitoring/alerts.yaml: %v", err)
	}
	return rf
}

// promtool returns the path of Prometheus' promtool. It skips the test where it is
// missing, saying how to install it, except in CI (DOWNWATCH_CI), where that fails.
func promtool(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("promtool")
	if err != nil {
		msg := "promtool is not installed (apt-get install prometheus); .ci/run installs it"
		if os.Getenv("DOWNWATCH_CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	return p
}

// TestAlertRulesPassPromtool checks the rule file with `promtool check rules` and
// runs its unit tests (monitoring/alerts-test.yaml), and requires such a test for
// every alert: each must be shown to fire on the failure it names.
func TestAlertRulesPassPromtool(t *testing.T) {
	pt := promtool(t)
	for _, args := range [][]string{{"check", "rules", "alerts.yaml"}, {"test", "rules", "alerts-test.yaml"}} {
		cmd := exec.Command(pt, args...)
		cmd.Dir = "monitoring"
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	b, err := os.ReadFile("monitoring/alerts-test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var tests struct {
		Tests []struct {
			AlertRuleTest []struct {
				Alertname string            `json:"alertname"`
				ExpAlerts []json.RawMessage `json:"exp_alerts"`
			} `json:"alert_rule_test"`
		} `json:"tests"`
	}
	if err := yaml.Unmarshal(b, &tests); err != nil {
		t.Fatal(err)
	}
	fires := map[string]bool{}
	for _, g := range tests.Tests {
		for _, a := range g.AlertRuleTest {
			if len(a.ExpAlerts) > 0 {
				fires[a.Alertname] = true
			}
		}
	}
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			if !fires[r.Alert] {
				t.Errorf("%s: no test in alerts-test.yaml shows it firing", r.Alert)
			}
		}
	}
}

var metricName = regexp.MustCompile(`\bdownwatch_[a-z0-9_]+`)

// TestMonitoringMetricsExist checks that every metric the rules and the dashboard
// name is one the binary exports.
func TestMonitoringMetricsExist(t *testing.T) {
	exported := exportedMetrics(t)
	used := map[string][]string{}
	for _, g := range readRules(t).Groups {
		for _, r := range g.Rules {
			for _, m := range metricName.FindAllString(r.Expr, -1) {
				used[m] = append(used[m], "alerts.yaml "+r.Alert)
			}
		}
	}
	for _, e := range dashboardExprs(t) {
		for _, m := range metricName.FindAllString(e.expr, -1) {
			used[m] = append(used[m], "dashboard.json "+e.panel)
		}
	}
	if len(used) < 10 {
		t.Errorf("rules and dashboard name %d downwatch metrics, want most of them", len(used))
	}
	for m, where := range used {
		base := m
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(m, suffix); ok && exported[b] {
				base = b
			}
		}
		if !exported[base] {
			t.Errorf("%s (in %s) is not exported by the binary", m, strings.Join(slices.Compact(where), ", "))
		}
	}
}

type panelExpr struct{ panel, expr string }

func dashboardExprs(t *testing.T) []panelExpr {
	t.Helper()
	b, err := os.ReadFile("monitoring/dashboard.json")
	if err != nil {
		t.Fatal(err)
	}
	type panel struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	}
	var d struct {
		Panels []panel `json:"panels"`
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatalf("monitoring/dashboard.json: %v", err)
	}
	var out []panelExpr
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			out = append(out, panelExpr{p.Title, tg.Expr})
		}
	}
	if len(out) == 0 {
		t.Fatal("monitoring/dashboard.json: no panel queries")
	}
	return out
}

// metricDef finds a metric's definition in Go source: Name: "…" in Opts,
// NewDesc("…", …), or the first field of a {"…", help, value} table row.
var metricDef = regexp.MustCompile(`(?:Name:\s*|NewDesc\(|\{)"(downwatch_[a-z0-9_]+)"`)

// exportedMetrics returns the metric names the binary exports. The detector
// needs Kafka to start, and some families appear only once used (a webhook
// attempt), so the names come from the main module's Go sources; the roles that
// start here (ingest from a file, serve over the local Redis) are scraped, and
// every name they export must be among those found, so a metric defined in a way
// the source scan misses fails this test instead of passing it.
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	defined := map[string]bool{}
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "deployments" || d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != ".." {
			return filepath.SkipDir
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range metricDef.FindAllSubmatch(b, -1) {
			defined[string(m[1])] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	scraped := scrapeIngest(t)
	if len(scraped) == 0 {
		t.Fatal("ingest exported no downwatch metric")
	}
	for m := range scrapeServe(t) {
		scraped[m] = true
	}
	for m := range scraped {
		if !defined[m] {
			t.Errorf("the binary exports %s, but the source scan did not find its definition", m)
		}
	}
	for m := range defined {
		if strings.HasPrefix(m, "downwatch_ingest_") && !scraped[m] {
			t.Errorf("%s is defined in the source but `downwatch ingest --metrics` does not export it", m)
		}
	}
	return defined
}

// start runs downwatch with args until the test ends and returns the first line
// of its output (stdout and stderr) that contains marker.
func start(t *testing.T, marker string, args ...string) string {
	t.Helper()
	cmd := exec.Command(downwatch(t), args...)
	stdin, err := cmd.StdinPipe() // held open: a file source reading stdin keeps running
	if err != nil {
		t.Fatal(err)
	}
	output, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout, cmd.Stderr = w, w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() {
		stdin.Close()
		cmd.Process.Kill()
		cmd.Wait()
		output.Close()
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(output)
		for sc.Scan() {
			if strings.Contains(sc.Text(), marker) {
				found <- sc.Text()
				break
			}
		}
		io.Copy(io.Discard, output)
		close(found)
	}()
	select {
	case line, ok := <-found:
		if !ok {
			t.Fatalf("`downwatch %s` ended without printing %q", strings.Join(args, " "), marker)
		}
		return line
	case <-time.After(20 * time.Second):
		t.Fatalf("`downwatch %s` printed no %q in 20s", strings.Join(args, " "), marker)
	}
	return ""
}

var httpAddr = regexp.MustCompile(`http://(127\.0\.0\.1:[0-9]+)/`)

func scrapeIngest(t *testing.T) map[string]bool {
	line := start(t, "metrics: http://", "ingest", "--source", "file", "--input", "-", "--out", "-", "--metrics", "127.0.0.1:0")
	addr := httpAddr.FindStringSubmatch(line)[1]
	// The metrics server is up before the pipeline registers its collector.
	deadline := time.Now().Add(10 * time.Second)
	for {
		names := scrape(t, addr)
		if len(names) > 0 || time.Now().After(deadline) {
			return names
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// scrapeServe serves the local Redis (read only, under a prefix nothing else
// uses), requests the API once so the request counters have a series, and scrapes.
func scrapeServe(t *testing.T) map[string]bool {
	line := start(t, "dashboard on http://", "serve", "--redis", "redis://127.0.0.1:6379/0", "--prefix", "downwatch:deployments-test:", "--http", "127.0.0.1:0")
	m := httpAddr.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("no address in %q", line)
	}
	resp, err := http.Get("http://" + m[1] + "/api/incidents")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return scrape(t, m[1])
}

func scrape(t *testing.T, addr string) map[string]bool {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	names := map[string]bool{}
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[0] == "#" && f[1] == "TYPE" && strings.HasPrefix(f[2], "downwatch_") {
			names[f[2]] = true
		}
	}
	return names
}
