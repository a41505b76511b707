package scenario

import "strings"

// The text templates below are this package's own, written from how people actually post
// about outages; they are deliberately independent of the matcher's lexicon. "{s}" is the
// service's name as the post spells it, "{c}" its company and "{t}" its share ticker.
// All tables are read-only.

// complaintGeneric are complaints that name no particular symptom.
var complaintGeneric = map[string][]string{
	"en": {
		"is {s} down for anyone else?", "{s} down again??", "{s} is down", "is {s} down or is it just me",
		"{s} not working", "{s} not working for me rn", "anyone else having issues with {s}?", "{s} down?",
		"{s} is completely dead right now", "ok so {s} is down. great.", "{s} crashed again lol",
		"why is {s} not working", "{s} isn't working, is it just me?", "{s} is down worldwide apparently",
		"restarted my phone twice and {s} still not working", "me checking my wifi 5 times before realising {s} is down",
		"{s} outage?? nothing works", "is {s} having problems right now?", "{s} is broken again",
		"Is it just me or is {s} acting up", "{s} not working in my area either", "{s} down in London?",
		"{s} has been down for 20 minutes now", "great, {s} picks today to go down",
	},
	"hi": {
		"{s} डाउन है क्या?", "{s} काम नहीं कर रहा", "क्या {s} बंद हो गया है?", "{s} फिर से डाउन हो गया",
		"किसी और का भी {s} नहीं चल रहा?", "{s} को क्या हुआ है आज", "{s} ठप हो गया", "{s} में दिक्कत आ रही है क्या सबको?",
		"मेरा {s} नहीं चल रहा, किसी और का भी?",
	},
	"hi-Latn": {
		"{s} down hai kya?", "{s} chal nahi raha yaar", "{s} kaam nahi kar raha", "bhai {s} ko kya hua",
		"{s} phir se down", "kya sabka {s} band hai?", "{s} ka server down hai kya", "mera {s} nahi chal raha, aapka?",
	},
	"bn": {
		"{s} কাজ করছে না", "{s} ডাউন নাকি?", "{s} কি বন্ধ হয়ে গেছে?", "আমার {s} চলছে না, আর কারো এমন হচ্ছে?",
		"{s} আবার ডাউন", "{s}-এ কী সমস্যা হল আজ?", "সবার {s} কি বন্ধ?",
	},
	"it": {
		"{s} non funziona", "{s} down?", "ma {s} è down?", "anche a voi {s} non va?", "{s} non va da mezz'ora",
		"{s} è giù?", "{s} in tilt", "{s} down anche a voi?", "ragazzi {s} non funziona solo a me?",
	},
	"tr": {
		"{s} çöktü mü?", "{s} çöktü", "{s} mi çöktü?", "{s} çalışmıyor", "{s} yine çöktü", "{s} açılmıyor",
		"sadece bende mi {s} çalışmıyor?", "{s} sorun mu var?", "{s} neden çalışmıyor", "{s} çöktü galiba",
	},
	"es": {
		"¿Se cayó {s}?", "se cayó {s}", "{s} no funciona", "¿A alguien más no le funciona {s}?",
		"{s} caído otra vez", "{s} está caído", "¿Solo a mí no me funciona {s}?", "{s} falla otra vez",
	},
	"pt": {
		"{s} caiu?", "o {s} caiu", "{s} fora do ar", "{s} não está funcionando", "só o meu {s} que não funciona?",
		"{s} caiu de novo", "{s} caiu mesmo ou é só comigo?", "alguém mais com {s} travado?",
	},
	"ar": {
		"هل {s} عطلان؟", "{s} واقف", "{s} لا يعمل", "في مشكلة في {s}؟", "{s} معطل عند أحد غيري؟",
		"عطل في {s}", "{s} طايح؟", "{s} مو شغال عندكم؟",
	},
	"id": {
		"{s} down ya?", "{s} error", "{s} lagi down?", "{s} ga bisa dibuka", "{s} kenapa sih",
		"cuma aku yang {s} nya error?", "{s} gangguan", "{s} down lagi", "{s} lagi gangguan ya guys?",
	},
	"ja": {
		"{s}落ちてる", "{s}落ちた？", "{s}繋がらない", "{s}不具合？", "{s}重すぎ", "{s}落ちてる？自分だけ？",
		"{s}障害かな", "また{s}落ちてる", "{s}死んでる", "{s}おかしくない？", "{s}全然動かない",
	},
	"de": {
		"{s} down?", "ist {s} gerade down?", "{s} geht nicht", "{s} Störung?", "bei mir geht {s} nicht, bei euch auch?",
		"{s} mal wieder down", "hat {s} gerade Probleme?",
	},
	"fr": {
		"{s} en panne ?", "{s} ne marche plus", "{s} est down ?", "bug {s} chez vous aussi ?", "{s} HS ?",
		"panne {s} ou c'est moi ?", "{s} plante encore",
	},
}

// complaintSymptom are complaints naming what is broken, by symptom then language.
var complaintSymptom = map[string]map[string][]string{
	"send-messages": {
		"en":      {"can't send messages on {s}", "{s} messages not sending", "{s} not sending messages??", "anyone else's {s} messages not going through?", "my {s} messages won't send", "{s} won't let me send anything"},
		"hi":      {"{s} डाउन है, मैसेज नहीं जा रहे", "{s} पर मैसेज नहीं भेज पा रहा हूँ", "{s} पर मैसेज सेंड नहीं हो रहे", "{s} से मैसेज नहीं जा रहा"},
		"hi-Latn": {"{s} pe message nahi ja raha", "{s} me msg send nahi ho rahe", "{s} down hai kya, message hi nahi ja raha"},
		"bn":      {"{s} কাজ করছে না, মেসেজ যাচ্ছে না", "{s}-এ মেসেজ পাঠাতে পারছি না", "{s}-এ মেসেজ সেন্ড হচ্ছে না"},
		"it":      {"{s} non funziona, non riesco a inviare messaggi", "i messaggi su {s} non partono", "{s} non invia i messaggi"},
		"tr":      {"{s} çöktü mü? mesaj gitmiyor", "{s} mesaj gönderemiyorum", "{s} mesajlar gitmiyor"},
		"es":      {"no puedo enviar mensajes por {s}", "{s} no envía mensajes", "no se envían los mensajes de {s}"},
		"pt":      {"{s} não envia mensagem", "não consigo mandar mensagem no {s}", "mensagem no {s} não vai"},
		"ar":      {"{s} الرسائل ما تنرسل", "لا أستطيع إرسال الرسائل على {s}"},
		"id":      {"{s} ga bisa kirim pesan", "chat {s} pending terus", "{s} ga bisa ngirim chat"},
		"ja":      {"{s}でメッセージ送れない", "{s}送信できない"},
		"de":      {"kann bei {s} keine Nachrichten senden", "{s} Nachrichten gehen nicht raus"},
		"fr":      {"impossible d'envoyer des messages sur {s}", "mes messages {s} ne partent pas"},
	},
	"receive-messages": {
		"en":      {"not receiving any {s} messages", "{s} not delivering messages", "haven't got a single {s} message in an hour, is it down?", "{s} messages not coming through"},
		"hi":      {"{s} पर मैसेज नहीं आ रहे", "किसी का मैसेज नहीं आ रहा {s} पर"},
		"hi-Latn": {"{s} pe msg nahi aa rahe", "kisi ka {s} message nahi aa raha"},
		"bn":      {"{s}-এ কোনও মেসেজ আসছে না", "{s}-এ মেসেজ রিসিভ হচ্ছে না"},
		"it":      {"non mi arrivano i messaggi su {s}", "{s} non ricevo messaggi"},
		"tr":      {"{s} mesajlar gelmiyor", "{s} mesaj gelmiyor kimseden"},
		"es":      {"no me llegan los mensajes de {s}"},
		"pt":      {"não estou recebendo mensagens no {s}", "mensagens do {s} não chegam"},
		"ar":      {"الرسائل ما توصل في {s}"},
		"id":      {"pesan {s} ga masuk", "chat {s} ga masuk masuk"},
		"ja":      {"{s}のメッセージが届かない"},
		"de":      {"bekomme keine {s} Nachrichten"},
		"fr":      {"je ne reçois plus rien sur {s}"},
	},
	"login": {
		"en":      {"can't log in to {s}", "{s} keeps logging me out", "{s} login not working", "{s} says something went wrong every time I try to log in"},
		"hi":      {"{s} में लॉगिन नहीं हो रहा"},
		"hi-Latn": {"{s} login nahi ho raha", "{s} baar baar logout kar raha hai"},
		"bn":      {"{s}-এ লগইন করতে পারছি না"},
		"it":      {"non riesco ad accedere a {s}"},
		"tr":      {"{s} giriş yapamıyorum", "{s} hesabıma giremiyorum"},
		"es":      {"no puedo iniciar sesión en {s}", "{s} me sacó de la cuenta y no me deja entrar"},
		"pt":      {"não consigo entrar no {s}", "{s} me deslogou e não entra mais"},
		"ar":      {"ما أقدر أسجل دخول {s}"},
		"id":      {"ga bisa login {s}", "{s} ke logout sendiri"},
		"ja":      {"{s}ログインできない", "{s}勝手にログアウトされた"},
		"de":      {"kann mich bei {s} nicht anmelden"},
		"fr":      {"impossible de me connecter à {s}"},
	},
	"connect": {
		"en":      {"{s} stuck on connecting...", "{s} keeps saying connecting", "can't connect to {s}", "{s} won't connect"},
		"hi":      {"{s} कनेक्ट नहीं हो रहा"},
		"hi-Latn": {"{s} connecting pe atka hai"},
		"bn":      {"{s} কানেক্ট হচ্ছে না"},
		"it":      {"{s} non si connette", "{s} resta su connessione in corso"},
		"tr":      {"{s} bağlanmıyor", "{s} bağlantı hatası veriyor"},
		"es":      {"{s} no conecta", "{s} se queda en conectando"},
		"pt":      {"{s} fica só conectando"},
		"ar":      {"{s} ما يتصل"},
		"id":      {"{s} connecting terus"},
		"ja":      {"{s}に接続できない", "{s}接続中のまま"},
		"de":      {"{s} verbindet nicht"},
		"fr":      {"{s} ne se connecte pas"},
	},
	"load": {
		"en":      {"{s} won't load", "{s} feed not loading", "{s} not loading for me", "{s} stuck on the loading screen", "{s} is just a blank page"},
		"hi":      {"{s} लोड नहीं हो रहा"},
		"hi-Latn": {"{s} load hi nahi ho raha"},
		"bn":      {"{s} লোড হচ্ছে না"},
		"it":      {"{s} non carica"},
		"tr":      {"{s} yüklenmiyor", "{s} akış yenilenmiyor"},
		"es":      {"{s} no carga", "{s} no me carga nada"},
		"pt":      {"{s} não carrega", "{s} não atualiza o feed"},
		"ar":      {"{s} ما يفتح", "{s} ما يحمل"},
		"id":      {"{s} ga mau loading", "{s} loading terus"},
		"ja":      {"{s}読み込めない", "{s}のタイムラインが読み込めない", "{s}読み込まれない"},
		"de":      {"{s} lädt nicht"},
		"fr":      {"{s} ne charge plus"},
	},
	"upload": {
		"en": {"can't upload anything on {s}", "{s} upload stuck at 99%", "can't post on {s}, keeps failing"},
		"tr": {"{s} paylaşım yapamıyorum", "{s} hikaye yüklenmiyor"},
		"es": {"no puedo subir nada a {s}"},
		"pt": {"não consigo postar no {s}"},
		"ja": {"{s}でポストできない", "{s}ツイートできない", "{s}投稿できない"},
		"id": {"ga bisa upload di {s}"},
	},
	"playback": {
		"en": {"{s} videos not playing", "{s} buffering forever", "{s} just shows an error when I hit play"},
		"es": {"{s} no reproduce los videos", "los videos de {s} no cargan"},
		"pt": {"{s} não roda os vídeos", "vídeo do {s} não carrega"},
		"ar": {"{s} الفيديوهات ما تشتغل"},
		"id": {"video {s} ga bisa diputar"},
		"ja": {"{s}動画が再生できない", "{s}再生されない"},
		"hi": {"{s} पर वीडियो नहीं चल रहे"},
	},
	"payments": {
		"en":      {"{s} payment failed 3 times", "{s} payments not going through", "money debited but {s} payment failed", "{s} transaction pending for 20 mins", "checkout on {s} keeps failing"},
		"hi":      {"{s} से पेमेंट नहीं हो रहा", "{s} पेमेंट फेल हो गया, पैसे कट गए"},
		"hi-Latn": {"{s} payment fail ho raha hai", "{s} se paisa kat gaya par payment nahi hua"},
		"es":      {"no pasan los pagos en {s}"},
		"pt":      {"pagamento no {s} não passa"},
	},
	"calls": {
		"en":      {"{s} calls not connecting", "{s} voice calls keep dropping"},
		"hi-Latn": {"{s} call connect nahi ho rahi"},
		"pt":      {"ligação do {s} não completa"},
	},
}

// complaintExtra are complaints only one service's users write.
var complaintExtra = map[string]map[string][]string{
	"whatsapp": {
		"en":      {"whatsapp messages stuck on one grey tick", "whatsapp down so everyone's back on telegram lol", "just one tick on every whatsapp message, is it down?", "#WhatsAppDown me refreshing whatsapp every 10 seconds"},
		"hi-Latn": {"whatsapp pe single tick hi aa raha hai", "whatsapp down hai, sab log telegram pe aa jao"},
		"hi":      {"व्हाट्सएप पर सिर्फ एक टिक आ रहा है"},
		"pt":      {"zap caiu?", "o zap caiu de novo", "whatsapp só com um risquinho"},
		"es":      {"se cayó el whats", "whatsapp con un solo palomita, se cayó?"},
		"id":      {"WA down ya? centang satu terus", "WA error, pesan centang satu"},
		"tr":      {"WhatsApp tek tik kalıyor, çöktü mü?"},
	},
	"x": {
		"en": {"timeline won't load, twitter is broken again", "'something went wrong. try reloading.' twitter down?"},
		"ja": {"TL更新されない", "ツイッター繋がらない", "Twitter落ちてる", "ポストできない、X落ちた？", "タイムライン読み込めないんだけど", "Twitter重い", "トレンドに障害って出てる"},
	},
	"cloudflare": {
		"en": {"cloudflare down again? half the internet is 500ing", "every site I open shows a cloudflare error page", "'bad gateway, cloudflare' on every site rn", "cloudflare outage is taking down everything"},
		"de": {"Cloudflare down, halbes Internet kaputt"},
	},
	"discord": {
		"en": {"discord stuck on the loading screen", "discord messages failing to load", "discord down, can't join the call"},
	},
	"shopify": {
		"en": {"my shopify store checkout is broken, losing sales", "shopify admin won't load, anyone else?"},
	},
	"gmail": {
		"en": {"gmail not sending emails", "emails stuck in the gmail outbox", "gmail says 'temporary error (502)'"},
	},
	"github": {
		"en": {"git push failing, github down?", "github actions stuck in queued", "github 500 on every PR"},
	},
	"youtube": {
		"es": {"se cayó youtube?", "youtube no carga los videos"},
		"pt": {"youtube caiu??", "youtube fora do ar"},
		"ja": {"YouTube見れない", "ようつべ落ちてる？", "YouTube再生できない"},
		"ar": {"اليوتيوب واقف عندكم؟"},
		"id": {"youtube error ya? ga bisa nonton"},
	},
	"signal": {
		"en": {"signal messages stuck on sending", "signal keeps saying 'connecting'"},
	},
	"icloud": {
		"en": {"iMessage stuck on 'sending' for everyone?", "iCloud photos won't sync and the status page says all green", "can't sign in with my Apple ID, 'cannot connect to server'", "FaceTime calls keep failing, is iCloud down?"},
		"ja": {"iCloudにサインインできない", "iMessage送れない"},
	},
	"spotify": {
		"en": {"spotify keeps skipping and then just stops", "spotify says 'something went wrong' on every song", "spotify logged me out and won't let me back in"},
		"es": {"spotify no reproduce nada", "se cayó spotify?"},
		"pt": {"spotify caiu?", "spotify não toca nenhuma música"},
	},
}

// stillDown are tail complaints posted while a service is coming back.
var stillDown = map[string][]string{
	"en":      {"is {s} still down?", "{s} still not working for me", "still no {s} here", "{s} still down?? it's been ages"},
	"hi":      {"{s} अभी भी नहीं चल रहा"},
	"hi-Latn": {"{s} abhi bhi down hai kya", "mera {s} abhi tak nahi chala"},
	"bn":      {"{s} এখনও কাজ করছে না"},
	"it":      {"{s} ancora non va"},
	"tr":      {"{s} hala çalışmıyor", "{s} hala düzelmedi mi?"},
	"es":      {"¿{s} sigue caído?"},
	"pt":      {"{s} ainda fora do ar?"},
	"ar":      {"{s} لسا واقف؟"},
	"id":      {"{s} masih error?"},
	"ja":      {"{s}まだ落ちてる？", "{s}まだ繋がらない"},
	"de":      {"{s} immer noch down?"},
	"fr":      {"{s} toujours en panne ?"},
}

// recovered are "back now" posts after a service recovers; they say it works.
var recovered = map[string][]string{
	"en":      {"{s} is back", "{s} working again", "finally {s} is back up", "{s} back now 🙏", "ok {s} works again, panic over", "{s} is back, we survived"},
	"hi":      {"{s} वापस चालू हो गया", "{s} फिर से चलने लगा"},
	"hi-Latn": {"{s} chal gaya finally", "{s} wapas aa gaya"},
	"bn":      {"{s} আবার চালু হয়েছে"},
	"it":      {"{s} è tornato a funzionare", "{s} è tornato"},
	"tr":      {"{s} düzeldi", "{s} geri geldi"},
	"es":      {"ya volvió {s}", "{s} ya funciona"},
	"pt":      {"{s} voltou", "voltou o {s} finalmente"},
	"ar":      {"{s} رجع يشتغل"},
	"id":      {"{s} udah normal lagi", "{s} udah bisa"},
	"ja":      {"{s}復活した", "{s}直った", "{s}戻ってきた"},
	"de":      {"{s} geht wieder"},
	"fr":      {"{s} remarche"},
}

// chatter names a service without saying anything is broken, by the service's kind.
var chatter = map[string]map[string][]string{
	"messaging": {
		"en":      {"send me that on {s}", "our family {s} group is chaos today", "my mom's good morning messages on {s} 😂", "{s} me when you land", "added you to the {s} group", "{s} voice notes longer than podcasts"},
		"hi-Latn": {"{s} pe bhej de", "{s} group pe dekh"},
		"hi":      {"{s} पर भेज दो", "{s} ग्रुप में डाल दिया है"},
		"bn":      {"{s}-এ পাঠিয়ে দিলাম"},
		"pt":      {"me chama no {s}", "manda no {s}"},
		"es":      {"te mando por {s}", "pásame tu {s}"},
		"id":      {"nanti aku kabarin lewat {s}", "cek grup {s}"},
		"it":      {"ti scrivo su {s}"},
		"tr":      {"{s} grubuna attım"},
		"ar":      {"أرسلته لك على {s}"},
		"de":      {"schick's mir per {s}"},
	},
	"social": {
		"en": {"just posted on {s}", "follow me on {s}", "saw this on {s} and can't stop laughing", "the {s} algorithm knows me too well", "deleted {s} for a week, feel great", "new pic on {s}!", "link in bio on {s}", "{s} is so addictive"},
		"pt": {"postei no {s}", "me segue no {s}"},
		"es": {"subí foto nueva a {s}", "síganme en {s}"},
		"tr": {"{s} hikayeme bakın", "yeni gönderi {s} hesabımda"},
		"ar": {"تابعوني على {s}"},
		"id": {"cek {s} aku ya", "baru posting di {s}"},
		"ja": {"{s}で見た", "{s}更新した"},
		"hi": {"{s} पर नई पोस्ट डाली है"},
		"fr": {"nouvelle photo sur {s}"},
		"de": {"neuer Post auf {s}"},
	},
	"video": {
		"en": {"watching {s} tonight", "new video up on {s}!", "fell into a {s} rabbit hole again", "{s} recommended me this and it's gold", "{s} premium is worth it honestly"},
		"es": {"nuevo video en {s}"},
		"pt": {"vídeo novo no {s}"},
		"ja": {"{s}で配信見てる"},
		"id": {"nonton {s} sampe pagi"},
		"ar": {"فيديو جديد على {s}"},
		"hi": {"{s} पर नया वीडियो"},
	},
	"stream": {
		"en": {"watching {s} tonight", "what should I watch on {s}", "{s} and chill", "finished the whole season on {s} in one night"},
		"es": {"qué veo en {s}"},
		"pt": {"maratonando no {s}"},
		"ja": {"{s}で映画見る"},
	},
	"search": {
		"en": {"just google it", "{s} maps took me the long way again", "googled my own name, regret"},
	},
	"mail": {
		"en":      {"check your {s}, sent you the doc", "my {s} inbox is a disaster", "{s} spam filter ate my invoice"},
		"hi-Latn": {"{s} check kar, mail bheja hai"},
	},
	"chat": {
		"en": {"anyone on {s} tonight?", "join the {s} server", "hop on {s}", "{s} nitro is worth it"},
	},
	"infra": {
		"en": {"moved our DNS to {s} today", "{s} workers are underrated", "reading the {s} blog post on the new region", "{s} bill this month 💀"},
	},
	"dev": {
		"en": {"pushed to {s}", "starred a cool repo on {s}", "{s} copilot wrote this function", "my {s} contribution graph is green today"},
	},
	"shop": {
		"en": {"launched my {s} store today!", "any good {s} themes?", "{s} dropshipping is dead"},
	},
	"pay": {
		"en":      {"paid with {s}, so easy", "{s} cashback offer is good today"},
		"hi-Latn": {"{s} kar diya bhai", "{s} pe cashback mila"},
	},
	"cloud": {
		"en": {"backing up 40GB of photos to {s}, see you tomorrow", "{s} storage full again, do I pay for more", "sent you the video on {s}", "{s} sync between my phone and laptop is magic", "FaceTime me when you're home"},
		"es": {"te lo mando por {s}", "mi almacenamiento de {s} está lleno otra vez"},
		"pt": {"te mandei pelo {s}", "armazenamento do {s} cheio de novo"},
		"de": {"schick ich dir per {s}", "mein {s} Speicher ist schon wieder voll"},
		"fr": {"je t'envoie ça sur {s}", "stockage {s} plein, encore"},
		"ja": {"{s}に写真バックアップ中", "{s}の容量また足りない"},
	},
	"music": {
		"en": {"this {s} playlist slaps", "my {s} wrapped is embarrassing", "on repeat on {s} all week", "{s} recommended me this and I love it", "who else has the {s} family plan"},
		"es": {"esta playlist de {s} está buenísima", "escuchando {s} todo el día"},
		"pt": {"essa playlist do {s} é perfeita", "ouvindo {s} no trabalho"},
		"de": {"diese {s} Playlist ist der Hammer"},
		"fr": {"cette playlist {s} est incroyable"},
		"ja": {"{s}で新曲聴いてる"},
		"hi": {"{s} पर नया गाना सुन रहा हूँ"},
	},
}

// noise names no service.
var noise = map[string][]string{
	"en": {
		"good morning everyone", "this traffic is unreal", "can't believe it's already friday", "calm down, it's just a game",
		"anyone know a good pizza place", "finally got my exam results", "it's raining again", "coffee first, then people",
		"what a match last night", "my wifi is so slow today", "need a holiday", "who else is still awake",
		"the power went out again in our building", "new phone who dis", "that final episode though", "monday again huh",
	},
	"hi":      {"सुप्रभात दोस्तों", "आज बहुत गर्मी है", "क्या मैच था कल रात"},
	"hi-Latn": {"aaj ka match dekha?", "bhai chai pe chalein", "office me bahut kaam hai aaj"},
	"bn":      {"শুভ সকাল সবাইকে", "আজ খুব বৃষ্টি হচ্ছে"},
	"it":      {"buongiorno a tutti", "che traffico stamattina"},
	"tr":      {"günaydın herkese", "bu trafik ne böyle"},
	"es":      {"buenos días", "qué calor hace hoy", "ya es viernes?"},
	"pt":      {"bom dia grupo", "que calor hoje", "sextou"},
	"ar":      {"صباح الخير", "الجو حار اليوم"},
	"id":      {"selamat pagi semua", "macet parah hari ini"},
	"ja":      {"おはようございます", "今日も暑い", "眠い"},
	"de":      {"guten Morgen zusammen", "endlich Wochenende"},
	"fr":      {"bonjour tout le monde", "encore la pluie"},
}

// trapTexts are the posts of each trap kind (English: that is where these traps are
// loudest), with "{s}", "{c}" and "{t}" as above.
var trapTexts = map[TrapKind][]string{
	TrapSharePrice: {
		"${t} shares down 5% today", "{c} stock down after earnings", "{c} shares are down bad today",
		"my portfolio is down 20% thanks to ${t}", "${t} down 8% today, ouch", "{c} stock down again, buying the dip",
		"{c} market cap down $80B today", "why is ${t} down so much today?",
	},
	TrapSlang: {
		"this {s} edit has me down bad", "don't let me down {s}", "calm down it's just a {s} post",
		"she's so down to earth, love her {s}", "my {s} feed turned my world upside down", "who's down for a {s} watch party tonight?",
		"not gonna let {s} drama get me down", "{s} memes when you're feeling down >>>", "i'm down bad for this guy on {s}",
		"feeling a bit down today, scrolling {s}",
	},
	TrapDownWords: {
		"how do I download {s} videos", "countdown to the {s} premiere", "downtown traffic is all over my {s} feed",
		"{s} supports markdown now?", "downloading the new {s} update", "got downvoted on {s} lol", "that {s} breakdown of the match was great",
		"{s} download speed is great on the new wifi", "the countdown is on, new {s} feature drops tomorrow",
	},
	TrapSpamAccount: {"whatsapp is down!!!"},
	TrapViralLaunch: {
		"the new iPhone launch on {s} is insane", "watching the Apple event on {s} live rn", "2 million people watching the iPhone launch on {s} lol",
		"{s} chat during the iphone event is wild", "this iphone event on {s} is crazy", "can't believe the new iPhone, watching on {s}",
	},
	TrapShuttingDown: {
		"{c} is shutting down Podcasts", "RIP Google Podcasts, {c} shutting it down next year", "Google Podcasts shutting down, moving everything to YouTube Music",
		"so {c} is killing another product, Podcasts shutting down", "Google Podcasts is going away. {c} graveyard grows",
	},
	TrapRepostStorm: {"WhatsApp will stop working on these old phones from Monday"},
}

// mediaReports are news outlets' reports of an outage that do not quote the company.
var mediaReports = []string{
	"{s} Down: users across India report problems sending and receiving messages",
	"{s} Down: কখন স্বাভাবিক হবে {s} পরিষেবা?",
	"{s} Server Down: thousands of users report outage, Downdetector shows spike",
	"{s} is down for users worldwide, here's what we know",
	"{s} outage: users unable to send messages in India, UK, Italy and Turkey",
}

// mediaOutlets post mediaReports; none of them is a news agency quoting the company.
var mediaOutlets = []string{"timesofindia", "htTweets", "IndiaToday", "abpanandatv", "NDTVGadgets", "Independent", "CorriereIT"}

// newsAgencies are the handles that post news acknowledgements.
var newsAgencies = map[string]struct{ country string }{
	"ANI": {"IN"}, "PTI_News": {"IN"}, "Reuters": {"GB"}, "AP": {"US"}, "AFP": {"FR"}, "BBCBreaking": {"GB"},
}

// suffixes end posts; the English ones only English posts.
var (
	suffixAny = []string{"", "", "", "", "", "", "!", "!!", "??", "?", " 😭", " 😡", " 🙄", " 😤", "...", " 🤦"}
	suffixEn  = []string{" smh", " lol", " ffs", " wtf", " pls fix"}
)

// pick returns a random entry of table[lang], falling back to English.
func pick(r *rng, table map[string][]string, lang string) string {
	ts, ok := table[lang]
	if !ok || len(ts) == 0 {
		ts = table["en"]
	}
	return ts[r.IntN(len(ts))]
}

// fill substitutes the placeholders of tpl.
func fill(tpl, name, company, ticker string) string {
	if strings.IndexByte(tpl, '{') < 0 {
		return tpl
	}
	tpl = strings.ReplaceAll(tpl, "{s}", name)
	if company != "" {
		tpl = strings.ReplaceAll(tpl, "{c}", company)
	}
	if ticker != "" {
		tpl = strings.ReplaceAll(tpl, "{t}", ticker)
	}
	return tpl
}
