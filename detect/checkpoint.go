package detect

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/downwatch/downwatch"
)

// A checkpoint is the detector's whole state in a compact binary form that
// starts with checkpointMagic and a version byte. Version 2 is written; version
// 1 (gob of the first release's internals) is still read (legacy.go). Fields are
// written in a fixed order by hand, so renaming an internal never changes the
// format, and a change of the format is a new version with its own reader.
//
// Every float is written as its exact bits: a detector restored from a
// checkpoint decides exactly as one that never stopped.
const (
	checkpointMagic   = "DWCK"
	checkpointVersion = 2
)

// ErrCheckpoint is wrapped by every error Restore returns for a checkpoint it
// cannot read.
var ErrCheckpoint = errors.New("detect: unreadable checkpoint")

// Snapshot encodes the detector's state for a checkpoint.
func (d *Detector) Snapshot() ([]byte, error) {
	w := &enc{b: make([]byte, 0, max(4096, d.snapSize+d.snapSize/8))}
	w.b = append(w.b, checkpointMagic...)
	w.b = append(w.b, checkpointVersion)
	st := &d.st
	w.varint(st.Clock)
	w.varint(int64(st.Ahead))
	w.varint(st.Closed)
	w.varint(st.First)
	w.uvarint(uint64(len(st.Keys)))
	for _, s := range d.sortedSignals() {
		w.signal(s)
	}
	ids := slices.Sorted(maps.Keys(st.Svcs))
	w.uvarint(uint64(len(ids)))
	for _, id := range ids {
		w.str(id)
		if err := w.service(st.Svcs[id]); err != nil {
			return nil, err
		}
	}
	d.snapSize = len(w.b)
	return w.b, nil
}

// MarshalBinary implements encoding.BinaryMarshaler: it is Snapshot.
func (d *Detector) MarshalBinary() ([]byte, error) { return d.Snapshot() }

// UnmarshalBinary implements encoding.BinaryUnmarshaler: it is Restore.
func (d *Detector) UnmarshalBinary(b []byte) error { return d.Restore(b) }

// Restore replaces the detector's state with a snapshot.
func (d *Detector) Restore(b []byte) error {
	var st state
	var err error
	switch {
	case len(b) >= 5 && string(b[:4]) == checkpointMagic && b[4] == checkpointVersion:
		st, err = decodeState(b[5:])
	case len(b) >= 5 && string(b[:4]) == checkpointMagic:
		return fmt.Errorf("%w: version %d, this build reads %d and the first release's", ErrCheckpoint, b[4], checkpointVersion)
	default:
		st, err = decodeLegacy(b)
	}
	if err != nil {
		return err
	}
	d.adopt(st)
	return nil
}

// adopt installs a decoded state: parameters, links between signals and
// services, and the counts of countries tested side by side.
func (d *Detector) adopt(st state) {
	if st.Keys == nil {
		st.Keys = map[string]*signal{}
	}
	if st.Svcs == nil {
		st.Svcs = map[string]*service{}
	}
	for key, s := range st.Keys {
		s.T.init(d.paramsFor(s.Service))
		s.key = key
		if s.sv = st.Svcs[s.Service]; s.sv == nil {
			s.sv = &service{}
			st.Svcs[s.Service] = s.sv
		}
		if s.Seen == nil {
			s.Seen = map[uint64]int64{}
		}
		if s.Texts == nil {
			s.Texts = map[uint64]int64{}
		}
	}
	for _, sv := range st.Svcs {
		for _, inc := range []*incident{sv.Inc, sv.Last} {
			if inc != nil {
				inc.fill()
			}
		}
	}
	d.st = st
	d.order = nil
	for id, sv := range st.Svcs {
		d.shareCountries(sv, id)
	}
}

// fill gives a decoded incident the maps its zero value lacks.
func (inc *incident) fill() {
	if inc.Authors == nil && inc.HLL == nil {
		inc.Authors = map[uint64]struct{}{}
	}
	if inc.Symptoms == nil {
		inc.Symptoms = map[string]int{}
	}
	if inc.I.Languages == nil {
		inc.I.Languages = map[string]int{}
	}
	if inc.I.Countries == nil {
		inc.I.Countries = map[string]int{}
	}
}

// enc appends the checkpoint's primitives.
type enc struct {
	b    []byte
	keys []uint64 // scratch for sorting a map's keys
}

func (w *enc) uvarint(v uint64) { w.b = binary.AppendUvarint(w.b, v) }
func (w *enc) varint(v int64)   { w.b = binary.AppendVarint(w.b, v) }
func (w *enc) f64(v float64)    { w.b = binary.LittleEndian.AppendUint64(w.b, math.Float64bits(v)) }
func (w *enc) f32(v float32)    { w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(v)) }
func (w *enc) u64(v uint64)     { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *enc) str(s string)     { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *enc) bytes(s []byte)   { w.uvarint(uint64(len(s))); w.b = append(w.b, s...) }
func (w *enc) boolean(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}

// stamps writes a map of hashes to minutes, in key order so that equal states
// encode equally.
func (w *enc) stamps(m map[uint64]int64) {
	w.uvarint(uint64(len(m)))
	if len(m) == 0 {
		return
	}
	w.keys = w.keys[:0]
	for k := range m {
		w.keys = append(w.keys, k)
	}
	slices.Sort(w.keys)
	for _, k := range w.keys {
		w.u64(k)
		w.varint(m[k])
	}
}

func (w *enc) signal(s *signal) {
	w.str(s.key)
	w.str(s.Service)
	w.str(s.Country)
	w.tracker(&s.T)
	w.stamps(s.Seen)
	w.stamps(s.Texts)
}

func (w *enc) tracker(t *tracker) {
	w.varint(t.Head)
	var mask uint64
	for i, c := range t.Counts {
		if c != 0 {
			mask |= 1 << i
		}
	}
	w.u64(mask)
	for _, c := range t.Counts {
		if c != 0 {
			w.varint(int64(c))
		}
	}
	w.baseline(&t.Base)
	w.boolean(t.Open)
	w.boolean(t.Alarmed)
	for _, v := range []int64{t.Onset, t.OpenedAt, int64(t.Peak), int64(t.QuietRun), t.QuietStart, int64(t.Suspect), int64(t.Zeros), t.ResolvedAt, t.Age} {
		w.varint(v)
	}
	w.f64(t.Excess)
	w.f64(t.ZerosLogP)
	w.boolean(t.WasAlarmed)
	w.decision(&t.Dec)
	w.uvarint(uint64(len(t.Past)))
	for _, e := range t.Past {
		w.varint(e.At)
		w.f32(e.Excess)
	}
	w.uvarint(uint64(len(t.Held)))
	for _, h := range t.Held {
		for i := range h.Obs {
			w.f32(h.Obs[i])
			w.f32(h.Mu[i])
		}
	}
}

func (w *enc) baseline(bs *baseline) {
	w.varint(bs.N)
	for _, v := range []float64{bs.Events, bs.Num, bs.Den, bs.Mean} {
		w.f64(v)
	}
	for i := range bs.Hod {
		w.f32(bs.Hod[i])
		w.varint(int64(bs.HodN[i]))
	}
	for i := range bs.WNum {
		w.f32(bs.WNum[i])
		w.f32(bs.WDen[i])
		w.varint(int64(bs.WN[i]))
	}
	for _, sp := range bs.Disp {
		w.f32(sp.Num)
		w.f32(sp.Den)
		w.varint(sp.N)
	}
}

func (w *enc) decision(d *decision) {
	w.boolean(d.Reopen)
	w.varint(int64(d.Window))
	w.varint(int64(d.Observed))
	for _, v := range []float64{d.Expected, d.P, d.PerMin, d.Phi} {
		w.f64(v)
	}
}

func (w *enc) service(sv *service) error {
	w.uvarint(uint64(len(sv.Countries)))
	for _, c := range sv.Countries {
		w.str(c)
	}
	w.varint(sv.PromoteCheck)
	w.str(sv.LastID)
	w.varint(sv.LastResolved)
	w.boolean(sv.PendingAck != nil)
	if sv.PendingAck != nil {
		w.post(sv.PendingAck)
	}
	w.uvarint(uint64(len(sv.Recent)))
	for i := range sv.Recent {
		w.post(&sv.Recent[i])
	}
	for _, inc := range []*incident{sv.Inc, sv.Last} {
		w.boolean(inc != nil)
		if inc == nil {
			continue
		}
		if err := w.incident(inc); err != nil {
			return err
		}
	}
	return nil
}

func (w *enc) post(p *downwatch.Post) {
	for _, s := range []string{p.ID, p.Source, p.Author, p.Text, p.Lang, p.Country, p.RepostOf, p.ReplyTo, p.URL} {
		w.str(s)
	}
	w.varint(p.CreatedAt.UnixNano())
	w.boolean(p.AuthorVerified)
	w.varint(p.AuthorFollowers)
}

func (w *enc) incident(inc *incident) error {
	j, err := json.Marshal(&inc.I)
	if err != nil {
		return fmt.Errorf("detect: encode checkpoint: incident %s: %w", inc.I.ID, err)
	}
	w.bytes(j)
	w.str(inc.Owner)
	w.uvarint(uint64(len(inc.Authors)))
	for _, a := range slices.Sorted(maps.Keys(inc.Authors)) {
		w.u64(a)
	}
	w.bytes(inc.HLL)
	syms := slices.Sorted(maps.Keys(inc.Symptoms))
	w.uvarint(uint64(len(syms)))
	for _, s := range syms {
		w.str(s)
		w.varint(int64(inc.Symptoms[s]))
	}
	w.f64(inc.PublishedPeak)
	w.varint(inc.LastUpdate)
	return nil
}

// dec reads what enc wrote. The first error sticks: later reads return zero
// values, and decodeState reports it once.
type dec struct {
	b   []byte
	err error
}

func (r *dec) fail(what string) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated or corrupt at %s", ErrCheckpoint, what)
	}
	r.b = nil
}

func (r *dec) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("a count")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *dec) varint() int64 {
	v, n := binary.Varint(r.b)
	if n <= 0 {
		r.fail("a number")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *dec) fixed(n int) []byte {
	if len(r.b) < n {
		r.fail("a fixed field")
		return make([]byte, n)
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *dec) f64() float64 { return math.Float64frombits(binary.LittleEndian.Uint64(r.fixed(8))) }
func (r *dec) f32() float32 { return math.Float32frombits(binary.LittleEndian.Uint32(r.fixed(4))) }
func (r *dec) u64() uint64  { return binary.LittleEndian.Uint64(r.fixed(8)) }
func (r *dec) boolean() bool {
	return r.fixed(1)[0] != 0
}

// n reads a count and checks it against what the rest of the input can hold,
// so a corrupt count cannot make it allocate without bound.
func (r *dec) n(minBytes int) int {
	v := r.uvarint()
	if v > uint64(len(r.b)/max(1, minBytes)) {
		r.fail("a count too large for the checkpoint")
		return 0
	}
	return int(v)
}

func (r *dec) bytes() []byte {
	n := r.n(1)
	return slices.Clone(r.fixed(n))
}

func (r *dec) str() string { return string(r.fixed(r.n(1))) }

func (r *dec) stamps() map[uint64]int64 {
	n := r.n(9)
	m := make(map[uint64]int64, n)
	for range n {
		k := r.u64()
		m[k] = r.varint()
	}
	return m
}

func decodeState(b []byte) (state, error) {
	r := &dec{b: b}
	st := state{Keys: map[string]*signal{}, Svcs: map[string]*service{}}
	st.Clock = r.varint()
	st.Ahead = int(r.varint())
	st.Closed = r.varint()
	st.First = r.varint()
	for range r.n(16) {
		key := r.str()
		s := &signal{Service: r.str(), Country: r.str()}
		r.tracker(&s.T)
		s.Seen, s.Texts = r.stamps(), r.stamps()
		st.Keys[key] = s
	}
	for range r.n(8) {
		id := r.str()
		st.Svcs[id] = r.service()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("its end (trailing bytes)")
	}
	return st, r.err
}

func (r *dec) tracker(t *tracker) {
	t.Head = r.varint()
	mask := r.u64()
	for i := range t.Counts {
		if mask&(1<<i) != 0 {
			t.Counts[i] = int32(r.varint())
		}
	}
	r.baseline(&t.Base)
	t.Open, t.Alarmed = r.boolean(), r.boolean()
	t.Onset, t.OpenedAt, t.Peak = r.varint(), r.varint(), int32(r.varint())
	t.QuietRun, t.QuietStart = int(r.varint()), r.varint()
	t.Suspect, t.Zeros = int(r.varint()), int(r.varint())
	t.ResolvedAt, t.Age = r.varint(), r.varint()
	t.Excess, t.ZerosLogP = r.f64(), r.f64()
	t.WasAlarmed = r.boolean()
	r.decision(&t.Dec)
	if n := r.n(5); n > 0 {
		t.Past = make([]episode, n)
		for i := range t.Past {
			t.Past[i] = episode{At: r.varint(), Excess: r.f32()}
		}
	}
	if n := r.n(24); n > 0 {
		t.Held = make([]held, n)
		for i := range t.Held {
			for k := range t.Held[i].Obs {
				t.Held[i].Obs[k], t.Held[i].Mu[k] = r.f32(), r.f32()
			}
		}
	}
}

func (r *dec) baseline(bs *baseline) {
	bs.N = r.varint()
	bs.Events, bs.Num, bs.Den, bs.Mean = r.f64(), r.f64(), r.f64(), r.f64()
	for i := range bs.Hod {
		bs.Hod[i] = r.f32()
		bs.HodN[i] = int32(r.varint())
	}
	for i := range bs.WNum {
		bs.WNum[i], bs.WDen[i] = r.f32(), r.f32()
		bs.WN[i] = int32(r.varint())
	}
	for i := range bs.Disp {
		bs.Disp[i].Num, bs.Disp[i].Den = r.f32(), r.f32()
		bs.Disp[i].N = r.varint()
	}
}

func (r *dec) decision(d *decision) {
	d.Reopen = r.boolean()
	d.Window, d.Observed = int(r.varint()), int(r.varint())
	d.Expected, d.P, d.PerMin, d.Phi = r.f64(), r.f64(), r.f64(), r.f64()
}

func (r *dec) service() *service {
	sv := &service{}
	if n := r.n(1); n > 0 {
		sv.Countries = make([]string, n)
		for i := range sv.Countries {
			sv.Countries[i] = r.str()
		}
	}
	sv.PromoteCheck = r.varint()
	sv.LastID = r.str()
	sv.LastResolved = r.varint()
	if r.boolean() {
		p := r.post()
		sv.PendingAck = &p
	}
	if n := r.n(12); n > 0 {
		sv.Recent = make([]downwatch.Post, n)
		for i := range sv.Recent {
			sv.Recent[i] = r.post()
		}
	}
	if r.boolean() {
		sv.Inc = r.incident()
	}
	if r.boolean() {
		sv.Last = r.incident()
	}
	return sv
}

func (r *dec) post() downwatch.Post {
	var p downwatch.Post
	for _, s := range []*string{&p.ID, &p.Source, &p.Author, &p.Text, &p.Lang, &p.Country, &p.RepostOf, &p.ReplyTo, &p.URL} {
		*s = r.str()
	}
	p.CreatedAt = time.Unix(0, r.varint()).UTC()
	p.AuthorVerified = r.boolean()
	p.AuthorFollowers = r.varint()
	return p
}

func (r *dec) incident() *incident {
	inc := &incident{}
	if err := json.Unmarshal(r.bytes(), &inc.I); err != nil && r.err == nil {
		r.err = fmt.Errorf("%w: incident: %v", ErrCheckpoint, err)
	}
	inc.Owner = r.str()
	n := r.n(8)
	inc.Authors = make(map[uint64]struct{}, n)
	for range n {
		inc.Authors[r.u64()] = struct{}{}
	}
	if h := r.bytes(); len(h) > 0 {
		inc.HLL, inc.Authors = h, nil
	}
	n = r.n(2)
	inc.Symptoms = make(map[string]int, n)
	for range n {
		s := r.str()
		inc.Symptoms[s] = int(r.varint())
	}
	inc.PublishedPeak = r.f64()
	inc.LastUpdate = r.varint()
	return inc
}
