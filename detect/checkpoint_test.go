package detect

import (
	"encoding"
	"encoding/binary"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/downwatch/downwatch"
)

// richStream has what a checkpoint must carry: a regional and a global burst,
// a re-flare, country signals, past episodes and a pending acknowledgement.
func richStream() *stream {
	var s stream
	s.background("slack", t0, t0.Add(8*time.Hour), 20*time.Second)
	s.background("discord", t0, t0.Add(8*time.Hour), 45*time.Second)
	s.burst("slack", "US", t0.Add(3*time.Hour), t0.Add(3*time.Hour+30*time.Minute), 25)
	s.burst("slack", "", t0.Add(3*time.Hour+50*time.Minute), t0.Add(4*time.Hour), 30)
	s.burst("discord", "DE", t0.Add(5*time.Hour), t0.Add(5*time.Hour+20*time.Minute), 15)
	ack := s.add("discord", downwatch.KindOfficial, "discord", "", "We're aware of connection issues", t0.Add(5*time.Hour+5*time.Minute))
	ack.Ack = true
	sortByTime(s.ms)
	return &s
}

// A detector restored from a snapshot taken anywhere gives exactly the alerts of
// one that never stopped, and equal states encode to equal bytes.
func TestCheckpointRoundTrip(t *testing.T) {
	s := richStream()
	end := t0.Add(8 * time.Hour)
	whole, _ := New(DefaultConfig())
	for i := range s.ms {
		whole.Handle(&s.ms[i])
	}
	whole.End(end)
	want := jsonOf(whole.Drain().Alerts)
	// A few fixed cuts, then many: a restart may come between any two records
	// (a rate cached for the open minute must not outlive the learning of the
	// minute before it).
	fracs := []float64{0.2, 0.45, 0.5, 0.62, 0.9}
	for k := 1; k < 80; k++ {
		fracs = append(fracs, float64(k)/80)
	}
	for _, frac := range fracs {
		cut := int(frac * float64(len(s.ms)))
		a, _ := New(DefaultConfig())
		for i := 0; i < cut; i++ {
			a.Handle(&s.ms[i])
		}
		got := a.Drain().Alerts
		snap, err := a.Snapshot()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := New(DefaultConfig())
		if err := b.Restore(snap); err != nil {
			t.Fatalf("cut %.2f: %v", frac, err)
		}
		again, _ := b.Snapshot()
		if string(again) != string(snap) {
			t.Errorf("cut %.2f: a restored detector encodes differently (%d vs %d bytes)", frac, len(again), len(snap))
		}
		for i := cut; i < len(s.ms); i++ {
			b.Handle(&s.ms[i])
		}
		b.End(end)
		got = append(got, b.Drain().Alerts...)
		if g := jsonOf(got); g != want {
			t.Errorf("cut %.2f: restored run differs from the uninterrupted one:\n got %s\nwant %s", frac, g, want)
		}
	}
}

// A checkpoint of the first release (gob of its internals, no version) still
// restores: the open incident carries on and resolves.
func TestCheckpointReadsFirstRelease(t *testing.T) {
	b, err := os.ReadFile("testdata/checkpoint-v1.gob")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := New(DefaultConfig())
	if err := d.Restore(b); err != nil {
		t.Fatal(err)
	}
	act := d.Active()
	if len(act) != 1 || act[0].Service != "slack" {
		t.Fatalf("active incidents after restore: %+v, want the open slack one", act)
	}
	d.End(t0.Add(6 * time.Hour))
	var resolved bool
	for _, a := range d.Drain().Alerts {
		if a.Type == downwatch.AlertResolved && a.Incident.ID == act[0].ID {
			resolved = true
			if a.Incident.Revision <= act[0].Revision {
				t.Errorf("revision %d after restore, want above %d", a.Incident.Revision, act[0].Revision)
			}
		}
	}
	if !resolved {
		t.Errorf("the restored incident %s did not resolve", act[0].ID)
	}
}

// A checkpoint of version 2 (testdata/checkpoint-v2.bin: richStream up to
// 05:10, written by the release before version 3) still restores: into the
// state its version 3 re-encoding restores to, with the open incident carrying
// on and resolving.
func TestCheckpointReadsVersion2(t *testing.T) {
	b, err := os.ReadFile("testdata/checkpoint-v2.bin")
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:5]) != "DWCK\x02" {
		t.Fatalf("testdata/checkpoint-v2.bin starts %q, want DWCK and version 2", b[:5])
	}
	d, _ := New(DefaultConfig())
	if err := d.Restore(b); err != nil {
		t.Fatal(err)
	}
	v3, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	again, _ := New(DefaultConfig())
	if err := again.Restore(v3); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.st, again.st) {
		t.Error("the state restored from version 2 differs from the one restored from its version 3 encoding")
	}
	if len(v3) >= len(b) {
		t.Errorf("version 3 of the same state: %d bytes, want fewer than version 2's %d", len(v3), len(b))
	}
	act := d.Active()
	if len(act) != 1 || act[0].Service != "discord" {
		t.Fatalf("active incidents after restore: %+v, want the open discord one", act)
	}
	d.End(t0.Add(8 * time.Hour))
	var resolved bool
	for _, a := range d.Drain().Alerts {
		resolved = resolved || a.Type == downwatch.AlertResolved && a.Incident.ID == act[0].ID
	}
	if !resolved {
		t.Errorf("the restored incident %s did not resolve", act[0].ID)
	}
}

// A checkpoint of version 3 (testdata/checkpoint-v3.bin: richStream up to
// 05:10, written by the release before version 4) restores, and its state
// encodes to version 5 frames that, joined, are exactly the body of one frame,
// cut into any number of runs of signals; that body is version 3's with the
// episodes' lengths (zero, unknown to version 3) after their sizes, and
// decodes and encodes again to the same bytes.
func TestCheckpointReadsVersion3(t *testing.T) {
	b, err := os.ReadFile("testdata/checkpoint-v3.bin")
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:5]) != "DWCK\x03" {
		t.Fatalf("testdata/checkpoint-v3.bin starts %q, want DWCK and version 3", b[:5])
	}
	v3body, err := inflate(b[5:])
	if err != nil {
		t.Fatal(err)
	}
	d, _ := New(DefaultConfig())
	if err := d.Restore(b); err != nil {
		t.Fatal(err)
	}
	episodes := 0
	for _, s := range d.st.Keys {
		for _, e := range s.T.Past {
			episodes++
			if e.Len != 0 {
				t.Errorf("%s: an episode of version 3 restored with length %d, want 0 (unknown)", s.key, e.Len)
			}
		}
	}
	if episodes == 0 {
		t.Fatal("the version 3 file has no past episode: it tests nothing of their lengths")
	}
	var want []byte
	for parts := 1; parts <= len(d.st.Keys)+1; parts++ {
		v5, err := d.snapshot(nil, parts, 1)
		if err != nil {
			t.Fatal(err)
		}
		if string(v5[:5]) != "DWCK\x05" {
			t.Fatalf("re-encoded, it starts %q, want DWCK and version 5", v5[:5])
		}
		frames, _ := binary.Uvarint(v5[5:])
		if wantFrames := min(parts, len(d.st.Keys)) + 1; frames != uint64(wantFrames) {
			t.Errorf("encoded in %d runs: %d frames, want %d", parts, frames, wantFrames)
		}
		got, err := inflateFrames(v5[5:])
		if err != nil {
			t.Fatalf("encoded in %d runs: %v", parts, err)
		}
		if want == nil {
			want = got
		}
		if string(got) != string(want) {
			t.Errorf("encoded in %d runs: a body of %d bytes unlike one run's (%d bytes)", parts, len(got), len(want))
		}
	}
	// Each length is one byte (a varint of 0) more than version 3 wrote.
	if len(want) != len(v3body)+episodes {
		t.Errorf("version 5 body %d bytes, want version 3's %d and one per episode (%d)", len(want), len(v3body), episodes)
	}
	st, err := decodeState(want, bodyLengths)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := New(DefaultConfig())
	again.adopt(st)
	if b2 := body(t, again); string(b2) != string(want) {
		t.Errorf("the version 5 body decoded and encoded again differs (%d bytes, want %d)", len(b2), len(want))
	}
	if act := d.Active(); len(act) != 1 || act[0].Service != "discord" {
		t.Errorf("active incidents after restore: %+v, want the open discord one", act)
	}
}

// A checkpoint of version 4 (testdata/checkpoint-v4.bin: the state of
// checkpoint-v3.bin, written by the release before version 5) restores to
// the same state as the version 3 file; episodes' lengths written by version
// 5 survive a round trip.
func TestCheckpointReadsVersion4(t *testing.T) {
	restore := func(name string) *Detector {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		d, _ := New(DefaultConfig())
		if err := d.Restore(b); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		return d
	}
	v3, v4 := restore("testdata/checkpoint-v3.bin"), restore("testdata/checkpoint-v4.bin")
	if a, b := body(t, v3), body(t, v4); string(a) != string(b) {
		t.Errorf("versions 3 and 4 of one state restore to different states (%d and %d bytes encoded)", len(a), len(b))
	}
	var lens []int32
	for _, key := range slices.Sorted(maps.Keys(v4.st.Keys)) {
		s := v4.st.Keys[key]
		for i := range s.T.Past {
			s.T.Past[i].Len = int32(7 + i)
			lens = append(lens, s.T.Past[i].Len)
		}
	}
	snap, err := v4.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	back, _ := New(DefaultConfig())
	if err := back.Restore(snap); err != nil {
		t.Fatal(err)
	}
	var got []int32
	for _, key := range slices.Sorted(maps.Keys(back.st.Keys)) {
		for _, e := range back.st.Keys[key].T.Past {
			got = append(got, e.Len)
		}
	}
	if len(lens) == 0 || !slices.Equal(got, lens) {
		t.Errorf("episode lengths after a round trip %v, want %v", got, lens)
	}
}

// body is the body of a version 5 checkpoint of d.
func body(tb testing.TB, d *Detector) []byte {
	tb.Helper()
	snap, err := d.Snapshot()
	if err != nil {
		tb.Fatal(err)
	}
	b, err := inflateFrames(snap[5:])
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// A damaged checkpoint is an error that says so, never a panic or a half state.
func TestCheckpointDamaged(t *testing.T) {
	s := richStream()
	a, _ := New(DefaultConfig())
	for i := range s.ms[:len(s.ms)/2] {
		a.Handle(&s.ms[i])
	}
	snap, _ := a.Snapshot()
	cases := map[string][]byte{
		"truncated":      snap[:len(snap)/2],
		"trailing bytes": append(append([]byte{}, snap...), 1, 2, 3),
		"future version": append([]byte(checkpointMagic), checkpointVersion+1),
		"corrupt body":   append([]byte(checkpointMagic+"\x03"), s2.Encode(nil, []byte("a compressed body of nonsense"))...),
		"not compressed": append([]byte(checkpointMagic+"\x03"), body(t, a)...),
		"v4 no frames":   []byte(checkpointMagic + "\x04\x00"),
		"v4 frame short": append([]byte(checkpointMagic+"\x04\x01\x7f"), s2.Encode(nil, []byte("short"))...),
		"v4 in one":      append([]byte(checkpointMagic+"\x04"), snap[6:]...),
		"v4 as v3":       append([]byte(checkpointMagic+"\x03"), snap[5:]...),
		"garbage":        []byte("not a checkpoint at all"),
		"empty":          nil,
	}
	for name, b := range cases {
		d, _ := New(DefaultConfig())
		if err := d.Restore(b); !errors.Is(err, ErrCheckpoint) {
			t.Errorf("%s: got %v, want an error wrapping ErrCheckpoint", name, err)
		}
	}
}

func FuzzRestore(f *testing.F) {
	s := richStream()
	a, _ := New(DefaultConfig())
	for i := range s.ms[:len(s.ms)/2] {
		a.Handle(&s.ms[i])
	}
	snap, _ := a.Snapshot()
	f.Add(snap)
	f.Add(snap[:100])
	f.Add([]byte(checkpointMagic + "\x02"))
	f.Add([]byte(checkpointMagic + "\x03"))
	f.Add([]byte(checkpointMagic + "\x04\x02"))
	f.Add([]byte(checkpointMagic + "\x05\x02"))
	for _, name := range []string{"testdata/checkpoint-v3.bin", "testdata/checkpoint-v4.bin"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		d, _ := New(DefaultConfig())
		if err := d.Restore(b); err != nil {
			return
		}
		// Whatever restored must run and encode.
		d.End(t0.Add(10 * time.Hour))
		if _, err := d.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
}

// FuzzDecodeBody feeds the body decoder of versions 2, 3 and 4 (bodyLengths) directly: behind
// Restore most inputs stop at the compression of version 3.
func FuzzDecodeBody(f *testing.F) {
	s := richStream()
	a, _ := New(DefaultConfig())
	for i := range s.ms[:len(s.ms)/2] {
		a.Handle(&s.ms[i])
	}
	b := body(f, a)
	f.Add(uint8(bodyLengths-2), b)
	f.Add(uint8(bodyLengths-2), b[:len(b)/3])
	if v3, err := os.ReadFile("testdata/checkpoint-v3.bin"); err == nil {
		if b3, err := inflate(v3[5:]); err == nil {
			f.Add(uint8(1), b3)
		}
	}
	if v2, err := os.ReadFile("testdata/checkpoint-v2.bin"); err == nil {
		f.Add(uint8(0), v2[5:])
	}
	f.Fuzz(func(t *testing.T, v uint8, b []byte) {
		st, err := decodeState(b, 2+int(v%3))
		if err != nil {
			if !errors.Is(err, ErrCheckpoint) {
				t.Fatalf("got %v, want an error wrapping ErrCheckpoint", err)
			}
			return
		}
		d, _ := New(DefaultConfig())
		d.adopt(st)
		d.End(t0.Add(10 * time.Hour))
		if _, err := d.Snapshot(); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkSnapshot(b *testing.B) {
	for _, services := range []int{100, 2500} {
		d, _ := New(DefaultConfig())
		m := downwatch.Mention{Kind: downwatch.KindComplaint}
		countries := []string{"US", "IN", "BR"}
		k := 0
		for min := 0; min < 120; min++ {
			at := t0.Add(time.Duration(min) * time.Minute)
			for s := 0; s < services; s += 3 {
				m.Service = fmt.Sprintf("svc%05d", s)
				m.Post = downwatch.Post{ID: "p", Source: "x", Author: fmt.Sprint("a", k%50), Text: "down", CreatedAt: at, Country: countries[k%3]}
				d.Handle(&m)
				k++
			}
			d.Drain()
		}
		snap, _ := d.Snapshot()
		b.Run(fmt.Sprintf("%d services", services), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(snap)))
			for range b.N {
				if _, err := d.Snapshot(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(snap)), "bytes/checkpoint")
		})
	}
}

// The detector is an encoding.BinaryMarshaler whose bytes are the checkpoint,
// with the magic and version in front.
var (
	_ encoding.BinaryMarshaler   = (*Detector)(nil)
	_ encoding.BinaryUnmarshaler = (*Detector)(nil)
)

func TestMarshalBinaryIsTheCheckpoint(t *testing.T) {
	d, _ := New(DefaultConfig())
	b, err := d.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 5 || string(b[:4]) != "DWCK" || b[4] != 5 {
		t.Fatalf("checkpoint starts %q, want DWCK and version 5", b[:min(5, len(b))])
	}
	if err := d.UnmarshalBinary([]byte("DWCK\x09")); err == nil || !errors.Is(err, ErrCheckpoint) {
		t.Errorf("version 9 read without ErrCheckpoint: %v", err)
	}
}

// TestCheckpointJustBeforeAnAlarm restarts the detector at each of the records
// shortly before every incident opens, where the minute being decided has its
// thresholds made while the minute before it is still open: the restored run
// must open the same incidents with the same evidence.
func TestCheckpointJustBeforeAnAlarm(t *testing.T) {
	s := richStream()
	// Posts arrive up to 50 s after they were written, so a minute still takes
	// posts after the one before it has closed.
	r := rand.New(rand.NewPCG(7, 7))
	arrive := make(map[*downwatch.Mention]time.Time, len(s.ms))
	for i := range s.ms {
		arrive[&s.ms[i]] = s.ms[i].Post.CreatedAt.Add(time.Duration(r.IntN(50_000)) * time.Millisecond)
	}
	order := make([]downwatch.Mention, len(s.ms))
	copy(order, s.ms)
	idx := make([]int, len(s.ms))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int { return arrive[&s.ms[a]].Compare(arrive[&s.ms[b]]) })
	for i, j := range idx {
		order[i] = s.ms[j]
	}
	s.ms = order
	end := t0.Add(8 * time.Hour)
	whole, _ := New(DefaultConfig())
	var opens []int
	for i := range s.ms {
		whole.Handle(&s.ms[i])
		if len(whole.opened) > 0 {
			opens = append(opens, i)
		}
		whole.Drain()
	}
	if len(opens) == 0 {
		t.Fatal("the stream opens no incident")
	}
	whole, _ = New(DefaultConfig())
	for i := range s.ms {
		whole.Handle(&s.ms[i])
	}
	whole.End(end)
	want := jsonOf(whole.Drain().Alerts)
	for _, at := range opens {
		for cut := max(0, at-120); cut <= at; cut += 2 {
			a, _ := New(DefaultConfig())
			for i := 0; i < cut; i++ {
				a.Handle(&s.ms[i])
			}
			got := a.Drain().Alerts
			snap, _ := a.Snapshot()
			b, _ := New(DefaultConfig())
			if err := b.Restore(snap); err != nil {
				t.Fatal(err)
			}
			for i := cut; i < len(s.ms); i++ {
				b.Handle(&s.ms[i])
			}
			b.End(end)
			if g := jsonOf(append(got, b.Drain().Alerts...)); g != want {
				t.Fatalf("restart at record %d (the alarm at %d) differs from the uninterrupted run:\n got %s\nwant %s", cut, at, g, want)
			}
		}
	}
}

// TestCheckpointSameState: a detector restarted from a checkpoint at any point
// ends in exactly the state of one that never stopped (the same checkpoint
// bytes), for a busy service and one so quiet that most of its minutes teach
// nothing (dormant), with late posts.
func TestCheckpointSameState(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 3))
	var ms []downwatch.Mention
	for min := 0; min < 2*24*60; min++ {
		at := t0.Add(time.Duration(min) * time.Minute)
		for k := range 3 + r.IntN(5) {
			ms = append(ms, downwatch.Mention{Service: "busy", Kind: downwatch.KindComplaint, Post: downwatch.Post{
				ID: fmt.Sprint(min, "b", k), Source: "x", Author: fmt.Sprint("a", r.IntN(5000)), Text: "busy is down",
				CreatedAt: at.Add(time.Duration(r.IntN(59_000)) * time.Millisecond), Country: []string{"US", "IN", ""}[r.IntN(3)]}})
		}
		if r.IntN(180) == 0 {
			ms = append(ms, downwatch.Mention{Service: "quiet", Kind: downwatch.KindComplaint, Post: downwatch.Post{
				ID: fmt.Sprint(min, "q"), Source: "x", Author: fmt.Sprint("q", r.IntN(5000)), Text: "quiet is down", CreatedAt: at}})
		}
	}
	slices.SortStableFunc(ms, func(a, b downwatch.Mention) int { return a.Post.CreatedAt.Compare(b.Post.CreatedAt) })
	whole, _ := New(DefaultConfig())
	for i := range ms {
		whole.Handle(&ms[i])
	}
	want, _ := whole.Snapshot()
	for k := 1; k < 24; k++ {
		cut := k * len(ms) / 24
		a, _ := New(DefaultConfig())
		for i := 0; i < cut; i++ {
			a.Handle(&ms[i])
		}
		a.Drain()
		snap, _ := a.Snapshot()
		b, _ := New(DefaultConfig())
		if err := b.Restore(snap); err != nil {
			t.Fatal(err)
		}
		for i := cut; i < len(ms); i++ {
			b.Handle(&ms[i])
		}
		if got, _ := b.Snapshot(); string(got) != string(want) {
			t.Fatalf("restarted at record %d of %d: the state differs from the uninterrupted run's", cut, len(ms))
		}
	}
}

// AppendSnapshot is Snapshot behind the caller's bytes, which it keeps.
func TestAppendSnapshot(t *testing.T) {
	s := richStream()
	d, _ := New(DefaultConfig())
	for i := range s.ms[:len(s.ms)/2] {
		d.Handle(&s.ms[i])
	}
	want, err := d.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	got, err := d.AppendSnapshot([]byte("offset:8"))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "offset:8"+string(want) {
		t.Errorf("AppendSnapshot after 8 bytes: %d bytes starting %q, want those 8 and the %d of Snapshot", len(got), got[:min(12, len(got))], len(want))
	}
}

// The version 4 checkpoint (testdata/checkpoint-v4.bin: richStream up to
// 05:10, written by the release whose signals kept their authors and texts in
// Go maps) restores the authors and texts of a detector that never stopped,
// and goes on to its alerts.
func TestCheckpointVersion4GoesOn(t *testing.T) {
	b, err := os.ReadFile("testdata/checkpoint-v4.bin")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := New(DefaultConfig())
	if err := d.Restore(b); err != nil {
		t.Fatal(err)
	}
	s := richStream()
	cut, end := t0.Add(5*time.Hour+10*time.Minute), t0.Add(8*time.Hour)
	whole, _ := New(DefaultConfig())
	for i := range s.ms {
		if s.ms[i].Post.CreatedAt.After(cut) {
			d.Handle(&s.ms[i])
		}
		whole.Handle(&s.ms[i])
		if i+1 < len(s.ms) && s.ms[i+1].Post.CreatedAt.After(cut) && !s.ms[i].Post.CreatedAt.After(cut) {
			whole.Drain() // the alerts before the cut: the checkpoint's writer had them
			sameStamps(t, d, whole)
		}
	}
	whole.End(end)
	d.End(end)
	got, wantAlerts := d.Drain().Alerts, whole.Drain().Alerts
	if len(wantAlerts) == 0 {
		t.Fatal("richStream has no alerts after 05:10: the test checks nothing")
	}
	if jsonOf(got) != jsonOf(wantAlerts) {
		t.Errorf("alerts after the restore:\n%s\nwant those of a detector that never stopped:\n%s", jsonOf(got), jsonOf(wantAlerts))
	}
}

// sameStamps fails unless every signal of d remembers the authors and texts
// of want's, at the same minutes.
func sameStamps(t *testing.T, d, want *Detector) {
	t.Helper()
	asMap := func(s *stamps) map[uint64]int64 {
		m := map[uint64]int64{}
		s.each(func(k uint64, v int64) { m[k] = v })
		return m
	}
	n := 0
	for key, w := range want.st.Keys {
		s := d.st.Keys[key]
		if s == nil {
			t.Errorf("signal %s not restored", key)
			continue
		}
		n += w.Seen.Len() + w.Texts.Len()
		if !maps.Equal(asMap(&s.Seen), asMap(&w.Seen)) || !maps.Equal(asMap(&s.Texts), asMap(&w.Texts)) {
			t.Errorf("signal %s: %d authors and %d texts restored, want %d and %d at the same minutes", key, s.Seen.Len(), s.Texts.Len(), w.Seen.Len(), w.Texts.Len())
		}
	}
	if n == 0 {
		t.Error("no author or text remembered: nothing compared")
	}
}
