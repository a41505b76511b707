package scenario

import (
	"bufio"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// This file reads a corpus of the Numenta Anomaly Benchmark (NAB) and scores alarms on it
// with NAB's published rules, as NAB documents them (alarms mode; nab_test.go checks this
// port against the reference scorer score.py when the shared corpus is beside the
// repository):
//
//   - The first min(floor(0.15 n), 750) rows of a file are probation: alarms there are not
//     scored.
//   - A window [a, b] (rows, inclusive, width w = b-a+1) credits an alarm at row i with
//     S(-(b-i+1)/w), where S(y) = 2/(1+e^(5y)) - 1, scaled so that an alarm at the window's
//     first row earns tpWeight. Only a window's best (earliest) alarm counts; a window with
//     no alarm costs fnWeight.
//   - An alarm outside every window costs fpWeight times |S|: S((i-b)/max(w-1, 1)) after a
//     window ending at b (cheap just after it, -1 from three widths on), -1 before the first
//     window.
//   - The normalised score is 100 (raw - null) / (perfect - null), where null = -fnWeight
//     per scorable window (no alarms) and perfect = tpWeight per window.
//
// An alarm whose time is not a row is moved to the first row at or after it (where a
// streaming detector could have raised it); alarms after the last row are dropped;
// several alarms on one row count once.

// NABCorpus is the NAB corpus the package reads: its data lives under this directory.
const NABCorpus = "realTweets"

// ErrNAB is wrapped by the errors LoadNAB and Score return.
var ErrNAB = errors.New("scenario: nab")

// NAB is a corpus laid out as NAB's repository lays it out: realTweets/<file>.csv (or
// .csv.gz), labels/combined_windows.json and config/profiles.json.
type NAB struct {
	Files    []*NABFile   // by name
	Profiles []NABProfile // standard, reward_low_FP_rate, reward_low_FN_rate, in NAB's order
	fsys     fs.FS
}

// NABFile is one series of the corpus with its labelled windows.
type NABFile struct {
	Name    string // base name as NAB writes it, e.g. "Twitter_volume_AAPL.csv"
	Key     string // corpus key, as the labels name it: "realTweets/Twitter_volume_AAPL.csv"
	Raw     []string
	Times   []time.Time // one per row, UTC
	Values  []float64
	Windows []NABWindow
	path    string // inside the corpus's fs.FS

	probation int       // rows before this index are not scored
	window    []int     // index into Windows of the window holding each row, -1 outside
	credit    []float64 // unweighted credit of an alarm at each row: (0, S(-1)] inside, [-1, 0] outside
}

// NABWindow is one labelled window: rows First..Last, both included.
type NABWindow struct {
	Start, End  time.Time
	First, Last int
}

// NABProfile is one of NAB's cost profiles.
type NABProfile struct {
	Name       string
	TP, FP, FN float64 // tpWeight, fpWeight, fnWeight
}

// nabProfileOrder is the order NAB reports its profiles in.
var nabProfileOrder = []string{"standard", "reward_low_FP_rate", "reward_low_FN_rate"}

// LoadNAB reads a NAB corpus from fsys (a directory, or RealData's embedded copy).
func LoadNAB(fsys fs.FS) (*NAB, error) {
	n := &NAB{fsys: fsys}
	var err error
	if n.Profiles, err = readNABProfiles(fsys); err != nil {
		return nil, err
	}
	wins, err := readNABWindows(fsys)
	if err != nil {
		return nil, err
	}
	ents, err := fs.ReadDir(fsys, NABCorpus)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNAB, err)
	}
	for _, e := range ents {
		name := strings.TrimSuffix(e.Name(), ".gz")
		if e.IsDir() || !strings.HasSuffix(name, ".csv") {
			continue
		}
		f := &NABFile{Name: name, Key: NABCorpus + "/" + name, path: path.Join(NABCorpus, e.Name())}
		w, ok := wins[f.Key]
		if !ok {
			return nil, fmt.Errorf("%w: no labelled windows for %s", ErrNAB, f.Key)
		}
		if err := f.read(fsys); err != nil {
			return nil, err
		}
		if err := f.label(w); err != nil {
			return nil, err
		}
		n.Files = append(n.Files, f)
	}
	if len(n.Files) == 0 {
		return nil, fmt.Errorf("%w: no data files in %s", ErrNAB, NABCorpus)
	}
	return n, nil
}

func readNABProfiles(fsys fs.FS) ([]NABProfile, error) {
	b, err := fs.ReadFile(fsys, "config/profiles.json")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNAB, err)
	}
	var raw map[string]struct {
		CostMatrix struct{ TPWeight, FPWeight, FNWeight float64 }
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: config/profiles.json: %v", ErrNAB, err)
	}
	var out []NABProfile
	for _, name := range nabProfileOrder {
		p, ok := raw[name]
		if !ok {
			return nil, fmt.Errorf("%w: config/profiles.json has no profile %s", ErrNAB, name)
		}
		cm := p.CostMatrix
		out = append(out, NABProfile{Name: name, TP: cm.TPWeight, FP: cm.FPWeight, FN: cm.FNWeight})
	}
	return out, nil
}

func readNABWindows(fsys fs.FS) (map[string][][2]time.Time, error) {
	b, err := fs.ReadFile(fsys, "labels/combined_windows.json")
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNAB, err)
	}
	var raw map[string][][2]string
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%w: labels/combined_windows.json: %v", ErrNAB, err)
	}
	out := make(map[string][][2]time.Time, len(raw))
	for key, ws := range raw {
		for _, w := range ws {
			a, err1 := parseNABTime(w[0])
			b, err2 := parseNABTime(w[1])
			if err := errors.Join(err1, err2); err != nil {
				return nil, fmt.Errorf("%w: labels/combined_windows.json: %s: %v", ErrNAB, key, err)
			}
			out[key] = append(out[key], [2]time.Time{a, b})
		}
	}
	return out, nil
}

// parseNABTime parses NAB's "2015-03-03 04:37:53[.000000]" (UTC) or RFC 3339.
func parseNABTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.ParseInLocation("2006-01-02 15:04:05.999999999", s, time.UTC); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("timestamp %q: want YYYY-MM-DD HH:MM:SS or RFC 3339", s)
	}
	return t.UTC(), nil
}

// Open returns the file's data as written: a "timestamp,value" CSV, uncompressed.
func (n *NAB) Open(f *NABFile) (io.ReadCloser, error) {
	return openNAB(n.fsys, f.path)
}

// File returns the file called name ("Twitter_volume_AAPL.csv", its key
// "realTweets/Twitter_volume_AAPL.csv", or a path ending in either), or nil.
func (n *NAB) File(name string) *NABFile {
	name = strings.TrimSuffix(strings.ReplaceAll(name, `\`, "/"), ".gz")
	for _, f := range n.Files {
		if name == f.Name || name == f.Key || strings.HasSuffix(name, "/"+f.Name) {
			return f
		}
	}
	return nil
}

type gzReadCloser struct {
	*gzip.Reader
	f fs.File
}

func (g gzReadCloser) Close() error { return errors.Join(g.Reader.Close(), g.f.Close()) }

func openNAB(fsys fs.FS, name string) (io.ReadCloser, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNAB, err)
	}
	if !strings.HasSuffix(name, ".gz") {
		return f, nil
	}
	zr, err := gzip.NewReader(bufio.NewReader(f))
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%w: %s: %v", ErrNAB, name, err)
	}
	return gzReadCloser{zr, f}, nil
}

// read loads the file's rows.
func (f *NABFile) read(fsys fs.FS) error {
	rc, err := openNAB(fsys, f.path)
	if err != nil {
		return err
	}
	defer rc.Close()
	cr := csv.NewReader(bufio.NewReader(rc))
	head, err := cr.Read()
	if err != nil {
		return fmt.Errorf("%w: %s: header: %v", ErrNAB, f.Key, err)
	}
	ti, vi := slices.Index(head, "timestamp"), slices.Index(head, "value")
	if ti < 0 || vi < 0 {
		return fmt.Errorf("%w: %s: header %q lacks timestamp or value", ErrNAB, f.Key, strings.Join(head, ","))
	}
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrNAB, f.Key, err)
		}
		t, err := parseNABTime(rec[ti])
		if err != nil {
			return fmt.Errorf("%w: %s: line %d: %v", ErrNAB, f.Key, line, err)
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(rec[vi]), 64)
		if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s: line %d: value %q is not a count", ErrNAB, f.Key, line, rec[vi])
		}
		if k := len(f.Times); k > 0 && !t.After(f.Times[k-1]) {
			return fmt.Errorf("%w: %s: line %d: %s is not after the previous row", ErrNAB, f.Key, line, rec[ti])
		}
		f.Raw = append(f.Raw, strings.TrimSpace(rec[ti]))
		f.Times = append(f.Times, t)
		f.Values = append(f.Values, v)
	}
	if len(f.Times) == 0 {
		return fmt.Errorf("%w: %s: no rows", ErrNAB, f.Key)
	}
	return nil
}

// sigmoid is NAB's scaled sigmoid of a detection's relative position y: about 0.987 at
// a window's left edge (y = -1), 0 at its right edge, negative after it and exactly -1
// from three window widths on.
func sigmoid(y float64) float64 {
	if y > 3 {
		return -1
	}
	return 2/(1+math.Exp(5*y)) - 1
}

// nabMaxTP is the credit of an alarm on a window's first row.
var nabMaxTP = sigmoid(-1)

// label places the windows on rows and computes every row's credit.
func (f *NABFile) label(wins [][2]time.Time) error {
	index := func(t time.Time) (int, bool) {
		i, ok := slices.BinarySearchFunc(f.Times, t, func(a, b time.Time) int { return a.Compare(b) })
		return i, ok
	}
	for _, w := range wins {
		a, ok1 := index(w[0])
		b, ok2 := index(w[1])
		if !ok1 || !ok2 {
			return fmt.Errorf("%w: %s: window %v..%v does not match row timestamps exactly", ErrNAB, f.Key, w[0], w[1])
		}
		f.Windows = append(f.Windows, NABWindow{Start: w[0], End: w[1], First: a, Last: b})
	}
	sort.Slice(f.Windows, func(i, j int) bool { return f.Windows[i].First < f.Windows[j].First })
	for i := 1; i < len(f.Windows); i++ {
		if f.Windows[i].First <= f.Windows[i-1].Last {
			return fmt.Errorf("%w: %s: overlapping windows", ErrNAB, f.Key)
		}
	}
	n := len(f.Times)
	f.probation = int(math.Ceil(math.Min(math.Floor(0.15*float64(n)), 750)))
	f.window = make([]int, n)
	f.credit = make([]float64, n)
	k, prev := 0, -1 // next window; last window that ended before the row
	for i := range n {
		for k < len(f.Windows) && f.Windows[k].Last < i {
			prev = k
			k++
		}
		f.window[i] = -1
		switch {
		case k < len(f.Windows) && f.Windows[k].First <= i:
			w := f.Windows[k]
			f.window[i] = k
			f.credit[i] = sigmoid(-float64(w.Last-i+1) / float64(w.Last-w.First+1))
		case prev < 0:
			f.credit[i] = -1
		default:
			w := f.Windows[prev]
			f.credit[i] = sigmoid(float64(i-w.Last) / float64(max(w.Last-w.First, 1)))
		}
	}
	return nil
}

// scorable says whether window w has a row after probation.
func (f *NABFile) scorable(w int) bool { return f.Windows[w].Last >= f.probation }

// weighted is a profile's score of an alarm at row i.
func (f *NABFile) weighted(i int, p NABProfile) float64 {
	if f.window[i] >= 0 {
		return f.credit[i] * p.TP / nabMaxTP
	}
	return f.credit[i] * p.FP
}

// NABScore is how a set of alarms scores on a corpus.
type NABScore struct {
	Profiles []NABProfileScore // in NAB's order
	Files    []NABFileScore    // in the corpus's order
}

// NABProfileScore is the score under one cost profile.
type NABProfileScore struct {
	Profile    string
	Raw        float64   // sum over files
	Null       float64   // the raw score of no alarms
	Perfect    float64   // the raw score of an alarm at every window's start
	Normalized float64   // 100 (Raw - Null) / (Perfect - Null)
	FileRaw    []float64 // per file, in Files order
}

// NABFileScore is what the alarms did on one file; it does not depend on the profile.
type NABFileScore struct {
	File       string
	Alarms     int // alarms given
	Dropped    int // after the last row
	Probation  int // on a row of the probation period, not scored
	WindowsHit int // scorable windows with an alarm
	Windows    int // scorable windows
	// TP, FP, FN and TN count rows after probation, as score.py does: FP is the number of
	// alarm rows outside every window (the "alarms outside windows" of the README).
	TP, FP, FN, TN int
}

// Score scores alarms, keyed by file (any name File accepts), on the corpus. A key that
// names no file is an error.
func (n *NAB) Score(alarms map[string][]time.Time) (*NABScore, error) {
	rows := make([]map[int]bool, len(n.Files))
	s := &NABScore{Files: make([]NABFileScore, len(n.Files))}
	for i, f := range n.Files {
		rows[i] = map[int]bool{}
		s.Files[i].File = f.Name
	}
	for name, ts := range alarms {
		f := n.File(name)
		if f == nil {
			return nil, fmt.Errorf("%w: alarms for %q, which is not a file of the corpus", ErrNAB, name)
		}
		fi := slices.Index(n.Files, f)
		c := &s.Files[fi]
		for _, t := range ts {
			c.Alarms++
			i, _ := slices.BinarySearchFunc(f.Times, t, func(a, b time.Time) int { return a.Compare(b) })
			switch {
			case i >= len(f.Times):
				c.Dropped++
			case i < f.probation:
				c.Probation++
			default:
				rows[fi][i] = true
			}
		}
	}
	for fi, f := range n.Files {
		s.Files[fi].count(f, rows[fi])
	}
	for _, p := range n.Profiles {
		ps := NABProfileScore{Profile: p.Name, FileRaw: make([]float64, len(n.Files))}
		nWin := 0
		for fi, f := range n.Files {
			ps.FileRaw[fi] = f.raw(rows[fi], p)
			ps.Raw += ps.FileRaw[fi]
			ps.Null -= p.FN * float64(s.Files[fi].Windows)
			nWin += len(f.Windows)
		}
		ps.Perfect = p.TP * float64(nWin)
		ps.Normalized = 100 * (ps.Raw - ps.Null) / (ps.Perfect - ps.Null)
		s.Profiles = append(s.Profiles, ps)
	}
	return s, nil
}

// count fills the profile-independent counts of one file.
func (c *NABFileScore) count(f *NABFile, alarm map[int]bool) {
	hit := make([]bool, len(f.Windows))
	for i := f.probation; i < len(f.Times); i++ {
		w := f.window[i]
		switch {
		case alarm[i] && w >= 0:
			c.TP++
			hit[w] = true
		case alarm[i]:
			c.FP++
		case w >= 0:
			c.FN++
		default:
			c.TN++
		}
	}
	for w := range f.Windows {
		if f.scorable(w) {
			c.Windows++
			if hit[w] {
				c.WindowsHit++
			}
		}
	}
}

// raw is one file's raw score under p: each scorable window's best alarm (or -FN), plus
// the cost of every alarm outside the windows.
func (f *NABFile) raw(alarm map[int]bool, p NABProfile) float64 {
	best := make([]float64, len(f.Windows))
	for w := range best {
		best[w] = -p.FN
	}
	var fp float64
	rows := make([]int, 0, len(alarm))
	for i := range alarm {
		rows = append(rows, i)
	}
	slices.Sort(rows)
	for _, i := range rows {
		if w := f.window[i]; w >= 0 {
			best[w] = max(best[w], f.weighted(i, p))
		} else {
			fp += f.weighted(i, p)
		}
	}
	sum := fp
	for w, b := range best {
		if f.scorable(w) {
			sum += b
		}
	}
	return sum
}

// Profile returns the score under the named profile.
func (s *NABScore) Profile(name string) (NABProfileScore, bool) {
	for _, p := range s.Profiles {
		if p.Profile == name {
			return p, true
		}
	}
	return NABProfileScore{}, false
}

// Totals sums the per-file counts.
func (s *NABScore) Totals() NABFileScore {
	t := NABFileScore{File: "all"}
	for _, f := range s.Files {
		t.Alarms += f.Alarms
		t.Dropped += f.Dropped
		t.Probation += f.Probation
		t.WindowsHit += f.WindowsHit
		t.Windows += f.Windows
		t.TP += f.TP
		t.FP += f.FP
		t.FN += f.FN
		t.TN += f.TN
	}
	return t
}

// Table renders the score as two Markdown tables: the normalised score per profile, then
// per file the windows hit, the alarms and the alarms outside every window.
func (s *NABScore) Table() string {
	var b strings.Builder
	tot := s.Totals()
	b.WriteString("| NAB profile | score (null 0, perfect 100) | windows hit | alarms outside windows |\n|---|---|---|---|\n")
	for _, p := range s.Profiles {
		fmt.Fprintf(&b, "| %s | %.1f | %d / %d | %d |\n", p.Profile, p.Normalized, tot.WindowsHit, tot.Windows, tot.FP)
	}
	b.WriteString("\n| series | windows hit | alarms | alarms outside windows | standard raw |\n|---|---|---|---|---|\n")
	std, _ := s.Profile("standard")
	for i, f := range s.Files {
		raw := 0.0
		if i < len(std.FileRaw) {
			raw = std.FileRaw[i]
		}
		fmt.Fprintf(&b, "| %s | %d / %d | %d | %d | %.2f |\n", strings.TrimSuffix(f.File, ".csv"), f.WindowsHit, f.Windows, f.Alarms, f.FP, raw)
	}
	return b.String()
}
