package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// tinyNAB is a corpus of one 40-row file (probation: rows 0-5) with windows on rows
// 10-13 and 25-29, and NAB's three profiles.
func tinyNAB(t *testing.T) *NAB {
	t.Helper()
	t0 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	var csv strings.Builder
	csv.WriteString("timestamp,value\n")
	for i := range 40 {
		fmt.Fprintf(&csv, "%s,%d\n", t0.Add(time.Duration(i)*5*time.Minute).Format(time.DateTime), i%7)
	}
	row := func(i int) string { return t0.Add(time.Duration(i)*5*time.Minute).Format(time.DateTime) + ".000000" }
	labels := fmt.Sprintf(`{"realTweets/tiny.csv": [["%s", "%s"], ["%s", "%s"]]}`, row(10), row(13), row(25), row(29))
	profiles, err := os.ReadFile("realdata/nab/config/profiles.json")
	if err != nil {
		t.Fatal(err)
	}
	n, err := LoadNAB(fstest.MapFS{
		"realTweets/tiny.csv":          {Data: []byte(csv.String())},
		"labels/combined_windows.json": {Data: []byte(labels)},
		"config/profiles.json":         {Data: profiles},
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestNABScoreByHand checks the scorer on cases worked out by hand from NAB's rules:
// S(y) = 2/(1+e^(5y)) - 1, S(-1) = 0.986614, a window's credit scaled by 1/S(-1).
func TestNABScoreByHand(t *testing.T) {
	n := tinyNAB(t)
	t0 := n.Files[0].Times[0]
	row := func(i int) time.Time { return t0.Add(time.Duration(i) * 5 * time.Minute) }
	tests := []struct {
		name     string
		alarms   []time.Time
		standard float64 // raw
		lowFP    float64 // raw
		lowFN    float64 // raw
		hit, fp  int
		prob     int
		dropped  int
	}{
		{"none: both windows missed", nil, -2, -2, -4, 0, 0, 0, 0},
		{"each window's first row", []time.Time{row(10), row(25)}, 2, 2, 2, 2, 0, 0, 0},
		// S(-1/4)/S(-1) = 0.554600/0.986614 = 0.562124; the second window costs 1 (2 on low-FN).
		{"last row of a window", []time.Time{row(13)}, -0.437876, -0.437876, -1.437876, 1, 0, 0, 0},
		{"probation is not scored", []time.Time{row(3)}, -2, -2, -4, 0, 0, 1, 0},
		// Before the first window an alarm costs the full fpWeight.
		{"before every window", []time.Time{row(7)}, -2.11, -2.22, -4.11, 0, 1, 0, 0},
		// Two rows after a window of width 4: y = 2/3, S = -0.931110.
		{"just after a window", []time.Time{row(15)}, -2.102422, -2.204844, -4.102422, 0, 1, 0, 0},
		// Eleven rows after it: y = 11/3 > 3, S = -1.
		{"far after a window", []time.Time{row(24)}, -2.11, -2.22, -4.11, 0, 1, 0, 0},
		// Six rows after the second window (width 5): y = 6/4, S = -0.998894.
		{"after the second window", []time.Time{row(35)}, -2.109878, -2.219757, -4.109878, 0, 1, 0, 0},
		// 00:47 is between rows 9 and 10: moved to row 10, the first row of the window.
		{"off-row alarm moves to the next row", []time.Time{t0.Add(47 * time.Minute)}, 0, 0, -1, 1, 0, 0, 0},
		{"after the last row is dropped", []time.Time{row(40)}, -2, -2, -4, 0, 0, 0, 1},
		// Only the best alarm of a window counts, and a row counts once.
		{"duplicates and a later alarm", []time.Time{row(11), row(10), row(10)}, 0, 0, -1, 1, 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := n.Score(map[string][]time.Time{"tiny.csv": tt.alarms})
			if err != nil {
				t.Fatal(err)
			}
			for i, want := range []float64{tt.standard, tt.lowFP, tt.lowFN} {
				if got := s.Profiles[i].Raw; math.Abs(got-want) > 1e-6 {
					t.Errorf("%s: raw %.6f, want %.6f", s.Profiles[i].Profile, got, want)
				}
			}
			f := s.Files[0]
			if f.WindowsHit != tt.hit || f.Windows != 2 || f.FP != tt.fp || f.Probation != tt.prob || f.Dropped != tt.dropped {
				t.Errorf("got hit %d/%d, outside %d, probation %d, dropped %d; want hit %d/2, outside %d, probation %d, dropped %d",
					f.WindowsHit, f.Windows, f.FP, f.Probation, f.Dropped, tt.hit, tt.fp, tt.prob, tt.dropped)
			}
			std := s.Profiles[0]
			if want := 100 * (tt.standard + 2) / 4; math.Abs(std.Normalized-want) > 1e-4 || std.Null != -2 || std.Perfect != 2 {
				t.Errorf("standard: normalized %.4f (null %v, perfect %v), want %.4f (null -2, perfect 2)", std.Normalized, std.Null, std.Perfect, want)
			}
		})
	}
	if _, err := n.Score(map[string][]time.Time{"other.csv": {t0}}); err == nil {
		t.Error("alarms for a file outside the corpus: got no error")
	}
}

func TestRealDataEmbedded(t *testing.T) {
	n, err := RealData()
	if err != nil {
		t.Fatal(err)
	}
	if len(n.Files) != 5 {
		t.Fatalf("got %d files, want 5", len(n.Files))
	}
	windows := 0
	for _, f := range n.Files {
		windows += len(f.Windows)
		if len(f.Times) < 15_000 || f.probation != 750 {
			t.Errorf("%s: %d rows, probation %d; want about 15,850 and 750", f.Name, len(f.Times), f.probation)
		}
	}
	if windows != 18 {
		t.Errorf("got %d windows, want 18", windows)
	}
	s, err := n.Score(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range s.Profiles {
		if p.Normalized != 0 {
			t.Errorf("%s: no alarms scores %v, want 0", p.Profile, p.Normalized)
		}
	}
}

// TestNABScoreMatchesScorePy scores alarm sets with the Go scorer and with the project's
// reference scorer (../shared/realdata/score.py, NAB's rules in Python) and wants the
// same numbers. It skips when python3 or score.py is absent.
func TestNABScoreMatchesScorePy(t *testing.T) {
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not found")
	}
	script := sharedScorer(t)
	if script == "" {
		t.Skip("score.py not found: set DOWNWATCH_REALDATA to the shared nab directory, or put the project's shared/realdata beside the repository")
	}
	data, err := filepath.Abs("realdata/nab")
	if err != nil {
		t.Fatal(err)
	}
	n, err := LoadNAB(os.DirFS(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, set := range nabAlarmSets(n) {
		t.Run(set.name, func(t *testing.T) {
			t.Parallel()
			got, err := n.Score(set.alarms)
			if err != nil {
				t.Fatal(err)
			}
			want := runScorePy(t, py, script, data, set.alarms)
			compareScorePy(t, n, got, want)
		})
	}
}

type nabAlarmSet struct {
	name   string
	alarms map[string][]time.Time
}

// nabAlarmSets are the alarm sets TestNABScoreMatchesScorePy scores both ways.
func nabAlarmSets(n *NAB) []nabAlarmSet {
	null := map[string][]time.Time{}
	perfect := map[string][]time.Time{}
	random := map[string][]time.Time{}
	r := rand.New(rand.NewPCG(8, 2015))
	for _, f := range n.Files {
		for _, w := range f.Windows {
			// The window's start, an alarm inside it, one just after it.
			perfect[f.Name] = append(perfect[f.Name], w.Start, f.Times[(w.First+w.Last)/2], f.Times[min(w.Last+3, len(f.Times)-1)])
		}
		perfect[f.Name] = append(perfect[f.Name], f.Times[100]) // in probation
		first, last := f.Times[0], f.Times[len(f.Times)-1].Add(time.Hour)
		for range 60 {
			// Whole seconds, mostly between rows: moved to the next row, a few dropped.
			at := first.Add(time.Duration(r.Int64N(int64(last.Sub(first)/time.Second))) * time.Second)
			random[f.Name] = append(random[f.Name], at)
		}
	}
	return []nabAlarmSet{{"null", null}, {"perfect-ish", perfect}, {"random", random}}
}

type scorePyOutcome struct {
	Score        float64 `json:"score"`
	TP           int     `json:"tp"`
	FP           int     `json:"fp"`
	FN           int     `json:"fn"`
	TN           int     `json:"tn"`
	WindowsHit   int     `json:"windows_hit"`
	WindowsTotal int     `json:"windows_total"`
}

type scorePyResult struct {
	AlarmStats map[string]int `json:"alarm_stats"`
	Scores     map[string]struct {
		Raw        float64                   `json:"raw"`
		Normalized float64                   `json:"normalized"`
		Null       float64                   `json:"null"`
		Perfect    float64                   `json:"perfect"`
		Totals     scorePyOutcome            `json:"totals"`
		PerFile    map[string]scorePyOutcome `json:"per_file"`
	} `json:"scores"`
}

func runScorePy(t *testing.T, py, script, data string, alarms map[string][]time.Time) scorePyResult {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("file,timestamp\n")
	for name, ts := range alarms {
		for _, at := range ts {
			fmt.Fprintf(&b, "%s/%s,%s\n", NABCorpus, name, at.Format(time.DateTime))
		}
	}
	in := filepath.Join(t.TempDir(), "alarms.csv")
	if err := os.WriteFile(in, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, script, "--data", data, "alarms", in, "--json").Output()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", py, script, err, out)
	}
	var res scorePyResult
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("score.py output: %v\n%s", err, out)
	}
	return res
}

func compareScorePy(t *testing.T, n *NAB, got *NABScore, want scorePyResult) {
	t.Helper()
	near := func(a, b float64) bool { return math.Abs(a-b) <= 1e-6 }
	tot := got.Totals()
	if tot.Dropped != want.AlarmStats["dropped"] || tot.Probation != want.AlarmStats["in_probation"] || tot.Alarms != want.AlarmStats["alarms"] {
		t.Errorf("alarms %d, dropped %d, in probation %d; score.py says %v", tot.Alarms, tot.Dropped, tot.Probation, want.AlarmStats)
	}
	for _, p := range got.Profiles {
		w, ok := want.Scores[p.Profile]
		if !ok {
			t.Fatalf("score.py has no profile %s", p.Profile)
		}
		if !near(p.Raw, w.Raw) || !near(p.Normalized, w.Normalized) || p.Null != w.Null || p.Perfect != w.Perfect {
			t.Errorf("%s: raw %.9f normalized %.9f null %v perfect %v; score.py: raw %.9f normalized %.9f null %v perfect %v",
				p.Profile, p.Raw, p.Normalized, p.Null, p.Perfect, w.Raw, w.Normalized, w.Null, w.Perfect)
		}
		for i, f := range n.Files {
			wf, ok := w.PerFile[f.Key]
			if !ok {
				t.Fatalf("score.py has no file %s", f.Key)
			}
			c := got.Files[i]
			gf := scorePyOutcome{Score: p.FileRaw[i], TP: c.TP, FP: c.FP, FN: c.FN, TN: c.TN, WindowsHit: c.WindowsHit, WindowsTotal: c.Windows}
			if !near(gf.Score, wf.Score) || gf.TP != wf.TP || gf.FP != wf.FP || gf.FN != wf.FN || gf.TN != wf.TN || gf.WindowsHit != wf.WindowsHit || gf.WindowsTotal != wf.WindowsTotal {
				t.Errorf("%s %s: got %+v, score.py %+v", p.Profile, f.Name, gf, wf)
			}
		}
	}
}

// sharedScorer finds score.py: beside DOWNWATCH_REALDATA, or in ../shared/realdata
// relative to the repository root. "" when neither is there.
func sharedScorer(t *testing.T) string {
	t.Helper()
	var cands []string
	if d := os.Getenv("DOWNWATCH_REALDATA"); d != "" {
		cands = append(cands, filepath.Join(d, "..", "score.py"))
	}
	if root := repoRoot(t); root != "" {
		cands = append(cands, filepath.Join(root, "..", "shared", "realdata", "score.py"))
	}
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return ""
}

// repoRoot is the directory holding go.mod, found from the working directory up.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		up := filepath.Dir(dir)
		if up == dir {
			return ""
		}
		dir = up
	}
}
