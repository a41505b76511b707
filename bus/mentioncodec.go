package bus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/internal/jsonscan"
)

// This file owns the wire format of a downwatch.Mention on the mentions topic (docs/CONTRACT.md
// §5): AppendMention writes it, byte for byte as json.Marshal(m) would, and
// DecodeMention reads it, as json.Unmarshal into a zero downwatch.Mention would, on the
// scanner that DecodePost uses. Neither allocates on a well-formed record, but
// for the one string a decoded downwatch.Mention's strings share.

// ErrNotMention is wrapped by every error DecodeMention returns.
var ErrNotMention = errors.New("bus: not a mention")

// AppendMention appends m as JSON to dst and returns the extended buffer. The
// bytes are those json.Marshal(m) produces: the same field order, omitempty
// rules and string escapes (<, > and & as \u003c, \u003e and \u0026; U+2028
// and U+2029 escaped; bytes that are not UTF-8 as \ufffd). json.Marshal fails on
// a CreatedAt whose year is outside 0..9999 or whose zone offset is 24 hours or
// more; AppendMention writes such a time as time.RFC3339Nano formats it, which
// DecodeMention and json.Unmarshal reject.
func AppendMention(dst []byte, m *downwatch.Mention) []byte {
	dst = append(dst, `{"service":`...)
	dst = appendJSONString(dst, m.Service)
	dst = append(dst, `,"kind":`...)
	dst = appendJSONString(dst, string(m.Kind))
	if len(m.Symptoms) > 0 {
		dst = append(dst, `,"symptoms":[`...)
		for i, s := range m.Symptoms {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, s)
		}
		dst = append(dst, ']')
	}
	if m.Ack {
		dst = append(dst, `,"ack":true`...)
	}
	if m.Resolved {
		dst = append(dst, `,"resolved":true`...)
	}
	dst = append(dst, `,"post":`...)
	dst = appendPost(dst, &m.Post)
	return append(dst, '}')
}

// appendPost appends p as json.Marshal writes a downwatch.Post.
func appendPost(dst []byte, p *downwatch.Post) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendJSONString(dst, p.ID)
	dst = append(dst, `,"source":`...)
	dst = appendJSONString(dst, p.Source)
	dst = append(dst, `,"author":`...)
	dst = appendJSONString(dst, p.Author)
	dst = append(dst, `,"text":`...)
	dst = appendJSONString(dst, p.Text)
	dst = append(dst, `,"created_at":"`...)
	dst = p.CreatedAt.AppendFormat(dst, time.RFC3339Nano)
	dst = append(dst, '"')
	for _, f := range [...]struct{ key, v string }{
		{`,"lang":`, p.Lang}, {`,"country":`, p.Country}, {`,"repost_of":`, p.RepostOf}, {`,"reply_to":`, p.ReplyTo},
	} {
		if f.v != "" {
			dst = append(dst, f.key...)
			dst = appendJSONString(dst, f.v)
		}
	}
	if p.AuthorVerified {
		dst = append(dst, `,"author_verified":true`...)
	}
	if p.AuthorFollowers != 0 {
		dst = append(dst, `,"author_followers":`...)
		dst = strconv.AppendInt(dst, p.AuthorFollowers, 10)
	}
	if p.URL != "" {
		dst = append(dst, `,"url":`...)
		dst = appendJSONString(dst, p.URL)
	}
	return append(dst, '}')
}

// htmlSafe is a read-only table of the ASCII bytes that encoding/json writes as
// they are in a string when it escapes HTML, as json.Marshal does.
var htmlSafe = func() (t [utf8.RuneSelf]bool) {
	for c := ' '; c < utf8.RuneSelf; c++ {
		t[c] = true
	}
	for _, c := range `"\<>&` {
		t[c] = false
	}
	return t
}()

// appendJSONString appends s quoted as json.Marshal quotes it.
func appendJSONString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '\\', '"':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default: // other controls, and <, > and &
				dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			i += n
			continue
		}
		i += n
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// mentionField is a field of the downwatch.Mention record.
type mentionField uint8

const (
	mfUnknown mentionField = iota
	mfService
	mfKind
	mfSymptoms
	mfAck
	mfResolved
	mfPost
)

var mentionFieldNames = [...]string{
	mfService:  "service",
	mfKind:     "kind",
	mfSymptoms: "symptoms",
	mfAck:      "ack",
	mfResolved: "resolved",
	mfPost:     "post",
}

// mentionFieldOf returns the field a key names, matched as encoding/json
// matches keys (see jsonscan.PostFieldOf).
func mentionFieldOf(key []byte, flags uint8) mentionField {
	k := ""
	if flags&(jsonscan.StrEscaped|jsonscan.StrBadUTF8) != 0 {
		k = jsonscan.UnescapeKey(key, flags)
	} else {
		switch string(key) {
		case "service":
			return mfService
		case "kind":
			return mfKind
		case "symptoms":
			return mfSymptoms
		case "ack":
			return mfAck
		case "resolved":
			return mfResolved
		case "post":
			return mfPost
		}
		if !jsonscan.MayFold(key) {
			return mfUnknown
		}
		k = string(key)
	}
	for f := mfService; f <= mfPost; f++ {
		if strings.EqualFold(k, mentionFieldNames[f]) {
			return f
		}
	}
	return mfUnknown
}

// DecodeMention decodes the record data into m, reusing m.Symptoms' array. It
// accepts what json.Unmarshal into a zero downwatch.Mention accepts and leaves m as that
// would; m's strings share one copy of data, which may be reused at once. An
// error wraps ErrNotMention and leaves m undefined.
func DecodeMention(data []byte, m *downwatch.Mention) error {
	syms := m.Symptoms[:cap(m.Symptoms)]
	clear(syms)
	*m = downwatch.Mention{}
	d := mentionDecoder{b: data, syms: syms}
	i := jsonscan.SkipSpace(data, 0)
	var err error
	switch {
	case i < len(data) && data[i] == '{':
		d.sb.Grow(len(data))
		i, err = d.mention(i, m)
	case i < len(data) && data[i] == 'n':
		i, err = jsonscan.ScanLiteral(data, i, "null")
	default:
		var end int
		if end, _, err = jsonscan.SkipValue(data, i, 0); err == nil {
			err = fmt.Errorf("record is a JSON %s, not an object", jsonscan.ValueKind(data[i]))
			i = end
		}
	}
	if err == nil {
		err = jsonscan.ScanEnd(data, i)
	}
	if err != nil {
		return fmt.Errorf("%w: %w", ErrNotMention, err)
	}
	return nil
}

// mentionDecoder holds what DecodeMention needs while it reads one record.
type mentionDecoder struct {
	b    []byte
	sb   strings.Builder // the string all the downwatch.Mention's strings are part of
	syms []string        // the array m.Symptoms is, or will be, a slice of
}

// wrongType is the error for a value of the wrong type, as json.Unmarshal would
// have found it.
func wrongType(field string, c byte) error {
	return fmt.Errorf("field %q must not be a JSON %s", field, jsonscan.ValueKind(c))
}

// str returns the string whose opening quote is b[i], and the index after it.
func (d *mentionDecoder) str(i int) (string, int, error) {
	end, flags, err := jsonscan.ScanString(d.b, i+1)
	if err != nil {
		return "", end, err
	}
	start := d.sb.Len()
	jsonscan.WriteString(&d.sb, d.b[i+1:end], flags, false)
	return d.sb.String()[start:], end + 1, nil
}

// mention reads the object whose '{' is b[i] into m.
func (d *mentionDecoder) mention(i int, m *downwatch.Mention) (int, error) {
	return jsonscan.ScanFields(d.b, i, func(key []byte, flags uint8, at int) (int, error) {
		return d.mentionValue(at, mentionFieldOf(key, flags), m)
	})
}

// mentionValue reads the value at b[i] into field f of m. As with
// encoding/json, null leaves a field as it was (symptoms becomes nil), and a
// value of the wrong type is an error.
func (d *mentionDecoder) mentionValue(i int, f mentionField, m *downwatch.Mention) (int, error) {
	b := d.b
	if i >= len(b) {
		return i, jsonscan.ErrAt(b, i, jsonscan.CtxValue)
	}
	switch c := b[i]; {
	case f == mfUnknown:
		end, _, err := jsonscan.SkipValue(b, i, 1)
		return end, err
	case c == 'n':
		if f == mfSymptoms {
			m.Symptoms = nil
			clear(d.syms)
		}
		return jsonscan.ScanLiteral(b, i, "null")
	case (f == mfService || f == mfKind) && c == '"':
		s, end, err := d.str(i)
		if f == mfService {
			m.Service = s
		} else {
			m.Kind = downwatch.Kind(s)
		}
		return end, err
	case f == mfSymptoms && c == '[':
		return d.symptoms(i, m)
	case (f == mfAck || f == mfResolved) && (c == 't' || c == 'f'):
		if f == mfAck {
			m.Ack = c == 't'
		} else {
			m.Resolved = c == 't'
		}
		if c == 't' {
			return jsonscan.ScanLiteral(b, i, "true")
		}
		return jsonscan.ScanLiteral(b, i, "false")
	case f == mfPost && c == '{':
		return d.post(i, &m.Post)
	default:
		return i, wrongType(mentionFieldNames[f], c)
	}
}

// symptoms reads the array whose '[' is b[i] into m.Symptoms. Like
// encoding/json it decodes into the array a slice already has, so a null
// element keeps what an earlier array of the same record put there; a fresh
// array holds "" there.
func (d *mentionDecoder) symptoms(i int, m *downwatch.Mention) (int, error) {
	b := d.b
	if i = jsonscan.SkipSpace(b, i+1); i < len(b) && b[i] == ']' {
		clear(d.syms) // encoding/json makes a new empty slice
		m.Symptoms = d.syms[:0]
		if m.Symptoms == nil {
			m.Symptoms = []string{}
		}
		return i + 1, nil
	}
	s := d.syms[:0]
	for {
		if i >= len(b) {
			return i, jsonscan.ErrAt(b, i, jsonscan.CtxValue)
		}
		n := len(s)
		if n < cap(s) {
			s = s[:n+1]
		} else {
			s = append(s, "")
		}
		switch b[i] {
		case '"':
			var err error
			if s[n], i, err = d.str(i); err != nil {
				return i, err
			}
		case 'n':
			var err error
			if i, err = jsonscan.ScanLiteral(b, i, "null"); err != nil {
				return i, err
			}
		default:
			return i, wrongType("symptoms", b[i])
		}
		var more bool
		var err error
		if i, more, err = jsonscan.ScanNext(b, i, ']', jsonscan.CtxAfterElem); err != nil {
			return i, err
		}
		if !more {
			d.syms, m.Symptoms = s[:cap(s)], s
			return i, nil
		}
	}
}

// post reads the object whose '{' is b[i] into p, as json.Unmarshal reads a
// Post: no field is required, created_at is read by time.Time.UnmarshalJSON and
// author_followers must be an integer.
func (d *mentionDecoder) post(i int, p *downwatch.Post) (int, error) {
	return jsonscan.ScanFields(d.b, i, func(key []byte, flags uint8, at int) (int, error) {
		return d.postValue(at, jsonscan.PostFieldOf(key, flags), p)
	})
}

// postValue reads the value at b[i] into field f of p.
func (d *mentionDecoder) postValue(i int, f jsonscan.PostField, p *downwatch.Post) (int, error) {
	b := d.b
	if i >= len(b) {
		return i, jsonscan.ErrAt(b, i, jsonscan.CtxValue)
	}
	switch c := b[i]; {
	case f == jsonscan.PfUnknown:
		end, _, err := jsonscan.SkipValue(b, i, 2)
		return end, err
	case f == jsonscan.PfCreatedAt:
		end, _, err := jsonscan.SkipValue(b, i, 2)
		if err == nil {
			err = p.CreatedAt.UnmarshalJSON(b[i:end])
		}
		return end, err
	case c == 'n':
		return jsonscan.ScanLiteral(b, i, "null")
	case f <= jsonscan.PfURL && c == '"':
		s, end, err := d.str(i)
		*stringField(p, f) = s
		return end, err
	case f == jsonscan.PfVerified && (c == 't' || c == 'f'):
		p.AuthorVerified = c == 't'
		if c == 't' {
			return jsonscan.ScanLiteral(b, i, "true")
		}
		return jsonscan.ScanLiteral(b, i, "false")
	case f == jsonscan.PfFollowers && (c == '-' || jsonscan.IsDigit(c)):
		end, err := jsonscan.ScanNumber(b, i)
		if err != nil {
			return end, err
		}
		n, err := parseInt64(b[i:end])
		p.AuthorFollowers = n
		return end, err
	default:
		return i, wrongType(jsonscan.PostFieldNames[f], c)
	}
}

// stringField returns the string field f of p.
func stringField(p *downwatch.Post, f jsonscan.PostField) *string {
	switch f {
	case jsonscan.PfID:
		return &p.ID
	case jsonscan.PfSource:
		return &p.Source
	case jsonscan.PfAuthor:
		return &p.Author
	case jsonscan.PfText:
		return &p.Text
	case jsonscan.PfLang:
		return &p.Lang
	case jsonscan.PfCountry:
		return &p.Country
	case jsonscan.PfRepostOf:
		return &p.RepostOf
	case jsonscan.PfReplyTo:
		return &p.ReplyTo
	}
	return &p.URL
}

// parseInt64 reads the JSON number lit into an int64 as encoding/json does:
// only an integer in range will do.
func parseInt64(lit []byte) (int64, error) {
	if n, ok := jsonscan.SmallInt(lit); ok {
		if lit[0] == '-' {
			n = -n
		}
		return n, nil
	}
	n, err := strconv.ParseInt(string(lit), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("field \"author_followers\" must not be a JSON number %s", lit)
	}
	return n, nil
}
