package detect

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/downwatch/downwatch"
)

// A checkpoint is the detector's whole state in a compact binary form that
// starts with checkpointMagic and a version byte. Version 5 is written;
// versions 4, 3, 2 and 1 (gob of the first release's internals, legacy.go) are
// still read. Fields are written in a fixed order by hand, so renaming an internal
// never changes the format, and a change of the format is a new version with its
// own reader.
//
// Every float is written as its exact bits: a detector restored from a
// checkpoint decides exactly as one that never stopped.
//
// Version 3 is version 2 made compact, for 10,000 services (issue 10: a
// partition's checkpoint under 1 MiB, encoded in under 5 ms; version 2 took
// 1.76 MB for one partition's quarter of them): a signal's key is not written
// (it is its service and country) and a name is written as the length it
// shares with the one before it and the rest; minutes are written as their
// distance from the last closed minute; a group of float64s starts with two bits
// per value saying zero, a whole number (then a varint) or other (then its 8
// bytes); an array of float32s starts with a mask of its values that are not
// zero, and only those follow, the hour-of-day levels with their top byte
// (sign and most of the exponent) written once for all that share it; an array
// of integers is its runs (buckets learnt per hour are mostly alike); the ring
// of counts is the positions that are not zero and their values; the flags of
// a tracker are one byte. Most of a baseline is such arrays, and most of their
// values are zero (weekdays not seen yet), alike or of one magnitude. After
// the header the whole body is compressed with S2 (a Snappy extension,
// github.com/klauspost/compress/s2): about a millisecond a megabyte, and a
// tenth smaller again.
//
// Version 4 is version 3's body cut into frames, each compressed on its own
// (S2 blocks), so that they are encoded and compressed side by side, one
// goroutine each (issue 10: version 3 took 7 ms for 10,000 services, one
// core): after the header, the count of frames (1 to maxFrames), then each
// frame as its length and its S2 block. Joined, the frames decompressed are
// exactly a version 3 body: the first holds the header fields and the first
// run of signals, the middle ones a run of signals each, the last the
// services.
//
// Version 5 is version 4 whose body also has each past episode's length (in
// buckets, after its size), for the rarity test's duration (tracker.rare). A
// version 4 checkpoint restores with lengths of zero: until those episodes are
// forgotten, a long episode is measured against the ones ended since.
const (
	checkpointMagic   = "DWCK"
	checkpointVersion = 5
	// bodyLengths is the body version of checkpoint version 5 (decodeState):
	// version 3's body with the episodes' lengths.
	bodyLengths = 4
)

// ErrCheckpoint is wrapped by every error Restore returns for a checkpoint it
// cannot read.
var ErrCheckpoint = errors.New("detect: unreadable checkpoint")

// Snapshot encodes the detector's state for a checkpoint.
func (d *Detector) Snapshot() ([]byte, error) { return d.AppendSnapshot(nil) }

// AppendSnapshot appends the checkpoint Snapshot returns to dst, so that a
// caller storing it behind a header of its own copies it once.
func (d *Detector) AppendSnapshot(dst []byte) ([]byte, error) {
	return d.snapshot(dst, runtime.GOMAXPROCS(0), minChunk)
}

// minChunk is the fewest signals worth a frame and a goroutine of their own.
const minChunk = 1024

// maxFrames bounds the frames a version 4 checkpoint may have.
const maxFrames = 64

// A frame is one independently compressed part of a version 4 checkpoint's
// body: its encoder and, once compress ran, its bytes compressed.
type frame struct {
	enc
	z []byte
}

func (f *frame) compress() { f.z = s2.Encode(f.z[:cap(f.z)], f.b) }

// snapshot writes version 4: the signals, sorted, are cut into at most parts
// runs of at least least signals each (at most maxFrames-1), and each run is
// encoded and compressed on a goroutine of its own, into a frame; the services
// are the last frame. An encoder's only state carried from one signal to the
// next is the name written last, which a run takes from the signal before it,
// so the frames joined are the body one encoder would write (version 3's).
func (d *Detector) snapshot(dst []byte, parts, least int) ([]byte, error) {
	st := &d.st
	sigs := d.sortedSignals()
	parts = max(1, min(parts, len(sigs)/max(1, least), maxFrames-1))
	for len(d.frames) < parts+1 {
		d.frames = append(d.frames, &frame{})
	}
	frames := d.frames[:parts+1]
	for _, f := range frames {
		f.b, f.ref, f.prev = f.b[:0], st.Closed, ""
	}
	var wg sync.WaitGroup
	for i, f := range frames[1:parts] {
		lo, hi := (i+1)*len(sigs)/parts, (i+2)*len(sigs)/parts
		f.prev = sigs[lo-1].Service
		wg.Go(func() {
			f.signals(sigs[lo:hi])
			f.compress()
		})
	}
	head := frames[0]
	head.varint(st.Clock)
	head.varint(int64(st.Ahead))
	head.varint(st.Closed)
	head.varint(st.First)
	head.uvarint(uint64(len(sigs)))
	head.signals(sigs[:len(sigs)/parts])
	head.compress()
	tail := frames[parts]
	err := tail.services(d.sortedServices(), st.Svcs)
	tail.compress()
	wg.Wait()
	if err != nil {
		return nil, err
	}
	n := len(checkpointMagic) + 1 + binary.MaxVarintLen64*(len(frames)+1)
	for _, f := range frames {
		n += len(f.z)
	}
	out := append(slices.Grow(dst, n), checkpointMagic...)
	out = binary.AppendUvarint(append(out, checkpointVersion), uint64(len(frames)))
	for _, f := range frames {
		out = append(binary.AppendUvarint(out, uint64(len(f.z))), f.z...)
	}
	return out, nil
}

// signals writes a run of signals.
func (w *enc) signals(sigs []*signal) {
	for _, s := range sigs {
		w.signal(s)
	}
}

// services writes the count of services and each, by id.
func (w *enc) services(ids []string, svcs map[string]*service) error {
	w.uvarint(uint64(len(ids)))
	for _, id := range ids {
		w.name(id, &w.prev)
		if err := w.service(svcs[id]); err != nil {
			return err
		}
	}
	return nil
}

// maxCheckpoint bounds the body a checkpoint may claim, so that a corrupt
// length cannot make Restore allocate without bound.
const maxCheckpoint = 1 << 30

// inflate returns the body of a version 3 checkpoint (after its header).
func inflate(b []byte) ([]byte, error) {
	n, err := s2.DecodedLen(b)
	if err != nil || n > maxCheckpoint {
		return nil, fmt.Errorf("%w: its compressed body: length %d, %v", ErrCheckpoint, n, err)
	}
	body, err := s2.Decode(nil, b)
	if err != nil {
		return nil, fmt.Errorf("%w: its compressed body: %v", ErrCheckpoint, err)
	}
	return body, nil
}

// inflateFrames returns the body of a version 4 checkpoint (after its header):
// its frames decompressed, joined.
func inflateFrames(b []byte) ([]byte, error) {
	k, n := binary.Uvarint(b)
	if n <= 0 || k == 0 || k > maxFrames {
		return nil, fmt.Errorf("%w: its count of frames (%d)", ErrCheckpoint, k)
	}
	b = b[n:]
	var body []byte
	for i := range k {
		size, n := binary.Uvarint(b)
		if n <= 0 || size > uint64(len(b)-n) {
			return nil, fmt.Errorf("%w: the length of frame %d of %d", ErrCheckpoint, i+1, k)
		}
		z := b[n : n+int(size)]
		b = b[n+int(size):]
		m, err := s2.DecodedLen(z)
		if err != nil || m > maxCheckpoint-len(body) {
			return nil, fmt.Errorf("%w: frame %d of %d: length %d, %v", ErrCheckpoint, i+1, k, m, err)
		}
		body = slices.Grow(body, m)
		if _, err := s2.Decode(body[len(body):len(body)+m], z); err != nil {
			return nil, fmt.Errorf("%w: frame %d of %d: %v", ErrCheckpoint, i+1, k, err)
		}
		body = body[:len(body)+m]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("%w: %d bytes after its last frame", ErrCheckpoint, len(b))
	}
	return body, nil
}

// MarshalBinary implements encoding.BinaryMarshaler: it is Snapshot.
func (d *Detector) MarshalBinary() ([]byte, error) { return d.Snapshot() }

// UnmarshalBinary implements encoding.BinaryUnmarshaler: it is Restore.
func (d *Detector) UnmarshalBinary(b []byte) error { return d.Restore(b) }

// framedBody is the body version of framed checkpoint version v: version 4 is
// version 3's body in frames, version 5 bodyLengths.
func framedBody(v byte) int {
	if v == 4 {
		return 3
	}
	return bodyLengths
}

// Restore replaces the detector's state with a snapshot.
func (d *Detector) Restore(b []byte) error {
	var st state
	var err error
	switch {
	case len(b) >= 5 && string(b[:4]) == checkpointMagic && b[4] == 2:
		st, err = decodeState(b[5:], 2)
	case len(b) >= 5 && string(b[:4]) == checkpointMagic && b[4] == 3:
		var body []byte
		if body, err = inflate(b[5:]); err == nil {
			st, err = decodeState(body, 3)
		}
	case len(b) >= 5 && string(b[:4]) == checkpointMagic && (b[4] == 4 || b[4] == checkpointVersion):
		var body []byte
		if body, err = inflateFrames(b[5:]); err == nil {
			st, err = decodeState(body, framedBody(b[4]))
		}
	case len(b) >= 5 && string(b[:4]) == checkpointMagic:
		return fmt.Errorf("%w: version %d, this build reads 2 to %d and the first release's", ErrCheckpoint, b[4], checkpointVersion)
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
	}
	for _, sv := range st.Svcs {
		for _, inc := range []*incident{sv.Inc, sv.Last} {
			if inc != nil {
				inc.fill()
			}
		}
	}
	d.st = st
	d.order, d.svcOrder = nil, nil
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

// enc appends the checkpoint's primitives (version 3).
type enc struct {
	b    []byte
	keys []uint64 // scratch for sorting a map's keys
	ref  int64    // the last closed minute: minutes are written from it
	prev string   // the name written last (name)
}

// minute writes a minute index: 0 (none) as 0, any other as its distance from
// the last closed minute, zigzagged, plus one.
func (w *enc) minute(v int64) {
	if v == 0 {
		w.uvarint(0)
		return
	}
	d := v - w.ref
	w.uvarint(uint64(d<<1^d>>63) + 1)
}

// f64s writes a group of at most 32 float64s: two bits each (0: zero, 1: a
// whole number, written as a varint, 2: its 8 bytes), then the values.
func (w *enc) f64s(vs []float64) {
	var tags uint64
	for i, v := range vs {
		tags |= uint64(f64Tag(v)) << (2 * i)
	}
	b := binary.AppendUvarint(w.b, tags)
	for i, v := range vs {
		switch tags >> (2 * i) & 3 {
		case 1:
			b = binary.AppendVarint(b, int64(v))
		case 2:
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
	}
	w.b = b
}

// f64Tag is how f64s writes v: 0 for +0 (not -0), 1 for a whole number whose
// varint gives back its exact bits, 2 for the rest.
func f64Tag(v float64) uint8 {
	switch {
	case math.Float64bits(v) == 0:
		return 0
	case v != 0 && v == math.Trunc(v) && math.Abs(v) < 1<<53: // v != 0: not -0
		return 1
	}
	return 2
}

// name writes s as the length of the prefix it shares with *prev and the rest,
// and makes it *prev.
func (w *enc) name(s string, prev *string) {
	n := 0
	for n < len(s) && n < len(*prev) && s[n] == (*prev)[n] {
		n++
	}
	w.uvarint(uint64(n))
	w.str(s[n:])
	*prev = s
}

// ring writes the counts of a tracker's ring: how many are not zero, their
// positions (a mask when there are 8 or more), then their values.
func (w *enc) ring(counts *[ringSize]int32) {
	var mask uint64
	for i, c := range counts {
		if c != 0 {
			mask |= 1 << i
		}
	}
	k := bits.OnesCount64(mask)
	w.uvarint(uint64(k))
	if k >= 8 {
		w.u64(mask)
	} else {
		for m := mask; m != 0; m &= m - 1 {
			w.b = append(w.b, byte(bits.TrailingZeros64(m)))
		}
	}
	for m := mask; m != 0; m &= m - 1 {
		w.varint(int64(counts[bits.TrailingZeros64(m)]))
	}
}

// ints writes at most 64 integers as runs: the first value, a mask of those
// that differ from the one before them, and their varints.
func (w *enc) ints(vs []int64) {
	var mask uint64
	for i := 1; i < len(vs); i++ {
		if vs[i] != vs[i-1] {
			mask |= 1 << i
		}
	}
	b := binary.AppendUvarint(binary.AppendVarint(w.b, vs[0]), mask)
	for m := mask; m != 0; m &= m - 1 {
		b = binary.AppendVarint(b, vs[bits.TrailingZeros64(m)])
	}
	w.b = b
}

// f32sTop is f32s for values mostly of one magnitude: after the mask, the top
// byte of the first value not zero, a mask of the values whose top byte is
// another, then each value's three low bytes, and the top byte of those.
func (w *enc) f32sTop(vs []float32) {
	var mask, other uint64
	var top uint32
	for i, v := range vs {
		u := math.Float32bits(v)
		if u == 0 {
			continue
		}
		if mask == 0 {
			top = u >> 24
		}
		mask |= 1 << i
		if u>>24 != top {
			other |= 1 << i
		}
	}
	b := binary.AppendUvarint(w.b, mask)
	if mask != 0 {
		b = binary.AppendUvarint(append(b, byte(top)), other)
		for m := mask; m != 0; m &= m - 1 {
			i := bits.TrailingZeros64(m)
			u := math.Float32bits(vs[i])
			b = append(b, byte(u), byte(u>>8), byte(u>>16))
			if other>>i&1 != 0 {
				b = append(b, byte(u>>24))
			}
		}
	}
	w.b = b
}

// f32s writes at most 64 float32s: a mask of those whose bits are not zero,
// then their 4 bytes each.
func (w *enc) f32s(vs []float32) {
	var mask uint64
	for i, v := range vs {
		if math.Float32bits(v) != 0 {
			mask |= 1 << i
		}
	}
	b := binary.AppendUvarint(w.b, mask)
	for m := mask; m != 0; m &= m - 1 {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(vs[bits.TrailingZeros64(m)]))
	}
	w.b = b
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

// stamps writes hashes and their minutes, in key order so that equal states
// encode equally.
func (w *enc) stamps(m *stamps) {
	w.uvarint(uint64(m.Len()))
	if m.Len() == 0 {
		return
	}
	w.keys = w.keys[:0]
	m.each(func(k uint64, _ int64) { w.keys = append(w.keys, k) })
	slices.Sort(w.keys)
	for _, k := range w.keys {
		v, _ := m.get(k)
		w.u64(k)
		w.minute(v)
	}
}

func (w *enc) signal(s *signal) {
	w.name(s.Service, &w.prev)
	w.str(s.Country)
	w.tracker(&s.T)
	w.stamps(&s.Seen)
	w.stamps(&s.Texts)
}

// The flags of a tracker, in one byte.
const (
	flagOpen = 1 << iota
	flagAlarmed
	flagWasAlarmed
	flagReopen
)

func (w *enc) tracker(t *tracker) {
	w.minute(t.Head)
	w.ring(&t.Counts)
	w.baseline(&t.Base, t)
	var flags byte
	for i, f := range [...]bool{t.Open, t.Alarmed, t.WasAlarmed, t.Dec.Reopen} {
		if f {
			flags |= 1 << i
		}
	}
	w.b = append(w.b, flags)
	w.minute(t.Onset)
	w.minute(t.OpenedAt)
	for _, v := range [...]int64{int64(t.Peak), int64(t.QuietRun)} {
		w.varint(v)
	}
	w.minute(t.QuietStart)
	for _, v := range [...]int64{int64(t.Suspect), int64(t.Zeros)} {
		w.varint(v)
	}
	w.minute(t.ResolvedAt)
	w.varint(t.Age)
	w.varint(int64(t.Dec.Window))
	w.varint(int64(t.Dec.Observed))
	w.uvarint(uint64(len(t.Past)))
	for _, e := range t.Past {
		w.varint(e.At)
		w.f32(e.Excess)
		w.varint(int64(e.Len))
	}
	w.uvarint(uint64(len(t.Held)))
	for _, h := range t.Held {
		for i := range h.Obs {
			w.f32(h.Obs[i])
			w.f32(h.Mu[i])
		}
	}
}

// baseline writes bs with the float64s of the tracker t that holds it (Excess,
// ZerosLogP) and of its decision, in one group.
func (w *enc) baseline(bs *baseline, t *tracker) {
	w.varint(bs.N)
	d := &t.Dec
	w.f64s([]float64{bs.Events, bs.Num, bs.Den, bs.Mean, t.Excess, t.ZerosLogP, d.Expected, d.P, d.PerMin, d.Phi})
	w.f32sTop(bs.Hod[:])
	var ns [len(bs.HodN)]int64
	for i, n := range bs.HodN {
		ns[i] = int64(n)
	}
	w.ints(ns[:])
	w.f32s(bs.WNum[:])
	w.f32s(bs.WDen[:])
	for i, n := range bs.WN {
		ns[i] = int64(n)
	}
	w.ints(ns[:len(bs.WN)])
	var disp [2 * len(bs.Disp)]float32
	for i, sp := range bs.Disp {
		disp[2*i], disp[2*i+1] = sp.Num, sp.Den
		ns[i] = sp.N
	}
	w.f32s(disp[:])
	w.ints(ns[:len(bs.Disp)])
}

func (w *enc) service(sv *service) error {
	w.uvarint(uint64(len(sv.Countries)))
	for _, c := range sv.Countries {
		w.str(c)
	}
	w.minute(sv.PromoteCheck)
	w.str(sv.LastID)
	w.minute(sv.LastResolved)
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

// dec reads what enc wrote (v 3), or version 2. The first error sticks: later
// reads return zero values, and decodeState reports it once.
type dec struct {
	b   []byte
	err error
	v   int   // format version
	ref int64 // the last closed minute (version 3's minutes)
}

// minute reads what enc.minute wrote (version 3) or a varint (version 2).
func (r *dec) minute() int64 {
	if r.v < 3 {
		return r.varint()
	}
	u := r.uvarint()
	if u == 0 {
		return 0
	}
	u--
	return int64(u>>1) ^ -int64(u&1) + r.ref
}

// name reads what enc.name wrote, after *prev, and makes it *prev.
func (r *dec) name(prev *string) string {
	n := r.uvarint()
	if n > uint64(len(*prev)) {
		r.fail("a name")
		return ""
	}
	s := (*prev)[:n] + r.str()
	*prev = s
	return s
}

// ring reads what enc.ring wrote.
func (r *dec) ring(counts *[ringSize]int32) {
	k := r.uvarint()
	var mask uint64
	switch {
	case k > ringSize:
		r.fail("a ring of counts")
		return
	case k >= 8:
		mask = r.u64()
	default:
		for _, i := range r.fixed(int(k)) {
			if i >= ringSize {
				r.fail("a ring position")
				return
			}
			mask |= 1 << i
		}
	}
	for i := range counts {
		counts[i] = 0
		if mask&(1<<i) != 0 {
			counts[i] = int32(r.varint())
		}
	}
}

// ints reads what enc.ints wrote into dst.
func (r *dec) ints(dst []int64) {
	dst[0] = r.varint()
	mask := r.uvarint()
	if mask>>len(dst) != 0 || mask&1 != 0 {
		r.fail("a mask of numbers")
		return
	}
	for i := 1; i < len(dst); i++ {
		dst[i] = dst[i-1]
		if mask&(1<<i) != 0 {
			dst[i] = r.varint()
		}
	}
}

// f32sTop reads what enc.f32sTop wrote into dst.
func (r *dec) f32sTop(dst []float32) {
	mask := r.uvarint()
	if mask>>len(dst) != 0 {
		r.fail("a mask of floats")
		return
	}
	clear(dst)
	if mask == 0 {
		return
	}
	top := uint32(r.fixed(1)[0])
	other := r.uvarint()
	for i := range dst {
		if mask&(1<<i) == 0 {
			continue
		}
		b := r.fixed(3)
		t := top
		if other&(1<<i) != 0 {
			t = uint32(r.fixed(1)[0])
		}
		dst[i] = math.Float32frombits(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | t<<24)
	}
}

// f64s reads what enc.f64s wrote into dst.
func (r *dec) f64s(dst ...*float64) {
	tags := r.uvarint()
	for i, p := range dst {
		switch tags >> (2 * i) & 3 {
		case 0:
			*p = 0
		case 1:
			*p = float64(r.varint())
		case 2:
			*p = r.f64()
		default:
			r.fail("a float's tag")
		}
	}
}

// f32s reads what enc.f32s wrote into dst.
func (r *dec) f32s(dst []float32) {
	mask := r.uvarint()
	if mask>>len(dst) != 0 {
		r.fail("a mask of floats")
		return
	}
	for i := range dst {
		dst[i] = 0
		if mask&(1<<i) != 0 {
			dst[i] = r.f32()
		}
	}
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

func (r *dec) stamps() stamps {
	n := r.n(9)
	var m stamps
	m.reserve(n)
	for range n {
		k := r.u64()
		m.set(k, r.minute())
	}
	return m
}

// decodeState reads a checkpoint body of version v (2, 3 or bodyLengths) after its header.
func decodeState(b []byte, v int) (state, error) {
	r := &dec{b: b, v: v}
	st := state{Keys: map[string]*signal{}, Svcs: map[string]*service{}}
	st.Clock = r.varint()
	st.Ahead = int(r.varint())
	st.Closed = r.varint()
	st.First = r.varint()
	r.ref = st.Closed
	var prev string
	for range r.n(16) {
		var key string
		s := &signal{}
		if v < 3 {
			key = r.str()
			s.Service = r.str()
		} else {
			s.Service = r.name(&prev)
		}
		s.Country = r.str()
		if v >= 3 {
			key = s.Service
			if s.Country != "" {
				key += "/" + s.Country
			}
		}
		r.tracker(&s.T)
		s.Seen, s.Texts = r.stamps(), r.stamps()
		st.Keys[key] = s
	}
	prev = ""
	for range r.n(8) {
		var id string
		if v < 3 {
			id = r.str()
		} else {
			id = r.name(&prev)
		}
		st.Svcs[id] = r.service()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail("its end (trailing bytes)")
	}
	return st, r.err
}

func (r *dec) tracker(t *tracker) {
	if r.v >= 3 {
		r.trackerV3(t)
		return
	}
	t.Head = r.varint()
	mask := r.u64()
	for i := range t.Counts {
		if mask&(1<<i) != 0 {
			t.Counts[i] = int32(r.varint())
		}
	}
	r.baseline(&t.Base, t)
	t.Open, t.Alarmed = r.boolean(), r.boolean()
	t.Onset, t.OpenedAt, t.Peak = r.varint(), r.varint(), int32(r.varint())
	t.QuietRun, t.QuietStart = int(r.varint()), r.varint()
	t.Suspect, t.Zeros = int(r.varint()), int(r.varint())
	t.ResolvedAt, t.Age = r.varint(), r.varint()
	t.Excess, t.ZerosLogP = r.f64(), r.f64()
	t.WasAlarmed = r.boolean()
	r.decision(&t.Dec)
	r.episodes(t)
}

// trackerV3 reads what enc.tracker writes.
func (r *dec) trackerV3(t *tracker) {
	t.Head = r.minute()
	r.ring(&t.Counts)
	r.baseline(&t.Base, t)
	flags := r.fixed(1)[0]
	t.Open, t.Alarmed = flags&flagOpen != 0, flags&flagAlarmed != 0
	t.WasAlarmed, t.Dec.Reopen = flags&flagWasAlarmed != 0, flags&flagReopen != 0
	t.Onset, t.OpenedAt, t.Peak = r.minute(), r.minute(), int32(r.varint())
	t.QuietRun, t.QuietStart = int(r.varint()), r.minute()
	t.Suspect, t.Zeros = int(r.varint()), int(r.varint())
	t.ResolvedAt, t.Age = r.minute(), r.varint()
	t.Dec.Window, t.Dec.Observed = int(r.varint()), int(r.varint())
	r.episodes(t)
}

// episodes reads a tracker's past episodes and held errors.
func (r *dec) episodes(t *tracker) {
	if n := r.n(5); n > 0 {
		t.Past = make([]episode, n)
		for i := range t.Past {
			t.Past[i] = episode{At: r.varint(), Excess: r.f32()}
			if r.v >= bodyLengths {
				t.Past[i].Len = int32(r.varint())
			}
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

// baseline reads bs and, from version 3, the float64s of t and its decision
// written with it.
func (r *dec) baseline(bs *baseline, t *tracker) {
	bs.N = r.varint()
	if r.v >= 3 {
		d := &t.Dec
		r.f64s(&bs.Events, &bs.Num, &bs.Den, &bs.Mean, &t.Excess, &t.ZerosLogP, &d.Expected, &d.P, &d.PerMin, &d.Phi)
		r.f32sTop(bs.Hod[:])
		var ns [len(bs.HodN)]int64
		r.ints(ns[:])
		for i := range bs.HodN {
			bs.HodN[i] = int32(ns[i])
		}
		r.f32s(bs.WNum[:])
		r.f32s(bs.WDen[:])
		r.ints(ns[:len(bs.WN)])
		for i := range bs.WN {
			bs.WN[i] = int32(ns[i])
		}
		var disp [2 * len(bs.Disp)]float32
		r.f32s(disp[:])
		r.ints(ns[:len(bs.Disp)])
		for i := range bs.Disp {
			bs.Disp[i] = spread{Num: disp[2*i], Den: disp[2*i+1], N: ns[i]}
		}
		return
	}
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
	sv.PromoteCheck = r.minute()
	sv.LastID = r.str()
	sv.LastResolved = r.minute()
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
