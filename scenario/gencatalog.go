package scenario

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
)

// WriteScaleCatalog writes a --catalog file of n generated services extending
// the built-in catalog, the shape of a large user catalog (simulate --catalog-services): each
// has two names, an alias, a hashtag and an official handle; names are random
// syllables, a tenth of them in Cyrillic and a tenth in katakana, so they share
// prefixes no more than real names do. The same n always writes the same bytes.
func WriteScaleCatalog(w io.Writer, n int) error {
	r := rand.New(rand.NewPCG(10, 10000))
	scripts := [][]string{
		{"ka", "lo", "mi", "zu", "ter", "van", "qui", "bro", "sel", "dax", "nor", "pim", "ru", "hex", "ly", "on"},
		{"ка", "ло", "ми", "зу", "тер", "ван", "бро", "сел", "нор", "пим"},
		{"カ", "ロ", "ミ", "ズ", "テ", "ヴァ", "ブロ", "セ", "ノ", "ピ"},
	}
	name := func(i int) string {
		syl := scripts[0]
		switch i % 10 {
		case 3:
			syl = scripts[1]
		case 7:
			syl = scripts[2]
		}
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		fmt.Fprintf(&b, "%d", i)
		return b.String()
	}
	bw := bufio.NewWriter(w)
	bw.WriteString("mode: extend\nservices:\n")
	for i := range n {
		a, c := name(i), name(i)
		handle := fmt.Sprintf("gen%05dstatus", i)
		fmt.Fprintf(bw, "  - id: gen-%05d\n    names: [%s, %s cloud]\n    aliases: [%s app]\n    hashtags: [\"#%sDown\"]\n    official: [%s]\n", i, a, c, a, c, handle)
	}
	return bw.Flush()
}
