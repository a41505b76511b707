package downwatch

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode/utf8"
)

// This file keeps the encoding/json DecodePost that the hand-written decoder
// replaced, unchanged but for its name, as the reference the differential tests
// and fuzzers hold DecodePost to: same accept or reject, same reason and detail,
// same Post.

// refWirePost is the JSON shape of a Post as encoding/json decodes it. Text is
// a pointer so that a missing text (rejected) and an empty one (allowed) differ.
type refWirePost struct {
	ID              string  `json:"id"`
	Source          string  `json:"source"`
	Author          string  `json:"author"`
	Text            *string `json:"text"`
	CreatedAt       string  `json:"created_at"`
	Lang            string  `json:"lang"`
	Country         string  `json:"country"`
	RepostOf        string  `json:"repost_of"`
	ReplyTo         string  `json:"reply_to"`
	AuthorVerified  bool    `json:"author_verified"`
	AuthorFollowers float64 `json:"author_followers"`
	URL             string  `json:"url"`
}

// decodePostRef is DecodePost as it was with encoding/json.
func decodePostRef(data []byte) (Post, error) {
	if len(data) > MaxPostBytes {
		return Post{}, reject("too-large", "%d bytes, limit %d", len(data), MaxPostBytes)
	}
	if !utf8.Valid(data) {
		return Post{}, reject("invalid-utf8", "record is not valid UTF-8")
	}
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return Post{}, reject("not-object", "record is not a JSON object")
	}
	var w refWirePost
	err := json.Unmarshal(trimmed, &w)
	var se *json.SyntaxError
	if errors.As(err, &se) && hasRawControl(trimmed) {
		w = refWirePost{}
		err = json.Unmarshal(stripRawControl(trimmed), &w)
	}
	if err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Post{}, reject("wrong-type", "field %q must not be a JSON %s", te.Field, te.Value)
		}
		return Post{}, reject("bad-json", "%v", err)
	}
	for _, f := range [...]struct{ name, v string }{{"id", w.ID}, {"source", w.Source}, {"author", w.Author}, {"created_at", w.CreatedAt}} {
		if strings.TrimSpace(f.v) == "" {
			return Post{}, reject("missing-field", "required field %q is missing or empty", f.name)
		}
	}
	if w.Text == nil {
		return Post{}, reject("missing-field", "required field \"text\" is missing")
	}
	at, err := ParseTime(w.CreatedAt)
	if err != nil {
		return Post{}, reject("bad-time", "created_at %q is not RFC 3339", truncate(w.CreatedAt, 64))
	}
	if w.AuthorFollowers < 0 {
		w.AuthorFollowers = 0
	}
	return Post{
		ID:              w.ID,
		Source:          w.Source,
		Author:          w.Author,
		Text:            CleanText(*w.Text),
		CreatedAt:       at,
		Lang:            w.Lang,
		Country:         upperASCII(w.Country),
		RepostOf:        w.RepostOf,
		ReplyTo:         w.ReplyTo,
		AuthorVerified:  w.AuthorVerified,
		AuthorFollowers: int64(w.AuthorFollowers),
		URL:             w.URL,
	}, nil
}
