package detect

import (
	"math"
	"math/bits"
)

// stamps maps 64-bit hashes (of authors, of long texts) to minutes: what a
// signal remembers of who and what it counted (signal.Seen, signal.Texts). In
// an outage one signal remembers every new author of the long window, a
// hundred thousand and more, so the entries are kept flat: an open-addressing
// table with linear probing, a key and a 32-bit minute in two parallel slices
// (12 bytes a slot, at most three quarters full), where a Go map spends about
// 30 bytes an entry. The zero value is empty and ready for use.
//
// It is exact for every key and every int64 minute: key 0 marks an empty slot,
// so the key 0 itself is kept beside the table (zero), and so are minutes that
// do not fit in 32 bits (far; minuteOf gives none: ±292 years of unix minutes
// fit). A key is in exactly one of the three places.
type stamps struct {
	keys    []uint64         // 0 = empty slot; the length is a power of two, or 0
	mins    []int32          // the minute of keys[i]
	n       int32            // keys in the table (zero and far not included)
	hasZero bool             // key 0 is held,
	zero    int64            // at this minute
	far     map[uint64]int64 // minutes outside int32, nil until one comes
}

const (
	stampsMin  = 8                  // the smallest table made
	fibonacci  = 0x9E3779B97F4A7C15 // 2^64 / golden ratio, odd
	stampsFull = 3                  // a table is grown before it is more than
	stampsOf   = 4                  // stampsFull/stampsOf full
)

// Len is the number of keys held.
func (s *stamps) Len() int {
	n := int(s.n) + len(s.far)
	if s.hasZero {
		n++
	}
	return n
}

// home is k's first slot: the top bits of its product with a Fibonacci
// multiplier, as many as the table's size has.
func (s *stamps) home(k uint64) int {
	return int((k * fibonacci) >> (bits.LeadingZeros64(uint64(len(s.keys))) + 1))
}

// find is the slot of k in the table, or the empty slot where it would go.
func (s *stamps) find(k uint64) int {
	mask := len(s.keys) - 1
	i := s.home(k)
	for s.keys[i] != k && s.keys[i] != 0 {
		i = (i + 1) & mask
	}
	return i
}

// get is the minute of k.
func (s *stamps) get(k uint64) (int64, bool) {
	if k == 0 {
		return s.zero, s.hasZero
	}
	if s.n > 0 {
		if i := s.find(k); s.keys[i] == k {
			return int64(s.mins[i]), true
		}
	}
	if s.far != nil {
		v, ok := s.far[k]
		return v, ok
	}
	return 0, false
}

// set makes v the minute of k.
func (s *stamps) set(k uint64, v int64) {
	if k == 0 {
		s.zero, s.hasZero = v, true
		return
	}
	if v != int64(int32(v)) {
		s.del(k)
		if s.far == nil {
			s.far = map[uint64]int64{}
		}
		s.far[k] = v
		return
	}
	if s.far != nil {
		delete(s.far, k)
	}
	if (int(s.n)+1)*stampsOf > len(s.keys)*stampsFull {
		s.resize(max(stampsMin, len(s.keys)*2))
	}
	i := s.find(k)
	if s.keys[i] == 0 {
		s.keys[i] = k
		s.n++
	}
	s.mins[i] = int32(v)
}

// del forgets k.
func (s *stamps) del(k uint64) {
	if k == 0 {
		s.zero, s.hasZero = 0, false
		return
	}
	if s.far != nil {
		delete(s.far, k)
	}
	if s.n == 0 {
		return
	}
	if i := s.find(k); s.keys[i] == k {
		s.remove(i)
	}
}

// remove empties slot i, moving back the keys after it that would no longer
// be found past the hole (backward-shift deletion: no tombstones).
func (s *stamps) remove(i int) {
	mask := len(s.keys) - 1
	for j := (i + 1) & mask; s.keys[j] != 0; j = (j + 1) & mask {
		// The key at j may fill the hole at i if its home is not in (i, j],
		// cyclically.
		if h := s.home(s.keys[j]); (j-h)&mask >= (j-i)&mask {
			s.keys[i], s.mins[i] = s.keys[j], s.mins[j]
			i = j
		}
	}
	s.keys[i], s.mins[i] = 0, 0
	s.n--
}

// dropUpTo forgets every key whose minute is at most m. The table is made
// anew, at the size its remaining keys need, once they fill less than a
// quarter of the room it may fill: after a burst of new authors it gives the
// room back.
func (s *stamps) dropUpTo(m int64) {
	if s.hasZero && s.zero <= m {
		s.zero, s.hasZero = 0, false
	}
	for k, v := range s.far {
		if v <= m {
			delete(s.far, k)
		}
	}
	if s.n == 0 {
		return
	}
	if m >= math.MaxInt32 {
		*s = stamps{hasZero: s.hasZero, zero: s.zero, far: s.far}
		return
	}
	if m < math.MinInt32 {
		return // every minute in the table is above it
	}
	left := 0
	for i, k := range s.keys {
		if k != 0 && int64(s.mins[i]) > m {
			left++
		}
	}
	if left == 0 {
		*s = stamps{hasZero: s.hasZero, zero: s.zero, far: s.far}
		return
	}
	if left*stampsOf*4 < len(s.keys)*stampsFull && len(s.keys) > stampsMin {
		s.rebuild(sizeFor(left), m)
		return
	}
	// In place: a removal moves later keys back into the hole, so the slot is
	// looked at again; a key moved from the start of the table into its end
	// (a cluster that wraps around) is looked at twice, which changes nothing.
	for i := 0; i < len(s.keys) && int(s.n) > left; {
		if s.keys[i] != 0 && int64(s.mins[i]) <= m {
			s.remove(i)
			continue
		}
		i++
	}
}

// sizeFor is the table size that holds n keys at most stampsFull/stampsOf full.
func sizeFor(n int) int {
	size := stampsMin
	for n*stampsOf > size*stampsFull {
		size *= 2
	}
	return size
}

// resize makes the table size slots and puts its keys back in.
func (s *stamps) resize(size int) { s.rebuild(size, math.MinInt64) }

// rebuild makes the table size slots and puts back the keys whose minute is
// above m.
func (s *stamps) rebuild(size int, m int64) {
	old, mins := s.keys, s.mins
	s.keys, s.mins, s.n = make([]uint64, size), make([]int32, size), 0
	for i, k := range old {
		if k != 0 && int64(mins[i]) > m {
			j := s.find(k)
			s.keys[j], s.mins[j] = k, mins[i]
			s.n++
		}
	}
}

// reserve makes room for n keys without growing (a checkpoint's restore).
func (s *stamps) reserve(n int) {
	if size := sizeFor(n); n > 0 && size > len(s.keys) {
		s.resize(size)
	}
}

// each calls f with every key and its minute, in no order.
func (s *stamps) each(f func(k uint64, v int64)) {
	if s.hasZero {
		f(0, s.zero)
	}
	for i, k := range s.keys {
		if k != 0 {
			f(k, int64(s.mins[i]))
		}
	}
	for k, v := range s.far {
		f(k, v)
	}
}

// stampsOfMap is m as stamps (a first-release checkpoint's maps).
func stampsOfMap(m map[uint64]int64) stamps {
	var s stamps
	s.reserve(len(m))
	for k, v := range m {
		s.set(k, v)
	}
	return s
}
