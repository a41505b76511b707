package downwatch

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch/internal/jsonscan"
)

func TestDecodePost(t *testing.T) {
	ok := `{"id":"1","source":"x","author":"a","text":"WhatsApp down?","created_at":"2022-10-25T07:05:00Z"}`
	tests := []struct {
		name   string
		in     string
		reason string // "" = accepted
		check  func(t *testing.T, p Post)
	}{
		{name: "minimal", in: ok, check: func(t *testing.T, p Post) {
			if p.ID != "1" || p.Author != "a" || p.Text != "WhatsApp down?" {
				t.Errorf("got %+v", p)
			}
		}},
		{name: "all fields", in: `{"id":"example-1","source":"x","author":"ANI","author_verified":true,"author_followers":7600000,"lang":"en","country":"in","created_at":"2022-10-25T08:05:00Z","text":"t","repost_of":"r","reply_to":"q","url":"https://x.com/ANI/status/1"}`,
			check: func(t *testing.T, p Post) {
				if !p.AuthorVerified || p.AuthorFollowers != 7600000 || p.Country != "IN" || p.RepostOf != "r" || p.ReplyTo != "q" || p.Lang != "en" {
					t.Errorf("got %+v", p)
				}
			}},
		{name: "offset and fraction become UTC", in: `{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T12:35:00.250+05:30"}`,
			check: func(t *testing.T, p Post) {
				want := time.Date(2022, 10, 25, 7, 5, 0, 250e6, time.UTC)
				if !p.CreatedAt.Equal(want) || p.CreatedAt.Location() != time.UTC {
					t.Errorf("got %v, want %v UTC", p.CreatedAt, want)
				}
			}},
		{name: "unknown fields ignored", in: `{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","extra":{"deep":[1,2]}}`},
		{name: "NUL and controls removed from text", in: `{"id":"1","source":"x","author":"a","text":"what\u0000sapp\u0007 down\n","created_at":"2022-10-25T07:05:00Z"}`,
			check: func(t *testing.T, p Post) {
				if p.Text != "whatsapp down\n" {
					t.Errorf("got text %q, want %q", p.Text, "whatsapp down\n")
				}
			}},
		{name: "raw NUL and tab bytes in text removed", in: "{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"whats\x00app\tdown\",\"created_at\":\"2022-10-25T07:05:00Z\"}",
			check: func(t *testing.T, p Post) {
				if p.Text != "whatsapp down" {
					t.Errorf("got text %q, want %q", p.Text, "whatsapp down")
				}
			}},
		{name: "empty text allowed", in: `{"id":"1","source":"x","author":"a","text":"","created_at":"2022-10-25T07:05:00Z"}`},
		{name: "not json", in: `whatsapp down`, reason: "not-object"},
		{name: "array", in: `[{"id":"1"}]`, reason: "not-object"},
		{name: "truncated", in: `{"id":"1","source":"x"`, reason: "bad-json"},
		{name: "missing id", in: `{"source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`, reason: "missing-field"},
		{name: "missing created_at", in: `{"id":"1","source":"x","author":"a","text":"t"}`, reason: "missing-field"},
		{name: "missing text", in: `{"id":"1","source":"x","author":"a","created_at":"2022-10-25T07:05:00Z"}`, reason: "missing-field"},
		{name: "empty author", in: `{"id":"1","source":"x","author":" ","text":"t","created_at":"2022-10-25T07:05:00Z"}`, reason: "missing-field"},
		{name: "numeric id", in: `{"id":1,"source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`, reason: "wrong-type"},
		{name: "null id", in: `{"id":null,"source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z"}`, reason: "missing-field"},
		{name: "bool verified as string", in: `{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25T07:05:00Z","author_verified":"yes"}`, reason: "wrong-type"},
		{name: "time without zone", in: `{"id":"1","source":"x","author":"a","text":"t","created_at":"2022-10-25 07:05:00"}`, reason: "bad-time"},
		{name: "a year before 1 in UTC", in: `{"id":"1","source":"x","author":"a","text":"t","created_at":"0000-01-01T00:00:00+00:01"}`, reason: "bad-time"},
		{name: "unix time", in: `{"id":"1","source":"x","author":"a","text":"t","created_at":"1666681500"}`, reason: "bad-time"},
		{name: "invalid utf-8", in: "{\"id\":\"1\",\"source\":\"x\",\"author\":\"a\",\"text\":\"\xff\xfe\",\"created_at\":\"2022-10-25T07:05:00Z\"}", reason: "invalid-utf8"},
		{name: "too large", in: `{"id":"1","source":"x","author":"a","created_at":"2022-10-25T07:05:00Z","text":"` + strings.Repeat("a", MaxPostBytes) + `"}`, reason: "too-large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := DecodePost([]byte(tt.in))
			if tt.reason == "" {
				if err != nil {
					t.Fatalf("got error %v, want none", err)
				}
				if tt.check != nil {
					tt.check(t, p)
				}
				return
			}
			var re *RejectError
			if !errors.As(err, &re) || !errors.Is(err, ErrRejected) {
				t.Fatalf("got %v, want a RejectError with reason %q", err, tt.reason)
			}
			if re.Reason != tt.reason {
				t.Errorf("got reason %q (%v), want %q", re.Reason, err, tt.reason)
			}
		})
	}
}

func FuzzDecodePost(f *testing.F) {
	f.Add([]byte(`{"id":"1","source":"x","author":"a","text":"WhatsApp কাজ করছে না","created_at":"2022-10-25T07:05:00Z"}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte("{\"text\":\"\x00\"}"))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodePost(b)
		if err != nil {
			if !errors.Is(err, ErrRejected) {
				t.Fatalf("error %v does not wrap ErrRejected", err)
			}
			return
		}
		if p.ID == "" || p.Author == "" || p.Source == "" || p.CreatedAt.IsZero() {
			t.Fatalf("accepted a post without required fields: %+v", p)
		}
		for _, r := range p.Text {
			if jsonscan.IsControl(r) {
				t.Fatalf("control character %U left in text", r)
			}
		}
	})
}
