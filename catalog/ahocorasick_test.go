package catalog

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestAutomatonAgainstNaive checks the automaton against a naive substring
// search on random patterns and texts over a small alphabet (overlaps,
// nesting and shared suffixes are then common) and on multi-byte text.
func TestAutomatonAgainstNaive(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabets := []string{"ab", "abc", "aé日"}
	for round := range 2000 {
		alpha := []rune(alphabets[round%len(alphabets)])
		word := func(n int) string {
			var b strings.Builder
			for range n {
				b.WriteRune(alpha[r.IntN(len(alpha))])
			}
			return b.String()
		}
		seen := map[string]bool{}
		var pats []string
		for len(pats) < 1+r.IntN(12) {
			if p := word(1 + r.IntN(10)); !seen[p] {
				seen[p] = true
				pats = append(pats, p)
			}
		}
		text := word(r.IntN(80))
		a := newAutomaton(pats)
		got := a.scan([]byte(text), nil)
		var want []rawHit
		for end := 1; end <= len(text); end++ {
			for pi, p := range pats {
				if end >= len(p) && text[end-len(p):end] == p {
					want = append(want, rawHit{pattern: int32(pi), start: int32(end - len(p)), end: int32(end)})
				}
			}
		}
		sortHits := func(h []rawHit) {
			slices.SortFunc(h, func(x, y rawHit) int {
				return slices.Compare([]int32{x.end, x.start, x.pattern}, []int32{y.end, y.start, y.pattern})
			})
		}
		sortHits(got)
		sortHits(want)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q, text %q: got %v, want %v", pats, text, got, want)
		}
	}
}
