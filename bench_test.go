package downwatch

import (
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
