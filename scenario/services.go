package scenario

// svc is what the generator knows about one simulated service: how its users write its
// name, its hashtag, its official account, what usually breaks and how people chat about
// it. The tables in this file are read-only.
type svc struct {
	id       string
	names    map[string][]string // lang -> spellings; "" is the default (Latin script)
	hashtag  string              // outage hashtag, e.g. "#WhatsAppDown"
	official string              // the service's own account
	company  string              // who speaks for it, e.g. "Meta"
	ticker   string              // share ticker for the share-price trap
	kind     string              // chatter category: messaging, social, video, mail, pay, infra, dev, chat, shop, stream, search, cloud, music
	symptoms []string            // what usually breaks, most common first
	regions  []Region            // the usual mix of its users
}

// Usual user mixes, reused by several services.
var (
	mixMessaging = []Region{
		{Country: "IN", Weight: 0.30, UTCOffset: 5.5, Langs: []string{"hi", "hi", "hi-Latn", "en", "en", "bn"}},
		{Country: "BR", Weight: 0.12, UTCOffset: -3, Langs: []string{"pt"}},
		{Country: "ID", Weight: 0.08, UTCOffset: 7, Langs: []string{"id"}},
		{Country: "GB", Weight: 0.07, UTCOffset: 0, Langs: []string{"en"}},
		{Country: "ZA", Weight: 0.04, UTCOffset: 2, Langs: []string{"en"}},
		{Country: "NG", Weight: 0.05, UTCOffset: 1, Langs: []string{"en"}},
		{Country: "IT", Weight: 0.05, UTCOffset: 1, Langs: []string{"it"}},
		{Country: "TR", Weight: 0.05, UTCOffset: 3, Langs: []string{"tr"}},
		{Country: "MX", Weight: 0.06, UTCOffset: -6, Langs: []string{"es"}},
		{Country: "ES", Weight: 0.04, UTCOffset: 1, Langs: []string{"es"}},
		{Country: "SA", Weight: 0.05, UTCOffset: 3, Langs: []string{"ar"}},
		{Country: "DE", Weight: 0.04, UTCOffset: 1, Langs: []string{"de"}},
		{Country: "US", Weight: 0.05, UTCOffset: -5, Langs: []string{"en"}},
	}
	mixSocial = []Region{
		{Country: "US", Weight: 0.28, UTCOffset: -5, Langs: []string{"en"}},
		{Country: "IN", Weight: 0.16, UTCOffset: 5.5, Langs: []string{"en", "en", "hi", "hi-Latn"}},
		{Country: "BR", Weight: 0.12, UTCOffset: -3, Langs: []string{"pt"}},
		{Country: "GB", Weight: 0.07, UTCOffset: 0, Langs: []string{"en"}},
		{Country: "ID", Weight: 0.07, UTCOffset: 7, Langs: []string{"id"}},
		{Country: "MX", Weight: 0.06, UTCOffset: -6, Langs: []string{"es"}},
		{Country: "TR", Weight: 0.05, UTCOffset: 3, Langs: []string{"tr"}},
		{Country: "SA", Weight: 0.05, UTCOffset: 3, Langs: []string{"ar"}},
		{Country: "JP", Weight: 0.06, UTCOffset: 9, Langs: []string{"ja"}},
		{Country: "FR", Weight: 0.04, UTCOffset: 1, Langs: []string{"fr"}},
		{Country: "DE", Weight: 0.04, UTCOffset: 1, Langs: []string{"de"}},
	}
	mixX = []Region{
		{Country: "US", Weight: 0.32, UTCOffset: -5, Langs: []string{"en"}},
		{Country: "JP", Weight: 0.22, UTCOffset: 9, Langs: []string{"ja"}},
		{Country: "IN", Weight: 0.10, UTCOffset: 5.5, Langs: []string{"en", "hi"}},
		{Country: "GB", Weight: 0.08, UTCOffset: 0, Langs: []string{"en"}},
		{Country: "BR", Weight: 0.07, UTCOffset: -3, Langs: []string{"pt"}},
		{Country: "ES", Weight: 0.04, UTCOffset: 1, Langs: []string{"es"}},
		{Country: "MX", Weight: 0.04, UTCOffset: -6, Langs: []string{"es"}},
		{Country: "TR", Weight: 0.05, UTCOffset: 3, Langs: []string{"tr"}},
		{Country: "FR", Weight: 0.04, UTCOffset: 1, Langs: []string{"fr"}},
		{Country: "ID", Weight: 0.04, UTCOffset: 7, Langs: []string{"id"}},
	}
	mixWestern = []Region{
		{Country: "US", Weight: 0.45, UTCOffset: -5, Langs: []string{"en"}},
		{Country: "GB", Weight: 0.12, UTCOffset: 0, Langs: []string{"en"}},
		{Country: "DE", Weight: 0.10, UTCOffset: 1, Langs: []string{"de", "en"}},
		{Country: "FR", Weight: 0.08, UTCOffset: 1, Langs: []string{"fr"}},
		{Country: "IN", Weight: 0.10, UTCOffset: 5.5, Langs: []string{"en"}},
		{Country: "BR", Weight: 0.07, UTCOffset: -3, Langs: []string{"pt"}},
		{Country: "ES", Weight: 0.04, UTCOffset: 1, Langs: []string{"es"}},
		{Country: "JP", Weight: 0.04, UTCOffset: 9, Langs: []string{"ja"}},
	}
	mixIndia = []Region{
		{Country: "IN", Weight: 1, UTCOffset: 5.5, Langs: []string{"en", "en", "hi", "hi-Latn", "hi-Latn", "bn"}},
	}
)

var services = map[string]*svc{
	"whatsapp": {
		id: "whatsapp", hashtag: "#WhatsAppDown", official: "WhatsApp", company: "Meta", ticker: "META", kind: "messaging",
		names: map[string][]string{
			"":   {"WhatsApp", "Whatsapp", "whatsapp", "WhatsApp", "WhatsApp", "whatsapp"},
			"id": {"WA", "WhatsApp", "whatsapp"},
			"pt": {"WhatsApp", "whatsapp", "zap", "Whatsapp"},
			"bn": {"হোয়াটসঅ্যাপ", "হোয়াটসঅ্যাপ", "WhatsApp", "Whatsapp"},
			"hi": {"व्हाट्सएप", "व्हाट्सऐप", "WhatsApp", "whatsapp"},
			"ar": {"واتساب", "الواتس", "الواتساب", "WhatsApp"},
			"ja": {"WhatsApp", "ワッツアップ"},
		},
		symptoms: []string{"send-messages", "receive-messages", "connect", "calls"},
		regions:  mixMessaging,
	},
	"telegram": {
		id: "telegram", hashtag: "#TelegramDown", official: "telegram", kind: "messaging",
		names: map[string][]string{
			"":   {"Telegram", "telegram", "TG"},
			"hi": {"टेलीग्राम", "Telegram"},
			"ar": {"تيليجرام", "تلغرام", "Telegram"},
			"ja": {"テレグラム", "Telegram"},
		},
		symptoms: []string{"connect", "send-messages", "load"},
		regions:  mixMessaging,
	},
	"signal": {
		id: "signal", hashtag: "#SignalDown", official: "signalapp", kind: "messaging",
		names:    map[string][]string{"": {"Signal", "Signal", "signal app", "@signalapp"}},
		symptoms: []string{"send-messages", "connect", "receive-messages"},
		regions:  mixWestern,
	},
	"instagram": {
		id: "instagram", hashtag: "#instagramdown", official: "instagram", company: "Meta", ticker: "META", kind: "social",
		names: map[string][]string{
			"":   {"Instagram", "instagram", "insta", "IG", "Insta"},
			"tr": {"Instagram", "instagram", "İnstagram", "insta", "İnsta"},
			"ar": {"انستقرام", "انستغرام", "الانستا", "Instagram"},
			"ja": {"インスタ", "Instagram", "インスタグラム"},
			"hi": {"इंस्टाग्राम", "Instagram", "insta"},
			"bn": {"ইনস্টাগ্রাম", "Instagram"},
		},
		symptoms: []string{"load", "login", "upload", "send-messages"},
		regions:  mixSocial,
	},
	"facebook": {
		id: "facebook", hashtag: "#facebookdown", official: "Meta", company: "Meta", ticker: "META", kind: "social",
		names: map[string][]string{
			"":   {"Facebook", "facebook", "FB", "fb"},
			"ar": {"فيسبوك", "فيس بوك", "الفيس", "Facebook"},
			"hi": {"फेसबुक", "Facebook", "FB"},
			"bn": {"ফেসবুক", "Facebook"},
			"ja": {"Facebook", "フェイスブック"},
		},
		symptoms: []string{"load", "login", "upload"},
		regions:  mixSocial,
	},
	"x": {
		id: "x", hashtag: "#TwitterDown", official: "Support", company: "X", kind: "social",
		names: map[string][]string{
			"":   {"Twitter", "twitter", "X", "Twitter", "X/Twitter"},
			"en": {"Twitter", "twitter", "X", "Twitter", "this app", "X/Twitter", "this site"},
			"ja": {"Twitter", "ツイッター", "ツイッター", "ツイッタ", "X", "X（旧Twitter）", "Ｘ"},
		},
		symptoms: []string{"load", "upload", "login"},
		regions:  mixX,
	},
	"youtube": {
		id: "youtube", hashtag: "#YouTubeDown", official: "TeamYouTube", company: "Google", ticker: "GOOGL", kind: "video",
		names: map[string][]string{
			"":   {"YouTube", "youtube", "Youtube", "YT"},
			"ja": {"YouTube", "ようつべ", "ユーチューブ", "Youtube"},
			"ar": {"يوتيوب", "اليوتيوب", "YouTube"},
			"hi": {"यूट्यूब", "YouTube", "youtube"},
			"bn": {"ইউটিউব", "YouTube"},
		},
		symptoms: []string{"load", "playback", "upload", "login"},
		regions:  mixSocial,
	},
	"google": {
		id: "google", hashtag: "#GoogleDown", official: "Google", company: "Google", ticker: "GOOGL", kind: "search",
		names:    map[string][]string{"": {"Google", "google", "Google"}, "ja": {"Google", "グーグル"}},
		symptoms: []string{"load", "login"},
		regions:  mixSocial,
	},
	"gmail": {
		id: "gmail", hashtag: "#gmaildown", official: "Google", company: "Google", ticker: "GOOGL", kind: "mail",
		names: map[string][]string{
			"":   {"Gmail", "gmail", "GMail", "Gmail"},
			"hi": {"जीमेल", "Gmail", "gmail"},
			"ja": {"Gmail", "Gメール"},
		},
		symptoms: []string{"send-messages", "receive-messages", "login", "load"},
		regions:  mixSocial,
	},
	"outlook": {
		id: "outlook", hashtag: "#outlookdown", official: "MSFT365Status", company: "Microsoft", ticker: "MSFT", kind: "mail",
		names:    map[string][]string{"": {"Outlook", "outlook", "Outlook", "Hotmail"}},
		symptoms: []string{"send-messages", "login", "load"},
		regions:  mixWestern,
	},
	"discord": {
		id: "discord", hashtag: "#DiscordDown", official: "discord", kind: "chat",
		names:    map[string][]string{"": {"Discord", "discord", "Discord", "dc"}, "ja": {"Discord", "ディスコード", "ディスコ"}},
		symptoms: []string{"connect", "send-messages", "load", "calls"},
		regions:  mixWestern,
	},
	"cloudflare": {
		id: "cloudflare", hashtag: "#cloudflaredown", official: "CloudflareHelp", company: "Cloudflare", ticker: "NET", kind: "infra",
		names:    map[string][]string{"": {"Cloudflare", "cloudflare", "CloudFlare", "Cloudflare"}},
		symptoms: []string{"load", "connect"},
		regions:  mixWestern,
	},
	"shopify": {
		id: "shopify", hashtag: "#shopifydown", official: "ShopifySupport", company: "Shopify", ticker: "SHOP", kind: "shop",
		names:    map[string][]string{"": {"Shopify", "shopify", "Shopify"}},
		symptoms: []string{"load", "payments", "login"},
		regions:  mixWestern,
	},
	"github": {
		id: "github", hashtag: "#githubdown", official: "githubstatus", company: "GitHub", ticker: "MSFT", kind: "dev",
		names:    map[string][]string{"": {"GitHub", "github", "Github", "GitHub"}, "ja": {"GitHub", "ギットハブ"}},
		symptoms: []string{"load", "connect", "login"},
		regions:  mixWestern,
	},
	"aws": {
		id: "aws", hashtag: "#AWSdown", official: "AWSSupport", company: "Amazon", ticker: "AMZN", kind: "infra",
		names:    map[string][]string{"": {"AWS", "aws", "us-east-1", "Amazon Web Services"}},
		symptoms: []string{"connect", "load"},
		regions:  mixWestern,
	},
	"netflix": {
		id: "netflix", hashtag: "#NetflixDown", official: "Netflix", company: "Netflix", ticker: "NFLX", kind: "stream",
		names:    map[string][]string{"": {"Netflix", "netflix", "Netflix"}, "ja": {"Netflix", "ネトフリ", "ネットフリックス"}, "ar": {"نتفليكس", "Netflix"}},
		symptoms: []string{"playback", "load", "login"},
		regions:  mixSocial,
	},
	"reddit": {
		id: "reddit", hashtag: "#redditdown", official: "reddit", kind: "social",
		names:    map[string][]string{"": {"Reddit", "reddit", "Reddit"}},
		symptoms: []string{"load", "login"},
		regions:  mixWestern,
	},
	"icloud": {
		id: "icloud", hashtag: "#iCloudDown", official: "AppleSupport", company: "Apple", ticker: "AAPL", kind: "cloud",
		names: map[string][]string{
			"":   {"iCloud", "icloud", "iCloud", "iMessage", "FaceTime", "iCloud Drive"},
			"ja": {"iCloud", "アイクラウド", "iMessage"},
		},
		symptoms: []string{"login", "load", "send-messages", "upload"},
		regions:  mixWestern,
	},
	"spotify": {
		id: "spotify", hashtag: "#SpotifyDown", official: "SpotifyCares", company: "Spotify", ticker: "SPOT", kind: "music",
		names: map[string][]string{
			"":   {"Spotify", "spotify", "Spotify", "spotify app"},
			"ja": {"Spotify", "スポティファイ", "スポティファイ"},
			"hi": {"स्पॉटिफाई", "Spotify"},
		},
		symptoms: []string{"playback", "load", "login"},
		regions:  mixWestern,
	},
	"phonepe": {
		id: "phonepe", hashtag: "#PhonePeDown", official: "PhonePeSupport", company: "PhonePe", kind: "pay",
		names:    map[string][]string{"": {"PhonePe", "phonepe", "Phonepe", "Phone Pe"}, "hi": {"फोनपे", "PhonePe"}},
		symptoms: []string{"payments", "login"},
		regions:  mixIndia,
	},
}

// service returns what the generator knows about id; an unknown id gets a plain entry
// whose name is the id itself.
func service(id string) *svc {
	if s, ok := services[id]; ok {
		return s
	}
	return &svc{id: id, names: map[string][]string{"": {id}}, hashtag: "#" + id + "down", official: id, kind: "social", symptoms: []string{"load"}, regions: mixWestern}
}

// name picks how a post in lang writes the service's name: mostly in the language's own
// spelling when it has one, otherwise (or sometimes anyway) the Latin brand name.
func (s *svc) name(r *rng, lang string) string {
	ns := s.names[""]
	if local, ok := s.names[lang]; ok && r.IntN(4) != 0 {
		ns = local
	}
	return ns[r.IntN(len(ns))]
}

// langCountry is the default country for a language when an outage mix is derived from
// its Langs.
var langCountry = map[string]string{
	"en": "US", "hi": "IN", "hi-Latn": "IN", "bn": "IN", "it": "IT", "tr": "TR", "es": "MX",
	"pt": "BR", "ar": "SA", "id": "ID", "ja": "JP", "de": "DE", "fr": "FR",
}
