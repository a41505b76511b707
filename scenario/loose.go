package scenario

import "strings"

// The texts of the traps that use outage words loosely, written like the rest of the
// package's templates from how people post, independently of the matcher's lexicon.
// "{s}" is the service's name, "{c}" its company and "{t}" its share ticker.

// looseWords are posts of a news spike or after an announcement that use outage words
// without anything being broken: jokes, share prices, slang, and "is it down?" asked
// and answered in the same breath.
var looseWords = map[string][]string{
	"en": {
		"is {s} down? lol no, everyone's just watching the event", "{c} stock down 4% after the event, classic",
		"{s} is down bad for that new feature lol", "the {s} servers are gonna go down tonight with everyone trying this lol",
		"{s} isn't down, you're just not invited 💀", "that {s} announcement had me rolling on the floor",
		"everyone asking if {s} is down, it's not, it's just the hype", "${t} down after the announcement, {s} works fine though",
		"{s} went down in history today", "not me thinking {s} was down when my phone was on airplane mode",
		"me refreshing {s} every 5 seconds for the news, it's fine, it's not down", "{c} shares took a nosedive after the news",
		"{s} announcement is so bad it should come with an outage warning lol", "down horrendous for the new {s} update",
		"if {s} goes down after this, I'm blaming the hype", "{s} trending because of the event, not an outage, relax",
	},
	"es": {
		"¿se cayó {s}? no, es que todos están viendo la presentación jaja", "las acciones de {c} caen tras el anuncio",
		"{s} no está caído, es el hype jaja", "si {s} se cae hoy es por culpa de este anuncio jajaja",
		"todo el mundo preguntando si {s} se cayó, no, solo está lleno de memes",
	},
	"pt": {
		"{s} caiu? não, todo mundo tá vendo o evento kkkk", "ações da {c} em queda depois do anúncio",
		"o {s} não caiu, quem caiu fui eu nessa piada kkkk", "se o {s} cair hoje a culpa é desse anúncio kkkk",
	},
	"hi-Latn": {
		"{s} down hai kya? nahi bhai, sab launch dekh rahe hain lol", "{c} ke shares gir gaye announcement ke baad",
		"{s} bilkul theek chal raha hai, bas memes ki baarish ho rahi hai", "itna hype hai, {s} ka server kahin down na ho jaye lol",
	},
	"hi": {"{c} के शेयर घोषणा के बाद गिरे", "{s} ठीक चल रहा है, बस सब लॉन्च देख रहे हैं"},
	"de": {
		"ist {s} down? nee, alle schauen nur den Livestream 😂", "{c}-Aktie fällt nach der Ankündigung",
		"{s} ist nicht down, nur völlig überlaufen von Memes",
	},
	"fr": {
		"{s} en panne ? non, tout le monde regarde le live mdr", "l'action {c} chute après l'annonce",
		"{s} n'est pas en panne, c'est juste la folie des memes",
	},
	"it": {"{s} down? no, stanno tutti guardando la presentazione ahah", "il titolo {c} scende dopo l'annuncio"},
	"tr": {"{s} çöktü mü? yok, herkes sunumu izliyor :D", "{c} hisseleri duyurunun ardından düştü"},
	"id": {"{s} down? ngga kok, semua lagi nonton acaranya wkwk", "saham {c} turun setelah pengumuman"},
	"ja": {"{s}落ちた？と思ったら発表会見てる人が多いだけだった", "{c}の株価、発表後に下落", "{s}は落ちてない、みんな発表に夢中なだけ"},
	"ar": {"{s} عطلان؟ لا، الكل يتابع المؤتمر 😂", "أسهم {c} تنخفض بعد الإعلان"},
}

// otherSubject are posts where something else is down, broken or out and the service is
// what the author is still using, or would be using; they fit any app.
var otherSubject = map[string][]string{
	"en": {
		"phone battery is down to 3%, still on {s}", "wifi's down at home so no {s} tonight",
		"power's down on our whole street, {s} on mobile data is all I have",
		"the elevator is down again so I'm on {s} while I take 14 flights of stairs",
		"the server at work went down, so it's {s} for the rest of the afternoon",
		"our team went down 3-0, drowning my sorrows on {s}", "storm took the power lines down, thank god {s} still works on mobile data",
		"trains are down because of the strike, killing time on {s}", "router is down again, hotspotting just to get on {s}",
		"power cut since 7pm, {s} on 4G is all I have left",
	},
	"es": {
		"se fue la luz en todo el barrio, menos mal que {s} funciona con datos", "se cayó el wifi de casa, así que nada de {s} esta noche",
		"apagón en toda la colonia, con {s} y lo que me queda de batería",
	},
	"pt": {
		"caiu a luz aqui no bairro todo, ainda bem que o {s} funciona no 4G", "a internet de casa caiu, então nada de {s} hoje",
		"acabou a energia aqui, só o {s} com 10% de bateria",
	},
	"hi-Latn": {
		"light chali gayi poore area mein, {s} mobile data pe chal raha hai", "ghar ka wifi band hai, aaj {s} nahi chala paunga",
		"battery 2% bachi hai, phir bhi {s} chala raha hun",
	},
	"hi": {"पूरे इलाके की बिजली चली गई, {s} मोबाइल डेटा पर चल रहा है"},
	"de": {"Stromausfall in der ganzen Straße, zum Glück geht {s} noch über mobile Daten", "WLAN zu Hause ist tot, also heute kein {s}"},
	"fr": {"panne de courant dans tout le quartier, heureusement {s} marche en 4G", "plus de box internet à la maison, donc pas de {s} ce soir"},
	"it": {"è saltata la luce in tutto il quartiere, per fortuna {s} va con i dati"},
	"tr": {"bütün mahallede elektrik kesildi, neyse ki {s} mobil veriyle çalışıyor"},
	"id": {"mati lampu se-kompleks, untung {s} masih jalan pakai kuota"},
	"ja": {"停電した、{s}はモバイルデータで使えてる", "家のWi-Fiが死んでるから今夜は{s}なし"},
	"ar": {"الكهرباء طافية في الحي كله، الحمد لله {s} شغال على البيانات"},
}

// otherSubjectKind are other-subject posts that only fit one kind of service.
var otherSubjectKind = map[string]map[string][]string{
	"messaging": {
		"en":      {"my car broke down on the highway, texting on {s} while I wait for the tow truck", "laptop went down mid-meeting, so we moved the call to {s}"},
		"es":      {"se me descompuso el coche en la autopista, escribiendo por {s} mientras llega la grúa"},
		"pt":      {"meu carro quebrou na estrada, mandando mensagem no {s} enquanto espero o guincho"},
		"hi-Latn": {"gaadi kharab ho gayi highway pe, {s} pe message kar raha hun"},
		"hi":      {"गाड़ी रास्ते में खराब हो गई, {s} पर मैसेज कर रहा हूँ"},
		"de":      {"Auto liegengeblieben, schreibe über {s}, bis der Abschleppdienst kommt"},
		"fr":      {"ma voiture est tombée en panne, j'écris sur {s} en attendant la dépanneuse"},
		"it":      {"mi si è rotta la macchina in autostrada, scrivo su {s} aspettando il carro attrezzi"},
		"tr":      {"arabam yolda bozuldu, çekici beklerken {s}'tan yazıyorum"},
		"ar":      {"سيارتي خربت في الطريق، أكتب على {s} وأنا أنتظر"},
	},
	"cloud": { // iCloud's names include iMessage and FaceTime: these name the one they fit
		"en": {"laptop went down for good, thank god my files are on iCloud", "my old phone broke down, restoring everything from iCloud",
			"my car broke down on the highway, texting on iMessage while I wait for the tow truck", "hotel wifi is down, FaceTime on 4G it is"},
	},
	"stream": {
		"en": {"power's down so we're watching {s} on my phone in the dark", "cable is down again, {s} it is", "broke down crying at the finale on {s}"},
		"es": {"se fue la luz, viendo {s} en el móvil"},
	},
	"video": {
		"en": {"power's down so we're watching {s} on my phone in the dark", "cable is down again, {s} it is"},
	},
	"music": {
		"en": {"car stereo broke down, {s} on my phone speaker it is", "subway is down again, {s} and a long walk home", "feeling down, {s} sad playlist on repeat"},
		"es": {"se descompuso el estéreo del coche, {s} en el altavoz del móvil"},
	},
	"mail": {
		"en": {"laptop went down mid-meeting, answering emails on {s} from my phone", "the office network is down, reading {s} on my phone"},
		"de": {"Firmennetz ist down, lese {s} auf dem Handy"},
	},
	"social": {
		"en": {"phone battery is down to 3%, still scrolling {s}", "power's down in the whole neighbourhood, everyone's posting about it on {s}"},
	},
}

// otherSubjectText writes one other-subject post about sv in lang: half the time one that
// fits the service's kind, when there is one.
func (g *generator) otherSubjectText(sv *svc, lang string) string {
	r := g.r
	tpl := pick(r, otherSubject, lang)
	if ts := otherSubjectKind[sv.kind][lang]; len(ts) > 0 && r.IntN(2) == 0 {
		tpl = ts[r.IntN(len(ts))]
	}
	return fill(tpl, sv.name(r, lang), "", "")
}

// looseText writes one loose-outage-words post about sv in lang. Templates that need a
// ticker or a company the service lacks are skipped.
func (g *generator) looseText(sv *svc, lang string) string {
	ts, ok := looseWords[lang]
	if !ok {
		ts = looseWords["en"]
	}
	tpl := ts[g.r.IntN(len(ts))]
	for try := 0; needsMissing(tpl, sv) && try < len(ts); try++ {
		tpl = ts[(g.r.IntN(len(ts))+try)%len(ts)]
	}
	if needsMissing(tpl, sv) {
		tpl = "{s} is down bad for this lol"
	}
	return fill(tpl, sv.name(g.r, lang), sv.company, sv.ticker)
}

// needsMissing says whether tpl names the company or ticker of a service that has none.
func needsMissing(tpl string, sv *svc) bool {
	return (sv.ticker == "" && strings.Contains(tpl, "{t}")) || (sv.company == "" && strings.Contains(tpl, "{c}"))
}
