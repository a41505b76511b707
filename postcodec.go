package downwatch

import (
	"strconv"
	"strings"
	"unicode/utf8"
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

// postField is a known field of the Post record.
type postField uint8

const (
	pfUnknown postField = iota
	pfID
	pfSource
	pfAuthor
	pfText
	pfCreatedAt
	pfLang
	pfCountry
	pfRepostOf
	pfReplyTo
	pfURL // last string field
	pfVerified
	pfFollowers
)

var postFieldNames = [...]string{
	pfID:        "id",
	pfSource:    "source",
	pfAuthor:    "author",
	pfText:      "text",
	pfCreatedAt: "created_at",
	pfLang:      "lang",
	pfCountry:   "country",
	pfRepostOf:  "repost_of",
	pfReplyTo:   "reply_to",
	pfURL:       "url",
	pfVerified:  "author_verified",
	pfFollowers: "author_followers",
}

// postFieldOf returns the field a key names. Keys match as encoding/json matches
// them: exactly, or else equal under Unicode case folding.
func postFieldOf(key []byte, flags uint8) postField {
	if flags&(strEscaped|strBadUTF8) != 0 {
		return postFieldFold(unescapeKey(key, flags))
	}
	switch string(key) {
	case "id":
		return pfID
	case "source":
		return pfSource
	case "author":
		return pfAuthor
	case "text":
		return pfText
	case "created_at":
		return pfCreatedAt
	case "lang":
		return pfLang
	case "country":
		return pfCountry
	case "repost_of":
		return pfRepostOf
	case "reply_to":
		return pfReplyTo
	case "url":
		return pfURL
	case "author_verified":
		return pfVerified
	case "author_followers":
		return pfFollowers
	}
	if !mayFold(key) {
		return pfUnknown
	}
	return postFieldFold(string(key))
}

func postFieldFold(key string) postField {
	for f := pfID; f <= pfFollowers; f++ {
		if strings.EqualFold(key, postFieldNames[f]) {
			return f
		}
	}
	return pfUnknown
}

// mayFold reports whether key, not equal to any field name, may still equal one
// under case folding: it holds an upper-case or a non-ASCII letter.
func mayFold(key []byte) bool {
	for _, c := range key {
		if 'A' <= c && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

// unescapeKey returns an escaped key as encoding/json reads it.
func unescapeKey(raw []byte, flags uint8) string {
	var sb strings.Builder
	sb.Grow(len(raw))
	writeString(&sb, raw, flags, false)
	return sb.String()
}

// span is where a string field's content lies in the record.
type span struct {
	start, end int
	flags      uint8
	set        bool
}

// postScan is what phase one learns about a record.
type postScan struct {
	spans     [pfURL + 1]span
	verified  bool
	followers float64
	flags     uint8     // every string's flags, or-ed
	typeField postField // the first field with a value of the wrong type
	typeValue string    // that value's JSON type, as encoding/json names it
}

// scan checks the record b, an object whose '{' is b[0], and notes its fields.
func (ps *postScan) scan(b []byte) error {
	i := skipSpace(b, 1)
	if i < len(b) && b[i] == '}' {
		return scanEnd(b, i+1)
	}
	for {
		key, flags, next, err := scanKey(b, i)
		ps.flags |= flags
		if err != nil {
			return err
		}
		if i, err = ps.value(b, next, postFieldOf(key, flags)); err != nil {
			return err
		}
		var more bool
		if i, more, err = scanNext(b, i, '}', ctxAfterPair); err != nil {
			return err
		}
		if !more {
			return scanEnd(b, i)
		}
	}
}

// value scans the value of field f at b[i]. As with encoding/json, null leaves
// a field as it was (text, a pointer there, becomes missing), and a value of the
// wrong type is noted and skipped: a syntax error later still wins over it.
func (ps *postScan) value(b []byte, i int, f postField) (int, error) {
	if i >= len(b) {
		return i, errAt(b, i, ctxValue)
	}
	switch c := b[i]; {
	case f == pfUnknown:
	case f <= pfURL && c == '"':
		end, flags, err := scanString(b, i+1)
		ps.flags |= flags
		ps.spans[f] = span{start: i + 1, end: end, flags: flags, set: true}
		return end + 1, err
	case f == pfVerified && (c == 't' || c == 'f'):
		ps.verified = c == 't'
		if c == 't' {
			return scanLiteral(b, i, "true")
		}
		return scanLiteral(b, i, "false")
	case f == pfFollowers && (c == '-' || isDigit(c)):
		end, err := scanNumber(b, i)
		if err == nil {
			ps.setFollowers(b[i:end])
		}
		return end, err
	case c == 'n':
		if f == pfText {
			ps.spans[pfText].set = false
		}
		return scanLiteral(b, i, "null")
	default:
		end, flags, err := skipValue(b, i, 1)
		ps.flags |= flags
		if err == nil {
			ps.wrongType(f, valueKind(c))
		}
		return end, err
	}
	end, flags, err := skipValue(b, i, 1)
	ps.flags |= flags
	return end, err
}

func (ps *postScan) wrongType(f postField, value string) {
	if ps.typeField == pfUnknown {
		ps.typeField, ps.typeValue = f, value
	}
}

// setFollowers reads the number lit as encoding/json reads it into a float64.
func (ps *postScan) setFollowers(lit []byte) {
	if n, ok := smallInt(lit); ok {
		ps.followers = float64(n)
		if lit[0] == '-' {
			ps.followers = -ps.followers
		}
		return
	}
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil {
		ps.wrongType(pfFollowers, "number "+string(lit))
		return
	}
	ps.followers = f
}

// smallInt returns the magnitude of lit when it is an integer of at most 15
// digits, which a float64 holds exactly.
func smallInt(lit []byte) (int64, bool) {
	if lit[0] == '-' {
		lit = lit[1:]
	}
	if len(lit) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range lit {
		if !isDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
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
	var v [pfURL + 1]string
	for f := pfID; f <= pfURL; f++ {
		v[f] = ps.put(&sb, b, f)
	}
	for _, f := range [...]postField{pfID, pfSource, pfAuthor, pfCreatedAt} {
		if strings.TrimSpace(v[f]) == "" {
			return Post{}, reject("missing-field", "required field %q is missing or empty", postFieldNames[f])
		}
	}
	if !ps.spans[pfText].set {
		return Post{}, reject("missing-field", "required field \"text\" is missing")
	}
	at, err := ParseTime(v[pfCreatedAt])
	if err != nil {
		return Post{}, reject("bad-time", "created_at %q is not RFC 3339", truncate(v[pfCreatedAt], 64))
	}
	return Post{
		ID:              v[pfID],
		Source:          v[pfSource],
		Author:          v[pfAuthor],
		Text:            v[pfText],
		CreatedAt:       at,
		Lang:            v[pfLang],
		Country:         upperASCII(v[pfCountry]),
		RepostOf:        v[pfRepostOf],
		ReplyTo:         v[pfReplyTo],
		AuthorVerified:  ps.verified,
		AuthorFollowers: int64(max(ps.followers, 0)),
		URL:             v[pfURL],
	}, nil
}

// put appends field f's value to sb and returns it: text cleaned (CleanText),
// an ASCII country upper-cased in place.
func (ps *postScan) put(sb *strings.Builder, b []byte, f postField) string {
	s := ps.spans[f]
	if !s.set {
		return ""
	}
	start := sb.Len()
	raw := b[s.start:s.end]
	if f == pfCountry && s.flags == 0 && isASCII(raw) {
		for _, c := range raw {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			sb.WriteByte(c)
		}
	} else {
		writeString(sb, raw, s.flags, f == pfText)
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

// writeString appends a string's content raw, with the flags scanString gave
// it, to sb as encoding/json would decode it; with clean, as CleanText would
// then leave it.
func writeString(sb *strings.Builder, raw []byte, flags uint8, clean bool) {
	if flags&(strEscaped|strBadUTF8) == 0 && (!clean || flags&strControl == 0) {
		sb.Write(raw)
		return
	}
	writeUnescaped(sb, raw, flags, clean)
}
