package catalog

import (
	"bufio"
	"encoding/json"
	"hash/fnv"
	"os"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// realPost is one line of testdata/realposts/posts.jsonl: a real post or
// headline quoted in a news article or forum, with the services it says are
// down (none for a non-outage text that shares the vocabulary) and where it
// was found.
type realPost struct {
	Lang     string   `json:"lang"`
	Text     string   `json:"text"`
	Services []string `json:"services"`
	Source   string   `json:"source"`
}

// heldOut reports whether a post belongs to the held-out split: one post in
// three, by the FNV-1a hash of its text. The split was fixed before any
// tuning; nothing in the lexicon or catalog was written from a held-out post.
func heldOut(text string) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return h.Sum32()%3 == 0
}

func loadRealPosts(t *testing.T) []realPost {
	t.Helper()
	f, err := os.Open("testdata/realposts/posts.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []realPost
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		var p realPost
		if err := json.Unmarshal(sc.Bytes(), &p); err != nil {
			t.Fatalf("posts.jsonl:%d: %v", n, err)
		}
		out = append(out, p)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// realScore is what one split measures.
type realScore struct {
	found, outage map[string]int // per language: outage posts with every service found, outage posts
	falseHits     int            // non-outage posts that matched anything
	negatives     int
	extra         int // outage posts that also matched a service they do not say is down
}

// scoreRealPosts scores one split. It names the posts it gets wrong only on
// the dev split: the held-out split is measured, never read while tuning.
func scoreRealPosts(t *testing.T, m *Matcher, posts []realPost, held bool) realScore {
	s := realScore{found: map[string]int{}, outage: map[string]int{}}
	logf := t.Logf
	if held {
		logf = func(string, ...any) {}
	}
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, p := range posts {
		if heldOut(p.Text) != held {
			continue
		}
		post := downwatch.Post{ID: "r", Source: "x", Author: "someone", Text: p.Text, CreatedAt: at}
		var got []string
		for _, h := range m.Match(&post, nil) {
			got = append(got, h.Service)
		}
		if len(p.Services) == 0 {
			s.negatives++
			if len(got) > 0 {
				s.falseHits++
				logf("false match %v: %s", got, p.Text)
			}
			continue
		}
		s.outage[p.Lang]++
		all := true
		for _, want := range p.Services {
			all = all && slices.Contains(got, want)
		}
		if all {
			s.found[p.Lang]++
		} else {
			logf("missed %s (got %v): %s", strings.Join(p.Services, ","), got, p.Text)
		}
		for _, g := range got {
			if !slices.Contains(p.Services, g) {
				s.extra++
				logf("extra %s: %s", g, p.Text)
				break
			}
		}
	}
	return s
}

// TestRealPosts measures the matcher on real posts and headlines in many
// languages (testdata/realposts): recall per language on outage posts, the
// false-match rate on non-outage texts that share the vocabulary. It fails
// below floors set a little under what the held-out split reaches. Measured
// (993 posts, 21 languages; 525 of them added for issue 8 and 163 more in
// nl, pl, pt, ru, uk, zh, de, id and es for the langs branch, each split by
// the hash before the matcher was run on it): dev recall 93.1% (472/507),
// false matches 1/149; held-out recall 81.6% (204/250; Dutch 9/17, Polish
// 10/15, Portuguese 15/20, Russian 6/10, Chinese 7/11, Indonesian 13/18,
// German 17/22, Spanish 8/10), false matches 7/87 (8.0%). On the 830 posts
// of issue 8 alone the held-out split went from 174/205 and 4/76 to 175/205
// and 4/76: the vocabulary written from dev misses barely carried over, and
// the 163 new posts are harder (29 of their 45 held-out outage posts found,
// 3 of their 11 held-out non-outage texts matched). The floors went down with
// the larger held-out set, not the matcher.
// Issue 8's targets (90% in every language, at most 2% false matches) are
// not met on held-out. The held-out posts are
// scored, never printed.
func TestRealPosts(t *testing.T) {
	m := newTestMatcher(t)
	posts := loadRealPosts(t)
	const (
		minRecall      = 0.50 // held-out, every language with at least minLangPosts outage posts
		minLangPosts   = 5
		minTotalRecall = 0.81
		maxFalse       = 0.085
	)
	for _, held := range []bool{false, true} {
		name := "dev"
		if held {
			name = "held-out"
		}
		t.Run(name, func(t *testing.T) {
			s := scoreRealPosts(t, m, posts, held)
			var langs []string
			found, total := 0, 0
			for l := range s.outage {
				langs = append(langs, l)
				found += s.found[l]
				total += s.outage[l]
			}
			sort.Strings(langs)
			for _, l := range langs {
				r := float64(s.found[l]) / float64(s.outage[l])
				t.Logf("%s recall %d/%d = %.0f%%", l, s.found[l], s.outage[l], 100*r)
				if held && s.outage[l] >= minLangPosts && r < minRecall {
					t.Errorf("%s: %s recall %.0f%%, want >= %.0f%%", l, name, 100*r, 100*minRecall)
				}
			}
			recall := float64(found) / float64(total)
			falseRate := float64(s.falseHits) / float64(max(s.negatives, 1))
			t.Logf("%s: recall %d/%d = %.1f%%, false matches %d/%d = %.1f%%, outage posts with an extra service %d",
				name, found, total, 100*recall, s.falseHits, s.negatives, 100*falseRate, s.extra)
			if recall < minTotalRecall {
				t.Errorf("%s: recall %.1f%%, want >= %.0f%%", name, 100*recall, 100*minTotalRecall)
			}
			if falseRate > maxFalse {
				t.Errorf("%s: false matches %.1f%%, want <= %.0f%%", name, 100*falseRate, 100*maxFalse)
			}
		})
	}
}
