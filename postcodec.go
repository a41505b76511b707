package downwatch

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/downwatch/downwatch/internal/jsonscan"
)

// The Post decoder is a single-pass scanner specialised for the Post schema
// (docs/CONTRACT.md §1), chosen by measurement over the general decoders. Phase one
// checks the whole record as strict JSON and notes where each known field's
// value lies; phase two copies those values, unescaped where they hold escapes,
// into one string, and every string field of the Post is a substring of it: one
// allocation per post. Unknown fields are checked and skipped at any depth.
//
// Candidates, each behind the same DecodePost checks, on the eight posts of
// testdata/shapes.txt (English, Hindi, Bengali, Japanese, escapes, unknown
// nested fields, every field, a zone offset); go1.26.8 linux/amd64, means over
// the eight. Instructions are counted by callgrind, which repeats exactly on
// this shared 2-core machine; ns/post is the fastest of 14 runs taken while
// other jobs loaded it, so read it for the order, not the absolute value.
//
//	decoder                       instr/post  ns/post  allocs/post  same verdicts as encoding/json
//	encoding/json (before)            42,700    6,770      12-17    (the reference)
//	go-json-experiment/json/v1        27,500    3,880       2-7     yes (edge cases, 30 s fuzzing)
//	go-json-experiment/json (v2)      21,500    2,890       2-7     no: case-sensitive, no duplicates
//	bytedance/sonic v1.15.5 (std)     13,800    2,040      10-14    no: "ſource" is not "source"
//	segmentio/encoding v0.5.4         17,100    3,320       7-12    yes (edge cases, 30 s fuzzing)
//	goccy/go-json v0.12.0             11,200    1,770       7-12    yes (edge cases, 30 s fuzzing)
//	this scanner                       9,600      890       1 (4)   yes, and the same error details
//
// The scanner is the fastest, and the only one at one allocation per post (four
// with a zone offset, three of them time.Parse's); it words syntax errors as
// encoding/json does, so dead-letter details stay the same, and it adds no
// dependency. goccy/go-json comes closest (and skips unknown nested fields in
// fewer instructions) but allocates a string per field.
//
// The scanner keeps every rule of the encoding/json decoder it replaced, which
// stays in postref_test.go as the reference the differential fuzzer holds it to:
// keys match case-insensitively as encoding/json matches them, the last of
// duplicate keys wins, null leaves a field as it was (and makes text missing),
// author_followers is read as a float64 (12.5 is 12, 1e3 is 1000) and syntax
// errors are worded as encoding/json words them.

// span is where a string field's content lies in the record.
type span struct {
	start, end int
	flags      uint8
	set        bool
}

// postScan is what phase one learns about a record.
type postScan struct {
	spans     [jsonscan.PfURL + 1]span
	verified  bool
	followers float64
	flags     uint8              // every string's flags, or-ed
	typeField jsonscan.PostField // the first field with a value of the wrong type
	typeValue string             // that value's JSON type, as encoding/json names it
}

// scan checks the record b, an object whose '{' is b[0], and notes its fields.
func (ps *postScan) scan(b []byte) error {
	i := jsonscan.SkipSpace(b, 1)
	if i < len(b) && b[i] == '}' {
		return jsonscan.ScanEnd(b, i+1)
	}
	for {
		key, flags, next, err := jsonscan.ScanKey(b, i)
		ps.flags |= flags
		if err != nil {
			return err
		}
		if i, err = ps.value(b, next, jsonscan.PostFieldOf(key, flags)); err != nil {
			return err
		}
		var more bool
		if i, more, err = jsonscan.ScanNext(b, i, '}', jsonscan.CtxAfterPair); err != nil {
			return err
		}
		if !more {
			return jsonscan.ScanEnd(b, i)
		}
	}
}

// value scans the value of field f at b[i]. As with encoding/json, null leaves
// a field as it was (text, a pointer there, becomes missing), and a value of the
// wrong type is noted and skipped: a syntax error later still wins over it.
func (ps *postScan) value(b []byte, i int, f jsonscan.PostField) (int, error) {
	if i >= len(b) {
		return i, jsonscan.ErrAt(b, i, jsonscan.CtxValue)
	}
	switch c := b[i]; {
	case f == jsonscan.PfUnknown:
	case f <= jsonscan.PfURL && c == '"':
		end, flags, err := jsonscan.ScanString(b, i+1)
		ps.flags |= flags
		ps.spans[f] = span{start: i + 1, end: end, flags: flags, set: true}
		return end + 1, err
	case f == jsonscan.PfVerified && (c == 't' || c == 'f'):
		ps.verified = c == 't'
		if c == 't' {
			return jsonscan.ScanLiteral(b, i, "true")
		}
		return jsonscan.ScanLiteral(b, i, "false")
	case f == jsonscan.PfFollowers && (c == '-' || jsonscan.IsDigit(c)):
		end, err := jsonscan.ScanNumber(b, i)
		if err == nil {
			ps.setFollowers(b[i:end])
		}
		return end, err
	case c == 'n':
		if f == jsonscan.PfText {
			ps.spans[jsonscan.PfText].set = false
		}
		return jsonscan.ScanLiteral(b, i, "null")
	default:
		end, flags, err := jsonscan.SkipValue(b, i, 1)
		ps.flags |= flags
		if err == nil {
			ps.wrongType(f, jsonscan.ValueKind(c))
		}
		return end, err
	}
	end, flags, err := jsonscan.SkipValue(b, i, 1)
	ps.flags |= flags
	return end, err
}

func (ps *postScan) wrongType(f jsonscan.PostField, value string) {
	if ps.typeField == jsonscan.PfUnknown {
		ps.typeField, ps.typeValue = f, value
	}
}

// setFollowers reads the number lit as encoding/json reads it into a float64.
func (ps *postScan) setFollowers(lit []byte) {
	if n, ok := jsonscan.SmallInt(lit); ok {
		ps.followers = float64(n)
		if lit[0] == '-' {
			ps.followers = -ps.followers
		}
		return
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		ps.wrongType(jsonscan.PfFollowers, "number "+string(lit))
		return
	}
	ps.followers = f
}

// build is phase two: it copies the fields out of b into one string, checks them
// and returns the Post.
func (ps *postScan) build(b []byte) (Post, error) {
	total := 0
	for _, s := range ps.spans {
		if s.set {
			total += s.end - s.start
		}
	}
	var sb strings.Builder
	sb.Grow(total)
	var v [jsonscan.PfURL + 1]string
	for f := jsonscan.PfID; f <= jsonscan.PfURL; f++ {
		v[f] = ps.put(&sb, b, f)
	}
	for _, f := range [...]jsonscan.PostField{jsonscan.PfID, jsonscan.PfSource, jsonscan.PfAuthor, jsonscan.PfCreatedAt} {
		if strings.TrimSpace(v[f]) == "" {
			return Post{}, reject("missing-field", "required field %q is missing or empty", jsonscan.PostFieldNames[f])
		}
	}
	if !ps.spans[jsonscan.PfText].set {
		return Post{}, reject("missing-field", "required field \"text\" is missing")
	}
	at, err := ParseTime(v[jsonscan.PfCreatedAt])
	if err != nil {
		return Post{}, reject("bad-time", "created_at %q is not RFC 3339", truncate(v[jsonscan.PfCreatedAt], 64))
	}
	return Post{
		ID:              v[jsonscan.PfID],
		Source:          v[jsonscan.PfSource],
		Author:          v[jsonscan.PfAuthor],
		Text:            v[jsonscan.PfText],
		CreatedAt:       at,
		Lang:            v[jsonscan.PfLang],
		Country:         upperASCII(v[jsonscan.PfCountry]),
		RepostOf:        v[jsonscan.PfRepostOf],
		ReplyTo:         v[jsonscan.PfReplyTo],
		AuthorVerified:  ps.verified,
		AuthorFollowers: int64(max(ps.followers, 0)),
		URL:             v[jsonscan.PfURL],
	}, nil
}

// put appends field f's value to sb and returns it: text cleaned (CleanText),
// an ASCII country upper-cased in place.
func (ps *postScan) put(sb *strings.Builder, b []byte, f jsonscan.PostField) string {
	s := ps.spans[f]
	if !s.set {
		return ""
	}
	start := sb.Len()
	raw := b[s.start:s.end]
	if f == jsonscan.PfCountry && s.flags == 0 && isASCII(raw) {
		for _, c := range raw {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			sb.WriteByte(c)
		}
	} else {
		jsonscan.WriteString(sb, raw, s.flags, f == jsonscan.PfText)
	}
	return sb.String()[start:]
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
