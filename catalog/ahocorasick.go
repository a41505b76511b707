package catalog

// automaton is an Aho-Corasick automaton over bytes, compiled to a complete DFA
// over byte classes. Bytes that occur in no pattern share class 0, so the table
// has one column per distinct pattern byte (about 130 for the default catalog
// and lexicon: ASCII letters plus UTF-8 lead and continuation bytes).
//
// Layout: a state is the offset of its row in delta. A row has nc transition
// columns followed by one output column: the id of the nearest state on the
// state's suffix chain (itself included) where a pattern ends, as a row offset,
// or -1. The scan loop thus touches one row per input byte.
type automaton struct {
	class   [256]uint8
	nc      int32   // number of classes
	stride  int32   // nc + 1
	delta   []int32 // rows of stride entries
	term    []int32 // per state index: pattern ending there, or -1
	dictOut []int32 // per state index: next output state (row offset) on the suffix chain, or -1
	lens    []int32 // per pattern: length in bytes
}

// newAutomaton compiles patterns (distinct, non-empty byte strings).
func newAutomaton(patterns []string) *automaton {
	a := byteClasses(patterns)
	t := a.trie(patterns)
	a.links(t)
	return a
}

// byteClasses gives each byte value used by a pattern a class of its own and
// every other byte the shared class 0.
func byteClasses(patterns []string) *automaton {
	a := &automaton{}
	used := [256]bool{}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			used[p[i]] = true
		}
	}
	a.nc = 1
	for b := 0; b < 256; b++ {
		if used[b] {
			a.class[b] = uint8(a.nc)
			a.nc++
		}
	}
	if a.nc > 255 {
		// Every byte value is used: give up the shared class 0. Cannot
		// happen with valid UTF-8 patterns (0xC0, 0xC1, 0xF5-0xFF never occur).
		panic("catalog: too many byte classes")
	}
	a.stride = a.nc + 1
	return a
}

// sparseTrie is the pattern trie with its edges in sibling lists, so that
// building it costs memory for its edges only; links turns it into the
// dense table.
type sparseTrie struct {
	first []int32 // per state: its first edge, or -1
	edges []trieEdge
}

type trieEdge struct {
	class uint8
	child int32
	next  int32 // next edge of the same state, or -1
}

func (t *sparseTrie) child(s int32, c uint8) int32 {
	for e := t.first[s]; e >= 0; e = t.edges[e].next {
		if t.edges[e].class == c {
			return t.edges[e].child
		}
	}
	return -1
}

// trie builds the pattern trie and the terminal pattern of every state.
func (a *automaton) trie(patterns []string) *sparseTrie {
	total := 1
	for _, p := range patterns {
		total += len(p)
	}
	t := &sparseTrie{first: make([]int32, 1, total), edges: make([]trieEdge, 0, total)}
	t.first[0] = -1
	a.term = make([]int32, 1, total)
	a.term[0] = -1
	a.lens = make([]int32, len(patterns))
	for pi, p := range patterns {
		a.lens[pi] = int32(len(p))
		s := int32(0)
		for i := 0; i < len(p); i++ {
			c := a.class[p[i]]
			next := t.child(s, c)
			if next < 0 {
				next = int32(len(t.first))
				t.first = append(t.first, -1)
				a.term = append(a.term, -1)
				t.edges = append(t.edges, trieEdge{class: c, child: next, next: t.first[s]})
				t.first[s] = int32(len(t.edges) - 1)
			}
			s = next
		}
		a.term[s] = int32(pi)
	}
	return t
}

// links fills the failure links, the complete transition table and the
// output columns from the trie, breadth first: a state's row starts as a
// copy of its failure state's row (complete, being shallower), then its own
// edges override it.
func (a *automaton) links(t *sparseTrie) {
	nc, stride := a.nc, a.stride
	n := int32(len(t.first))
	fail := make([]int32, n)
	dict := make([]int32, n) // state index of nearest terminal proper suffix, or -1
	a.delta = make([]int32, int(n)*int(stride))
	a.dictOut = make([]int32, n)
	queue := make([]int32, 1, n)
	dict[0] = -1
	for head := 0; head < len(queue); head++ {
		s := queue[head]
		row := a.delta[s*stride : s*stride+nc]
		if s != 0 {
			f := fail[s] * stride
			copy(row, a.delta[f:f+nc])
		}
		for e := t.first[s]; e >= 0; e = t.edges[e].next {
			c, child := int32(t.edges[e].class), t.edges[e].child
			f := int32(0)
			if s != 0 {
				f = a.delta[fail[s]*stride+c] / stride
			}
			fail[child] = f
			if a.term[f] >= 0 {
				dict[child] = f
			} else {
				dict[child] = dict[f]
			}
			row[c] = child * stride
			queue = append(queue, child)
		}
	}
	// Output column and the suffix chain as row offsets.
	for s := int32(0); s < n; s++ {
		out := int32(-1)
		if a.term[s] >= 0 {
			out = s * stride
		} else if dict[s] >= 0 {
			out = dict[s] * stride
		}
		a.delta[s*stride+nc] = out
		a.dictOut[s] = -1
		if dict[s] >= 0 {
			a.dictOut[s] = dict[s] * stride
		}
	}
}

// rawHit is one occurrence of a pattern: text[start:end].
type rawHit struct {
	pattern    int32
	start, end int32
}

// scan runs the automaton over text and appends every occurrence of every
// pattern to dst, in order of end position.
func (a *automaton) scan(text []byte, dst []rawHit) []rawHit {
	delta, class, nc, stride := a.delta, &a.class, a.nc, a.stride
	var s int32
	for i := 0; i < len(text); i++ {
		s = delta[s+int32(class[text[i]])]
		if o := delta[s+nc]; o >= 0 {
			for o >= 0 {
				idx := o / stride
				p := a.term[idx]
				dst = append(dst, rawHit{pattern: p, start: int32(i+1) - a.lens[p], end: int32(i + 1)})
				o = a.dictOut[idx]
			}
		}
	}
	return dst
}
