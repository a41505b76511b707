package downwatch

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/downwatch/downwatch/internal/jsonscan"
)

// MaxPostBytes is the largest record DecodePost accepts (docs/CONTRACT.md §1).
const MaxPostBytes = 1 << 20

// Post is the canonical input record (docs/CONTRACT.md §1). Every source is normalised into it.
type Post struct {
	ID              string    `json:"id"`
	Source          string    `json:"source"`
	Author          string    `json:"author"`
	Text            string    `json:"text"`
	CreatedAt       time.Time `json:"created_at"`
	Lang            string    `json:"lang,omitempty"`
	Country         string    `json:"country,omitempty"`
	RepostOf        string    `json:"repost_of,omitempty"`
	ReplyTo         string    `json:"reply_to,omitempty"`
	AuthorVerified  bool      `json:"author_verified,omitempty"`
	AuthorFollowers int64     `json:"author_followers,omitempty"`
	URL             string    `json:"url,omitempty"`
}

// ErrRejected is wrapped by every error DecodePost returns; the rest of the message
// is the reason the record was dead-lettered.
var ErrRejected = errors.New("post rejected")

// RejectError says why one record was rejected. Reason is a short stable slug
// (for metrics and dead-letter records); Detail is for people.
type RejectError struct {
	Reason string
	Detail string
}

func (e *RejectError) Error() string {
	if e.Detail == "" {
		return "post rejected: " + e.Reason
	}
	return "post rejected: " + e.Reason + ": " + e.Detail
}

func (e *RejectError) Unwrap() error { return ErrRejected }

func reject(reason, format string, args ...any) error {
	return &RejectError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// DecodePost validates one JSON record and returns the Post it holds. Every error
// it returns is a *RejectError that says why (docs/CONTRACT.md §1); it never panics on input.
// The Post's strings share one copy of the record's bytes, so data may be reused
// as soon as DecodePost returns.
func DecodePost(data []byte) (Post, error) {
	if len(data) > MaxPostBytes {
		return Post{}, reject("too-large", "%d bytes, limit %d", len(data), MaxPostBytes)
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		if !utf8.Valid(data) {
			return Post{}, reject("invalid-utf8", "record is not valid UTF-8")
		}
		return Post{}, reject("not-object", "record is not a JSON object")
	}
	var ps postScan
	err := ps.scan(trimmed)
	if err != nil || ps.flags&jsonscan.StrBadUTF8 != 0 || ps.typeField != jsonscan.PfUnknown {
		return decodePostBad(data, trimmed, &ps, err)
	}
	return ps.build(trimmed)
}

// decodePostBad finishes a record that phase one did not pass: not UTF-8 (checked
// over the whole record, which wins over any other reason), not JSON (where raw
// control characters make it so, they are removed and the record read again:
// they are noise, not a reason to reject, docs/CONTRACT.md §1), or a field of the wrong
// type.
func decodePostBad(data, trimmed []byte, ps *postScan, err error) (Post, error) {
	if !utf8.Valid(data) {
		return Post{}, reject("invalid-utf8", "record is not valid UTF-8")
	}
	if err != nil && hasRawControl(trimmed) {
		trimmed = stripRawControl(trimmed)
		*ps = postScan{}
		err = ps.scan(trimmed)
	}
	switch {
	case err != nil:
		return Post{}, reject("bad-json", "%v", err)
	case ps.typeField != jsonscan.PfUnknown:
		return Post{}, reject("wrong-type", "field %q must not be a JSON %s", jsonscan.PostFieldNames[ps.typeField], ps.typeValue)
	}
	return ps.build(trimmed)
}

// upperASCII upper-cases a country code, returning s itself when it already is.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 'a' && s[i] <= 'z' {
			return strings.ToUpper(s)
		}
	}
	return s
}

// hasRawControl reports whether b holds a control byte that JSON never allows raw.
func hasRawControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' {
			return true
		}
	}
	return false
}

// stripRawControl drops raw control bytes and turns raw tabs into spaces; outside
// strings they were insignificant, inside strings they were invalid.
func stripRawControl(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		switch {
		case c == '\t':
			out = append(out, ' ')
		case c < 0x20 && c != '\n' && c != '\r':
		default:
			out = append(out, c)
		}
	}
	return out
}

// ParseTime parses an RFC 3339 time (offsets and fractional seconds allowed) and
// returns it in UTC.
func ParseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, err
	}
	t = t.UTC()
	if y := t.Year(); y < 1 || y > 9999 {
		// "0000-01-01T00:00:00+00:01" parses, but is a year before 1 in UTC, which no
		// RFC 3339 time can say: the record could never be written out again.
		return time.Time{}, fmt.Errorf("time %q is outside the years 1 to 9999 in UTC", s)
	}
	return t, nil
}

// CleanText removes control characters other than tab and newline. It returns s
// itself when there is nothing to remove.
func CleanText(s string) string {
	clean := true
	for _, r := range s {
		if jsonscan.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if !jsonscan.IsControl(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
