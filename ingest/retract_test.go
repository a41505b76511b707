package ingest

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/catalog"
)

// downMatcher matches "<service> ... down" for whatsapp and instagram only, so
// that an edit can stop complaining.
type downMatcher struct{}

func (downMatcher) Match(p *downwatch.Post, dst []catalog.Hit) []catalog.Hit {
	t := strings.ToLower(p.Text)
	for _, svc := range []string{"whatsapp", "instagram"} {
		if strings.Contains(t, svc) && strings.Contains(t, "down") {
			dst = append(dst, catalog.Hit{Service: svc, Kind: downwatch.KindComplaint})
		}
	}
	return dst
}

type retracted struct{ service, id string }

func retractsOf(ms []downwatch.Mention) []retracted {
	var out []retracted
	for _, m := range ms {
		out = append(out, retracted{m.Service, m.Post.ID})
	}
	return out
}

// A Bluesky delete and an update that no longer complains each become a
// retract record for the service the post matched; a delete of a post never
// seen writes nothing.
func TestJetstreamDeletesAndEditsRetract(t *testing.T) {
	srv := newJetServerFrom(t, "jetstream/deletes.jsonl", 0)
	js, err := NewJetstream(JetstreamConfig{URL: srv.wsURL(), Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipeMatch(t, js, downMatcher{})
	did1, did2 := "did:plc:eygmaihciaxprqvxpfvl6flk", "did:plc:z72i7hdynmk6r22z27h6tvur"
	got := pp.rec.waitFor(t, 3, 10*time.Second)
	if want := []string{did1 + "/3jmwdtdl4xs2a", did2 + "/3jmwdtxyz1k2c", did1 + "/3jmwdu0000000"}; !slices.Equal(ids(got), want) {
		t.Errorf("posts %v, want %v (the edit that says it works again matches nothing)", ids(got), want)
	}
	rs := pp.rec.retracted()
	want := []retracted{{"whatsapp", did2 + "/3jmwdtxyz1k2c"}, {"whatsapp", did1 + "/3jmwdtdl4xs2a"}}
	if !slices.Equal(retractsOf(rs), want) {
		t.Fatalf("retracts %v, want %v", retractsOf(rs), want)
	}
	if at := rs[1].Post.CreatedAt; !at.Equal(time.UnixMicro(1666681808000000)) || rs[1].Post.Source != "bluesky" {
		t.Errorf("delete retract %+v, want source bluesky at the delete's time_us", rs[1].Post)
	}
	if n := pp.p.Stats.Retracted.Load(); n != 3 {
		t.Errorf("%d retractions read, want 3 (update, delete, delete of an unseen post)", n)
	}
}

// Mastodon over SSE: delete (payload: the id) and status.update retract; an
// edit that still complains is counted again as a new mention.
func TestMastodonDeletesAndEditsRetract(t *testing.T) {
	srv := newMastoServerFrom(t, "mastodon/edits.sse", "")
	m, err := NewMastodon(MastodonConfig{BaseURL: srv.URL, Logger: discard()})
	if err != nil {
		t.Fatal(err)
	}
	pp := runPipeMatch(t, m, downMatcher{})
	got := pp.rec.waitFor(t, 5, 10*time.Second)
	if want := []string{"109250000000000011", "109250000000000012", "109250000000000013", "109250000000000013", "109250000000000014"}; !slices.Equal(ids(got), want) {
		t.Errorf("posts %v, want %v", ids(got), want)
	}
	if got[3].Text != "WhatsApp down, calls and messages fail" {
		t.Errorf("edited post text %q, want the new text", got[3].Text)
	}
	rs := pp.rec.retracted()
	want := []retracted{{"whatsapp", "109250000000000012"}, {"whatsapp", "109250000000000013"}, {"whatsapp", "109250000000000011"}}
	if !slices.Equal(retractsOf(rs), want) {
		t.Fatalf("retracts %v, want %v", retractsOf(rs), want)
	}
	for _, r := range rs {
		if r.Post.Source != "mastodon" || r.Post.CreatedAt.IsZero() || r.Post.Text != "" {
			t.Errorf("retract %+v: want source mastodon, a time, no text", r.Post)
		}
	}
	if at := rs[0].Post.CreatedAt; !at.Equal(time.Date(2022, 10, 25, 7, 12, 0, 0, time.UTC)) {
		t.Errorf("edit retract at %v, want the status's edited_at 07:12:00", at)
	}
}

// The memory of matched posts is bounded: of 3n posts, the oldest n are
// forgotten (not retracted), the newest 2n still retract once each.
func TestMatchedMemoryIsBounded(t *testing.T) {
	const n = 100
	m := newMatchedMemory(n)
	hits := []catalog.Hit{{Service: "whatsapp"}, {Service: "instagram"}}
	for i := range 3 * n {
		m.add("bluesky", fmt.Sprint(i), hits)
	}
	for i := range n {
		if got := m.take("bluesky", fmt.Sprint(i)); got != nil {
			t.Fatalf("post %d of %d still remembered (%v): memory not bounded", i, 3*n, got)
		}
	}
	for i := n; i < 3*n; i++ {
		if got := m.take("bluesky", fmt.Sprint(i)); !slices.Equal(got, []string{"whatsapp", "instagram"}) {
			t.Fatalf("post %d: got %v, want both services", i, got)
		}
		if got := m.take("bluesky", fmt.Sprint(i)); got != nil {
			t.Fatalf("post %d retracted twice: %v", i, got)
		}
	}
	m.add("bluesky", "same", hits)
	if got := m.take("mastodon", "same"); got != nil {
		t.Errorf("another source's post of the same id: got %v, want none", got)
	}
}

// A post of more services than a packed value holds, and services past the
// 65,535th name, are remembered too; an edit's second add replaces the first.
func TestMatchedMemoryManyServices(t *testing.T) {
	m := newMatchedMemory(1000)
	var six []catalog.Hit
	var want []string
	for i := range 6 {
		six = append(six, catalog.Hit{Service: fmt.Sprint("svc", i)})
		want = append(want, fmt.Sprint("svc", i))
	}
	m.add("x", "six", six)
	m.add("x", "two", six[:2])
	if got := m.take("x", "six"); !slices.Equal(got, want) {
		t.Errorf("six services: got %v, want %v", got, want)
	}
	if got := m.take("x", "two"); !slices.Equal(got, want[:2]) {
		t.Errorf("two services: got %v, want %v", got, want[:2])
	}
	m.add("x", "edited", six[:1])
	m.add("x", "edited", six[3:5])
	if got := m.take("x", "edited"); !slices.Equal(got, want[3:5]) {
		t.Errorf("an edited post: got %v, want its second services %v", got, want[3:5])
	}
	big := newMatchedMemory(100000)
	for i := range 1<<16 + 10 {
		big.add("x", fmt.Sprint(i), []catalog.Hit{{Service: fmt.Sprint("s", i)}})
	}
	for _, i := range []int{0, 1<<16 - 2, 1<<16 - 1, 1 << 16, 1<<16 + 9} {
		if got := big.take("x", fmt.Sprint(i)); !slices.Equal(got, []string{fmt.Sprint("s", i)}) {
			t.Errorf("post %d of service %d: got %v", i, i, got)
		}
	}
}

// The per-post path allocates nothing to remember a matched post.
func TestMatchedMemoryAddAllocatesNothing(t *testing.T) {
	m := newMatchedMemory(1000)
	hits := []catalog.Hit{{Service: "whatsapp"}, {Service: "instagram"}}
	m.add("x", "warm", hits)
	if n := testing.AllocsPerRun(1000, func() { m.add("x", "id", hits) }); n != 0 {
		t.Errorf("add allocates %v times a post, want 0", n)
	}
}
