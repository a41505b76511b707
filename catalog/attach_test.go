package catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

// attachCases: posts that name several services. An outage phrase belongs to
// the service it is attached to (attach.go). The first four are the false
// positives measured during the simulated WhatsApp outage (a false telegram
// incident).
var attachCases = []matchCase{
	// The measured false positives.
	{name: "fp/so back on", text: "whatsapp down so everyone's back on telegram lol", want: "whatsapp/complaint"},
	{name: "fp/pe aa jao", text: "whatsapp down hai, sab log telegram pe aa jao", want: "whatsapp/complaint"},
	{name: "fp/time to switch", text: "WhatsApp is down, time to switch to Telegram", want: "whatsapp/complaint"},
	{name: "fp/works fine but", text: "Instagram works fine but whatsapp is not working", want: "whatsapp/complaint"},

	// The name just before the phrase (SVO and verb-final).
	{name: "before/x is down y works", text: "WhatsApp is down, Telegram works", want: "whatsapp/complaint"},
	{name: "before/x is down y works reversed", text: "Telegram is down, WhatsApp works fine", want: "telegram/complaint"},
	{name: "before/no contrast word", text: "Instagram works fine, whatsapp is not working", want: "whatsapp/complaint"},
	{name: "before/after a phrase elsewhere", text: "telegram is great, whatsapp down", want: "whatsapp/complaint"},
	{name: "before/question", text: "is instagram down? whatsapp works", want: "instagram/complaint"},
	{name: "before/question same sentence", text: "is instagram down or is it just me, whatsapp works", want: "instagram/complaint"},
	{name: "before/two phrases two names", text: "WhatsApp down, Instagram not loading", want: "whatsapp/complaint instagram/complaint"},
	{name: "before/hi", text: "व्हाट्सएप काम नहीं कर रहा, टेलीग्राम चल रहा है", want: "whatsapp/complaint"},
	{name: "before/hi lekin", text: "व्हाट्सएप काम नहीं कर रहा लेकिन टेलीग्राम ठीक है", want: "whatsapp/complaint"},
	{name: "before/bn kintu", text: "হোয়াটসঅ্যাপ কাজ করছে না কিন্তু টেলিগ্রাম চলছে", want: "whatsapp/complaint"},
	{name: "before/tr", text: "WhatsApp çöktü, Telegram çalışıyor", want: "whatsapp/complaint"},
	{name: "before/tr ama", text: "Instagram çalışıyor ama WhatsApp çöktü", want: "whatsapp/complaint"},
	{name: "before/ja", text: "Twitter落ちてる、インスタは大丈夫", want: "x/complaint"},
	{name: "before/ja kedo", text: "インスタは大丈夫だけどツイッター落ちてる", want: "x/complaint"},
	{name: "before/de aber", text: "Instagram geht, aber WhatsApp funktioniert nicht", want: "whatsapp/complaint"},
	{name: "before/fr mais", text: "Instagram marche mais WhatsApp ne marche pas", want: "whatsapp/complaint"},
	{name: "before/it ma", text: "Instagram funziona ma WhatsApp non funziona", want: "whatsapp/complaint"},
	{name: "before/ru no", text: "Телеграм работает, но Ютуб не работает", want: "youtube/complaint"},
	{name: "before/ar lakin", text: "واتساب لا يعمل لكن تيليجرام يعمل", want: "whatsapp/complaint"},
	{name: "before/id tapi", text: "WhatsApp gangguan tapi Telegram aman", want: "whatsapp/complaint"},
	{name: "before/hinglish par postposition", text: "whatsapp par message nahi ja raha, telegram use karo", want: "whatsapp/complaint"},
	{name: "before/comma then phrase", text: "WhatsApp, can't send any messages since morning. Telegram fine", want: "whatsapp/complaint"},

	// The name after a phrase that starts its clause.
	{name: "after/down colon", text: "down: whatsapp. telegram works fine", want: "whatsapp/complaint"},
	{name: "after/es", text: "no funciona whatsapp, telegram sí", want: "whatsapp/complaint"},
	{name: "after/es pero", text: "Instagram va bien pero no funciona WhatsApp", want: "whatsapp/complaint"},
	{name: "after/pt", text: "não funciona o WhatsApp, mas o Telegram sim", want: "whatsapp/complaint"},
	{name: "after/hinglish", text: "kaam nahi kar raha whatsapp, telegram chal raha hai", want: "whatsapp/complaint"},
	{name: "after/after a comma", text: "Instagram works fine, can't send messages on WhatsApp", want: "whatsapp/complaint"},
	{name: "after/list", text: "down right now: WhatsApp and Instagram", want: "whatsapp/complaint instagram/complaint"},
	{name: "after/comma list", text: "not working: WhatsApp, Instagram, Facebook", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "after/es ni", text: "no funciona whatsapp ni instagram", want: "whatsapp/complaint instagram/complaint"},

	// Coordinated names share the phrase.
	{name: "coord/en and", text: "Instagram and WhatsApp are down", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/en list", text: "Facebook, Instagram & WhatsApp not working", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "coord/en list after a word", text: "ugh Facebook, Instagram & WhatsApp not working", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "coord/en bare comma", text: "Instagram, WhatsApp down", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/en so intensifier", text: "whatsapp and instagram are so down rn", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/hinglish aur dono", text: "WhatsApp aur Instagram dono down hai", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/hi aur", text: "व्हाट्सएप और इंस्टाग्राम काम नहीं कर रहे", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/it e", text: "WhatsApp e Instagram non funzionano", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/es y", text: "WhatsApp y Instagram caídos", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/pt e", text: "WhatsApp e Instagram fora do ar", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/tr ve", text: "WhatsApp ve Instagram çöktü", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/ja to", text: "ツイッターとインスタが落ちてる", want: "instagram/complaint x/complaint"},
	{name: "coord/hashtags", text: "#WhatsAppDown #InstagramDown", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/hashtag names", text: "#whatsapp and #instagram not working", want: "whatsapp/complaint instagram/complaint"},

	// Negatives: a service named without a phrase of its own.
	{name: "neg/bare comma is not a list", text: "I opened Instagram, WhatsApp is down", want: "whatsapp/complaint"},
	{name: "neg/no phrase at all", text: "Instagram works fine but whatsapp is fine too", want: ""},
	{name: "neg/switch no phrase", text: "switch to telegram, whatsapp is better", want: ""},
	{name: "neg/hashtag and advice", text: "#WhatsAppDown everyone go to telegram", want: "whatsapp/complaint"},
	{name: "neg/separate sentences", text: "WhatsApp is down. Telegram works.", want: "whatsapp/complaint"},
	{name: "neg/es usen", text: "se cayó whatsapp, mejor usen telegram", want: "whatsapp/complaint"},
	{name: "neg/de nutzt", text: "WhatsApp ist down, nutzt Telegram", want: "whatsapp/complaint"},
	{name: "neg/pt bora", text: "whatsapp caiu, bora pro telegram", want: "whatsapp/complaint"},

	// News and official posts.
	{name: "news/per service resolved", text: "WhatsApp is back up, Instagram still down", author: "Reuters", want: "whatsapp/news+resolved instagram/news"},
	{name: "news/other service unaffected", text: "WhatsApp down for thousands of users but Telegram works", author: "Reuters", want: "whatsapp/news"},
	{name: "official/unaffected", text: "We're aware some people are having trouble accessing Instagram and WhatsApp", author: "Meta", want: "whatsapp/official+ack instagram/official+ack"},
}

func TestMatchAttachment(t *testing.T) {
	m := newTestMatcher(t)
	for _, tc := range attachCases {
		t.Run(tc.name, func(t *testing.T) {
			got := hitString(m.Match(tc.post(), nil))
			if got != tc.want {
				t.Errorf("Match(%q) = %q, want %q\n%s", tc.text, got, tc.want, m.Explain(tc.post()))
			}
		})
	}
}

func TestMatchAttachmentSymptoms(t *testing.T) {
	m := newTestMatcher(t)
	for _, tc := range []struct {
		name string
		text string
		want map[string][]string
	}{
		{"each its own", "WhatsApp can't send messages but Instagram feed won't load",
			map[string][]string{"whatsapp": {"send-messages"}, "instagram": {"load"}}},
		{"coordinated share", "WhatsApp and Instagram down, can't log in",
			map[string][]string{"whatsapp": {"login"}, "instagram": {"login"}}},
		{"sentence naming none", "WhatsApp and Instagram are down. Messages fail everywhere",
			map[string][]string{"whatsapp": {"send-messages"}, "instagram": {"send-messages"}}},
		{"dropped service's words", "Instagram videos play fine but WhatsApp won't load",
			map[string][]string{"whatsapp": {"load"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hits := m.Match(&downwatch.Post{Author: "a", Source: "x", Text: tc.text}, nil)
			if len(hits) != len(tc.want) {
				t.Fatalf("Match(%q) = %s, want hits for %v\n%s", tc.text, hitString(hits), tc.want, m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: tc.text}))
			}
			for _, h := range hits {
				if want, ok := tc.want[h.Service]; !ok || !slices.Equal(h.Symptoms, want) {
					t.Errorf("Match(%q): %s symptoms = %v, want %v", tc.text, h.Service, h.Symptoms, want)
				}
			}
		})
	}
}

func TestExplainAttachment(t *testing.T) {
	m := newTestMatcher(t)
	ex := m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: "whatsapp down so everyone's back on telegram lol"})
	var down *Finding
	for i := range ex.Found {
		if ex.Found[i].Kind == "outage" && ex.Found[i].Text == "down" {
			down = &ex.Found[i]
		}
	}
	if down == nil || !slices.Equal(down.AttachedTo, []string{"whatsapp"}) || down.Attachment == "" || down.Clause != 1 {
		t.Errorf("Explain: phrase \"down\" = %+v, want attached to whatsapp in clause 1", down)
	}
	s := ex.String()
	for _, want := range []string{
		`attached to whatsapp ("whatsapp" at 0: the name just before it)`,
		`telegram: no match: the post names several services and no outage`,
		`clause with no outage phrase (it starts at the contrast word "back on")`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("Explain(...).String() = %s\nwant it to contain %q", s, want)
		}
	}
	s = m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: "WhatsApp is down, Telegram works"}).String()
	if !strings.Contains(s, `are attached to whatsapp: a phrase belongs to the name just before it`) {
		t.Errorf("Explain(X is down, Y works) = %s\nwant it to say the phrase is attached to whatsapp", s)
	}
	s = m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: "Facebook, Instagram & WhatsApp not working"}).String()
	if !strings.Contains(s, `coordinated with "whatsapp"`) {
		t.Errorf("Explain(list) = %s\nwant coordination", s)
	}
}

func TestMatchAttachmentAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	m := newTestMatcher(t)
	for _, text := range []string{
		"I love WhatsApp and Instagram",
		"Instagram works fine but telegram is fine too",
	} {
		p := &downwatch.Post{Author: "someone", Source: "x", Text: text}
		m.Match(p, nil)
		if n := testing.AllocsPerRun(100, func() { m.Match(p, nil) }); n != 0 {
			t.Errorf("Match(%q) allocates %v times per call, want 0", text, n)
		}
	}
	// A multi-service post whose only hit has no symptoms: the attachment
	// itself allocates nothing, only the returned hit slice does.
	p := &downwatch.Post{Author: "someone", Source: "x", Text: "whatsapp down so everyone's back on telegram lol"}
	dst := make([]Hit, 0, 4)
	m.Match(p, dst)
	if n := testing.AllocsPerRun(100, func() { dst = m.Match(p, dst[:0]) }); n != 0 {
		t.Errorf("Match(%q) allocates %v times per call, want 0", p.Text, n)
	}
}
