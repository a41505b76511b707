package detect

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// A few keys, each lookup and update checked against values written here.
func TestStampsSetGetDel(t *testing.T) {
	var s stamps
	if _, ok := s.get(42); ok {
		t.Fatal("an empty table holds key 42")
	}
	s.del(42) // nothing to forget: no panic
	cases := []struct {
		name string
		k    uint64
		v    int64
	}{
		{"ordinary", 42, 29_500_000},
		{"key zero", 0, 7},
		{"minute zero", 1 << 40, 0},
		{"negative minute", 99, -5},
		{"minute beyond 32 bits", 100, math.MaxInt32 + 1},
		{"lowest minute", 101, math.MinInt64},
		{"all ones", math.MaxUint64, math.MaxInt32},
	}
	for _, c := range cases {
		s.set(c.k, c.v)
	}
	if got, want := s.Len(), len(cases); got != want {
		t.Fatalf("Len = %d, want %d", got, want)
	}
	for _, c := range cases {
		if got, ok := s.get(c.k); !ok || got != c.v {
			t.Errorf("%s: get(%d) = %d, %v, want %d, true", c.name, c.k, got, ok, c.v)
		}
	}
	// Updates, also across the table and the far map.
	s.set(42, 29_500_003)
	s.set(100, 12)             // far → table
	s.set(99, math.MaxInt32+7) // table → far
	s.set(0, 8)
	for k, want := range map[uint64]int64{42: 29_500_003, 100: 12, 99: math.MaxInt32 + 7, 0: 8} {
		if got, ok := s.get(k); !ok || got != want {
			t.Errorf("after an update get(%d) = %d, %v, want %d", k, got, ok, want)
		}
	}
	if got, want := s.Len(), len(cases); got != want {
		t.Fatalf("after updates Len = %d, want %d", got, want)
	}
	for _, c := range cases {
		s.del(c.k)
		if _, ok := s.get(c.k); ok {
			t.Errorf("%s: key %d still held after del", c.name, c.k)
		}
	}
	if got := s.Len(); got != 0 {
		t.Errorf("after deleting all Len = %d, want 0", got)
	}
}

// Keys that share a home slot make a cluster; deleting from its middle must
// leave every other key findable (backward shift), also where the cluster
// wraps around the end of the table.
func TestStampsDeleteInCluster(t *testing.T) {
	var s stamps
	s.reserve(6) // 8 slots: keys are chosen by their home slot
	var at7, at0 []uint64
	for k := uint64(1); len(at7) < 3 || len(at0) < 2; k++ {
		switch s.home(k) {
		case 7:
			at7 = append(at7, k)
		case 0:
			at0 = append(at0, k)
		}
	}
	keys := []uint64{at7[0], at7[1], at0[0], at7[2], at0[1]} // slots 7, 0, 1, 2, 3
	for i, k := range keys {
		s.set(k, int64(i))
	}
	if len(s.keys) != 8 {
		t.Fatalf("the table grew to %d slots, want 8", len(s.keys))
	}
	for del := range keys {
		c := stamps{}
		c.reserve(6)
		for i, k := range keys {
			c.set(k, int64(i))
		}
		c.del(keys[del])
		for i, k := range keys {
			v, ok := c.get(k)
			if i == del && ok {
				t.Errorf("deleting key %d of the cluster: still held", del)
			}
			if i != del && (!ok || v != int64(i)) {
				t.Errorf("deleting key %d of the cluster: get(key %d) = %d, %v, want %d, true", del, i, v, ok, i)
			}
		}
	}
}

// dropUpTo forgets the keys of minutes up to m, keeps the others, and gives
// back the room once a quarter of it or less is left.
func TestStampsDropUpTo(t *testing.T) {
	var s stamps
	const n = 100_000
	for i := range n {
		s.set(uint64(i)*2654435761+1, int64(i/1000)) // minutes 0..99, 1,000 keys each
	}
	s.set(0, 50)
	s.set(1<<63, math.MaxInt32+1) // far
	grown := len(s.keys)
	if grown != 1<<18 {
		t.Fatalf("100,000 keys in %d slots, want %d (doubling, at most 3/4 full)", grown, 1<<18)
	}
	s.dropUpTo(9) // 10,000 keys go: in place
	if got, want := s.Len(), n-10_000+2; got != want {
		t.Fatalf("after dropping minutes up to 9 Len = %d, want %d", got, want)
	}
	if len(s.keys) != grown {
		t.Errorf("dropping a tenth made the table %d slots, want it kept at %d", len(s.keys), grown)
	}
	s.dropUpTo(89) // 10,000 keys and the far one are left
	if got, want := s.Len(), 10_000+1; got != want {
		t.Fatalf("after dropping minutes up to 89 Len = %d, want %d", got, want)
	}
	if len(s.keys) != 1<<14 {
		t.Errorf("10,000 keys left in %d slots, want %d", len(s.keys), 1<<14)
	}
	for i := range n {
		v, ok := s.get(uint64(i)*2654435761 + 1)
		if want := i/1000 > 89; ok != want || ok && v != int64(i/1000) {
			t.Fatalf("key %d: get = %d, %v, want held %v at minute %d", i, v, ok, want, i/1000)
		}
	}
	if _, ok := s.get(0); ok {
		t.Error("key 0 of minute 50 held after dropping up to 89")
	}
	if v, ok := s.get(1 << 63); !ok || v != math.MaxInt32+1 {
		t.Errorf("the far key: get = %d, %v, want %d, true", v, ok, int64(math.MaxInt32+1))
	}
	s.dropUpTo(math.MaxInt32 + 1)
	if s.Len() != 0 || s.keys != nil {
		t.Errorf("after dropping everything Len = %d and %d slots, want 0 and none", s.Len(), len(s.keys))
	}
}

// Random operations, from small tables and large, against a Go map.
func TestStampsAgainstAMap(t *testing.T) {
	for seed := range uint64(8) {
		r := rand.New(rand.NewPCG(seed, 7))
		var s stamps
		m := map[uint64]int64{}
		keyRange := uint64(16) << (seed % 4 * 4) // 16 to 65,536 keys
		for op := range 200_000 {
			k := r.Uint64N(keyRange)
			if seed%2 == 1 {
				k *= 0x10000 // keys sharing low bits
			}
			switch x := r.IntN(100); {
			case x < 60:
				v := int64(r.IntN(100))
				if x < 2 {
					v = math.MaxInt64 - int64(r.IntN(3)) // far
				}
				s.set(k, v)
				m[k] = v
			case x < 85:
				got, ok := s.get(k)
				want, wok := m[k]
				if ok != wok || got != want {
					t.Fatalf("seed %d op %d: get(%d) = %d, %v, want %d, %v", seed, op, k, got, ok, want, wok)
				}
			case x < 99:
				s.del(k)
				delete(m, k)
			default:
				cut := int64(r.IntN(100))
				s.dropUpTo(cut)
				for k, v := range m {
					if v <= cut {
						delete(m, k)
					}
				}
			}
			if s.Len() != len(m) {
				t.Fatalf("seed %d op %d: Len = %d, want %d", seed, op, s.Len(), len(m))
			}
		}
		n := 0
		s.each(func(k uint64, v int64) {
			n++
			if want, ok := m[k]; !ok || want != v {
				t.Fatalf("seed %d: each gave %d at %d, the map has %d, %v", seed, k, v, want, ok)
			}
		})
		if n != len(m) {
			t.Fatalf("seed %d: each gave %d keys, want %d", seed, n, len(m))
		}
	}
}

// BenchmarkStamps: a lookup and an update of a key, as count does for each
// complaint, in tables of a thousand and of two hundred thousand authors, and
// the same in the Go map that stamps replaced.
func BenchmarkStamps(b *testing.B) {
	for _, size := range []int{1000, 200_000} {
		keys := make([]uint64, size)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range keys {
			keys[i] = r.Uint64()
		}
		b.Run(fmt.Sprint("stamps/", size), func(b *testing.B) {
			var s stamps
			for _, k := range keys {
				s.set(k, 29_500_000)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := keys[i%size]
				if v, ok := s.get(k); ok {
					s.set(k, v+1)
				}
				i++
			}
		})
		b.Run(fmt.Sprint("map/", size), func(b *testing.B) {
			m := map[uint64]int64{}
			for _, k := range keys {
				m[k] = 29_500_000
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				k := keys[i%size]
				if v, ok := m[k]; ok {
					m[k] = v + 1
				}
				i++
			}
		})
	}
}
