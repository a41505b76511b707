package downwatch

import (
	"encoding/json"
	"testing"
)

// BenchmarkDecodePost decodes each shape in testdata/shapes.txt with DecodePost
// (new) and with the encoding/json decoder it replaced (ref).
func BenchmarkDecodePost(b *testing.B) {
	decoders := []struct {
		name   string
		decode func([]byte) (Post, error)
	}{{"new", DecodePost}, {"ref", decodePostRef}}
	for _, s := range loadShapes(b) {
		for _, d := range decoders {
			b.Run(s.name+"/"+d.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(s.line)))
				for b.Loop() {
					if _, err := d.decode(s.line); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// benchMentions are the mentions the ingester would write for the shapes.
func benchMentions(b *testing.B) (names []string, ms []Mention) {
	for _, s := range loadShapes(b) {
		p, err := DecodePost(s.line)
		if err != nil {
			b.Fatal(err)
		}
		names = append(names, s.name)
		ms = append(ms, Mention{Service: "whatsapp", Kind: KindComplaint, Symptoms: []string{"send-messages"}, Post: p})
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
// reused Mention (new) and with json.Unmarshal into a zeroed one (ref), as
// detect/run.go did.
func BenchmarkDecodeMention(b *testing.B) {
	names, ms := benchMentions(b)
	for i := range ms {
		rec := AppendMention(nil, &ms[i])
		b.Run(names[i]+"/new", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			var m Mention
			for b.Loop() {
				if err := DecodeMention(rec, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(names[i]+"/ref", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(rec)))
			var m Mention
			for b.Loop() {
				m = Mention{}
				if err := json.Unmarshal(rec, &m); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
