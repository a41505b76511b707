package catalog

import (
	"strings"
	"testing"

	"github.com/downwatch/downwatch"
)

// marketCases: share-price talk is not an outage. A market word cancels the
// phrases it is the subject of, whatever their strength; share-price context
// cancels weak and "down"-family phrases anywhere, never a phrase that names a
// malfunction. The first case is the false alarm measured by evaluate --seed 3
// (traps: netflix).
var marketCases = []matchCase{
	// Market word as the subject.
	{name: "subj/stock down again dip", text: "Netflix stock down again, buying the dip", want: ""},
	{name: "subj/stock is down again", text: "Netflix stock is down again", want: ""},
	{name: "subj/stock price still down", text: "Netflix stock price is still down", want: ""},
	{name: "subj/shares of", text: "shares of Netflix are down again after earnings", want: ""},
	{name: "subj/shares have been", text: "Spotify shares have been totally down all week", want: ""},
	{name: "subj/shareholders", text: "Meta shareholders not happy, WhatsApp revenue flat", want: "" /* no phrase for whatsapp */},
	{name: "subj/share price crashed", text: "Snapchat share price crashed", want: ""},
	{name: "subj/market cap", text: "Netflix market cap down again", want: ""},
	{name: "subj/cashtag", text: "$NFLX down again, Netflix subscribers up", want: ""},
	{name: "subj/cashtag any ticker", text: "Zoom $ZM still down after earnings", want: ""},
	{name: "subj/cashtag strong phrase", text: "Netflix: $NFLX completely down today", want: ""},
	{name: "subj/nasdaq", text: "Nasdaq down again, Netflix leads losers", want: ""},
	{name: "subj/s&p", text: "S&P down again as Netflix and Spotify slide", want: ""},
	{name: "subj/dow", text: "Dow is down again, Uber drags", want: ""},
	{name: "subj/valuation", text: "Discord valuation down again in new round", want: ""},
	{name: "subj/es acciones", text: "las acciones de Netflix están caídas", want: ""},
	{name: "subj/es accion de", text: "acción de Spotify caída tras resultados", want: ""},
	{name: "subj/pt acoes", text: "ações da Netflix caiu de novo", want: ""},
	{name: "subj/de aktie", text: "Netflix-Aktie ist down", want: ""},
	{name: "subj/de aktien", text: "Netflix Aktien sind heute down", want: ""},
	{name: "subj/de aktienkurs", text: "Netflix Aktienkurs ausgefallen", want: ""},
	{name: "subj/it azioni", text: "azioni Netflix in down", want: ""},
	{name: "subj/tr hisse", text: "Netflix hisseleri çöktü", want: ""},
	{name: "subj/hi share", text: "नेटफ्लिक्स के शेयर डाउन", want: ""},
	{name: "subj/ja kabuka", text: "ネットフリックスの株価が落ちた", want: ""},
	{name: "subj/ar sahm", text: "سهم نتفليكس متوقف", want: ""},
	{name: "subj/id saham", text: "saham Netflix down lagi", want: ""},

	// Share-price context: weak and "down"-family phrases.
	{name: "ctx/buying the dip", text: "Netflix down again, buying the dip", want: ""},
	{name: "ctx/bear market", text: "Spotify still down, bear market vibes", want: ""},
	{name: "ctx/sell-off", text: "Netflix is down after the sell-off", want: ""},
	{name: "ctx/price target", text: "Netflix down today, analysts cut price target", want: ""},
	{name: "ctx/downgraded", text: "Netflix goes down after Goldman downgraded it", want: ""},

	// Positives: explicit malfunctions, and market words that are not the
	// phrase's subject.
	{name: "pos/shares and outage", text: "Meta shares down 3% as WhatsApp outage drags on", want: "whatsapp/complaint"},
	{name: "pos/dip and not working", text: "Netflix not working, buying the dip anyway", want: "netflix/complaint"},
	{name: "pos/downgrade and cant log in", text: "Netflix downgraded my plan and now I can't log in", want: "netflix/complaint"},
	{name: "pos/sell-off and wont load", text: "sell-off or not, Netflix won't load", want: "netflix/complaint"},
	{name: "pos/stock then clause", text: "Netflix stock is fine but Netflix is not working", want: "netflix/complaint"},
	{name: "pos/stock sentence", text: "bought Spotify stock. Spotify is not working now lol", want: "spotify/complaint"},
	{name: "pos/cashtag other clause", text: "$META up 2%. WhatsApp not working since morning", want: "whatsapp/complaint"},
	{name: "pos/price money", text: "paid $5 for Netflix and it's not working", want: "netflix/complaint"},
	{name: "pos/es acciones but", text: "las acciones suben pero WhatsApp no funciona", want: "whatsapp/complaint"},
	{name: "pos/pt acoes outage", text: "ações da Meta sobem; WhatsApp fora do ar", want: "whatsapp/complaint"},
	{name: "pos/de aktie but", text: "Aktie egal, WhatsApp funktioniert nicht", want: "whatsapp/complaint"},
	{name: "pos/ja kabuka other sentence", text: "株価は上がった。Twitter落ちてる", want: "x/complaint"},
	{name: "pos/down again plain", text: "Netflix down again", want: "netflix/complaint"},
	{name: "pos/share button", text: "Instagram share button not working", want: "instagram/complaint"},
	{name: "pos/github actions", text: "GitHub Actions not working", want: "github/complaint"},
}

// addresseeCases: a reply's leading @handles are addressees, not subjects;
// @handles are coordinated only through an explicit coordinator. The first
// cases are the false alarm measured by evaluate --seed 5 (night-onset:
// google, from replies to @Google about Gmail).
var addresseeCases = []matchCase{
	{name: "fp/google gmail", text: "@Google Gmail not working", want: "gmail/complaint"},
	{name: "fp/google gmail says", text: "@Google gmail says something went wrong every time I try to log in", want: "gmail/complaint"},
	{name: "fp/es phrase first", text: "@Google ¿Solo a mí no me funciona Gmail?", want: "gmail/complaint"},
	{name: "fp/pt phrase first", text: "@Google não consigo entrar no Gmail", want: "gmail/complaint"},
	{name: "fp/en phrase first", text: "@Google anyone else having issues with Gmail?", want: "gmail/complaint"},
	{name: "fp/en cant send on", text: "@Google can't send messages on GMail smh", want: "gmail/complaint"},
	{name: "fp/hashtag", text: "@Google GMail isn't working, is it just me?? #gmaildown", want: "gmail/complaint"},
	{name: "addr/both handles nearest", text: "@Google @gmail down again", want: "gmail/complaint"},
	{name: "addr/vocative comma", text: "@Google, Gmail is down", want: "gmail/complaint"},
	{name: "addr/other users in prefix", text: "@jane_doe @Google Gmail not loading", want: "gmail/complaint"},
	{name: "addr/bluesky handle", text: "@google.bsky.social Gmail not working", want: "gmail/complaint"},
	{name: "addr/meta", text: "@Meta @instagram Instagram feed not loading", want: "instagram/complaint"},
	{name: "addr/playstation", text: "@AskPlayStation @Spotify Spotify on PS5 won't load", want: "spotify/complaint"},
	{name: "addr/hi", text: "@Google जीमेल काम नहीं कर रहा", want: "gmail/complaint"},
	{name: "addr/hinglish", text: "@WhatsApp instagram nahi chal raha", want: "instagram/complaint"},
	{name: "addr/tr", text: "@Google Gmail çöktü mü?", want: "gmail/complaint"},
	{name: "addr/de", text: "@Google Gmail funktioniert nicht", want: "gmail/complaint"},
	{name: "addr/ja", text: "@Google Gmailが使えない", want: "gmail/complaint"},

	// The addressee is the service when no other name takes the phrase.
	{name: "self/one service", text: "@WhatsApp not working since morning", want: "whatsapp/complaint"},
	{name: "self/other after comma", text: "@WhatsApp not working, Telegram fine", want: "whatsapp/complaint"},
	{name: "self/other in another clause", text: "@WhatsApp can't send messages so I'm on Telegram", want: "whatsapp/complaint"},
	{name: "self/es", text: "@WhatsApp no funciona desde la mañana", want: "whatsapp/complaint"},
	{name: "self/pt", text: "@Netflix não carrega nada, Disney+ funciona", want: "netflix/complaint"},
	{name: "self/two addressees comma", text: "@Google, @YouTube down", want: "youtube/complaint google/complaint"},

	// Explicit coordination.
	{name: "coord/and", text: "@WhatsApp and Instagram down again", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/ampersand handles", text: "@WhatsApp & @Instagram not working", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/es y", text: "@WhatsApp y Instagram caídos", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/hinglish aur", text: "@WhatsApp aur Instagram dono down hai", want: "whatsapp/complaint instagram/complaint"},
	{name: "coord/mid-text comma list", text: "down right now: Instagram, @WhatsApp", want: "whatsapp/complaint instagram/complaint"},

	// Mere adjacency does not coordinate a handle.
	{name: "adj/mid-text handle", text: "Instagram @WhatsApp down", want: "whatsapp/complaint"},
	{name: "adj/handle then name", text: "ugh @Google Gmail not working again", want: "gmail/complaint"},

	// Outage hashtags are always their own service's.
	{name: "tag/with addressee", text: "@Instagram #WhatsAppDown", want: "whatsapp/complaint"},
	{name: "tag/addressee and hashtag", text: "@WhatsApp #WhatsAppDown since morning", want: "whatsapp/complaint"},
	{name: "tag/two hashtags", text: "@Meta #WhatsAppDown #InstagramDown", want: "whatsapp/complaint instagram/complaint"},
}

// ambiguousPrepCases: a strong phrase, one preposition, then an ambiguous
// name (slow-burn: Outlook complaints missed).
var ambiguousPrepCases = []matchCase{
	{name: "en/log in to", text: "can't log in to Outlook", want: "outlook/complaint"},
	{name: "en/send on", text: "can't send messages on Outlook", want: "outlook/complaint"},
	{name: "en/connect to", text: "can't connect to Teams", want: "teams/complaint"},
	{name: "en/says", text: "Outlook says something went wrong every time I try to log in", want: "outlook/complaint"},
	{name: "fr/a", text: "impossible de me connecter à Outlook", want: "outlook/complaint"},
	{name: "es/en", text: "no puedo iniciar sesión en Outlook", want: "outlook/complaint"},
	{name: "de/mit", text: "keine Verbindung mit Outlook", want: "outlook/complaint"},
	{name: "pt/no is a determiner", text: "não consigo entrar no Outlook", want: ""},
	{name: "hi-Latn/phir se", text: "Outlook phir se down", want: "outlook/complaint"},
	{name: "tr/neden", text: "Outlook neden çalışmıyor", want: "outlook/complaint"},
	{name: "neg/weak down to x", text: "my internet is down to x mbps", want: ""},
	{name: "neg/the", text: "can't connect to the signal tower", want: ""},
	{name: "neg/two words", text: "can't log in since the outlook changed", want: ""},
}

func TestMatchAmbiguousPreposition(t *testing.T) {
	runMatchCases(t, ambiguousPrepCases)
}

func TestMatchMarket(t *testing.T) {
	runMatchCases(t, marketCases)
}

func TestMatchAddressee(t *testing.T) {
	runMatchCases(t, addresseeCases)
}

func runMatchCases(t *testing.T, cases []matchCase) {
	t.Helper()
	m := newTestMatcher(t)
	seen := map[string]bool{}
	for _, tc := range cases {
		if seen[tc.name] {
			t.Fatalf("duplicate case name %q", tc.name)
		}
		seen[tc.name] = true
		t.Run(tc.name, func(t *testing.T) {
			got := hitString(m.Match(tc.post(), nil))
			if got != tc.want {
				t.Errorf("Match(%q) = %q, want %q\n%s", tc.text, got, tc.want, m.Explain(tc.post()))
			}
		})
	}
}

func TestExplainMarketAndAddressee(t *testing.T) {
	m := newTestMatcher(t)
	for _, tc := range []struct{ text, want string }{
		{"Netflix stock down again, buying the dip", "its subject is a market word"},
		{"Netflix down again, buying the dip", "cancelled by share-price context"},
		{"$NFLX down again, Netflix subscribers up", `negative "$nflx" at 0-5 [market-subject]`},
		{"@Google Gmail not working", "google: no match: the post names several services and no outage, acknowledgement or resolved phrase is attached to this one: it is named only as an addressee"},
		{"@WhatsApp not working, Telegram fine", "an addressee of the reply"},
	} {
		s := m.Explain(&downwatch.Post{Author: "a", Source: "x", Text: tc.text}).String()
		if !strings.Contains(s, tc.want) {
			t.Errorf("Explain(%q) = %s\nwant it to contain %q", tc.text, s, tc.want)
		}
	}
}

func TestMatchMarketAddresseeAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	m := newTestMatcher(t)
	for _, text := range []string{
		"Netflix stock down again, buying the dip",
		"$NFLX and $SPOT down again on Netflix news",
		"@Google @gmail just a question about Gmail",
	} {
		p := &downwatch.Post{Author: "someone", Source: "x", Text: text}
		m.Match(p, nil)
		if n := testing.AllocsPerRun(100, func() { m.Match(p, nil) }); n != 0 {
			t.Errorf("Match(%q) allocates %v times per call, want 0", text, n)
		}
	}
}

// earlierClauseCases: a weak phrase ("down", "went down") that ends a clause
// before the one naming the service, behind a contrast or consequence word, is
// about something else; after the name, or in the name's own clause, it counts.
var earlierClauseCases = []matchCase{
	{name: "so/server went down", text: "the server at work went down, so it's iCloud Drive for the rest of the afternoon", want: ""},
	{name: "but/internet down", text: "our office network went down but WhatsApp on mobile data is fine", want: ""},
	{name: "de/aber", text: "Strom ist down, aber Netflix auf dem Handy geht", want: ""},
	{name: "pos/after the name", text: "tried to open Gmail but it's down", want: "gmail/complaint"},
	{name: "pos/name in the phrase's clause", text: "Instagram went down again, so annoying", want: "instagram/complaint"},
	{name: "pos/so down", text: "why is whatsapp so down today", want: "whatsapp/complaint"},
	{name: "pos/strong phrase", text: "outage everywhere, so WhatsApp too?", want: "whatsapp/complaint"},
}

func TestEarlierClause(t *testing.T) { runMatchCases(t, earlierClauseCases) }
