package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

// TestFileChunksKeepOrderAndRejects runs a file of a few thousand lines (more
// than one chunk) through the pipeline, which decodes them on its workers: every
// good post arrives once and in file order, duplicates are dropped, and each bad
// line is dead-lettered with its own line number, in file order.
func TestFileChunksKeepOrderAndRejects(t *testing.T) {
	var in bytes.Buffer
	var wantIDs, wantBad []string
	for i := 1; i <= 3000; i++ {
		switch {
		case i%997 == 0:
			fmt.Fprintf(&in, "{\"id\":\"bad%d\",\n", i) // not JSON
			wantBad = append(wantBad, fmt.Sprintf("line %d:", i))
		case i == 1500:
			fmt.Fprintf(&in, "{\"id\":\"big\",\"text\":%q}\n", strings.Repeat("x", downwatch.MaxPostBytes))
			wantBad = append(wantBad, fmt.Sprintf("line %d is over", i))
		case i%500 == 0:
			in.WriteString("   \n") // blank: skipped, not counted
		case i%101 == 0: // the post of line i-1 again
			fmt.Fprintf(&in, `{"id":"p%d","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:00:00Z"}`+"\n", i-1)
		default:
			fmt.Fprintf(&in, `{"id":"p%d","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:00:00Z"}`+"\n", i)
			wantIDs = append(wantIDs, fmt.Sprintf("p%d", i))
		}
	}
	src := NewFile("-")
	src.Stdin = &in
	rec := newRecorder()
	var dead bytes.Buffer
	p := New(Config{Logger: discard(), DeadLetter: &dead}, everything{}, rec)
	if err := p.Run(context.Background(), src); err != nil {
		t.Fatal(err)
	}
	got := rec.snapshot()
	if len(got) != len(wantIDs) {
		t.Fatalf("got %d posts, want %d; dead letters:\n%.600s", len(got), len(wantIDs), dead.String())
	}
	for i, post := range got {
		if post.ID != wantIDs[i] || post.Source != "x" {
			t.Fatalf("post %d: got %s from %q, want %s from \"x\"", i, post.ID, post.Source, wantIDs[i])
		}
	}
	var details []string
	for _, l := range strings.Split(strings.TrimSpace(dead.String()), "\n") {
		var d struct{ Detail string }
		if err := json.Unmarshal([]byte(l), &d); err != nil {
			t.Fatalf("dead letter %q: %v", l, err)
		}
		details = append(details, d.Detail)
	}
	if len(details) != len(wantBad) {
		t.Fatalf("got %d dead letters %q, want %d", len(details), details, len(wantBad))
	}
	for i, d := range details {
		if !strings.HasPrefix(d, wantBad[i]) {
			t.Errorf("dead letter %d: got %q, want it to start %q", i, d, wantBad[i])
		}
	}
	if n, dups := p.Stats.Posts.Load(), p.Stats.Duplicates.Load(); n != 3000-5 || dups != 29 {
		t.Errorf("got %d posts read, %d duplicates; want 2995 (blank lines not counted), 29", n, dups)
	}
}

func TestHashSet(t *testing.T) {
	var s hashSet
	if s.has(0) || s.has(42) {
		t.Fatal("an empty set has nothing")
	}
	keys := []uint64{0, 1, 1 << 63, 1023, 1024, 2048}
	for i := uint64(1); i <= 5000; i++ {
		keys = append(keys, i*0x9e3779b97f4a7c15)
	}
	for i, k := range keys {
		if i > 1 && s.has(k) { // 0 and 1 share a slot: 0 is stored as 1
			t.Fatalf("key %d (%#x) present before it was inserted", i, k)
		}
		if !s.has(k) {
			s.insert(k)
		}
	}
	for i, k := range keys {
		if !s.has(k) {
			t.Fatalf("key %d (%#x) missing after %d inserts", i, k, s.len())
		}
	}
	if s.has(7) || s.has(0x9e3779b97f4a7c15+1) {
		t.Error("got a key that was never inserted")
	}
	s.reset()
	if s.len() != 0 || s.has(keys[10]) {
		t.Errorf("after reset: got %d keys, has %#x: %v; want none", s.len(), keys[10], s.has(keys[10]))
	}
}

func TestDedupTwoGenerations(t *testing.T) {
	d := newDedup(3)
	for i, c := range []struct {
		id   string
		want bool
	}{{"a", true}, {"b", true}, {"a", false}, {"c", true}, {"d", true}, {"a", false}, {"e", true}, {"f", true}, {"g", true}, {"a", true}, {"f", false}} {
		if got := d.add(d.key("s", c.id)); got != c.want {
			t.Errorf("step %d, %s: got new=%v, want %v", i, c.id, got, c.want)
		}
	}
}
