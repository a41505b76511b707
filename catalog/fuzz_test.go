package catalog

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
)

func FuzzMatch(f *testing.F) {
	for _, tc := range append(append(matchCases[:len(matchCases):len(matchCases)], attachCases...), langCases...) {
		f.Add(tc.text, tc.post().Author, tc.post().Source)
	}
	f.Add("\xff\xfe invalid utf8 whatsapp down", "a", "x")
	f.Add("#", "@", "statuspage")
	m := newTestMatcher(f)
	f.Fuzz(func(t *testing.T, text, author, source string) {
		p := &downwatch.Post{Text: text, Author: author, Source: source}
		first := m.Match(p, nil)
		second := m.Match(p, nil)
		if !reflect.DeepEqual(first, second) {
			t.Fatalf("Match(%q) not deterministic: %v then %v", text, first, second)
		}
		seen := map[string]bool{}
		for _, h := range first {
			if seen[h.Service] {
				t.Fatalf("Match(%q): service %s hit twice", text, h.Service)
			}
			seen[h.Service] = true
			if h.Kind != downwatch.KindComplaint && h.Kind != downwatch.KindOfficial && h.Kind != downwatch.KindNews {
				t.Fatalf("Match(%q): bad kind %q", text, h.Kind)
			}
			if h.Kind == downwatch.KindComplaint && (h.Ack || h.Resolved) {
				t.Fatalf("Match(%q): complaint with Ack/Resolved", text)
			}
		}
		ex := m.Explain(p)
		if !reflect.DeepEqual(ex.Hits, first) && !(len(ex.Hits) == 0 && len(first) == 0) {
			t.Fatalf("Explain(%q).Hits = %v, Match = %v", text, ex.Hits, first)
		}
		if utf8.ValidString(text) && !utf8.ValidString(ex.Normalized) {
			t.Fatalf("normalised %q is not valid UTF-8", ex.Normalized)
		}
		_ = ex.String()
		// The segment-wise NFKC equals the whole-string one.
		nz := newNormalizer()
		if got, want := string(nz.normalize(text)), string(newNormalizer().normalizeWhole(text)); got != want {
			t.Fatalf("normalize(%q) = %q, whole-string NFKC gives %q", text, got, want)
		}
	})
}

func FuzzLoadCatalog(f *testing.F) {
	f.Add([]byte(defaultCatalogYAML))
	f.Add([]byte("mode: replace\nservices:\n  - id: a\n    names: [A]\n"))
	f.Add([]byte("services:\n  - id: whatsapp\n    names: [WA]\nnews_agencies: [X]\n"))
	f.Add([]byte("services:\n  - id: foo\n    names: [a]\n  - id: foo\n    names: [b]\n"))
	f.Add([]byte("services:\n  - id: Bad Slug\n"))
	f.Add([]byte("mode: [x]\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, id := range c.ServiceIDs() {
			if !validID(id) {
				t.Fatalf("accepted bad id %q", id)
			}
			s, ok := c.Service(id)
			if !ok || len(s.Names) == 0 {
				t.Fatalf("service %q: ok=%v names=%v", id, ok, s)
			}
		}
		if len(data) < 4096 {
			if _, err := NewMatcher(c); err != nil {
				t.Fatalf("NewMatcher on an accepted catalog: %v", err)
			}
		}
	})
}
