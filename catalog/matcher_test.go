// Benchmark results: go test -bench Match ./catalog/ (Intel Xeon, 2 cores, go1.26, one goroutine):
//
//	BenchmarkMatch/no-match-short         296 ns/op   0 B/op  0 allocs/op  (~3.4M posts/s)
//	BenchmarkMatch/no-match-name          395 ns/op   0 B/op  0 allocs/op  (names, no outage phrase)
//	BenchmarkMatch/match                  825 ns/op  64 B/op  1 allocs/op  (~1.2M posts/s; the alloc is Hit.Symptoms)
//	BenchmarkMatch/long-2KB             13849 ns/op   0 B/op  0 allocs/op  (~148 MB/s)
//	BenchmarkMatch/long-2KB-match       11457 ns/op   0 B/op  0 allocs/op
//	BenchmarkMatch/mixed-script          8578 ns/op   0 B/op  0 allocs/op  (Bengali+Hindi, 176 B; NFKC dominates)
//	BenchmarkMatch/mixed-script-no-match 4666 ns/op   0 B/op  0 allocs/op
//	BenchmarkNewMatcher                    40 ms/op  (17k states x 138 byte classes, ~9.4 MB table)
//
// After clause attachment (attach.go; the machine was shared and loaded, so
// medians of 5 interleaved runs of the old and new test binaries):
//
//	no-match-short  404 -> 354 ns/op, no-match-name 637 -> 578 ns/op, match 1019 -> 981 ns/op,
//	long-2KB 15577 -> 16072 ns/op (all within the noise), still 0 allocs on no-match;
//	match-multi (new: "whatsapp down so everyone's back on telegram lol") ~1.6 us/op, 0 allocs;
//	automaton 17.5k states x 137 classes, 9.7 MB.
//
// After market subjects, share-price context, $cashtags and reply addressees
// (medians of interleaved runs of the old and new test binaries on a shared,
// loaded machine; everything within the noise): no-match-short 235 -> 244,
// no-match-name 345 -> 359, match 675 -> 609, long-2KB 11490 -> 12971 (14050
// -> 13904 in another round), long-2KB-match 12184 -> 10993, mixed-script
// 7721 -> 8507 (9690 -> 7161 in another round), match-multi 874 -> 845 ns/op;
// still 0 allocs on no-match and match-multi.

package catalog

import (
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/downwatch/downwatch"
)

var (
	testMatcherOnce sync.Once
	testMatcher     *Matcher
	testMatcherErr  error
)

func newTestMatcher(tb testing.TB) *Matcher {
	tb.Helper()
	testMatcherOnce.Do(func() {
		c, err := Default()
		if err != nil {
			testMatcherErr = err
			return
		}
		testMatcher, testMatcherErr = NewMatcher(c)
	})
	if testMatcherErr != nil {
		tb.Fatalf("NewMatcher: %v", testMatcherErr)
	}
	return testMatcher
}

// hitString renders hits as "service/kind[+ack][+resolved]" joined by spaces.
func hitString(hits []Hit) string {
	var parts []string
	for _, h := range hits {
		s := h.Service + "/" + string(h.Kind)
		if h.Ack {
			s += "+ack"
		}
		if h.Resolved {
			s += "+resolved"
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

type matchCase struct {
	name   string
	text   string
	author string // default "someone"
	source string // default "x"
	want   string // hitString; "" = no hit
}

func (c matchCase) post() *downwatch.Post {
	p := &downwatch.Post{ID: "1", Source: c.source, Author: c.author, Text: c.text}
	if p.Author == "" {
		p.Author = "someone"
	}
	if p.Source == "" {
		p.Source = "x"
	}
	return p
}

const aniText = `#UPDATE | "We're aware that some people are currently having trouble sending messages and we're working to restore WhatsApp for everyone as quickly as possible," says Meta Company Spokesperson`

var matchCases = []matchCase{
	// English positives.
	{name: "en/is down", text: "WhatsApp is down", want: "whatsapp/complaint"},
	{name: "en/question", text: "is gmail down?", want: "gmail/complaint"},
	{name: "en/hashtag", text: "#InstagramDown again ugh", want: "instagram/complaint"},
	{name: "en/derived hashtag", text: "#spotifydown", want: "spotify/complaint"},
	{name: "en/not working", text: "YouTube not working for anyone else?", want: "youtube/complaint"},
	{name: "en/cant send", text: "can't send messages on whatsapp", want: "whatsapp/complaint"},
	{name: "en/two services", text: "Instagram and WhatsApp down", want: "whatsapp/complaint instagram/complaint"},
	{name: "en/full width", text: "ＷｈａｔｓＡｐｐ not working", want: "whatsapp/complaint"},
	{name: "en/upper case", text: "WHATSAPP IS DOWN!!!", want: "whatsapp/complaint"},
	{name: "en/curly apostrophe", text: "Discord won’t load", want: "discord/complaint"},
	{name: "en/outage", text: "Massive Cloudflare outage right now", want: "cloudflare/complaint"},
	{name: "en/possessive", text: "GitHub's API is returning errors", want: "github/complaint"},
	{name: "en/handle", text: "@netflix not loading on my TV", want: "netflix/complaint"},
	{name: "en/stock and outage", text: "Meta shares down 3% as WhatsApp outage drags on", want: "whatsapp/complaint"},
	// English negatives.
	{name: "en/no outage phrase", text: "I love WhatsApp", want: ""},
	{name: "en/download", text: "download WhatsApp now", want: ""},
	{name: "en/countdown", text: "YouTube countdown to the premiere", want: ""},
	{name: "en/markdown", text: "GitHub markdown tables are nice", want: ""},
	{name: "en/downtown", text: "Uber app downtown is pricey", want: ""},
	{name: "en/breakdown", text: "a breakdown of Netflix viewing numbers", want: ""},
	{name: "en/calm down", text: "calm down, it's just Twitter", want: ""},
	{name: "en/let me down", text: "Spotify wrapped let me down this year", want: ""},
	{name: "en/down bad", text: "I'm down bad for this Netflix show", want: ""},
	{name: "en/down to earth", text: "the Discord mods are so down to earth", want: ""},
	{name: "en/down with", text: "down with the sickness on Spotify", want: ""},
	{name: "en/upside down", text: "Netflix Stranger Things upside down", want: ""},
	{name: "en/willing", text: "are you down to play Roblox later", want: ""},
	{name: "en/shut down feature", text: "Google is shutting down Gmail basic HTML view", want: ""},
	{name: "en/old phones", text: "WhatsApp will stop working on these old iPhones", want: ""},
	{name: "en/no longer work", text: "WhatsApp will no longer work on Android 4", want: ""},
	{name: "en/shares down", text: "Meta shares down 5% premarket, WhatsApp Business revenue up", want: ""},
	{name: "en/stock down", text: "Netflix stock down after earnings", want: ""},
	{name: "en/ticker", text: "$META down big today, Instagram ads weak", want: ""},
	{name: "en/thumbs down", text: "YouTube removed the thumbs down count", want: ""},
	{name: "en/look down on", text: "people look down on Facebook users", want: ""},
	{name: "en/down under", text: "Netflix down under has different shows", want: ""},
	{name: "en/one knee", text: "he went down on one knee on TikTok live", want: ""},
	{name: "en/ceo steps down", text: "Twitter CEO steps down", want: ""},
	{name: "en/taken down", text: "my video got taken down by YouTube", want: ""},
	{name: "en/whatsappdownload", text: "whatsappdownload.apk", want: ""},

	// Ambiguous names.
	{name: "amb/x files", text: "I am watching X files", want: ""},
	{name: "amb/x is down", text: "X is down", want: "x/complaint"},
	{name: "amb/twitter down", text: "twitter down", want: "x/complaint"},
	{name: "amb/the signal", text: "the signal is down here", want: ""},
	{name: "amb/signal app", text: "Signal app not working", want: "signal/complaint"},
	{name: "amb/x app", text: "X app keeps crashing", want: "x/complaint"},
	{name: "amb/hashtag", text: "#Steam not loading", want: "steam/complaint"},
	{name: "amb/steam question", text: "Steam down?", want: "steam/complaint"},
	{name: "amb/steam far", text: "steam from the kettle, and my internet is down", want: ""},
	{name: "amb/ms teams", text: "MS Teams not working this morning", want: "teams/complaint"},
	{name: "amb/teams is down", text: "Teams is down again", want: "teams/complaint"},
	{name: "amb/my teams", text: "my teams are down 2-0 at half time", want: ""},
	{name: "amb/threads", text: "Threads is not loading", want: "threads/complaint"},
	{name: "amb/threads of", text: "threads of cotton, the machine is not working", want: ""},
	{name: "amb/outlook economy", text: "the outlook is down for 2025 growth", want: ""},
	{name: "amb/outlook down", text: "Outlook down for anyone?", want: "outlook/complaint"},
	{name: "amb/hotmail", text: "hotmail not loading", want: "outlook/complaint"},
	{name: "amb/x-ray", text: "the x-ray machine is not working", want: ""},
	{name: "amb/no signal phrase", text: "Jio network no signal since morning", want: "jio/complaint"},
	{name: "amb/xdown hashtag", text: "#XDown", want: "x/complaint"},
	{name: "amb/google cloud not google", text: "Google Cloud outage in us-central1", want: "google-cloud/complaint"},
	{name: "amb/uber eats", text: "Uber Eats app not working", want: "uber/complaint"},
	{name: "amb/uber cool", text: "this uber cool game is not working on my pc", want: ""},
	{name: "amb/zoom in", text: "zoom in on the photo, the link is broken", want: ""},
	{name: "amb/zoom down", text: "Zoom is down, meeting cancelled", want: "zoom/complaint"},

	// Kinds.
	{name: "kind/news ANI", text: aniText, author: "ANI", want: "whatsapp/news+ack"},
	{name: "kind/news at handle", text: "WhatsApp down for users across India", author: "@ani", want: "whatsapp/news"},
	{name: "kind/rss", text: "Slack outage hits users worldwide", source: "rss", author: "feed", want: "slack/news"},
	{name: "kind/official no name", text: "We're aware that some people are having trouble sending messages. We're working on a fix.", author: "WhatsApp", want: "whatsapp/official+ack"},
	{name: "kind/official resolved", text: "WhatsApp is 100% back up and running", author: "@WhatsApp", want: "whatsapp/official+resolved"},
	{name: "kind/official meta names one", text: "We're aware some people are having trouble accessing Instagram", author: "Meta", want: "instagram/official+ack"},
	{name: "kind/official meta names none", text: "We're aware some people are having trouble accessing our apps", author: "MetaNewsroom", want: "whatsapp/official+ack facebook/official+ack instagram/official+ack messenger/official+ack threads/official+ack"},
	{name: "kind/official feature post", text: "New: send messages that disappear", author: "WhatsApp", want: ""},
	{name: "kind/official backup is not resolved", text: "Back up your chats to Google Drive", author: "WhatsApp", want: ""},
	{name: "kind/github status", text: "Incident on 2024-01-01: Degraded performance for Actions", author: "githubstatus", want: "github/official+ack"},
	{name: "kind/statuspage", text: "Scheduled maintenance tonight", source: "statuspage", author: "github", want: "github/official"},
	{name: "kind/statuspage name", text: "Investigating elevated error rates", source: "statuspage", author: "Cloudflare", want: "cloudflare/official+ack"},
	{name: "kind/x support", text: "Some people may be having trouble loading posts. We're working on a fix.", author: "Support", want: "x/official+ack"},
	{name: "kind/news mention no outage", text: "WhatsApp launches new feature", author: "Reuters", want: ""},
	{name: "kind/wabetainfo not official", text: "We're aware of reports about WhatsApp", author: "wabetainfo", want: ""},
	{name: "kind/verified is not official", text: "WhatsApp is down", author: "randomverified", want: "whatsapp/complaint"},
	{name: "kind/news quoting ambiguous", text: "X is down for thousands of users, Downdetector shows", author: "Reuters", want: "x/news"},

	// Bengali.
	{name: "bn/seed line", text: "প্রায় দেড় ঘণ্টা পার হয়েছে। এখনও কাজ করছে না হোয়াটসঅ্যাপ (Whatsapp)।", want: "whatsapp/complaint"},
	{name: "bn/down", text: "হোয়াটসঅ্যাপ ডাউন", want: "whatsapp/complaint"},
	{name: "bn/suffix", text: "হোয়াটসঅ্যাপে মেসেজ পাঠাতে পারছি না", want: "whatsapp/complaint"},
	{name: "bn/youtube", text: "ইউটিউব খুলছে না", want: "youtube/complaint"},
	{name: "bn/zwj", text: "হোয়াটস\u200dঅ্যাপ কাজ করছে না", want: "whatsapp/complaint"},
	{name: "bn/no outage", text: "হোয়াটসঅ্যাপে নতুন ফিচার এসেছে", want: ""},
	{name: "bn/just name", text: "আমি ইউটিউব দেখছি", want: ""},
	{name: "bn/other word", text: "আজ আবহাওয়া ভালো, কাজ করছি", want: ""},

	// Hindi.
	{name: "hi/kaam nahi", text: "व्हाट्सएप काम नहीं कर रहा", want: "whatsapp/complaint"},
	{name: "hi/down", text: "यूट्यूब डाउन है क्या?", want: "youtube/complaint"},
	{name: "hi/message", text: "व्हाट्सएप पर मैसेज नहीं जा रहे", want: "whatsapp/complaint"},
	{name: "hi/hinglish", text: "whatsapp nahi chal raha yaar", want: "whatsapp/complaint"},
	{name: "hi/band hai", text: "instagram band hai kya", want: "instagram/complaint"},
	{name: "hi/jio", text: "Jio network nahi aa raha", want: "jio/complaint"},
	{name: "hi/no outage", text: "व्हाट्सएप पर नया फीचर आया", want: ""},
	{name: "hi/hinglish no outage", text: "instagram pe reel dekh raha hu", want: ""},
	{name: "hi/jio word", text: "jio aur jeene do, life is not working out", want: ""},

	// Urdu.
	{name: "ur/kaam nahi", text: "واٹس ایپ کام نہیں کر رہا", want: "whatsapp/complaint"},
	{name: "ur/no outage", text: "واٹس ایپ پر پیغام بھیجا", want: ""},

	// Spanish.
	{name: "es/no funciona", text: "WhatsApp no funciona", want: "whatsapp/complaint"},
	{name: "es/caido", text: "¿Instagram caído?", want: "instagram/complaint"},
	{name: "es/se cayo", text: "se cayó twitter otra vez", want: "x/complaint"},
	{name: "es/enviar", text: "no puedo enviar mensajes por whatsapp", want: "whatsapp/complaint"},
	{name: "es/no outage", text: "me encanta Netflix los domingos", want: ""},
	{name: "es/download", text: "descargar WhatsApp gratis", want: ""},

	// Portuguese.
	{name: "pt/nao funciona", text: "o whatsapp não funciona", want: "whatsapp/complaint"},
	{name: "pt/fora do ar", text: "Instagram fora do ar de novo", want: "instagram/complaint"},
	{name: "pt/caiu", text: "caiu o twitter?", want: "x/complaint"},
	{name: "pt/enviar", text: "não consigo enviar mensagens no WhatsApp", want: "whatsapp/complaint"},
	{name: "pt/no outage", text: "vou postar no Instagram amanhã", want: ""},
	{name: "pt/caiu elsewhere", text: "o preço caiu muito", want: ""},

	// French.
	{name: "fr/en panne", text: "Instagram en panne ?", want: "instagram/complaint"},
	{name: "fr/ne marche pas", text: "WhatsApp ne marche pas depuis ce matin", want: "whatsapp/complaint"},
	{name: "fr/envoyer", text: "impossible d'envoyer un message sur WhatsApp", want: "whatsapp/complaint"},
	{name: "fr/ne fonctionne pas", text: "Gmail ne fonctionne pas", want: "gmail/complaint"},
	{name: "fr/no outage", text: "j'adore Spotify", want: ""},
	{name: "fr/panneau", text: "un panneau sur YouTube", want: ""},

	// German.
	{name: "de/funktioniert nicht", text: "WhatsApp funktioniert nicht", want: "whatsapp/complaint"},
	{name: "de/stoerung", text: "Störung bei der Telekom", want: "t-mobile/complaint"},
	{name: "de/uppercase stoerung", text: "INSTAGRAM STÖRUNG", want: "instagram/complaint"},
	{name: "de/geht nicht", text: "Netflix geht nicht", want: "netflix/complaint"},
	{name: "de/senden", text: "kann keine Nachrichten senden, WhatsApp?", want: "whatsapp/complaint"},
	{name: "de/no outage", text: "Ich schaue Netflix", want: ""},

	// Italian.
	{name: "it/non funziona", text: "WhatsApp non funziona", want: "whatsapp/complaint"},
	{name: "it/e down", text: "Instagram è down?", want: "instagram/complaint"},
	{name: "it/inviare", text: "non riesco a inviare messaggi su WhatsApp", want: "whatsapp/complaint"},
	{name: "it/no outage", text: "guardo YouTube stasera", want: ""},

	// Turkish.
	{name: "tr/coktu", text: "Instagram çöktü mü?", want: "instagram/complaint"},
	{name: "tr/calismiyor upper", text: "WHATSAPP ÇALIŞMIYOR", want: "whatsapp/complaint"},
	{name: "tr/erisim", text: "Twitter'a erişim sorunu", want: "x/complaint"},
	{name: "tr/mesaj", text: "WhatsApp'tan mesaj gönderemiyorum", want: "whatsapp/complaint"},
	{name: "tr/no outage", text: "Instagram'da yeni bir gönderi paylaştım", want: ""},

	// Arabic.
	{name: "ar/la yamal", text: "واتساب لا يعمل", want: "whatsapp/complaint"},
	{name: "ar/hamza variants", text: "الواتساب لا استطيع ارسال الرسائل", want: "whatsapp/complaint"},
	{name: "ar/alef hamza", text: "لا أستطيع إرسال الرسائل في واتساب", want: "whatsapp/complaint"},
	{name: "ar/youtube", text: "يوتيوب متوقف", want: "youtube/complaint"},
	{name: "ar/no outage", text: "شاهدت فيديو على يوتيوب", want: ""},

	// Indonesian.
	{name: "id/dibuka", text: "Instagram tidak bisa dibuka", want: "instagram/complaint"},
	{name: "id/gangguan", text: "WhatsApp gangguan lagi", want: "whatsapp/complaint"},
	{name: "id/down lagi", text: "twitter down lagi", want: "x/complaint"},
	{name: "id/kirim pesan", text: "tidak bisa kirim pesan di WhatsApp", want: "whatsapp/complaint"},
	{name: "id/no outage", text: "nonton YouTube sambil makan", want: ""},

	// Japanese.
	{name: "ja/ochiteru", text: "ツイッター落ちてる？", want: "x/complaint"},
	{name: "ja/latin name", text: "Instagramが使えない", want: "instagram/complaint"},
	{name: "ja/halfwidth", text: "ﾜｯﾂｱｯﾌﾟ繋がらない", want: "whatsapp/complaint"},
	{name: "ja/send", text: "LINEじゃなくてWhatsAppでメッセージが送れない", want: "whatsapp/complaint"},
	{name: "ja/no outage", text: "YouTubeで動画を見た", want: ""},
	{name: "ja/no service", text: "電車が止まってる、使えない", want: ""},

	// Others.
	{name: "ru/ne rabotaet", text: "Ютуб не работает", want: "youtube/complaint"},
	{name: "ru/inflected", text: "сбой Телеграма", want: "telegram/complaint"},
	{name: "ru/no outage", text: "смотрю Ютуб", want: ""},
	{name: "ko/jangae", text: "카카오 말고 유튜브 장애", want: "youtube/complaint"},
	{name: "ko/particle", text: "유튜브가 안돼요", want: "youtube/complaint"},
	{name: "zh/gua le", text: "推特挂了", want: "x/complaint"},
	{name: "nl/werkt niet", text: "WhatsApp werkt niet", want: "whatsapp/complaint"},
	{name: "nl/storing", text: "storing bij Ziggo en Netflix", want: "netflix/complaint"},
	{name: "pl/nie dziala", text: "Facebook nie działa", want: "facebook/complaint"},
	{name: "tl/ayaw", text: "ayaw gumana ng Facebook", want: "facebook/complaint"},
}

func TestMatch(t *testing.T) {
	m := newTestMatcher(t)
	for _, tc := range matchCases {
		t.Run(tc.name, func(t *testing.T) {
			got := hitString(m.Match(tc.post(), nil))
			if got != tc.want {
				t.Errorf("Match(%q) = %q, want %q\n%s", tc.text, got, tc.want, m.Explain(tc.post()))
			}
		})
	}
}

func TestMatchSymptoms(t *testing.T) {
	m := newTestMatcher(t)
	for _, tc := range []struct {
		name string
		text string
		want []string
	}{
		{"send", "can't send messages on WhatsApp", []string{"send-messages"}},
		{"login keyword", "Instagram down, can't even log in", []string{"login"}},
		{"login phrase", "can't log in to Gmail", []string{"login"}},
		{"two", "WhatsApp not working: messages and calls fail", []string{"calls", "send-messages"}},
		{"payments", "UPI payment failed again, UPI down", []string{"payments"}},
		{"bengali", "হোয়াটসঅ্যাপে মেসেজ পাঠাতে পারছি না", []string{"send-messages"}},
		{"japanese", "WhatsAppでメッセージが送れない", []string{"send-messages"}},
		{"none", "WhatsApp is down", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits := m.Match(&downwatch.Post{Author: "a", Source: "x", Text: tc.text}, nil)
			if len(hits) == 0 {
				t.Fatalf("Match(%q): no hit, want one with symptoms %v", tc.text, tc.want)
			}
			if got := hits[0].Symptoms; !slices.Equal(got, tc.want) {
				t.Errorf("Match(%q) symptoms = %v, want %v", tc.text, got, tc.want)
			}
		})
	}
}

func TestMatchSeedStory(t *testing.T) {
	m := newTestMatcher(t)
	data, err := os.ReadFile("../../shared/seed/whatsapp-outage-2022-10-25.bn.txt")
	if err != nil {
		data, err = os.ReadFile("/work/shared/seed/whatsapp-outage-2022-10-25.bn.txt")
	}
	if err != nil {
		t.Skipf("seed story not available: %v", err)
	}
	hitsPerLine := 0
	for _, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		hits := m.Match(&downwatch.Post{Author: "a", Source: "file", Text: line}, nil)
		for _, h := range hits {
			if h.Service != "whatsapp" {
				t.Errorf("line %q: got hit for %s, want only whatsapp", line, h.Service)
			}
		}
		if strings.Contains(line, "এখনও কাজ করছে না হোয়াটসঅ্যাপ") && hitString(hits) != "whatsapp/complaint" {
			t.Errorf("line %q: got %q, want whatsapp/complaint", line, hitString(hits))
		}
		if len(hits) > 0 {
			hitsPerLine++
		}
	}
	if hitsPerLine < 3 {
		t.Errorf("got %d matching lines in the seed story, want at least 3", hitsPerLine)
	}
}

func TestMatchAppendsAndIsDeterministic(t *testing.T) {
	m := newTestMatcher(t)
	dst := []Hit{{Service: "keep"}}
	got := m.Match(&downwatch.Post{Text: "Instagram and WhatsApp down", Author: "a"}, dst)
	if len(got) != 3 || got[0].Service != "keep" {
		t.Fatalf("got %v, want the existing hit followed by two new ones", got)
	}
	if m.Match(nil, nil) != nil {
		t.Errorf("Match(nil) returned hits, want none")
	}
}

func TestMatchConcurrent(t *testing.T) {
	m := newTestMatcher(t)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var dst []Hit
			for i := 0; i < 200; i++ {
				tc := matchCases[(i*7+g)%len(matchCases)]
				dst = m.Match(tc.post(), dst[:0])
				if got := hitString(dst); got != tc.want {
					t.Errorf("concurrent Match(%q) = %q, want %q", tc.text, got, tc.want)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestExplain(t *testing.T) {
	m := newTestMatcher(t)
	ex := m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: "calm down, Twitter"})
	s := ex.String()
	for _, want := range []string{"calm down", "cancelled by an overlapping negative", "x: no match"} {
		if !strings.Contains(s, want) {
			t.Errorf("Explain(...).String() = %q, want it to contain %q", s, want)
		}
	}
	ex = m.Explain(&downwatch.Post{Author: "ANI", Source: "x", Text: aniText})
	if got := hitString(ex.Hits); got != "whatsapp/news+ack" {
		t.Errorf("Explain hits = %q, want whatsapp/news+ack", got)
	}
	ex = m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: "I am watching X files"})
	if !strings.Contains(ex.String(), "nothing") && !strings.Contains(ex.String(), "ambiguous") {
		t.Errorf("Explain(X files) = %q, want it to say the name was ambiguous", ex.String())
	}
}

func TestMatchAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	m := newTestMatcher(t)
	for _, text := range []string{
		"just had lunch, the weather is nice today",
		"আজ আবহাওয়া ভালো, কাজ করছি",
		"I love WhatsApp",
	} {
		p := &downwatch.Post{Author: "someone", Source: "x", Text: text}
		m.Match(p, nil) // warm the pool
		if n := testing.AllocsPerRun(100, func() { m.Match(p, nil) }); n != 0 {
			t.Errorf("Match(%q) allocates %v times per call, want 0", text, n)
		}
	}
}

func BenchmarkMatch(b *testing.B) {
	m := newTestMatcher(b)
	long := strings.Repeat("Lovely weather in the park today, going to read a book and then cook dinner with friends. ", 23)[:2048]
	for _, bc := range []struct {
		name string
		text string
	}{
		{"no-match-short", "just had lunch, the weather is nice today"},
		{"no-match-name", "I love WhatsApp and Instagram"},
		{"match", "WhatsApp is down, can't send messages"},
		{"long-2KB", long},
		{"long-2KB-match", long[:1900] + " WhatsApp is down again!"},
		{"mixed-script", "Whatsapp Down: এখনও কাজ করছে না হোয়াটসঅ্যাপ (Whatsapp)। व्हाट्सएप काम नहीं कर रहा"},
		{"mixed-script-no-match", "আজ আবহাওয়া ভালো, কাজ করছি। 今日はいい天気ですね"},
		{"match-multi", "whatsapp down so everyone's back on telegram lol"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := &downwatch.Post{ID: "1", Source: "x", Author: "someone", Text: bc.text}
			dst := make([]Hit, 0, 4)
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				dst = m.Match(p, dst[:0])
			}
		})
	}
}

func BenchmarkNewMatcher(b *testing.B) {
	c, err := Default()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewMatcher(c); err != nil {
			b.Fatal(err)
		}
	}
}
