// Package jsonscan is the strict JSON scanner under downwatch.DecodePost and the
// mention codec of package bus: byte-index scanning of one record, syntax errors
// worded as encoding/json words them, unescaping as encoding/json does, and the
// field table of the Post record. It never allocates on the path of a valid
// record. It imports only the standard library.
package jsonscan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// This is the strict JSON scanner under downwatch.DecodePost and bus.DecodeMention. It
// accepts exactly the documents encoding/json accepts (RFC 8259 grammar, nesting
// up to 10000 containers, no trailing commas, no comments), words every syntax
// error as encoding/json does ("invalid character 'x' after object key"), and
// unescapes strings as encoding/json does (a lone surrogate or a byte that is not
// UTF-8 becomes U+FFFD). It works on byte indexes into one record and never
// allocates on the path of a valid record.

// maxDepth is how deeply encoding/json lets arrays and objects nest.
const maxDepth = 10000

// Syntax error contexts, worded as encoding/json words them.
const (
	CtxValue     = "looking for beginning of value"
	ctxKey       = "looking for beginning of object key string"
	ctxAfterKey  = "after object key"
	CtxAfterPair = "after object key:value pair"
	CtxAfterElem = "after array element"
	ctxAfterTop  = "after top-level value"
	ctxString    = "in string literal"
	ctxEscape    = "in string escape code"
	ctxHex       = "in \\u hexadecimal character escape"
	ctxNumber    = "in numeric literal"
	ctxDecimal   = "after decimal point in numeric literal"
	ctxExponent  = "in exponent of numeric literal"
	ctxDepth     = "exceeded max depth"
)

// syntaxError is a record that is not JSON; its message is encoding/json's.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return e.msg }

// ErrAt is the syntax error for the byte at b[i] in context ctx, or for the end
// of the record when i is past it.
func ErrAt(b []byte, i int, ctx string) error {
	if i >= len(b) {
		return &syntaxError{"unexpected end of JSON input"}
	}
	return &syntaxError{"invalid character " + quoteChar(b[i]) + " " + ctx}
}

// errIn is the syntax error for the byte at b[i] inside a literal, a number or
// an escape. encoding/json reads the end of the record there as a space, so a
// record cut inside a token says "invalid character ' '", not "unexpected end".
func errIn(b []byte, i int, ctx string) error {
	if i >= len(b) {
		return &syntaxError{"invalid character ' ' " + ctx}
	}
	return ErrAt(b, i, ctx)
}

// quoteChar formats c as encoding/json does in its error messages.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	s := strconv.Quote(string(rune(c)))
	return "'" + s[1:len(s)-1] + "'"
}

// Flags that ScanString reports about a string's content.
const (
	StrEscaped = 1 << iota // holds a backslash escape
	strControl             // holds DEL or a C1 control (U+0080..U+009F), raw
	StrBadUTF8             // holds bytes that are not UTF-8
)

// Byte classes inside a string.
const (
	clPlain   = iota // copied as it is (bytes beyond ASCII too: checkNonASCII)
	clQuote          // ends the string
	clEscape         // starts an escape
	clInvalid        // a control byte, which JSON never allows raw
	clDEL            // DEL: plain, but a control character for CleanText
)

// strClass is a read-only table of the byte classes inside a string.
var strClass = func() (t [256]uint8) {
	for c := range 0x20 {
		t[c] = clInvalid
	}
	t['"'] = clQuote
	t['\\'] = clEscape
	t[0x7f] = clDEL
	return t
}()

// SkipSpace returns the index of the first byte at or after i that is not JSON
// white space.
func SkipSpace(b []byte, i int) int {
	for i < len(b) {
		switch b[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// ScanString scans the content of the string whose opening quote is b[i-1]. It
// returns the index of the closing quote and the string's flags.
func ScanString(b []byte, i int) (end int, flags uint8, err error) {
	start := i
	var seen uint64 // bytes passed, or-ed: a high bit says "beyond ASCII"
	for {
		if i+8 <= len(b) {
			x := binary.LittleEndian.Uint64(b[i:])
			seen |= x
			m := specialBytes(x)
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) / 8
		} else {
			for i < len(b) && strClass[b[i]] == clPlain {
				seen |= uint64(b[i])
				i++
			}
			if i >= len(b) {
				return i, flags, ErrAt(b, i, ctxString)
			}
		}
		switch strClass[b[i]] {
		case clQuote:
			if seen&0x8080808080808080 != 0 {
				flags |= checkNonASCII(b[start:i])
			}
			return i, flags, nil
		case clEscape:
			flags |= StrEscaped
			if i, err = scanEscape(b, i+1); err != nil {
				return i, flags, err
			}
		case clInvalid:
			return i, flags, ErrAt(b, i, ctxString)
		default: // DEL
			flags |= strControl
			i++
		}
	}
}

// specialBytes returns x, eight bytes of a string, with the high bit set in
// each byte that needs attention: '"', '\\', a control or DEL. A borrow can
// set bits only above a byte that does, so the lowest bit set is exact.
func specialBytes(x uint64) uint64 {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	lt := (x - ones*0x20) &^ x
	q := x ^ (ones * '"')
	bs := x ^ (ones * '\\')
	del := x ^ (ones * 0x7f)
	return (lt | (q-ones)&^q | (bs-ones)&^bs | (del-ones)&^del) & highs
}

// checkNonASCII returns the flags of a string's content raw that holds bytes
// beyond ASCII: StrBadUTF8 if they are not UTF-8, strControl if they encode a
// C1 control (U+0080..U+009F, which is 0xc2 0x80..0x9f).
func checkNonASCII(raw []byte) uint8 {
	if !utf8.Valid(raw) {
		return StrBadUTF8
	}
	for {
		k := bytes.IndexByte(raw, 0xc2)
		if k < 0 || k+1 >= len(raw) {
			return 0
		}
		if raw[k+1] < 0xa0 {
			return strControl
		}
		raw = raw[k+2:]
	}
}

// scanEscape checks the escape whose backslash is b[i-1] and returns the index
// after it.
func scanEscape(b []byte, i int) (int, error) {
	if i >= len(b) {
		return i, errIn(b, i, ctxEscape)
	}
	switch b[i] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return i + 1, nil
	case 'u':
		for j := i + 1; j < i+5; j++ {
			if j >= len(b) || hexVal(b[j]) < 0 {
				return j, errIn(b, j, ctxHex)
			}
		}
		return i + 5, nil
	}
	return i, errIn(b, i, ctxEscape)
}

func hexVal(c byte) rune {
	switch {
	case '0' <= c && c <= '9':
		return rune(c - '0')
	case 'a' <= c && c <= 'f':
		return rune(c - 'a' + 10)
	case 'A' <= c && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// ScanNumber checks the number starting at b[i] and returns the index after it.
func ScanNumber(b []byte, i int) (int, error) {
	if b[i] == '-' {
		i++
		if i >= len(b) || !IsDigit(b[i]) {
			return i, errIn(b, i, ctxNumber)
		}
	}
	if b[i] == '0' {
		i++
	} else {
		i = skipDigits(b, i)
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !IsDigit(b[i]) {
			return i, errIn(b, i, ctxDecimal)
		}
		i = skipDigits(b, i)
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !IsDigit(b[i]) {
			return i, errIn(b, i, ctxExponent)
		}
		i = skipDigits(b, i)
	}
	return i, nil
}

func IsDigit(c byte) bool { return '0' <= c && c <= '9' }

func skipDigits(b []byte, i int) int {
	for i < len(b) && IsDigit(b[i]) {
		i++
	}
	return i
}

// ScanLiteral checks that lit ("true", "false" or "null") starts at b[i] and
// returns the index after it.
func ScanLiteral(b []byte, i int, lit string) (int, error) {
	for k := 1; k < len(lit); k++ {
		if i+k >= len(b) || b[i+k] != lit[k] {
			return i + k, errIn(b, i+k, "in literal "+lit+" (expecting "+quoteChar(lit[k])+")")
		}
	}
	return i + len(lit), nil
}

// SkipValue checks the value starting at b[i], inside containers nested depth
// deep, and returns the index after it with the flags of all its strings.
func SkipValue(b []byte, i, depth int) (int, uint8, error) {
	if i >= len(b) {
		return i, 0, ErrAt(b, i, CtxValue)
	}
	switch c := b[i]; {
	case c == '"':
		end, flags, err := ScanString(b, i+1)
		return end + 1, flags, err
	case c == '{':
		return skipObject(b, i, depth+1)
	case c == '[':
		return skipArray(b, i, depth+1)
	case c == '-' || IsDigit(c):
		end, err := ScanNumber(b, i)
		return end, 0, err
	case c == 't':
		end, err := ScanLiteral(b, i, "true")
		return end, 0, err
	case c == 'f':
		end, err := ScanLiteral(b, i, "false")
		return end, 0, err
	case c == 'n':
		end, err := ScanLiteral(b, i, "null")
		return end, 0, err
	}
	return i, 0, ErrAt(b, i, CtxValue)
}

// skipObject checks the object whose '{' is b[i], at nesting depth.
func skipObject(b []byte, i, depth int) (int, uint8, error) {
	if depth > maxDepth {
		return i, 0, ErrAt(b, i, ctxDepth)
	}
	var flags uint8
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, 0, nil
	}
	for {
		_, f, next, err := ScanKey(b, i)
		flags |= f
		if err != nil {
			return next, flags, err
		}
		i, f, err = SkipValue(b, next, depth)
		flags |= f
		if err != nil {
			return i, flags, err
		}
		var more bool
		if i, more, err = ScanNext(b, i, '}', CtxAfterPair); err != nil || !more {
			return i, flags, err
		}
	}
}

// ScanKey scans the member key whose opening quote should be b[i], and the
// colon after it. It returns the key's content, its flags and the index of the
// member's value.
func ScanKey(b []byte, i int) (key []byte, flags uint8, next int, err error) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, i, ErrAt(b, i, ctxKey)
	}
	end, flags, err := ScanString(b, i+1)
	if err != nil {
		return nil, flags, end, err
	}
	next, err = scanColon(b, end+1)
	return b[i+1 : end], flags, next, err
}

// skipArray checks the array whose '[' is b[i], at nesting depth.
func skipArray(b []byte, i, depth int) (int, uint8, error) {
	if depth > maxDepth {
		return i, 0, ErrAt(b, i, ctxDepth)
	}
	var flags uint8
	i = SkipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, 0, nil
	}
	for {
		var f uint8
		var err error
		i, f, err = SkipValue(b, i, depth)
		flags |= f
		if err != nil {
			return i, flags, err
		}
		var more bool
		if i, more, err = ScanNext(b, i, ']', CtxAfterElem); err != nil || !more {
			return i, flags, err
		}
	}
}

// scanColon checks the ':' after an object key, looking from b[i], and returns
// the index of the value after it.
func scanColon(b []byte, i int) (int, error) {
	if i >= len(b) || b[i] != ':' {
		if i = SkipSpace(b, i); i >= len(b) || b[i] != ':' {
			return i, ErrAt(b, i, ctxAfterKey)
		}
	}
	return SkipSpace(b, i+1), nil
}

// ScanNext looks from b[i] for the ',' that announces another member (more) or
// the closing byte that ends the container. After a ',' it returns the index of
// the next member; after the close, the index after it.
func ScanNext(b []byte, i int, closing byte, ctx string) (next int, more bool, err error) {
	if i < len(b) && b[i] == ',' {
		return SkipSpace(b, i+1), true, nil
	}
	i = SkipSpace(b, i)
	if i < len(b) {
		switch b[i] {
		case ',':
			return SkipSpace(b, i+1), true, nil
		case closing:
			return i + 1, false, nil
		}
	}
	return i, false, ErrAt(b, i, ctx)
}

// ScanEnd checks that only white space follows the top-level value.
func ScanEnd(b []byte, i int) error {
	if i = SkipSpace(b, i); i < len(b) {
		return ErrAt(b, i, ctxAfterTop)
	}
	return nil
}

// ValueKind names the JSON type of the value that starts with c, as
// encoding/json names it in its type errors.
func ValueKind(c byte) string {
	switch c {
	case '"':
		return "string"
	case '{':
		return "object"
	case '[':
		return "array"
	case 't', 'f':
		return "bool"
	case 'n':
		return "null"
	}
	return "number"
}

// writeUnescaped writes the content raw of a string that ScanString accepted
// with flags, unescaped as encoding/json unescapes it. With clean, it leaves out
// the control characters that CleanText removes.
func writeUnescaped(sb *strings.Builder, raw []byte, flags uint8, clean bool) {
	// Bytes beyond ASCII are copied in runs when none of them needs attention.
	copyHigh := flags&StrBadUTF8 == 0 && (!clean || flags&strControl == 0)
	for i := 0; i < len(raw); {
		j := i
		for j < len(raw) && raw[j] != '\\' && (raw[j] < 0x7f || copyHigh && raw[j] >= utf8.RuneSelf) {
			j++
		}
		sb.Write(raw[i:j])
		if i = j; i == len(raw) {
			return
		}
		switch c := raw[i]; {
		case c == '\\':
			var r rune
			r, i = unescape(raw, i)
			if !clean || !IsControl(r) {
				sb.WriteRune(r)
			}
		case c < utf8.RuneSelf: // DEL
			if !clean {
				sb.WriteByte(c)
			}
			i++
		default:
			r, n := utf8.DecodeRune(raw[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				sb.WriteRune(utf8.RuneError)
			case !clean || !IsControl(r):
				sb.Write(raw[i : i+n])
			}
			i += n
		}
	}
}

// unescape decodes the escape whose backslash is raw[i] and returns the rune and
// the index after it. A surrogate pair is one rune; a lone surrogate is U+FFFD.
func unescape(raw []byte, i int) (rune, int) {
	switch raw[i+1] {
	case 'b':
		return '\b', i + 2
	case 'f':
		return '\f', i + 2
	case 'n':
		return '\n', i + 2
	case 'r':
		return '\r', i + 2
	case 't':
		return '\t', i + 2
	case 'u':
	default: // '"', '\\', '/'
		return rune(raw[i+1]), i + 2
	}
	r := hex4(raw[i+2:])
	i += 6
	if !utf16.IsSurrogate(r) {
		return r, i
	}
	if i+6 <= len(raw) && raw[i] == '\\' && raw[i+1] == 'u' {
		if dec := utf16.DecodeRune(r, hex4(raw[i+2:])); dec != unicode.ReplacementChar {
			return dec, i + 6
		}
	}
	return unicode.ReplacementChar, i
}

// hex4 decodes four hex digits that scanEscape checked.
func hex4(b []byte) rune {
	return hexVal(b[0])<<12 | hexVal(b[1])<<8 | hexVal(b[2])<<4 | hexVal(b[3])
}

// ScanFields reads the object whose '{' is b[i], calling value for each field
// with its key, the key's flags and the index of its value; value returns the
// index after the value. It returns the index after the closing '}'.
func ScanFields(b []byte, i int, value func(key []byte, flags uint8, at int) (int, error)) (int, error) {
	if i = SkipSpace(b, i+1); i < len(b) && b[i] == '}' {
		return i + 1, nil
	}
	for {
		key, flags, next, err := ScanKey(b, i)
		if err != nil {
			return next, err
		}
		if i, err = value(key, flags, next); err != nil {
			return i, err
		}
		var more bool
		if i, more, err = ScanNext(b, i, '}', CtxAfterPair); err != nil || !more {
			return i, err
		}
	}
}

// PostField is a known field of the Post record.
type PostField uint8

const (
	PfUnknown PostField = iota
	PfID
	PfSource
	PfAuthor
	PfText
	PfCreatedAt
	PfLang
	PfCountry
	PfRepostOf
	PfReplyTo
	PfURL // last string field
	PfVerified
	PfFollowers
)

var PostFieldNames = [...]string{
	PfID:        "id",
	PfSource:    "source",
	PfAuthor:    "author",
	PfText:      "text",
	PfCreatedAt: "created_at",
	PfLang:      "lang",
	PfCountry:   "country",
	PfRepostOf:  "repost_of",
	PfReplyTo:   "reply_to",
	PfURL:       "url",
	PfVerified:  "author_verified",
	PfFollowers: "author_followers",
}

// PostFieldOf returns the field a key names. Keys match as encoding/json matches
// them: exactly, or else equal under Unicode case folding.
func PostFieldOf(key []byte, flags uint8) PostField {
	if flags&(StrEscaped|StrBadUTF8) != 0 {
		return postFieldFold(UnescapeKey(key, flags))
	}
	switch string(key) {
	case "id":
		return PfID
	case "source":
		return PfSource
	case "author":
		return PfAuthor
	case "text":
		return PfText
	case "created_at":
		return PfCreatedAt
	case "lang":
		return PfLang
	case "country":
		return PfCountry
	case "repost_of":
		return PfRepostOf
	case "reply_to":
		return PfReplyTo
	case "url":
		return PfURL
	case "author_verified":
		return PfVerified
	case "author_followers":
		return PfFollowers
	}
	if !MayFold(key) {
		return PfUnknown
	}
	return postFieldFold(string(key))
}

func postFieldFold(key string) PostField {
	for f := PfID; f <= PfFollowers; f++ {
		if strings.EqualFold(key, PostFieldNames[f]) {
			return f
		}
	}
	return PfUnknown
}

// MayFold reports whether key, not equal to any field name, may still equal one
// under case folding: it holds an upper-case or a non-ASCII letter.
func MayFold(key []byte) bool {
	for _, c := range key {
		if 'A' <= c && c <= 'Z' || c >= 0x80 {
			return true
		}
	}
	return false
}

// UnescapeKey returns an escaped key as encoding/json reads it.
func UnescapeKey(raw []byte, flags uint8) string {
	var sb strings.Builder
	sb.Grow(len(raw))
	WriteString(&sb, raw, flags, false)
	return sb.String()
}

// SmallInt returns the magnitude of lit when it is an integer of at most 15
// digits, which a float64 holds exactly.
func SmallInt(lit []byte) (int64, bool) {
	if lit[0] == '-' {
		lit = lit[1:]
	}
	if len(lit) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range lit {
		if !IsDigit(c) {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// WriteString appends a string's content raw, with the flags ScanString gave
// it, to sb as encoding/json would decode it; with clean, as CleanText would
// then leave it.
func WriteString(sb *strings.Builder, raw []byte, flags uint8, clean bool) {
	if flags&(StrEscaped|StrBadUTF8) == 0 && (!clean || flags&strControl == 0) {
		sb.Write(raw)
		return
	}
	writeUnescaped(sb, raw, flags, clean)
}

// IsControl reports whether CleanText removes r: a C0 control other than tab
// and newline, DEL, or a C1 control.
func IsControl(r rune) bool {
	return (r < 0x20 && r != '\t' && r != '\n') || (r >= 0x7f && r < 0xa0)
}
