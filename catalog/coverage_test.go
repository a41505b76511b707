package catalog

import "testing"

// Coverage of natural complaint phrasings, language by language: positives
// (how people actually type them: lower case, no accents, slang, inflected
// forms) and negatives (the same words in ordinary talk).
var coverageCases = []matchCase{
	// English.
	{name: "en/completely dead", text: "WhatsApp is completely dead", want: "whatsapp/complaint"},
	{name: "en/wont let me send", text: "whatsapp won't let me send anything", want: "whatsapp/complaint"},
	{name: "en/loading screen", text: "Fortnite stuck on the loading screen again", want: "fortnite/complaint"},
	{name: "en/keeps freezing", text: "Netflix keeps freezing on my tv", want: "netflix/complaint"},
	{name: "en/error 500", text: "getting error 500 on github", want: "github/complaint"},
	{name: "en/server error", text: "Discord server error every time I open it", want: "discord/complaint"},
	{name: "en/one tick", text: "whatsapp messages stuck on one tick", want: "whatsapp/complaint"},
	{name: "en/login", text: "Instagram won't let me log in", want: "instagram/complaint"},
	{name: "en/kicked out", text: "Snapchat keeps kicking me out", want: "snapchat/complaint"},
	{name: "en/disconnecting", text: "PSN keeps disconnecting", want: "playstation-network/complaint"},
	{name: "en/payment", text: "PayPal payment not working at checkout", want: "paypal/complaint"},
	{name: "en/black screen", text: "Disney+ black screen on every show", want: "disney-plus/complaint"},
	{name: "en/cant stream", text: "Twitch can't stream anything", want: "twitch/complaint"},
	{name: "en/search", text: "reddit search isn't working", want: "reddit/complaint"},
	{name: "en/notifications", text: "not receiving notifications from Slack", want: "slack/complaint"},
	{name: "en/crash course", text: "YouTube crash course on statistics", want: ""},
	{name: "en/car crash", text: "watched the car crash video on TikTok", want: ""},
	{name: "en/crashed at", text: "crashed at my friend's place, watched Netflix", want: ""},
	{name: "en/dead serious", text: "I'm dead serious, Netflix has the best shows", want: ""},
	{name: "en/deadline", text: "deadline tomorrow, no more YouTube", want: ""},
	{name: "en/cant wait", text: "can't wait for the new Spotify wrapped", want: ""},
	{name: "en/cant stop watching", text: "can't stop watching TikTok", want: ""},
	{name: "en/stuck with me", text: "that Netflix show really stuck with me", want: ""},
	{name: "en/trial and error", text: "learning Discord bots by trial and error", want: ""},
	{name: "en/open up", text: "I can't open up to anyone except on Reddit", want: ""},
	{name: "en/dead inside", text: "scrolling TikTok at 3am, completely dead inside", want: ""},

	// Spanish.
	{name: "es/no envia", text: "whatsapp no envia los mensajes", want: "whatsapp/complaint"},
	{name: "es/no me deja", text: "Instagram no me deja iniciar sesion", want: "instagram/complaint"},
	{name: "es/algo salio mal", text: "Netflix: algo salio mal, otra vez", want: "netflix/complaint"},
	{name: "es/se queda cargando", text: "YouTube se queda cargando", want: "youtube/complaint"},
	{name: "es/no me llegan", text: "no me llegan los mensajes de whatsapp", want: "whatsapp/complaint"},
	{name: "es/sin senal", text: "Movistar sin señal y Telegram no conecta", want: "telegram/complaint"},
	{name: "es/se cierra", text: "tiktok se cierra sola", want: "tiktok/complaint"},
	{name: "es/error conexion", text: "error de conexion en Fortnite", want: "fortnite/complaint"},
	{name: "es/no reproduce", text: "Spotify no reproduce nada", want: "spotify/complaint"},
	{name: "es/no jala", text: "no jala whatsapp web", want: "whatsapp/complaint"},
	{name: "es/no va a", text: "Netflix no va a renovar la serie", want: ""},
	{name: "es/manda saludos", text: "mi abuela me manda audios por WhatsApp", want: ""},
	{name: "es/murio", text: "murió el actor de la serie de Netflix", want: ""},
	{name: "es/serie", text: "la nueva serie de Netflix es buenísima", want: ""},
	{name: "es/caer", text: "vi un video de gente que se cae en TikTok", want: ""},

	// Portuguese.
	{name: "pt/travado", text: "instagram travado aqui", want: "instagram/complaint"},
	{name: "pt/nao funciona", text: "whatsapp nao funciona", want: "whatsapp/complaint"},
	{name: "pt/caiu geral", text: "caiu geral o whatsapp?", want: "whatsapp/complaint"},
	{name: "pt/dando erro", text: "o Nubank tá dando erro e o pix não vai", want: ""},
	{name: "pt/pix", text: "pix não cai no PayPal", want: "paypal/complaint"},
	{name: "pt/nao envia", text: "o zap não envia, whatsapp bugado", want: "whatsapp/complaint"},
	{name: "pt/nao carrega", text: "youtube nao esta carregando", want: "youtube/complaint"},
	{name: "pt/logar", text: "não consigo logar no Instagram", want: "instagram/complaint"},
	{name: "pt/relogio", text: "whatsapp mensagem fica no relógio", want: "whatsapp/complaint"},
	{name: "pt/pt-pt", text: "o WhatsApp não está a funcionar", want: "whatsapp/complaint"},
	{name: "pt/em baixo", text: "o Instagram está em baixo", want: "instagram/complaint"},
	{name: "pt/nao da pra", text: "não dá pra parar de ver Netflix", want: ""},
	{name: "pt/parou de chover", text: "parou de chover, vou postar no Instagram", want: ""},
	{name: "pt/caiu preco", text: "o preço do Spotify caiu", want: ""},
	{name: "pt/toca", text: "essa música toca no Spotify todo dia", want: ""},
	{name: "pt/entra", text: "isso não entra na minha cabeça, TikTok", want: ""},

	// French.
	{name: "fr/hs", text: "WhatsApp est HS depuis ce matin", want: "whatsapp/complaint"},
	{name: "fr/plante", text: "Discord ça plante sans arrêt", want: "discord/complaint"},
	{name: "fr/ne charge plus", text: "YouTube ne charge plus", want: "youtube/complaint"},
	{name: "fr/marche pas", text: "snapchat ça marche pas ??", want: "snapchat/complaint"},
	{name: "fr/arrive pas", text: "j'arrive pas à me connecter à Instagram", want: "instagram/complaint"},
	{name: "fr/pas de reseau", text: "plus de reseau chez Orange, Telegram ne se lance pas", want: "telegram/complaint"},
	{name: "fr/erreur", text: "Netflix: une erreur est survenue", want: "netflix/complaint"},
	{name: "fr/ne partent pas", text: "mes messages WhatsApp ne partent plus", want: "whatsapp/complaint"},
	{name: "fr/ecran noir", text: "écran noir sur Disney+", want: "disney-plus/complaint"},
	{name: "fr/paiement", text: "paiement refusé sur PayPal", want: "paypal/complaint"},
	{name: "fr/hors sujet", text: "HS mais j'adore Spotify", want: ""},
	{name: "fr/plante verte", text: "ma plante verte sur Instagram", want: ""},
	{name: "fr/c'est mort", text: "c'est mort pour ce soir, Netflix et dodo", want: ""},
	{name: "fr/arrive pas a croire", text: "j'arrive pas à croire ce que j'ai vu sur TikTok", want: ""},
	{name: "fr/repond", text: "Netflix ne répond pas aux critiques", want: ""},

	// German.
	{name: "de/senden split", text: "kann bei WhatsApp keine Nachrichten senden", want: "whatsapp/complaint"},
	{name: "de/laedt bei mir", text: "Instagram lädt bei mir nicht", want: "instagram/complaint"},
	{name: "de/laedt split name", text: "Lädt WhatsApp bei euch auch nicht?", want: "whatsapp/complaint"},
	{name: "de/geht split name", text: "bei mir geht YouTube gerade nicht", want: "youtube/complaint"},
	{name: "de/funktioniert bei mir", text: "WhatsApp funktioniert bei mir auch nicht mehr", want: "whatsapp/complaint"},
	{name: "de/kaputt", text: "Discord kaputt?", want: "discord/complaint"},
	{name: "de/stuerzt ab", text: "Spotify stürzt ständig ab", want: "spotify/complaint"},
	{name: "de/no umlaut", text: "netflix ladt nicht", want: "netflix/complaint"},
	{name: "de/fehler", text: "PayPal: Ein Fehler ist aufgetreten", want: "paypal/complaint"},
	{name: "de/kein internet", text: "Telekom kein Internet seit heute früh", want: "t-mobile/complaint"},
	{name: "de/komme nicht rein", text: "komme nicht rein bei Instagram", want: "instagram/complaint"},
	{name: "de/split multi", text: "Lädt WhatsApp bei euch auch nicht? Instagram geht", want: "whatsapp/complaint"},
	{name: "de/geht mir nicht", text: "Die Netflix Serie geht mir nicht aus dem Kopf", want: ""},
	{name: "de/kaputt gemacht", text: "Netflix hat die Serie kaputt gemacht", want: ""},
	{name: "de/geht es", text: "wie geht es dir? nicht so gut, ich schaue Netflix", want: ""},
	{name: "de/nachrichten", text: "ich schaue Nachrichten auf YouTube", want: ""},
	{name: "de/fehler word", text: "das war ein Fehler von Netflix, die Serie abzusetzen", want: ""},
	{name: "de/split too far", text: "geht heute abend mit Freunden ins Kino und nicht Netflix", want: ""},

	// Italian.
	{name: "it/non va", text: "whatsapp non va", want: "whatsapp/complaint"},
	{name: "it/non carica", text: "Instagram non carica piu", want: "instagram/complaint"},
	{name: "it/si blocca", text: "TikTok si blocca di continuo", want: "tiktok/complaint"},
	{name: "it/crasha", text: "Fortnite crasha sempre", want: "fortnite/complaint"},
	{name: "it/non invia", text: "WhatsApp non invia i messaggi", want: "whatsapp/complaint"},
	{name: "it/accesso", text: "non riesco a loggarmi su Netflix", want: "netflix/complaint"},
	{name: "it/andato giu", text: "è andato giù YouTube?", want: "youtube/complaint"},
	{name: "it/qualcosa", text: "Spotify: qualcosa è andato storto", want: "spotify/complaint"},
	{name: "it/connessione", text: "Discord non si connette", want: "discord/complaint"},
	{name: "it/pagamento", text: "pagamento rifiutato su PayPal", want: "paypal/complaint"},
	{name: "it/non mi va", text: "non mi va di guardare Netflix stasera", want: ""},
	{name: "it/bloccato", text: "mi ha bloccato su Instagram", want: ""},
	{name: "it/ko", text: "KO tecnico nel video su YouTube", want: ""},
	{name: "it/sono giu", text: "sono giù di morale, metto Spotify", want: ""},
	{name: "it/problemi di cuore", text: "problemi di cuore raccontati su TikTok", want: ""},

	// Turkish.
	{name: "tr/gonderemiyorum", text: "WhatsApp'tan mesaj gönderemiyorum", want: "whatsapp/complaint"},
	{name: "tr/ascii", text: "whatsapp mesaj gonderemiyoruz", want: "whatsapp/complaint"},
	{name: "tr/acilmiyor", text: "Instagram açılmıyor", want: "instagram/complaint"},
	{name: "tr/acilmiyormus", text: "instagram acilmiyormus", want: "instagram/complaint"},
	{name: "tr/giremiyorum", text: "Instagram'a giremiyorum", want: "instagram/complaint"},
	{name: "tr/baglanamiyorum", text: "Discord'a bağlanamıyoruz", want: "discord/complaint"},
	{name: "tr/yuklenmiyor", text: "YouTube videolar yüklenmiyor", want: "youtube/complaint"},
	{name: "tr/calismiyor", text: "twitter calismiyor mu", want: "x/complaint"},
	{name: "tr/hata veriyor", text: "Spotify sürekli hata veriyor", want: "spotify/complaint"},
	{name: "tr/kesintisi", text: "WhatsApp'ta kesinti yaşanıyor", want: "whatsapp/complaint"},
	{name: "tr/izleyemiyorum", text: "Netflix'te dizi izleyemiyorum", want: "netflix/complaint"},
	{name: "tr/odeme", text: "PayPal ödeme yapamıyorum", want: "paypal/complaint"},
	{name: "tr/gitti", text: "Instagram'a bakıp okula gitti", want: ""},
	{name: "tr/dondurma", text: "dondurma yedim, YouTube izledim", want: ""},
	{name: "tr/paylastim", text: "Instagram'da yeni bir fotoğraf paylaştım", want: ""},
	{name: "tr/arama", text: "görüntülü arama yaptık WhatsApp'tan", want: ""},
	{name: "tr/takildi", text: "arkadaşlarla takıldık, Netflix izledik", want: ""},

	// Arabic.
	{name: "ar/mish shaghal", text: "الواتساب مش شغال", want: "whatsapp/complaint"},
	{name: "ar/ma yiftah", text: "انستقرام ما يفتح", want: "instagram/complaint"},
	{name: "ar/khurban", text: "يوتيوب خربان", want: "youtube/complaint"},
	{name: "ar/hadath khata", text: "نتفليكس حدث خطأ", want: "netflix/complaint"},
	{name: "ar/ma fi net", text: "الواتساب واقف ومافي نت", want: "whatsapp/complaint"},
	{name: "ar/tal3ni", text: "سناب طلعني من الحساب", want: "snapchat/complaint"},
	{name: "ar/ma yirsil", text: "الواتساب ما يرسل", want: "whatsapp/complaint"},
	{name: "ar/tayih", text: "تيك توك طايح", want: "tiktok/complaint"},
	{name: "ar/ma ydkhl", text: "سناب ما يدخل", want: "snapchat/complaint"},
	{name: "ar/data", text: "فيسبوك لا يستجيب", want: "facebook/complaint"},
	{name: "ar/waqi", text: "هذا هو الواقع على يوتيوب", want: ""},
	{name: "ar/mu3allaq", text: "المعلق في فيديو يوتيوب رائع", want: ""},
	{name: "ar/mish radi", text: "انا مش راضي عن المسلسل على نتفليكس", want: ""},
	{name: "ar/la tursil", text: "لا ترسل لي على الواتساب", want: ""},
	{name: "ar/video", text: "شاهدت فيديو جميل على يوتيوب", want: ""},

	// Indonesian / Malay.
	{name: "id/gak bisa login", text: "instagram gak bisa login", want: "instagram/complaint"},
	{name: "id/ga bisa kirim", text: "wa ga bisa kirim pesan, whatsapp error terus", want: "whatsapp/complaint"},
	{name: "id/tidak bisa diakses", text: "YouTube tidak bisa diakses", want: "youtube/complaint"},
	{name: "id/loading terus", text: "tiktok loading terus", want: "tiktok/complaint"},
	{name: "id/centang satu", text: "WhatsApp centang satu terus", want: "whatsapp/complaint"},
	{name: "id/lagi gangguan", text: "Telegram lagi gangguan ya?", want: "telegram/complaint"},
	{name: "id/gagal bayar", text: "gagal bayar pakai PayPal", want: "paypal/complaint"},
	{name: "id/gabisa nonton", text: "netflix gabisa nonton", want: "netflix/complaint"},
	{name: "id/malay tak boleh", text: "whatsapp tak boleh hantar mesej", want: "whatsapp/complaint"},
	{name: "id/lemot", text: "Instagram lemot banget", want: "instagram/complaint"},
	{name: "id/gak bisa tidur", text: "gak bisa tidur, nonton YouTube", want: ""},
	{name: "id/mati lampu", text: "mati lampu, main TikTok aja", want: ""},
	{name: "id/nonton", text: "nonton Netflix sama pacar", want: ""},
	{name: "id/gak bisa move on", text: "gak bisa move on dari drakor di Netflix", want: ""},
	{name: "id/saham", text: "saham Netflix lagi down ya", want: ""},

	// Japanese.
	{name: "ja/dekinai", text: "インスタにログインできない", want: "instagram/complaint"},
	{name: "ja/todokanai", text: "LINEじゃなくてWhatsAppのメッセージが届かない", want: "whatsapp/complaint"},
	{name: "ja/hirakanai", text: "YouTube開かない", want: "youtube/complaint"},
	{name: "ja/mirenai", text: "ネトフリ見れない", want: "netflix/complaint"},
	{name: "ja/tsukaenai", text: "Discord使えない", want: "discord/complaint"},
	{name: "ja/ochiteru", text: "ツイッター落ちてる", want: "x/complaint"},
	{name: "ja/omoi", text: "インスタ重すぎ", want: "instagram/complaint"},
	{name: "ja/error", text: "Spotifyでエラーが出る", want: "spotify/complaint"},
	{name: "ja/saisei", text: "YouTubeの動画が再生できない", want: "youtube/complaint"},
	{name: "ja/tsuuchi", text: "Discordの通知が来ない", want: "discord/complaint"},
	{name: "ja/ga dekinai", text: "PayPalで支払いができない", want: "paypal/complaint"},
	{name: "ja/gaman", text: "ネトフリの新作が待ちきれない、我慢できない", want: ""},
	{name: "ja/rikai", text: "YouTubeの新しいデザインが理解できない", want: ""},
	{name: "ja/te ga todokanai", text: "Spotifyのプレミアムは高くて手が届かない", want: ""},
	{name: "ja/download", text: "Spotifyでダウンロードした曲", want: ""},
	{name: "ja/densha", text: "電車が止まってる、YouTube見てる", want: "youtube/complaint"},

	// Hindi and Hinglish.
	{name: "hi/nhi chal raha", text: "insta nhi chal raha", want: "instagram/complaint"},
	{name: "hi/open nahi", text: "youtube open nahi ho raha", want: "youtube/complaint"},
	{name: "hi/otp", text: "paytm otp nahi aa raha", want: "paytm/complaint"},
	{name: "hi/paise kat gaye", text: "phonepe se paise kat gaye par payment fail", want: "phonepe/complaint"},
	{name: "hi/error aa raha", text: "SBI YONO error aa raha", want: "sbi/complaint"},
	{name: "hi/call nahi lag", text: "jio call nahi lag raha", want: "jio/complaint"},
	{name: "hi/devanagari load", text: "यूट्यूब लोड नहीं हो रहा", want: "youtube/complaint"},
	{name: "hi/devanagari error", text: "व्हाट्सएप पर एरर आ रहा", want: "whatsapp/complaint"},
	{name: "hi/net nahi", text: "airtel net nahi chal raha", want: "airtel/complaint"},
	{name: "hi/down h", text: "whatsapp down h kya", want: "whatsapp/complaint"},
	{name: "hi/neg reel", text: "instagram pe reel dekh raha hu", want: ""},
	{name: "hi/neg song", text: "spotify pe naya gaana aaya hai", want: ""},
	{name: "hi/neg chal", text: "chal yaar youtube dekhte hai", want: ""},
	{name: "hi/neg video", text: "यूट्यूब पर नया वीडियो आया", want: ""},
	{name: "hi/neg band", text: "band baaja baaraat on Netflix", want: ""},

	// Bengali.
	{name: "bn/dhukte", text: "ফেসবুকে ঢুকতে পারছি না", want: "facebook/complaint"},
	{name: "bn/load", text: "ইউটিউব লোড হচ্ছে না", want: "youtube/complaint"},
	{name: "bn/error", text: "হোয়াটসঅ্যাপে এরর দেখাচ্ছে", want: "whatsapp/complaint"},
	{name: "bn/net nei", text: "নেট নেই, ফেসবুক চলছে না", want: "facebook/complaint"},
	{name: "bn/hang", text: "টিকটক হ্যাং হয়ে যাচ্ছে", want: "tiktok/complaint"},
	{name: "bn/neg", text: "ফেসবুকে নতুন ছবি দিলাম", want: ""},
	{name: "bn/neg2", text: "ইউটিউবে গান শুনছি", want: ""},

	// Russian, Korean, Chinese, Dutch, Polish, Tagalog, Urdu.
	{name: "ru/vyletaet", text: "телеграм вылетает", want: "telegram/complaint"},
	{name: "ru/ne gruzit", text: "ютуб не грузит", want: "youtube/complaint"},
	{name: "ru/chto-to", text: "Дискорд: что-то пошло не так", want: "discord/complaint"},
	{name: "ru/leg spat", text: "лег спать под Ютуб", want: ""},
	{name: "ru/akcii", text: "акции Нетфликс упали", want: ""},
	{name: "ko/muktong", text: "카톡 말고 유튜브 먹통이네", want: "youtube/complaint"},
	{name: "ko/login", text: "인스타 로그인이 안 돼요", want: "instagram/complaint"},
	{name: "ko/jangaein", text: "유튜브 장애인 인식 개선 영상", want: ""},
	{name: "ko/teojyeo", text: "유튜브 보다가 웃음 터졌다", want: ""},
	{name: "zh/shangbuqu", text: "推特上不去", want: "x/complaint"},
	{name: "zh/shantui", text: "抖音闪退", want: "tiktok/complaint"},
	{name: "zh/fabuchuqu", text: "Telegram消息发不出去", want: "telegram/complaint"},
	{name: "nl/split", text: "werkt WhatsApp bij jullie ook niet?", want: "whatsapp/complaint"},
	{name: "nl/ligt eruit", text: "Instagram ligt er weer uit", want: "instagram/complaint"},
	{name: "nl/neg", text: "ik ben kapot, Netflix aan", want: ""},
	{name: "pl/padlo", text: "padło Discord", want: "discord/complaint"},
	{name: "pl/nie laduje", text: "youtube nie laduje sie", want: "youtube/complaint"},
	{name: "tl/ayaw mag open", text: "ayaw mag open ng Facebook", want: "facebook/complaint"},
	{name: "tl/walang signal", text: "Globe walang signal, messenger di ma-send", want: "messenger/complaint"},
	{name: "ur/kohl", text: "یوٹیوب نہیں کھل رہا", want: "youtube/complaint"},
}

func TestMatchCoverage(t *testing.T) {
	runMatchCases(t, coverageCases)
}

func TestMatchCoverageAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are meaningless under the race detector (sync.Pool drops items)")
	}
	m := newTestMatcher(t)
	for _, tc := range []matchCase{
		{text: "Die Netflix Serie geht mir nicht aus dem Kopf"},
		{text: "bei mir geht YouTube gerade nicht und Instagram geht"},
		{text: "Instagram'a giremiyorum"},
	} {
		p := tc.post()
		m.Match(p, nil)
		if n := testing.AllocsPerRun(100, func() { m.Match(p, nil) }); n > 1 {
			t.Errorf("Match(%q) allocates %v times per call, want at most 1 (Hit.Symptoms)", tc.text, n)
		}
	}
}
