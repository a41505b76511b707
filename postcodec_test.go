package downwatch

import (
	"bufio"
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// shape is one of the posts in testdata/shapes.txt.
type shape struct {
	name string
	line []byte
}

func loadShapes(tb testing.TB) []shape {
	tb.Helper()
	data, err := os.ReadFile("testdata/shapes.txt")
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

func loadLines(tb testing.TB, path string) [][]byte {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		out = append(out, bytes.Clone(sc.Bytes()))
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return out
}

// postEdgeCases are records on which a decoder written by hand may part from
// encoding/json. Each is decoded by both, which must agree.
var postEdgeCases = []string{
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":12.5}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":1e3}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":1E+2}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":1e400}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":1e-400}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":1e300}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":-5}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":-0}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":999999999999999}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":9999999999999999}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":9223372036854775808}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":"5"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_followers":null}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_verified":1}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_verified":false,"author_verified":true}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_verified":null}`,
	`{"ID":"1","SOURCE":"x","Author":"a","TeXt":"t","created_AT":"2022-10-25T07:05:00Z"}`,
	`{"\u0069d":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"\u0049\u0044":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"ſource":"s","id":"1","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","\u212aind":"k","laɴg":"x"}`,
	`{"id":"1","id":null,"source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","id":"2","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","Id":"3"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","text":null}`,
	`{"id":"1","source":"x","author":"a","text":null,"created_at":"2022-10-25T07:05:00Z","text":"u"}`,
	`{"id":1,"id":"2","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","lang":2}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","lang":[1],"url":{}}`,
	`{"id":"1","source":"x","author":"a","text":5,"created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","lang":1,"x":tru}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","lang":tru}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","lang":01}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","lang":é}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z",}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"} x`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}{}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":[1,]}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":[1 2]}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":{"a" 1}}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":{1:2}}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":-}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":1.}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":1.5e}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":1e+}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":+1}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":"\x"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":"\u12G4"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":nul}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":fals`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":'a'}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":"\'"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z",`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x"`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","x":"\u00`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"0000-01-01T00:00:00+00:01"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00.123456789123Z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25t07:05:00z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T24:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":" 2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00\u005a"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"` + strings.Repeat("9", 100) + `"}`,
	`{"id":"\u00a0","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"\t","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"\ud800 \udc00 \ud800\u0041 \ud83d\ude21 \ud83d \\u0041 \/","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"\u0080\u009f\u00a0\u007f` + "\u0085\x7f" + `","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"a\u2028b\u2029c\b\f\r\t","created_at":"2022-10-25T07:05:00Z"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","country":"in"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","country":"iñ"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","country":"ıɐ"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","country":"\u0069n"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","country":"ÑO"}`,
	`{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","country":"` + "\x7f" + `in"}`,
	`{}`,
	`{ }`,
	`{"id":"1","source":"x","author":"a","text":"","created_at":"2022-10-25T07:05:00Z"}`,
	"\u00a0{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"}\u3000",
	"\v{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"}\f",
	"{\"id\":\"1\x00\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"}",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"a\tb\",\"created_at\":\"2022-10-25T07:05:00Z\"}",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"a\nb\x00\",\"created_at\":\"2022-10-25T07:05:00Z\"}",
	"{\"id\":1\x002,\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"}",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\",\"author_verified\":tr\x01ue}\x02",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\",\"x\":\"\\\x00u0041\"}",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"\x00,\"lang\":1}",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"\t}",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"\xff\",\"created_at\":\"2022-10-25T07:05:00Z\"",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\"}\xff",
	"{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"t\",\"created_at\":\"2022-10-25T07:05:00Z\",\"x\":[\"\xed\xa0\x80\"]}",
	"\xff{}",
	"\xff",
	"[]",
	"",
	"   ",
	"null",
	`{"x":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"x":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"x":` + strings.Repeat(`{"a":`, 9999) + "1" + strings.Repeat("}", 9999) + `}`,
	`{"x":` + strings.Repeat(`{"a":`, 10000) + "1" + strings.Repeat("}", 10000) + `}`,
	`{"id":"1","source":"x","author":"a","created_at":"2022-10-25T07:05:00Z","text":"` + strings.Repeat("a", MaxPostBytes-80) + `"}`,
}

// checkSameAsRef decodes in with DecodePost and with the encoding/json decoder it
// replaced, and fails unless both reject it for the same reason, in the same
// words, or both accept it as the same Post.
func checkSameAsRef(t *testing.T, in []byte) {
	t.Helper()
	got, gerr := DecodePost(in)
	want, werr := decodePostRef(in)
	if errText(gerr) != errText(werr) {
		t.Fatalf("DecodePost(%q):\ngot error  %v\nwant error %v", truncate(string(in), 300), gerr, werr)
	}
	if got != want {
		t.Fatalf("DecodePost(%q):\ngot  %+v\nwant %+v", truncate(string(in), 300), got, want)
	}
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

func TestDecodePostMatchesReference(t *testing.T) {
	for i, in := range postEdgeCases {
		t.Run("edge", func(t *testing.T) {
			defer func() {
				if t.Failed() {
					t.Logf("postEdgeCases[%d]", i)
				}
			}()
			checkSameAsRef(t, []byte(in))
		})
	}
	for _, s := range loadShapes(t) {
		t.Run(s.name, func(t *testing.T) { checkSameAsRef(t, s.line) })
	}
	t.Run("simulated", func(t *testing.T) {
		for _, line := range loadLines(t, "testdata/simulated.jsonl") {
			checkSameAsRef(t, line)
		}
	})
}

// TestDecodePostTruncated checks every prefix of every shape: each cut is a
// syntax error somewhere else in the grammar.
func TestDecodePostTruncated(t *testing.T) {
	for _, s := range loadShapes(t) {
		t.Run(s.name, func(t *testing.T) {
			for n := range len(s.line) {
				checkSameAsRef(t, s.line[:n])
			}
		})
	}
}

// TestDecodePostOneAllocation holds the decoder to its point: one allocation
// per post, the string all its fields share, plus what time.Parse allocates for
// a time with an offset (a *time.Location, as before).
func TestDecodePostOneAllocation(t *testing.T) {
	for _, s := range loadShapes(t) {
		p, err := DecodePost(s.line)
		if err != nil {
			t.Fatal(err)
		}
		at := p.CreatedAt.Format(time.RFC3339Nano)
		if s.name == "offset" {
			at = "2022-10-25T12:35:00.250+05:30"
		}
		want := 1 + testing.AllocsPerRun(100, func() { _, _ = ParseTime(at) })
		got := testing.AllocsPerRun(100, func() { _, _ = DecodePost(s.line) })
		if got != want {
			t.Errorf("%s: got %v allocations per post, want %v", s.name, got, want)
		}
	}
}

// TestDecodePostOwnsItsStrings checks that the Post does not alias the record:
// the caller may reuse its buffer.
func TestDecodePostOwnsItsStrings(t *testing.T) {
	in := []byte(`{"id":"1","source":"x","author":"a","text":"whatsapp down","created_at":"2022-10-25T07:05:00Z"}`)
	p, err := DecodePost(in)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		in[i] = 'z'
	}
	if p.ID != "1" || p.Text != "whatsapp down" {
		t.Errorf("got %+v after overwriting the record, want its values kept", p)
	}
}

func FuzzDecodePostMatchesReference(f *testing.F) {
	for _, in := range postEdgeCases {
		if len(in) < 4096 {
			f.Add([]byte(in))
		}
	}
	for _, s := range loadShapes(f) {
		f.Add(s.line)
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkSameAsRef(t, b) })
}
