package catalog

import "testing"

// langCases: tense, number and script forms from real posts in Dutch,
// Polish, Portuguese, Russian, Chinese, German, Indonesian and Spanish
// (testdata/realposts, dev split), and the ordinary chatter each new word
// must not turn into an outage.
var langCases = []matchCase{
	// Lists: Dutch "én", "samen met"; Chinese 的, 旗下, 與 written joined.
	{name: "list/nl en accent", text: "De social media platformen Facebook, Instagram én WhatsApp zijn vanmiddag getroffen door een grote storing en zijn uit de lucht.", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "list/nl samen met", text: "Eind vorig jaar ging WhatsApp, samen met Facebook en Instagram, ook al wereldwijd offline.", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "list/zh de opener", text: "3月5日晚間約11時, Meta體系旗下的FB、IG、Threads、messenger等社群平台,突然發生故障", want: "facebook/complaint instagram/complaint threads/complaint"},
	{name: "list/zh jiqixia", text: "Facebook及旗下Instagram、WhatsApp在台灣時間4日晚間發生全球大當機,癱瘓近7小時無法使用", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "list/zh yu", text: "不少網民在Twitter及網上討論區訴苦,稱Facebook與Instagram不能正常運作。", want: "facebook/complaint instagram/complaint"},
	{name: "list/zh lianshu", text: "臉書全球大當機,許多網友出現無法登入、無法發文等各種狀況。", want: "facebook/complaint"},
	{name: "list/zh only the last", text: "我的Instagram、WhatsApp都正常,只有Telegram挂了", want: "telegram/complaint"},
	{name: "list/zh qixia no phrase", text: "Meta旗下的WhatsApp很好用", want: ""},
	{name: "list/nl met not a list", text: "WhatsApp ligt eruit, ik bel wel met Telegram", want: "whatsapp/complaint"},

	// A genitive joins the phrase to the name after it.
	{name: "of/de ausfall der", text: "Telegram: 70 Millionen neue Nutzer wegen Ausfall der Facebook-Dienste", want: "facebook/complaint"},
	{name: "of/de no name after", text: "WhatsApp: Störung der App seit heute Morgen", want: "whatsapp/complaint"},
	{name: "of/de punctuation", text: "Netflix Störung der Woche: Telegram-Kanal empfiehlt Serien", want: "netflix/complaint"},

	// Tense and number forms.
	{name: "pt/esteve em baixo", text: "Há um ano o WhatsApp também esteve em baixo durante cerca de duas horas.", want: "whatsapp/complaint"},
	{name: "pt/pararam de funcionar", text: "Além disso, as áreas do YouTube Music e do YouTube Kids também pararam de funcionar como deveriam.", want: "youtube/complaint"},
	{name: "es/dejaban de funcionar", text: "Poco después de las seis de la tarde hora española, Facebook, WhatsApp e Instagram dejaban de funcionar en todo el mundo.", want: "whatsapp/complaint facebook/complaint instagram/complaint"},
	{name: "pl/nie mogli sie zalogowac", text: "Użytkownicy Facebooka od ok. godz. 15 w środę nie mogli zalogować się na swoje konta.", want: "facebook/complaint"},
	{name: "ru/zhalob na rabotu", text: "Сервисы мониторинга зафиксировали резкий всплеск жалоб на работу Telegram.", want: "telegram/complaint"},
	{name: "de/schwierigkeiten ausfaellen", text: "Spotify hat gegenwärtig erhebliche Schwierigkeiten mit Ausfällen in den USA und Österreich.", want: "spotify/complaint"},
	{name: "de/in die knie", text: "Nach WhatsApp-Down: Auch Telegram in die Knie gezwungen", want: "whatsapp/complaint telegram/complaint"},
	{name: "id/belum bisa di akses", text: "Karena penasaran Aku pun mencoba mengakses FB dan IG pribadi, ternyata betul, kedua aplikasi ini belum bisa di akses hinggal pukul 00:49 WIB tadi.", want: "facebook/complaint instagram/complaint"},

	// Slang only next to a name, split verbs, "kapot".
	{name: "pl/siadl", text: "Instagram siadł", want: "instagram/complaint"},
	{name: "pl/wywalilo", text: "wywaliło Instagrama", want: "instagram/complaint"},
	{name: "pl/sie wysypal", text: "Messenger się wysypał", want: "messenger/complaint"},
	{name: "pt/parou", text: "YouTube parou", want: "youtube/complaint"},
	{name: "pt/nao ta indo", text: "o WhatsApp não tá indo", want: "whatsapp/complaint"},
	{name: "nl/is kapot", text: "WhatsApp is kapot", want: "whatsapp/complaint"},
	{name: "nl/lag plat split", text: "Zo lag WhatsApp laatst uren plat en was het toen zelfs het voorpaginanieuws.", want: "whatsapp/complaint"},
	{name: "de/fiel aus split", text: "Am Montag fiel WhatsApp weltweit aus", want: "whatsapp/complaint"},

	{name: "pt/sai do ar", text: "WhatsApp sai do ar", want: "whatsapp/complaint"},
	{name: "pl/ma problemy", text: "Messenger ma problemy", want: "messenger/complaint"},
	{name: "pl/trudnosci z", text: "trudności z Facebookiem", want: "facebook/complaint"},
	{name: "ru/pozhalovalis na", text: "пользователи пожаловались на Telegram", want: "telegram/complaint"},

	// Verb-final subordinate clauses.
	{name: "de/weil nicht funktioniert", text: "Alle rennen zu Twitter, weil WhatsApp nicht funktioniert", want: "whatsapp/complaint"},
	{name: "de/dass nicht geht", text: "Kann jemand bestätigen, dass WhatsApp nicht geht?", want: "whatsapp/complaint"},
	{name: "nl/omdat plat ligt", text: "Ik zit op Twitter omdat WhatsApp plat ligt", want: "whatsapp/complaint"},
	{name: "nl/dat het niet doet", text: "Iemand anders ook dat Instagram het niet doet?", want: "instagram/complaint"},
	{name: "es/se me cayo whatsapp", text: "se me cayó WhatsApp otra vez", want: "whatsapp/complaint"},

	// Headline frames.
	{name: "ru/soobshchili o problemakh", text: "пользователи Telegram сообщили о проблемах", want: "telegram/complaint"},
	{name: "ru/vozknikli problemy", text: "у пользователей WhatsApp возникли проблемы", want: "whatsapp/complaint"},
	{name: "ru/zamedlilsya", text: "YouTube замедлился", want: "youtube/complaint"},
	{name: "zh/wufa guankan", text: "YouTube無法觀看", want: "youtube/complaint"},
	{name: "zh/chubao", text: "Telegram出包", want: "telegram/complaint"},
	{name: "id/mengeluhkan", text: "pengguna mengeluhkan WhatsApp", want: "whatsapp/complaint"},
	{name: "es/no me carga", text: "Instagram no me carga", want: "instagram/complaint"},
	{name: "pt/com falhas", text: "YouTube com falhas", want: "youtube/complaint"},
	{name: "pt/caem", text: "WhatsApp e Instagram caem", want: "whatsapp/complaint instagram/complaint"},

	{name: "id/wa-nya yang", text: "Dikiranya sinyal jelek, ternyata WA-nya yang bermasalah", want: "whatsapp/complaint"},

	// "What's wrong with X?"
	{name: "q/pl co sie dzieje", text: "Co się dzieje na Instagramie?", want: "instagram/complaint"},
	{name: "q/de was ist mit los", text: "Was ist mit WhatsApp los?", want: "whatsapp/complaint"},
	{name: "q/nl aan de hand", text: "Wat is er aan de hand met WhatsApp?", want: "whatsapp/complaint"},
	{name: "q/pt o que aconteceu", text: "O que aconteceu com o WhatsApp?", want: "whatsapp/complaint"},
	{name: "q/es que le pasa", text: "¿Qué le pasa a Instagram?", want: "instagram/complaint"},
	{name: "q/ru chto sluchilos", text: "Что случилось с Telegram?", want: "telegram/complaint"},
	{name: "q/id kenapa", text: "WhatsApp kenapa ya?", want: "whatsapp/complaint"},
	{name: "q/zh zenmele", text: "YouTube怎麼了", want: "youtube/complaint"},

	// Denials and venues.
	{name: "neg/pt nao apresentaram problemas", text: "Os serviços do WhatsApp não apresentaram problemas aparentes.", want: ""},
	{name: "neg/pt apresentaram problemas", text: "Os serviços do WhatsApp apresentaram problemas.", want: "whatsapp/complaint"},
	{name: "neg/es a traves de", text: "El fallo se reportó por parte de los usuarios a través de Twitter, compañía que fue comprada por Elon Musk es las últimas horas.", want: ""},
	{name: "neg/es a traves de and down", text: "Se cayó WhatsApp, me enteré a través de Twitter", want: "whatsapp/complaint"},
	{name: "neg/pt conta oficial no", text: "Por meio de sua conta oficial no Twitter, o Facebook confirmou a queda global.", want: "facebook/complaint"},

	// The new words in ordinary chatter: another subject, a comma between.
	{name: "chat/zh phone broken", text: "我的手機壞掉了,只能用電腦看YouTube", want: ""},
	{name: "chat/pt headphones", text: "Meus fones pararam de funcionar, ouvindo Spotify no alto-falante", want: ""},
	{name: "chat/pt mood", text: "O ânimo esteve em baixo, mas o WhatsApp do grupo animou", want: ""},
	{name: "chat/ru couriers", text: "Много жалоб на работу курьеров, заказывал через Telegram", want: ""},
	{name: "chat/pl phone", text: "Telefon nie może się połączyć z wifi, piszę z laptopa na WhatsAppie", want: ""},
	{name: "chat/id bank site", text: "Situs bank belum bisa di akses, info dari grup WhatsApp", want: ""},
	{name: "chat/de maths", text: "Ich habe Schwierigkeiten mit Mathe, schaue YouTube-Tutorials", want: ""},
	{name: "chat/de football", text: "Bayern wurde in die Knie gezwungen, alle auf Twitter lachen", want: ""},
	{name: "chat/pl dog", text: "pies zdechł, pisałam na Messengerze", want: ""},
	{name: "chat/pl sat down", text: "usiadł i oglądał YouTube", want: ""},
	{name: "chat/pt car stopped", text: "meu carro parou, mandei mensagem no WhatsApp", want: ""},
	{name: "chat/pt bus", text: "o ônibus não tá indo pro centro, avisei no WhatsApp", want: ""},
	{name: "chat/nl phone kapot", text: "mijn telefoon is kapot, ik zit nu op WhatsApp", want: ""},
	{name: "chat/nl tired", text: "ik ben kapot van het werk, even Netflix kijken", want: ""},
	{name: "chat/nl power cut", text: "Gisteren lag bij ons de stroom plat, dus geen Netflix", want: ""},
	{name: "chat/de train", text: "Der Zug fiel aus, ich schaue Netflix", want: ""},
	{name: "chat/de went to work", text: "Ich ging heute nicht zur Arbeit und schaute YouTube", want: ""},
	{name: "chat/ru weather", text: "пожаловались на погоду, сидят в Telegram", want: ""},
	{name: "chat/de he leaves", text: "Schade, dass er nicht geht, ich schreibe auf WhatsApp", want: ""},
	{name: "chat/nl he works", text: "ik weet dat hij niet werkt vandaag, app hem via WhatsApp", want: ""},
	{name: "chat/es dropped phone", text: "se me cayó el celular, luego te escribo por WhatsApp", want: ""},
	{name: "chat/es dropped coffee", text: "se me cayó el café mientras veía Netflix", want: ""},
	{name: "chat/pt ficha", text: "caiu a ficha, vou sair do Instagram", want: ""},
	{name: "chat/ru economy", text: "рост экономики замедлился, читаю Telegram", want: ""},
	{name: "chat/pt shares caem", text: "ações da Meta caem 5% e WhatsApp segue normal", want: ""},
	{name: "chat/id prices", text: "pengguna mengeluhkan harga paket, info di WhatsApp", want: ""},
	{name: "chat/id new wa old phone", text: "pakai WA yang baru, hp yang lama error", want: ""},
	{name: "chat/id why like", text: "Kenapa aku suka WhatsApp? Karena gratis", want: ""},
	{name: "chat/zh what happened to him", text: "我不知道他怎麼了,明天再用WhatsApp問", want: ""},
	{name: "chat/pl my cat", text: "Co się dzieje z moim kotem, pytam na Facebooku", want: ""},
	{name: "chat/de what is up with you", text: "Was ist mit dir los? Schreib mir auf WhatsApp", want: ""},
	{name: "chat/de shares", text: "Meta-Aktie fällt: Was ist mit Meta los? WhatsApp wächst", want: ""},
	{name: "chat/es traffic lights", text: "Los semáforos dejaban de funcionar, mientras tanto yo en Netflix", want: ""},
}

func TestMatchLangs(t *testing.T) {
	runMatchCases(t, langCases)
}
