package bus

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// testMentions are mentions whose encoding may trip a hand-written encoder.
func testMentions(tb testing.TB) []downwatch.Mention {
	tb.Helper()
	at := time.Date(2022, 10, 25, 7, 5, 0, 0, time.UTC)
	ms := []downwatch.Mention{
		{Service: "whatsapp", Kind: downwatch.KindComplaint, Symptoms: []string{"send-messages", "login"}, Post: downwatch.Post{ID: "1", Source: "x", Author: "a", Text: "WhatsApp down?", CreatedAt: at}},
		{Service: "whatsapp", Kind: downwatch.KindNews, Ack: true, Post: downwatch.Post{ID: "example-1", Source: "x", Author: "ANI", Text: `"We're aware" <b>&amp;</b>`, CreatedAt: at.Add(time.Hour), Lang: "en", Country: "IN", AuthorVerified: true, AuthorFollowers: 7600000, URL: "https://x.com/ANI/status/1?a=1&b=2"}},
		{Service: "x", Kind: downwatch.KindOfficial, Resolved: true, Symptoms: []string{}, Post: downwatch.Post{ID: "2", Source: "rss", Author: "XSupport", Text: "a\u2028b\u2029c\x00\x01\x1f\x7f\b\f\n\r\t\\/é😡", CreatedAt: at.Add(123456789), RepostOf: "r", ReplyTo: "q", AuthorFollowers: -3}},
		{Service: "bad\xffutf8\xed\xa0\x80", Kind: "k\xc3", Symptoms: []string{"", "\xff"}, Post: downwatch.Post{Text: "\xe2\x80", CreatedAt: at.Add(100 * time.Millisecond)}},
		{Post: downwatch.Post{CreatedAt: time.Time{}}},
		{Service: "s", Kind: downwatch.KindComplaint, Post: downwatch.Post{CreatedAt: at.In(time.FixedZone("IST", 5*3600+1800))}},
		{Service: "s", Kind: downwatch.KindComplaint, Post: downwatch.Post{CreatedAt: at.In(time.FixedZone("", -7*3600)).Add(1)}},
	}
	for _, s := range loadShapes(tb) {
		p, err := downwatch.DecodePost(s.line)
		if err != nil {
			tb.Fatal(err)
		}
		ms = append(ms, downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindComplaint, Symptoms: []string{"send-messages"}, Post: p})
	}
	return ms
}

func TestAppendMentionMatchesMarshal(t *testing.T) {
	for i, m := range testMentions(t) {
		want, err := json.Marshal(&m)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendMention(nil, &m); !bytes.Equal(got, want) {
			t.Errorf("mention %d:\ngot  %s\nwant %s", i, got, want)
		}
		prefix := []byte("prefix")
		if got := AppendMention(prefix, &m); !bytes.Equal(got, append([]byte("prefix"), want...)) {
			t.Errorf("mention %d after a prefix: got %s, want prefix%s", i, got, want)
		}
	}
}

// TestAppendMentionUnmarshallableTime: where json.Marshal fails, AppendMention
// writes the time as time.RFC3339Nano formats it. DecodeMention reads that as
// json.Unmarshal does: a year outside 0..9999 makes the record bad, so the
// detector counts it and goes on.
func TestAppendMentionUnmarshallableTime(t *testing.T) {
	for _, tt := range []struct {
		at      time.Time
		decodes bool
	}{
		{time.Date(-1, 12, 31, 23, 59, 0, 0, time.UTC), false},
		{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), false},
		{time.Date(2022, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600)), true},
	} {
		m := downwatch.Mention{Service: "s", Kind: downwatch.KindComplaint, Post: downwatch.Post{CreatedAt: tt.at}}
		if _, err := json.Marshal(&m); err == nil {
			t.Fatalf("%v: json.Marshal succeeded, want an error", tt.at)
		}
		rec := AppendMention(nil, &m)
		checkMentionSameAsUnmarshal(t, rec)
		var got downwatch.Mention
		if err := DecodeMention(rec, &got); (err == nil) != tt.decodes {
			t.Errorf("DecodeMention(%s): got error %v, want decoded %v", rec, err, tt.decodes)
		}
	}
}

func TestAppendMentionNoAllocation(t *testing.T) {
	ms := testMentions(t)
	buf := make([]byte, 0, 4096)
	got := testing.AllocsPerRun(100, func() {
		for i := range ms {
			buf = AppendMention(buf[:0], &ms[i])
		}
	})
	if got != 0 {
		t.Errorf("got %v allocations, want 0", got)
	}
}

// mentionEdgeCases are records on which DecodeMention may part from
// json.Unmarshal.
var mentionEdgeCases = []string{
	`{"service":"whatsapp","kind":"complaint","symptoms":["send-messages"],"post":{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}}`,
	`{"service":"s","post":{"created_at":"2022-10-25T07:05:00.123456789+05:30"}}`,
	`{"service":"s","post":{"created_at":"2022-10-25T07:05:00\u005a"}}`,
	`{"service":"s","post":{"created_at":null}}`,
	`{"service":"s","post":{"created_at":1}}`,
	`{"service":"s","post":{"created_at":{}}}`,
	`{"service":"s","post":{"created_at":"2022-10-25 07:05:00Z"}}`,
	`{"service":"s","post":{"author_followers":12}}`,
	`{"service":"s","post":{"author_followers":-0}}`,
	`{"service":"s","post":{"author_followers":12.5}}`,
	`{"service":"s","post":{"author_followers":1e3}}`,
	`{"service":"s","post":{"author_followers":9223372036854775807}}`,
	`{"service":"s","post":{"author_followers":9223372036854775808}}`,
	`{"service":"s","post":{"author_followers":-9223372036854775808}}`,
	`{"service":"s","post":{"author_followers":"1"}}`,
	`{"service":"s","post":{"author_verified":true,"author_verified":null}}`,
	`{"service":"s","post":{"id":"1"},"post":{"text":"t"},"post":null}`,
	`{"service":"s","post":"x"}`,
	`{"service":"s","post":[]}`,
	`{"service":1}`,
	`{"service":null,"kind":null,"ack":null,"resolved":null}`,
	`{"service":"s","ack":"true"}`,
	`{"service":"s","resolved":true,"ack":false}`,
	`{"service":"s","symptoms":null}`,
	`{"service":"s","symptoms":[]}`,
	`{"service":"s","symptoms":["a",null,"c"]}`,
	`{"service":"s","symptoms":["a","b","c"],"symptoms":["x"],"symptoms":["y",null,null,null,null]}`,
	`{"service":"s","symptoms":["a","b"],"symptoms":null,"symptoms":["y",null]}`,
	`{"service":"s","symptoms":["a","b"],"symptoms":[],"symptoms":["y",null]}`,
	`{"service":"s","symptoms":[1]}`,
	`{"service":"s","symptoms":"a"}`,
	`{"service":"s","symptoms":["a",]}`,
	`{"SERVICE":"s","Kind":"news","\u0073ymptoms":["a"],"POST":{"ID":"1","TEXT":"t"}}`,
	"{\"\u212aind\":\"k\",\"\u017fervice\":\"s\",\"ac\u212a\":true}",
	`{"service":"a\u0026b\ud800\ud83d\ude21\\\/\n","kind":"\u2028"}`,
	"{\"service\":\"bad\xff\",\"kind\":\"\xc3\",\"symptoms\":[\"\xed\xa0\x80\"],\"post\":{\"text\":\"\xe2\x80\"}}",
	"{\"serv\xffice\":\"s\"}",
	`{"service":"s","extra":{"deep":[1,{"a":[true,false,null]}]}}`,
	`{"service":"s","extra":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"service":"s","extra":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"service":"s","post":{"x":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}}`,
	`{"service":"s","post":{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}}`,
	` {"service":"s"} `,
	"\t{\"service\":\"s\"}\r\n",
	"\u00a0{\"service\":\"s\"}",
	`{"service":"s"}x`,
	`{"service":"s"`,
	`{"service":"s",}`,
	`{}`,
	`null`,
	` null `,
	`nul`,
	`[]`,
	`[{"service":"s"}]`,
	`"s"`,
	`1`,
	`true`,
	``,
	` `,
	"{\"service\":\"a\x00b\"}",
}

// checkMentionSameAsUnmarshal decodes in with DecodeMention, into a downwatch.Mention
// left dirty by an earlier record, and with json.Unmarshal into a zero one: both
// must fail, or both give the same downwatch.Mention.
func checkMentionSameAsUnmarshal(t *testing.T, in []byte) {
	t.Helper()
	var want downwatch.Mention
	werr := json.Unmarshal(in, &want)
	got := downwatch.Mention{Service: "old", Kind: "old", Symptoms: make([]string, 3, 5), Ack: true, Post: downwatch.Post{ID: "old", AuthorFollowers: 9, CreatedAt: time.Now()}}
	got.Symptoms[1] = "stale"
	gerr := DecodeMention(in, &got)
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("DecodeMention(%q):\ngot error  %v\nwant error %v", clip(in, 300), gerr, werr)
	}
	if gerr != nil {
		if !errors.Is(gerr, ErrNotMention) {
			t.Fatalf("DecodeMention(%q): got error %v, want one wrapping ErrNotMention", clip(in, 300), gerr)
		}
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeMention(%q):\ngot  %#v\nwant %#v", clip(in, 300), got, want)
	}
}

func TestDecodeMentionMatchesUnmarshal(t *testing.T) {
	for i, in := range mentionEdgeCases {
		t.Run("edge", func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("mentionEdgeCases[%d]", i)
				}
			}()
			checkMentionSameAsUnmarshal(t, []byte(in))
		})
	}
	for i, m := range testMentions(t) {
		rec := AppendMention(nil, &m)
		checkMentionSameAsUnmarshal(t, rec)
		for n := range len(rec) {
			checkMentionSameAsUnmarshal(t, rec[:n])
		}
		t.Logf("mention %d: every prefix of %d bytes checked", i, len(rec))
	}
}

// TestMentionRoundTrip: what the ingester writes, the detector reads back as it
// was written.
func TestMentionRoundTrip(t *testing.T) {
	var got downwatch.Mention
	for _, m := range testMentions(t)[:3] {
		if err := DecodeMention(AppendMention(nil, &m), &got); err != nil {
			t.Fatal(err)
		}
		if len(m.Symptoms) == 0 {
			m.Symptoms = nil // omitempty
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("got %#v, want %#v", got, m)
		}
	}
}

// TestDecodeMentionOneAllocation: one allocation, the string a downwatch.Mention's
// strings share, once m.Symptoms has room.
func TestDecodeMentionOneAllocation(t *testing.T) {
	var m downwatch.Mention
	for _, in := range testMentions(t)[7:] {
		rec := AppendMention(nil, &in)
		if err := DecodeMention(rec, &m); err != nil {
			t.Fatal(err)
		}
		if got := testing.AllocsPerRun(100, func() { _ = DecodeMention(rec, &m) }); got != 1 {
			t.Errorf("%s: got %v allocations, want 1", rec, got)
		}
	}
}

func FuzzDecodeMention(f *testing.F) {
	for _, in := range mentionEdgeCases {
		if len(in) < 4096 {
			f.Add([]byte(in))
		}
	}
	for _, m := range testMentions(f) {
		f.Add(AppendMention(nil, &m))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkMentionSameAsUnmarshal(t, b) })
}

// FuzzAppendMention encodes mentions made of arbitrary strings, numbers and
// times: the bytes must be json.Marshal's, and decode back to the mention.
func FuzzAppendMention(f *testing.F) {
	f.Add("whatsapp", "complaint", "send-messages", "a <b> & \"c\"", "IN", int64(7600000), int64(1666681500123456789), true)
	f.Add("\xff", "\u2028", "", "\x00\x1f\x7f\\", "", int64(-1), int64(0), false)
	f.Fuzz(func(t *testing.T, service, kind, symptom, text, country string, followers, unixNano int64, flag bool) {
		m := downwatch.Mention{Service: service, Kind: downwatch.Kind(kind), Ack: flag, Resolved: !flag,
			Post: downwatch.Post{ID: service, Source: kind, Author: symptom, Text: text, Country: country, URL: text,
				AuthorFollowers: followers, AuthorVerified: flag, CreatedAt: time.Unix(0, unixNano).UTC()}}
		if symptom != "" {
			m.Symptoms = []string{symptom, text}
		}
		want, err := json.Marshal(&m)
		if err != nil {
			t.Skip(err)
		}
		got := AppendMention(nil, &m)
		if !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
		checkMentionSameAsUnmarshal(t, got)
	})
}

// benchMentions are the mentions the ingester would write for the shapes.
func benchMentions(b *testing.B) (names []string, ms []downwatch.Mention) {
	for _, s := range loadShapes(b) {
		p, err := downwatch.DecodePost(s.line)
		if err != nil {
			b.Fatal(err)
		}
		names = append(names, s.name)
		ms = append(ms, downwatch.Mention{Service: "whatsapp", Kind: downwatch.KindComplaint, Symptoms: []string{"send-messages"}, Post: p})
	}
	return names, ms
}

// BenchmarkAppendMention encodes each shape's mention with AppendMention into a
// reused buffer (new) and with json.Marshal (ref), as ingest/output.go did.
func BenchmarkAppendMention(b *testing.B) {
	names, ms := benchMentions(b)
	for i := range ms {
		m := &ms[i]
		size := int64(len(AppendMention(nil, m)))
		b.Run(names[i]+"/new", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			var buf []byte
			for b.Loop() {
				buf = AppendMention(buf[:0], m)
			}
		})
		b.Run(names[i]+"/ref", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(size)
			for b.Loop() {
				if _, err := json.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeMention decodes each shape's mention with DecodeMention into a
// reused downwatch.Mention (new) and with json.Unmarshal into a zeroed one (ref), as
// detect/runner did.
func BenchmarkDecodeMention(b *testing.B) {
	names, ms := benchMentions(b)
	for i := range ms {
		rec := AppendMention(nil, &ms[i])
		b.Run(names[i]+"/new", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			var m downwatch.Mention
			for b.Loop() {
				if err := DecodeMention(rec, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(names[i]+"/ref", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			var m downwatch.Mention
			for b.Loop() {
				m = downwatch.Mention{}
				if err := json.Unmarshal(rec, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// shape is one of the posts in ../testdata/shapes.txt (the root package's).
type shape struct {
	name string
	line []byte
}

func loadShapes(tb testing.TB) []shape {
	tb.Helper()
	data, err := os.ReadFile("../testdata/shapes.txt")
	if err != nil {
		tb.Fatal(err)
	}
	var out []shape
	for line := range bytes.Lines(data) {
		line = bytes.TrimRight(line, "\n")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		name, post, _ := bytes.Cut(line, []byte(" "))
		out = append(out, shape{string(name), post})
	}
	return out
}

// clip returns the first n bytes of b, for messages.
func clip(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return string(b[:n]) + "..."
}
