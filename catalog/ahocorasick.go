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
	gotoT := a.trie(patterns)
	a.links(gotoT)
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

// trie builds the pattern trie and returns its goto table:
// goto[state*nc+class] = child state index, or -1.
func (a *automaton) trie(patterns []string) []int32 {
	nc := int(a.nc)
	gotoT := make([]int32, nc)
	for i := range gotoT {
		gotoT[i] = -1
	}
	a.term = []int32{-1}
	a.lens = make([]int32, len(patterns))
	for pi, p := range patterns {
		a.lens[pi] = int32(len(p))
		s := 0
		for i := 0; i < len(p); i++ {
			c := int(a.class[p[i]])
			next := gotoT[s*nc+c]
			if next < 0 {
				next = int32(len(a.term))
				a.term = append(a.term, -1)
				for range nc {
					gotoT = append(gotoT, -1)
				}
				gotoT[s*nc+c] = next
			}
			s = int(next)
		}
		a.term[s] = int32(pi)
	}
	return gotoT
}

// links fills the failure links, the complete transition table and the
// output columns from the trie.
func (a *automaton) links(gotoT []int32) {
	nc := int(a.nc)
	n := len(a.term)
	fail := make([]int32, n)
	dict := make([]int32, n) // state index of nearest terminal proper suffix, or -1
	a.delta = make([]int32, n*int(a.stride))
	a.dictOut = make([]int32, n)
	row := func(s int32) int32 { return s * a.stride }

	// BFS from the root fills failure links and the complete transition table.
	queue := make([]int32, 0, n)
	dict[0] = -1
	for c := 0; c < nc; c++ {
		child := gotoT[c]
		if child < 0 {
			a.delta[c] = 0
			continue
		}
		a.delta[c] = row(child)
		fail[child] = 0
		dict[child] = -1
		queue = append(queue, child)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for c := 0; c < nc; c++ {
			child := gotoT[int(s)*nc+c]
			if child < 0 {
				// Same transition as the failure state.
				a.delta[int(row(s))+c] = a.delta[int(row(fail[s]))+c]
				continue
			}
			a.delta[int(row(s))+c] = row(child)
			f := a.delta[int(row(fail[s]))+c] / a.stride
			fail[child] = f
			if a.term[f] >= 0 {
				dict[child] = f
			} else {
				dict[child] = dict[f]
			}
			queue = append(queue, child)
		}
	}
	// Output column and the suffix chain as row offsets.
	for s := 0; s < n; s++ {
		out := int32(-1)
		if a.term[s] >= 0 {
			out = row(int32(s))
		} else if dict[s] >= 0 {
			out = row(dict[s])
		}
		a.delta[int(row(int32(s)))+nc] = out
		if dict[s] >= 0 {
			a.dictOut[s] = row(dict[s])
		} else {
			a.dictOut[s] = -1
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
