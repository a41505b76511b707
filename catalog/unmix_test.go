package catalog

import (
	"testing"

	"github.com/downwatch/downwatch"
)

// A word that mixes Latin letters with Cyrillic or Greek look-alikes is read
// as Latin; Cyrillic and Greek words, and a Cyrillic case ending after a Latin
// name, are left alone.
func TestUnmixScripts(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"На збої в роботі Тelegram скаржаться", "на збої в роботі telegram скаржаться"}, // Cyrillic Т
		{"Instаgram не работает", "instagram не работает"},                               // Cyrillic а inside
		{"Ιnstagram down", "instagram down"}, // Greek capital iota
		{"WhatsApp не работает", "whatsapp не работает"},
		{"проблемы в Telegramе", "проблемы в telegramе"}, // a case ending, not a disguise
		{"Τα μηνύματα δεν φεύγουν", "τα μηνύματα δεν φεύγουν"},
		{"ТікТоk", "tiktok"},       // every Cyrillic letter a look-alike, Latin k at the end
		{"Тelegramж", "тelegramж"}, // ж has no Latin look-alike: left as written
	} {
		if got := string(newNormalizer().normalize(tc.in)); got != tc.want {
			t.Errorf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	m := newTestMatcher(t)
	hits := m.Match(&downwatch.Post{Text: "На збої в роботі Тelegram скаржаться жителі України, Узбекистану, Румунії", Author: "someone", Source: "x"}, nil)
	if len(hits) != 1 || hits[0].Service != "telegram" {
		t.Errorf("a Ukrainian news line naming Тelegram with a Cyrillic Т: hits %v, want telegram", hits)
	}
}

// Explain of a post that names nothing, right after one that names several,
// does not read the earlier post's attachments (it panicked: found by
// FuzzMatch, "down: whatsappgram works fine").
func TestExplainAfterMultiServicePost(t *testing.T) {
	m := newTestMatcher(t)
	m.Explain(&downwatch.Post{Text: "down again: WhatsApp and Instagram", Author: "a", Source: "x"})
	ex := m.Explain(&downwatch.Post{Text: "down: whatsappgram works fine", Author: "b", Source: "x"})
	if len(ex.Hits) != 0 {
		t.Errorf("hits %v, want none", ex.Hits)
	}
}
