package catalog

import (
	"bytes"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Attachment: which service an outage phrase belongs to when a post names
// several services ("whatsapp down so everyone's back on telegram" is a
// complaint about WhatsApp, not Telegram).
//
// A post that names one service is a mention of it when it has an outage
// phrase anywhere (see Matcher). A post that names several is cut into clauses
// and every outage, acknowledgement or resolved phrase is attached to names in
// its clause; a service is a hit only through a phrase attached to one of its
// names (or its own outage hashtag: #WhatsAppDown #InstagramDown):
//
//   - Clauses end at sentence ends (. followed by a space, ! ? newline । ॥ 。 ؟)
//     and at contrast words, the lexicon's separators: "but", "so", "time to",
//     "switch to", "back on", "use", "try", "lekin", "par", "pe aa jao", "pero",
//     "mas", "ma", "aber", "ama", "mais", "けど", "じゃなくて"... "so" right
//     before an outage phrase is an intensifier ("are so down"), "par" right
//     after a name is a postposition ("whatsapp par" = on WhatsApp), and a
//     separator overlapping a name or phrase separates nothing.
//   - A phrase belongs to the name just before it in its clause, in SVO and
//     verb-final languages alike: "whatsapp down", "whatsapp is not working",
//     "is whatsapp down?", "WhatsApp çöktü", "व्हाट्सएप काम नहीं कर रहा",
//     "Twitter落ちてる". A comma between them weakens this (next rule first).
//   - When no name precedes it (in the clause, or since the last comma of the
//     clause) the phrase starts its clause and belongs to the first name after
//     it, unless a comma is in between: "down: whatsapp", "no funciona
//     whatsapp", "não funciona o WhatsApp", "kaam nahi kar raha whatsapp",
//     "Instagram works fine, can't send messages on WhatsApp".
//   - Otherwise it belongs to the nearest name before it across the comma
//     ("WhatsApp, can't send any messages").
//   - Names coordinated with the attached one share the phrase: the gap
//     between them holds only list punctuation (, & + / # @ ( ) 、) and
//     coordinator words (and, or, aur, dono, e, y, ve, und, et, i, dan, और,
//     ও, と, も, 和...): "Facebook, Instagram & WhatsApp not working",
//     "WhatsApp aur Instagram dono down hai", "WhatsApp e Instagram non
//     funzionano", "no funciona WhatsApp ni Instagram".
//   - An @handle is coordinated with another name only through an explicit
//     coordinator (a coordinator word, & + / or a comma), never by mere
//     adjacency: "Instagram @WhatsApp down" is WhatsApp's.
//   - The run of @handles a post starts with (the reply prefix, "@Google
//     @gmail ") names addressees, not subjects: a phrase is attached to an
//     addressee only when no other name in its clause takes it, and an
//     addressee joins a list only through a coordinator word or & + /. So
//     "@Google Gmail not working", "@Google, Gmail is down" and "@Google
//     ¿Solo a mí no me funciona Gmail?" are Gmail's; "@WhatsApp not working
//     since morning" (one service) and "@WhatsApp not working, Telegram
//     fine" are WhatsApp's; "@Google @gmail down again" is Gmail's (both are
//     addressees: the phrase takes the one just before it); "@WhatsApp and
//     Instagram down" is both. Outage hashtags (#WhatsAppDown) always count
//     for their own service.
//
// So a name after a phrase that does not start its clause gets nothing ("X is
// down, Y works"), and a name in a clause without a phrase gets nothing
// ("Instagram works fine but whatsapp is not working").
//
// Symptoms stay with the service that gets the phrase: a hit's symptoms are
// those of the phrases attached to the service, of the symptom keywords in
// the clauses where it got a phrase or hashtag, and of phrases and keywords in
// clauses that name no service. Official accounts and status pages are not
// affected (they need no name), and Ack/Resolved of a news hit come from the
// phrases attached to the service.
//
// Everything here works in the pooled scratch buffers: no allocation.

type token struct {
	occ        int32 // index into scratch.occ
	start, end int32
	clause     int32
	kind       patKind
	service    int16 // kName, kDownTag
	handle     bool  // kName written as an @handle ("@google")
	addressee  bool  // handle in the reply prefix ("@Google Gmail not working")
}

// link says that a phrase (an index into scratch.occ; -1 for an outage
// hashtag, which is its own service's) is attached to a name.
type link struct {
	phrase int32
	name   int32
	via    int32 // howCoordinated: the name it is coordinated with
	clause int32
	how    uint8
}

// svcState.attached bits.
const (
	attOutage uint8 = 1 << iota
	attAck
	attResolved
)

// meaning.except for separators.
const (
	exceptBeforePhrase uint8 = 1 + iota
	exceptAfterName
)

const (
	howBefore uint8 = 1 + iota
	howAfter
	howBeforeComma
	howOverlap
	howCoordinated
	howHashtag
	howAlongWith
	howApposition
	howOf
)

var howNames = [...]string{"", "the name just before it", "the name right after it (the phrase starts its clause)", "the nearest name before it, across a comma (no name follows it before a comma)", "the name it overlaps", "coordinated with", "its own outage hashtag",
	"the name after \"along with\", \"as well as\" right after it (the list shares the phrase of the name before it)",
	"the name an apposition describes (\"Instagram, la red social de Facebook …, no funciona\")",
	"the name right after it joined by a genitive (\"wegen Ausfall der Facebook-Dienste\", \"los problemas de WhatsApp\")"}

func isNameKind(k patKind) bool   { return k == kName || k == kDownTag }
func isPhraseKind(k patKind) bool { return k == kOutage || k == kAck || k == kResolved }

// attach computes clauses and links for a post that names several services
// and sets svcState.attached and .symptoms and scratch.shared.
func (m *Matcher) attach(text []byte, sc *scratch) {
	m.tokens(text, sc)
	m.clauses(text, sc)
	m.attachPhrases(text, sc)
	m.attachKeywords(sc)
}

// tokens lists the live names, phrases, keywords and separators in text
// order.
func (m *Matcher) tokens(text []byte, sc *scratch) {
	sc.tok = sc.tok[:0]
	sc.links = sc.links[:0]
	sc.shared = 0
	prefixEnd := replyPrefixEnd(text)
	for i := range sc.occ {
		o := &sc.occ[i]
		if o.dead != live {
			continue
		}
		mn := &m.meanings[o.meaning]
		switch mn.kind {
		case kName, kDownTag, kOutage, kAck, kResolved, kKeyword, kSeparator:
		default:
			continue
		}
		t := token{occ: int32(i), start: o.start, end: o.end, kind: mn.kind, service: mn.service}
		if mn.kind == kName && o.start > 0 && text[o.start-1] == '@' {
			t.handle = true
			t.addressee = int(o.end) <= prefixEnd
		}
		sc.tok = append(sc.tok, t)
	}
	tok := sc.tok
	for i := 1; i < len(tok); i++ { // insertion sort: few tokens, no allocation
		for j := i; j > 0 && tokenLess(&tok[j], &tok[j-1]); j-- {
			tok[j], tok[j-1] = tok[j-1], tok[j]
		}
	}
}

// liveSeparators cancels the separators that do not separate: one that
// overlaps a live name or phrase, and the lexicon's exceptions ("so" right
// before a phrase is an intensifier, "par" right after a name a
// postposition). It runs for every post, in the cancel phases, so that both
// attach (several services) and earlierClause (one) read the same clauses.
func (m *Matcher) liveSeparators(text []byte, sc *scratch) {
	for i := range sc.occ {
		o := &sc.occ[i]
		if o.dead != live || m.meanings[o.meaning].kind != kSeparator {
			continue
		}
		except := m.meanings[o.meaning].except
		for j := range sc.occ {
			u := &sc.occ[j]
			uk := m.meanings[u.meaning].kind
			if u.dead != live || !isNameKind(uk) && !isPhraseKind(uk) {
				continue
			}
			switch {
			case u.start < o.end && o.start < u.end:
				o.dead = deadSepOverlap
			case except == exceptBeforePhrase && isPhraseKind(uk) && u.start >= o.end && onlySpaces(text[o.end:u.start]):
				o.dead = deadSepBeforePhrase
			case except == exceptAfterName && isNameKind(uk) && u.end <= o.start && onlySpaces(text[u.end:o.start]):
				o.dead = deadSepAfterName
			}
			if o.dead != live {
				break
			}
		}
	}
}

// clauses numbers the clause of every token: sentence ends and live
// separators start a new one.
func (m *Matcher) clauses(text []byte, sc *scratch) {
	tok := sc.tok
	clause := int32(0)
	pos := 0
	for i := range tok {
		t := &tok[i]
		for pos < int(t.start) {
			if n := sentenceEndAt(text, pos); n > 0 {
				clause++
				pos += n
			} else {
				pos++
			}
		}
		if t.kind == kSeparator && sc.occ[t.occ].dead == live {
			clause++
		}
		t.clause = clause
	}
}

// attachPhrases attaches every phrase to names (see attachPhrase); a phrase
// in a clause naming no service gives its symptoms to every hit.
func (m *Matcher) attachPhrases(text []byte, sc *scratch) {
	tok := sc.tok
	for i := range tok {
		p := &tok[i]
		if p.kind == kDownTag {
			sc.links = append(sc.links, link{phrase: -1, name: p.occ, via: -1, clause: p.clause, how: howHashtag})
			continue
		}
		if !isPhraseKind(p.kind) {
			continue
		}
		// Addressees (the @handles of a reply prefix) take the phrase only
		// when no other name does.
		if !m.attachPhrase(text, sc, i, true) && !m.attachPhrase(text, sc, i, false) {
			if lo, hi := clauseRange(tok, i); !clauseNames(tok[lo:hi]) {
				// A clause naming no service: its symptoms go to every hit.
				sc.shared |= m.meanings[sc.occ[p.occ].meaning].symptoms
			}
		}
	}
}

// attachKeywords gives symptom keywords to the services that got a phrase or
// hashtag in their clause, or to every hit when their clause names no service.
func (m *Matcher) attachKeywords(sc *scratch) {
	tok := sc.tok
	for i := range tok {
		t := &tok[i]
		if t.kind != kKeyword {
			continue
		}
		sym := m.meanings[sc.occ[t.occ].meaning].symptoms
		lo, hi := clauseRange(tok, i)
		named := false
		for j := lo; j < hi; j++ {
			named = named || isNameKind(tok[j].kind)
		}
		if !named {
			sc.shared |= sym
			continue
		}
		for _, l := range sc.links {
			if l.clause == t.clause {
				sc.svc[m.meanings[sc.occ[l.name].meaning].service].symptoms |= sym
			}
		}
	}
}

// attachPhrase attaches phrase token i to the name it belongs to in its clause
// and to the names coordinated with that one. With skipAddr, the addressees
// are left out (as if the reply prefix were not there). It reports whether
// the phrase was attached to any name.
func (m *Matcher) attachPhrase(text []byte, sc *scratch, i int, skipAddr bool) bool {
	tok := sc.tok
	p := &tok[i]
	lo, hi := clauseRange(tok, i)
	before, after := -1, -1
	overlap := false
	for j := lo; j < hi; j++ {
		u := &tok[j]
		if !isNameKind(u.kind) || (skipAddr && u.addressee) {
			continue
		}
		switch {
		case u.start < p.end && p.start < u.end:
			m.link(sc, i, j, -1, howOverlap)
			m.coordinate(text, sc, lo, hi, i, j, -1, skipAddr)
			overlap = true
		case u.end <= p.start:
			if before < 0 || u.start > tok[before].start {
				before = j
			}
		default:
			if after < 0 || u.start < tok[after].start {
				after = j
			}
		}
	}
	switch {
	case overlap:
	case after >= 0 && m.genitiveGap(text, int(p.start), int(p.end), int(tok[after].start)):
		// "Telegram: neue Nutzer wegen Ausfall der Facebook-Dienste": the
		// outage is Facebook's, whatever name stands before the phrase.
		m.link(sc, i, after, -1, howOf)
		m.coordinate(text, sc, lo, hi, i, after, +1, skipAddr)
	case before >= 0 && !hasComma(text[tok[before].end:p.start]):
		m.link(sc, i, before, -1, howBefore)
		m.coordinate(text, sc, lo, hi, i, before, -1, skipAddr)
		if after >= 0 && m.alongWithGap(text[p.end:tok[after].start]) {
			// "Facebook suffered an outage, along with Instagram and
			// WhatsApp": the names after "along with" share the phrase.
			m.link(sc, i, after, -1, howAlongWith)
			m.coordinate(text, sc, lo, hi, i, after, +1, skipAddr)
		}
	case after >= 0 && !hasComma(text[p.end:tok[after].start]):
		m.link(sc, i, after, -1, howAfter)
		m.coordinate(text, sc, lo, hi, i, after, +1, skipAddr)
	case before >= 0:
		how := howBeforeComma
		if h := m.appositionHead(text, sc, lo, before); h != before {
			before, how = h, howApposition
		}
		m.link(sc, i, before, -1, how)
		m.coordinate(text, sc, lo, hi, i, before, -1, skipAddr)
	default:
		return false
	}
	return true
}

// clauseNames reports whether tokens name a service.
func clauseNames(tok []token) bool {
	for i := range tok {
		if isNameKind(tok[i].kind) {
			return true
		}
	}
	return false
}

// replyPrefixEnd returns the end of the run of @handles a post starts with
// (the reply prefix: "@Google @gmail_help "), or 0. Handles may be separated
// by spaces, commas and colons.
func replyPrefixEnd(text []byte) int {
	end := 0
	i := 0
	for {
		for i < len(text) && (text[i] == ' ' || text[i] == ',' || text[i] == ':') {
			i++
		}
		if i >= len(text) || text[i] != '@' {
			return end
		}
		j := i + 1
		for j < len(text) {
			r, size := utf8.DecodeRune(text[j:])
			if !isWordRune(r) {
				// Bluesky handles are domain names: "@google.bsky.social".
				if (r == '.' || r == '-') && j+1 < len(text) {
					if r2, _ := utf8.DecodeRune(text[j+1:]); isWordRune(r2) {
						j += size
						continue
					}
				}
				break
			}
			j += size
		}
		if j == i+1 {
			return end
		}
		end, i = j, j
	}
}

func tokenLess(a, b *token) bool {
	if a.start != b.start {
		return a.start < b.start
	}
	if (a.kind == kSeparator) != (b.kind == kSeparator) {
		return a.kind == kSeparator
	}
	return a.end > b.end
}

// clauseRange returns the tokens of the clause of tok[i].
func clauseRange(tok []token, i int) (lo, hi int) {
	c := tok[i].clause
	lo, hi = i, i+1
	for lo > 0 && tok[lo-1].clause == c {
		lo--
	}
	for hi < len(tok) && tok[hi].clause == c {
		hi++
	}
	return lo, hi
}

// link attaches phrase token p to name token n.
func (m *Matcher) link(sc *scratch, p, n int, via int32, how uint8) {
	pt, nt := &sc.tok[p], &sc.tok[n]
	sc.links = append(sc.links, link{phrase: pt.occ, name: nt.occ, via: via, clause: pt.clause, how: how})
	mn := &m.meanings[sc.occ[pt.occ].meaning]
	st := &sc.svc[nt.service]
	switch mn.kind {
	case kOutage:
		st.attached |= attOutage
	case kAck:
		st.attached |= attAck
	case kResolved:
		st.attached |= attResolved
	}
	st.symptoms |= mn.symptoms
}

// coordinate attaches phrase token p to the names coordinated with name
// token n, walking backward (dir -1) or forward (+1) in its clause.
//
// An @handle is coordinated with a neighbour only through an explicit
// coordinator (a word, & + / or a comma), never by mere adjacency ("@Google
// Gmail not working" is about Gmail). With skipAddr (the phrase belongs to a
// name that is not an addressee), an addressee joins only through a word or
// & + /: "@Google, Gmail is down" is Gmail's (the comma is vocative),
// "@WhatsApp and Instagram down" is both.
func (m *Matcher) coordinate(text []byte, sc *scratch, lo, hi, p, n, dir int, skipAddr bool) {
	tok := sc.tok
	strongSeen := false
	for cur := n; ; {
		next := -1
		for j := lo; j < hi; j++ {
			u := &tok[j]
			if !isNameKind(u.kind) {
				continue
			}
			if dir < 0 && u.end <= tok[cur].start && (next < 0 || u.start > tok[next].start) {
				next = j
			}
			if dir > 0 && u.start >= tok[cur].end && (next < 0 || u.start < tok[next].start) {
				next = j
			}
		}
		if next < 0 {
			return
		}
		a, b := tok[next].end, tok[cur].start
		if dir > 0 {
			a, b = tok[cur].end, tok[next].start
		}
		ok, strong := m.coordGap(text, int(a), int(b))
		if !ok {
			return
		}
		if !strong && (tok[next].handle || tok[cur].handle) {
			if !hasComma(text[a:b]) || (skipAddr && (tok[next].addressee || tok[cur].addressee)) {
				return
			}
		}
		// A bare comma lists names only at the edge of a list: "Instagram,
		// WhatsApp down" and "down: WhatsApp, Instagram", not "I opened
		// Instagram, WhatsApp is down" or "no funciona WhatsApp, Telegram sí".
		if !strong && !strongSeen && !m.listEdge(text, sc, tok[next], dir) {
			return
		}
		strongSeen = strongSeen || strong
		m.link(sc, p, next, tok[cur].occ, howCoordinated)
		cur = next
	}
}

// coordGap reports whether text[lo:hi], between two names, holds only list
// punctuation and coordinator words ("Facebook, Instagram & WhatsApp",
// "WhatsApp aur Instagram", "WhatsAppとInstagram"). The rest of an inflected
// name's word (Bengali হোয়াটসঅ্যাপ-ে) is skipped.
//
// strong is set when the gap holds a coordinator word or & + / rather than
// only commas and spaces.
func (m *Matcher) coordGap(text []byte, lo, hi int) (ok, strong bool) {
	gap := text[lo:hi]
	i := 0
	if lo > 0 {
		if r, _ := utf8.DecodeLastRune(text[:lo]); r >= 0x370 && isWordRune(r) && !isUnspaced(r) && !unicode.Is(unicode.Latin, r) {
			for i < len(gap) {
				r, size := utf8.DecodeRune(gap[i:])
				if !isWordRune(r) {
					break
				}
				i += size
			}
		}
	}
	if i == 0 && len(gap) > 1 && gap[0] == '\'' {
		// A Turkish case ending after the apostrophe ("Instagram'ın ve").
		if j := wordEnd(gap, 1); j > 1 && j-1 <= 6 {
			if _, ok := m.aposSuf[string(gap[1:j])]; ok {
				i = j
			}
		}
	}
	for i < len(gap) {
		r, size := utf8.DecodeRune(gap[i:])
		if !isWordRune(r) {
			switch r {
			case '&', '+', '/', '・':
				strong = true
			case ' ', ',', '(', ')', '\'', '"', '-', '|', '#', '@', '、', '·', '،':
			default:
				return false, false
			}
			i += size
			continue
		}
		j := i
		for j < len(gap) {
			r, size := utf8.DecodeRune(gap[j:])
			if !isWordRune(r) {
				break
			}
			j += size
		}
		if _, ok := m.coord[string(gap[i:j])]; !ok && !m.unspacedCoords(gap[i:j]) {
			return false, false
		}
		strong = true
		i = j
	}
	return true, strong
}

// genitiveGap reports whether the phrase text[start:end] and the name at next
// are joined by a genitive: one or two genitive words between them ("Ausfall
// der Facebook-Dienste", "caída de la app WhatsApp" is not: "app" is no
// genitive) or the phrase's own last word ("problemas de WhatsApp").
func (m *Matcher) genitiveGap(text []byte, start, end, next int) bool {
	gap := text[end:next]
	words := 0
	for i := 0; i < len(gap); {
		if gap[i] == ' ' {
			i++
			continue
		}
		j := wordEnd(gap, i)
		if j == i {
			return false // punctuation
		}
		if _, ok := m.genitive[string(gap[i:j])]; !ok {
			return false
		}
		words++
		i = j
	}
	if words > 0 {
		return words <= 2
	}
	k := end
	for k > start && text[k-1] != ' ' {
		k--
	}
	_, ok := m.genitive[string(text[k:end])]
	return ok && k > start
}

// unspacedMax is the longest coordinator or list opener, in runes, that
// unspacedTail and unspacedCoords look for inside a run of Han or kana.
const unspacedMax = 3

// unspacedTail reports whether word, the run of word runes right before a
// name, ends in a coordinator or list opener written in a script without
// spaces: "旗下的FB、IG" opens a list with 的 as "の" does, though 的 is
// written joined to the words before it.
func (m *Matcher) unspacedTail(word []byte) bool {
	i, n := len(word), 0
	for i > 0 && n < unspacedMax {
		r, size := utf8.DecodeLastRune(word[:i])
		if !isUnspaced(r) {
			return false
		}
		i -= size
		n++
		w := string(word[i:])
		_, ok := m.coord[w]
		_, open := m.listOpen[w]
		if ok || open {
			return true
		}
	}
	return false
}

// unspacedCoords reports whether word, a run of Han or kana between two
// names, is made of coordinator words only ("Facebook及旗下Instagram":
// 及 + 旗下), read left to right, longest first.
func (m *Matcher) unspacedCoords(word []byte) bool {
	for i := 0; i < len(word); {
		end := i
		for n := 0; n < unspacedMax && end < len(word); n++ {
			r, size := utf8.DecodeRune(word[end:])
			if !isUnspaced(r) {
				return false
			}
			end += size
		}
		for end > i {
			if _, ok := m.coord[string(word[i:end])]; ok {
				break
			}
			_, size := utf8.DecodeLastRune(word[i:end])
			end -= size
		}
		if end == i {
			return false
		}
		i = end
	}
	return len(word) > 0
}

// appositionHead returns the name a phrase after a comma belongs to when the
// nearest name before it, b, sits inside an apposition: "Instagram, la red
// social de Facebook especializada en fotografías, no funciona" is about
// Instagram, the name right before the apposition's comma, not Facebook. It
// returns b when b is itself followed by a comma or no such name exists.
func (m *Matcher) appositionHead(text []byte, sc *scratch, lo, b int) int {
	tok := sc.tok
	if j := skipSpaces(text, int(tok[b].end)); j < len(text) && text[j] == ',' {
		return b
	}
	head := -1
	for j := lo; j < b; j++ {
		u := &tok[j]
		if !isNameKind(u.kind) || u.addressee {
			continue
		}
		if k := skipSpaces(text, int(u.end)); k < len(text) && text[k] == ',' && (head < 0 || u.start > tok[head].start) {
			head = j
		}
	}
	if head < 0 || !hasComma(text[tok[b].end:]) {
		return b
	}
	// Only names and no phrase between the head and b: an apposition
	// describes its head, it does not report on it.
	for j := lo; j < len(tok); j++ {
		if u := &tok[j]; isPhraseKind(u.kind) && u.start > tok[head].end && u.end <= tok[b].start {
			return b
		}
	}
	return head
}

// alongWithGap reports whether gap, between a phrase and the next name,
// holds punctuation, at least one comitative word (lexicon words:
// comitatives: "along with", "as well as", "assim como", "yanı sıra") and
// otherwise only coordinator words.
func (m *Matcher) alongWithGap(gap []byte) bool {
	seen := false
	for i := 0; i < len(gap); {
		r, size := utf8.DecodeRune(gap[i:])
		if !isWordRune(r) {
			if r != ' ' && r != ',' && r != '-' && r != '–' && r != '—' {
				return false
			}
			i += size
			continue
		}
		j := wordEnd(gap, i)
		w := string(gap[i:j])
		if _, ok := m.comitative[w]; ok {
			seen = true
		} else if _, ok := m.coord[w]; !ok {
			return false
		}
		i = j
	}
	return seen
}

// listEdge reports whether name token t is at the outer edge of a list of
// names: what lies before it (dir -1) or after it (dir +1), up to the next
// word, is the start or end of the text, punctuation, a coordinator word or
// a live clause separator.
func (m *Matcher) listEdge(text []byte, sc *scratch, t token, dir int) bool {
	if dir < 0 {
		i := int(t.start)
		for i > 0 && text[i-1] == ' ' {
			i--
		}
		if i == 0 {
			return true
		}
		r, _ := utf8.DecodeLastRune(text[:i])
		if !isWordRune(r) {
			return true
		}
		for _, u := range sc.tok {
			if u.kind == kSeparator && int(u.end) == i && sc.occ[u.occ].dead == live {
				return true
			}
		}
		k := i
		for k > 0 {
			r, size := utf8.DecodeLastRune(text[:k])
			if !isWordRune(r) {
				break
			}
			k -= size
		}
		_, ok := m.coord[string(text[k:i])]
		_, open := m.listOpen[string(text[k:i])]
		return ok || open || m.unspacedTail(text[k:i])
	}
	i := int(t.end)
	for i < len(text) && text[i] == ' ' {
		i++
	}
	if i == len(text) {
		return true
	}
	r, _ := utf8.DecodeRune(text[i:])
	if !isWordRune(r) {
		return true
	}
	for _, u := range sc.tok {
		if u.kind == kSeparator && int(u.start) == i && sc.occ[u.occ].dead == live {
			return true
		}
	}
	k := i
	for k < len(text) {
		r, size := utf8.DecodeRune(text[k:])
		if !isWordRune(r) {
			break
		}
		k += size
	}
	_, ok := m.coord[string(text[i:k])]
	return ok
}

func onlySpaces(b []byte) bool {
	for _, c := range b {
		if c != ' ' {
			return false
		}
	}
	return true
}

func hasComma(b []byte) bool {
	return bytes.IndexByte(b, ',') >= 0 || bytes.IndexByte(b, ';') >= 0 ||
		bytes.Contains(b, []byte("、")) || bytes.Contains(b, []byte("،")) || bytes.Contains(b, []byte("，"))
}

// sentenceEndAt returns the length of the sentence end at text[i] (. followed
// by a space or the end, ! ? newline । ॥ 。 ؟), or 0.
func sentenceEndAt(text []byte, i int) int {
	switch c := text[i]; c {
	case '!', '?', '\n':
		return 1
	case '.':
		if i+1 == len(text) || text[i+1] == ' ' {
			return 1
		}
		return 0
	}
	if text[i] < utf8.RuneSelf {
		return 0
	}
	for _, s := range sentenceEnds {
		if bytes.HasPrefix(text[i:], []byte(s)) {
			return len(s)
		}
	}
	return 0
}

var sentenceEnds = [...]string{"।", "॥", "。", "؟"}

// droppedDetail says, for Explain, why no phrase is attached to service si.
func (m *Matcher) droppedDetail(text []byte, sc *scratch, si int16) string {
	onlyAddressee, named := true, false
	for i := range sc.tok {
		if t := &sc.tok[i]; t.kind == kName && t.service == si {
			named = true
			onlyAddressee = onlyAddressee && t.addressee
		}
	}
	if named && onlyAddressee {
		return "it is named only as an addressee (an @handle of the reply prefix), and another service's name takes the phrase(s)"
	}
	for i := range sc.tok {
		t := &sc.tok[i]
		if t.kind != kName || t.service != si {
			continue
		}
		name := string(text[t.start:t.end])
		lo, hi := clauseRange(sc.tok, i)
		var phrases, owners []string
		for j := lo; j < hi; j++ {
			u := &sc.tok[j]
			if !isPhraseKind(u.kind) {
				continue
			}
			phrases = append(phrases, fmt.Sprintf("%q", text[u.start:u.end]))
			for _, l := range sc.links {
				if l.phrase == u.occ {
					id := m.services[m.meanings[sc.occ[l.name].meaning].service].ID
					if !containsString(owners, id) {
						owners = append(owners, id)
					}
				}
			}
		}
		if len(phrases) == 0 {
			return fmt.Sprintf("%q is in a clause with no outage phrase (%s)", name, m.clauseBounds(text, sc, lo, hi))
		}
		who := "no service"
		if len(owners) > 0 {
			who = strings.Join(owners, ", ")
		}
		return fmt.Sprintf("the phrase(s) %s in the clause of %q are attached to %s: a phrase belongs to the name just before it, and to a name after it only when it starts its clause (no name before it)",
			strings.Join(phrases, ", "), name, who)
	}
	return "its names are not in any clause with a phrase"
}

// clauseBounds describes what separates the clause tok[lo:hi] from the rest.
func (m *Matcher) clauseBounds(text []byte, sc *scratch, lo, hi int) string {
	var parts []string
	if t := &sc.tok[lo]; t.kind == kSeparator && sc.occ[t.occ].dead == live {
		parts = append(parts, fmt.Sprintf("it starts at the contrast word %q", text[t.start:t.end]))
	} else if lo > 0 {
		parts = append(parts, "a sentence end is before it")
	}
	if hi < len(sc.tok) {
		if t := &sc.tok[hi]; t.kind == kSeparator && sc.occ[t.occ].dead == live {
			parts = append(parts, fmt.Sprintf("it ends at the contrast word %q", text[t.start:t.end]))
		} else {
			parts = append(parts, "a sentence end is after it")
		}
	}
	if len(parts) == 0 {
		return "no phrase in the post"
	}
	return strings.Join(parts, "; ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
