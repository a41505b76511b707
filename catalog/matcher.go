package catalog

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/downwatch/downwatch"
	"golang.org/x/text/unicode/norm"
)

// Hit is one service a post is a mention of.
type Hit struct {
	Service  string         `json:"service"`
	Kind     downwatch.Kind `json:"kind"`               // complaint | official | news
	Symptoms []string       `json:"symptoms,omitempty"` // sorted, deduplicated; may be nil
	Ack      bool           `json:"ack,omitempty"`      // official/news text that acknowledges a problem
	Resolved bool           `json:"resolved,omitempty"` // official/news text that says it is fixed
}

// Matcher decides which services a post is a mention of (docs/CONTRACT.md §5).
//
// A post is a mention of service S when it names S (a name, alias, hashtag or
// @handle of S, or an outage hashtag of S) and says S is broken (an outage
// phrase not cancelled by a negative, or an outage hashtag such as
// #WhatsAppDown). More precisely:
//
//   - complaint (any other author): names S and has an outage phrase or an
//     outage hashtag of S. When S is the only service the post names, the
//     phrase may be anywhere in the post. When the post names several, the
//     phrase must be attached to S (attach.go): it belongs to the name just
//     before it in its clause ("whatsapp down", "is whatsapp down?",
//     "WhatsApp çöktü"), or to the name after it when it starts its clause
//     ("no funciona whatsapp"), and to the names coordinated with that one
//     ("Instagram and WhatsApp down" is a mention of both); clauses end at
//     sentence ends and contrast words ("but", "so", "time to", "lekin",
//     "pero"...). So "whatsapp down so everyone's back on telegram" and
//     "WhatsApp is down, Telegram works" are mentions of WhatsApp only.
//   - news (author is a catalog news agency, or Source "rss"): names S and has
//     an outage, acknowledgement or resolved phrase (attached to S when the
//     post names several services). Ack and Resolved are set
//     from the phrases, so a news agency quoting "we're aware... working to
//     restore WhatsApp" is a news hit with Ack.
//   - official (author is an official account of S): has an outage,
//     acknowledgement or resolved phrase; naming S is not needed ("We're aware
//     that some people are having trouble sending messages" from @WhatsApp).
//     When the account speaks for several services (@Meta) and the post names
//     some of them, only those are hits; when it names none, all are.
//   - official (Source "statuspage"): always a hit for the service the page
//     belongs to (the author resolved as an id, handle or name) and for the
//     services it names.
//
// Ambiguous names (Service.Ambiguous: "X", "Threads", "Signal", "Teams",
// "Steam", "Zoom", "Outlook"...) are ordinary words, so they name the service
// only with stronger evidence, one of:
//
//  1. written as a hashtag or handle: #Signal, @Steam;
//  2. right next to an outage, acknowledgement or resolved phrase: the phrase
//     begins at most two words after the name, those words being fillers
//     ("is", "app", "still", "says", "est", "ist", "が"...; words in non-Latin
//     scripts count as fillers), or ends at most one filler word before it
//     ("no funciona Teams") or, for a phrase that is not weak, one
//     preposition ("can't log in to Outlook", "impossible de me connecter à
//     Outlook"), with no sentence punctuation in between, and the name
//     is not preceded by an English article, possessive or signal word
//     ("the", "my", "cell", "weak"...): "X is down" and "Steam down?" match,
//     "the signal is down here" and "I am watching X files" do not;
//  3. the author is an official account of the service or a status page.
//
// Distinctive spellings in Service.Aliases ("Twitter", "Signal app",
// "MS Teams") and outage hashtags (#XDown) never need this.
//
// Negatives (lexicon.yaml) cancel the outage, ack and resolved phrases they
// overlap ("calm down", "download" never matches "down" anyway because of word
// boundaries); post-scope negatives (share-price talk, "will stop working on")
// also cancel every weak phrase ("down") anywhere in the post. Share-price
// talk is cancelled further, by two general rules:
//
//   - a market word ("stock", "shares", "share price", "shareholders",
//     "market cap", "nasdaq", "nyse", "dow", "s&p", "earnings", "valuation",
//     "acciones", "ações", "Aktie", "azioni", "hisse", "शेयर", "株価", "سهم"...
//     and every $TICKER cashtag, $ and 1 to 5 letters) cancels every outage,
//     ack or resolved phrase whose subject it is, whatever its strength: the
//     phrase follows it with nothing but up to four filler words, numbers,
//     or "of"/"de"/"von" and a service name between ("Netflix stock down
//     again", "shares of Netflix are down again", "$NFLX is down",
//     "las acciones de Netflix están caídas"); cashtags are also post-scope
//     negatives;
//   - share-price context ("buying the dip", "bear market", "sell-off",
//     "price target", "downgraded") cancels, anywhere in the post, the weak
//     phrases and the strong phrases that say no more than "down" ("down
//     again", "still down"; lexicon price: true), not those that name a
//     malfunction: "Meta shares down 3% as WhatsApp outage drags on" is
//     still a WhatsApp complaint.
//
// A weak phrase that ends a clause before the one naming the service, behind
// a lexicon separator ("the server went down, so it's iCloud Drive today"),
// is about something else (earlierClause).
//
// The @handles a post starts with (a reply's "@Google ") are addressees: in a
// post that names several services they take an outage phrase only when no
// other name does, and an @handle is never coordinated with a neighbouring
// name by mere adjacency ("@Google Gmail not working" is about Gmail only;
// see attach.go).
//
// A name inside a longer name of another service counts only as the longer
// one ("Google Cloud" is google-cloud, not google), and an ambiguous name
// inside a lexicon phrase ("no signal") does not count.
//
// Symptoms are the union of the symptom tags of the live outage,
// acknowledgement and resolved phrases, plus those of symptom keywords
// ("login", "payment", "messages") when the post has such a phrase. When the
// post names several services, a complaint or news hit gets only the symptoms
// of the phrases attached to its service and of the keywords in their clauses
// (plus those of clauses that name no service).
type Matcher struct {
	cat        *Catalog
	ac         *automaton
	patterns   []pattern
	meanings   []meaning
	services   []*Service
	svcIndex   map[string]int16   // id -> index
	nameIndex  map[string]int16   // normalised name -> index (for status page authors)
	official   map[string][]int16 // folded handle -> indices
	news       map[string]struct{}
	symptoms   []string // vocabulary, by bit
	symOrder   []int    // bits in alphabetical order of their names
	fillers    map[string]struct{}
	mfillers   map[string]struct{} // may stand between a market word and its phrase
	sfillers   map[string]struct{} // may stand between the parts of a split phrase
	sanchors   map[string]struct{} // split fillers that anchor a split phrase as a name does ("bei", "bij")
	tagSuf     []string            // outage hashtags derived from every Latin name ("#whatsappdown")
	bareTagSuf []string            // those also counted without their "#" ("facebookdown")
	statusSuf  []string            // trailing words of a status page's author name ("GitHub Status")
	preps      map[string]struct{} // may stand between an outage phrase and an ambiguous name
	genitive   map[string]struct{} // "shares of Netflix"
	determ     map[string]struct{}
	coord      map[string]struct{}
	listOpen   map[string]struct{} // may stand before the first name of a comma list
	nameSuf    []string            // case endings of Latin names ("Instagrama"); a dozen, compared in turn
	comitative map[string]struct{} // "along with", "as well as": a list after a phrase shares it
	aposSuf    map[string]struct{} // Turkish case endings after an apostrophe ("'ın", "'a")
	priceFill  map[string]struct{} // words between a verb and its percentage ("um", "del", "на")
	percent    []string            // percentage words ("percent", "prozent", "yüzde"); "%" is built in
	proclitic  map[string]struct{} // Arabic-script prefixes a word takes without a space ("لعطل", "بعطل", "الانقطاع")
	sufFirst   [256]bool           // first bytes of nameSuf
	// Cashtags ($NFLX) are found by code, not by the automaton: these are
	// their meanings (a post-scope negative and a market subject).
	cashPost, cashSubject int32
	pool                  sync.Pool
}

type patKind uint8

const (
	kName patKind = iota
	kDownTag
	kOutage
	kNegative
	kAck
	kResolved
	kKeyword
	kSeparator
	kSplitPart // one side of a split outage phrase ("lädt ~ nicht"); see pairSplits
	kVenue     // "coming to": the name after it is where the post is written
)

var kindNames = [...]string{"name", "outage-hashtag", "outage", "negative", "ack", "resolved", "symptom-keyword", "clause-separator", "split-phrase-part", "venue"}

func (k patKind) String() string { return kindNames[k] }

// meaning is what one pattern string means; one string can mean several things.
type meaning struct {
	kind      patKind
	service   int16 // kName, kDownTag; -1 otherwise
	symptoms  uint16
	ambiguous bool  // kName: needs stronger evidence
	weak      bool  // kOutage: cancelled by post-scope negatives and share-price context
	price     bool  // kOutage: "down"-family phrase, cancelled by share-price context
	scope     uint8 // kNegative: scopeOverlap, scopePost, scopeMarket, scopeSubject
	prefix    bool  // may end inside a word
	compound  bool  // kOutage: may start inside a word, as the head of a compound ("Großstörung")
	except    uint8 // kSeparator: exceptBeforePhrase, exceptAfterName
	split     bool  // kOutage: a split phrase ("lädt ~ nicht"), found by pairSplits
	adjacent  bool  // kOutage: counts only right next to a service name
	part      uint8 // kSplitPart: 1 head, 2 tail
	pair      int32 // kSplitPart: 1 + index of the kOutage meaning of its phrase
	lang      string
	entry     string // as written in the catalog or lexicon
}

// Scopes of negatives (lexicon.yaml).
const (
	scopeOverlap     uint8 = iota // cancels the phrases it overlaps
	scopePost                     // and every weak phrase in the post
	scopeMarket                   // share-price context: and every weak or price phrase in the post
	scopeSubject                  // market word: and every phrase whose subject it is
	scopeOther                    // another subject ("my battery", "my car"): every phrase whose subject it is
	scopeAnswer                   // a question answered no ("is X down? no,"): every phrase of the question before it
	scopeConditional              // "whenever", "wenn": every phrase after it in its clause is hypothetical or habitual
)

var scopeFlags = [...]string{"", "post-scope", "share-price-context", "market-subject", "other-subject", "answered-no", "conditional"}

type pattern struct {
	text      string
	needStart bool
	compound  bool // a meaning may start inside a word (meaning.compound)
	needEnd   bool
	meanings  []int32
}

// NewMatcher builds a matcher for the services of c with the embedded lexicon.
// Building takes a few milliseconds; build once and share: the Matcher is
// immutable and safe for concurrent use.
func NewMatcher(c *Catalog) (*Matcher, error) {
	if c == nil {
		return nil, fmt.Errorf("catalog: NewMatcher: nil catalog")
	}
	lx, err := parseLexicon("lexicon.yaml (embedded)", lexiconYAML)
	if err != nil {
		return nil, err
	}
	return newMatcher(c, lx)
}

func newMatcher(c *Catalog, lx *lexicon) (*Matcher, error) {
	if len(c.services) > 1<<15-1 {
		return nil, fmt.Errorf("catalog: NewMatcher: %d services, limit %d", len(c.services), 1<<15-1)
	}
	m := &Matcher{
		cat:        c,
		services:   c.services,
		svcIndex:   make(map[string]int16, len(c.services)),
		nameIndex:  map[string]int16{},
		official:   map[string][]int16{},
		news:       c.news,
		symptoms:   lx.Symptoms,
		fillers:    wordSet(lx.Words["fillers"]),
		mfillers:   wordSet(lx.Words["market_fillers"]),
		sfillers:   wordSet(lx.Words["split_fillers"]),
		sanchors:   wordSet(lx.Words["split_anchors"]),
		tagSuf:     wordList(lx.Words["tag_suffixes"]),
		bareTagSuf: wordList(lx.Words["bare_tag_suffixes"]),
		statusSuf:  wordList(lx.Words["status_suffixes"]),
		preps:      wordSet(lx.Words["prepositions"]),
		genitive:   wordSet(lx.Words["genitives"]),
		determ:     wordSet(lx.Words["determiners"]),
		coord:      wordSet(lx.Words["coordinators"]),
		listOpen:   wordSet(lx.Words["list_openers"]),
		nameSuf:    wordList(lx.Words["name_suffixes"]),
		proclitic:  wordSet(lx.Words["proclitics"]),
		priceFill:  wordSet(lx.Words["price_fillers"]),
		comitative: wordSet(lx.Words["comitatives"]),
		aposSuf:    wordSet(lx.Words["apostrophe_suffixes"]),
		percent:    wordList(lx.Words["percent_words"]),
	}
	for _, suf := range m.nameSuf {
		m.sufFirst[suf[0]] = true
	}
	m.symOrder = make([]int, len(m.symptoms))
	for i := range m.symOrder {
		m.symOrder[i] = i
	}
	slices.SortFunc(m.symOrder, func(a, b int) int { return strings.Compare(m.symptoms[a], m.symptoms[b]) })

	b := &builder{m: m, index: map[string]int32{}}
	b.addServices(c)
	b.addLexicon(lx)
	m.cashPost = int32(len(m.meanings))
	m.meanings = append(m.meanings, meaning{kind: kNegative, service: -1, scope: scopePost, entry: "$TICKER (any cashtag)"})
	m.cashSubject = int32(len(m.meanings))
	m.meanings = append(m.meanings, meaning{kind: kNegative, service: -1, scope: scopeSubject, entry: "$TICKER (any cashtag)"})
	texts := make([]string, len(m.patterns))
	for i, p := range m.patterns {
		texts[i] = p.text
	}
	m.ac = newAutomaton(texts)
	nsvc := len(m.services)
	m.pool.New = func() any {
		return &scratch{norm: newNormalizer(), svc: make([]svcState, nsvc)}
	}
	return m, nil
}

// addServices adds every service's names, aliases, nicknames and outage
// hashtags, and indexes its official handles.
func (b *builder) addServices(c *Catalog) {
	m := b.m
	for i, s := range c.services {
		si := int16(i)
		m.svcIndex[s.ID] = si
		for _, h := range s.Official {
			k := foldHandle(h)
			if !slices.Contains(m.official[k], si) {
				m.official[k] = append(m.official[k], si)
			}
		}
		for j, list := range [][]string{s.Names, s.Aliases, s.Nicknames} {
			for _, name := range list {
				norm := normalizeString(name)
				if _, ok := m.nameIndex[norm]; !ok {
					m.nameIndex[norm] = si
				}
				b.add(name, meaning{kind: kName, service: si, ambiguous: (s.Ambiguous && j == 0) || j == 2, prefix: inflectedScript(norm)})
				if tag := latinSlug(norm); tag != "" {
					for _, suf := range m.tagSuf {
						b.add("#"+tag+suf, meaning{kind: kDownTag, service: si, entry: "#" + tag + suf + " (derived from " + name + ")"})
					}
					if j < 2 && !(s.Ambiguous && j == 0) && len(tag) >= 5 {
						// The hashtag written without its "#" ("the hashtags
						// FACEBOOKDOWN and INSTAGRAMDOWN trended").
						for _, suf := range m.bareTagSuf {
							b.add(tag+suf, meaning{kind: kDownTag, service: si, entry: tag + suf + " (derived from " + name + ", without #)"})
						}
					}
				}
			}
		}
		for _, h := range s.Hashtags {
			tag := h
			if !strings.HasPrefix(tag, "#") {
				tag = "#" + tag
			}
			b.add(tag, meaning{kind: kDownTag, service: si, entry: h})
		}
	}
}

// addLexicon adds every phrase of the lexicon, with its unaccented variant.
func (b *builder) addLexicon(lx *lexicon) {
	for _, sec := range []struct {
		kind   patKind
		groups []lexGroup
	}{{kOutage, lx.Outage}, {kNegative, lx.Negatives}, {kAck, lx.Ack}, {kResolved, lx.Resolved}, {kKeyword, lx.Keywords}, {kSeparator, lx.Separators}, {kVenue, lx.Venues}} {
		for _, g := range sec.groups {
			var mask uint16
			for _, s := range g.Symptoms {
				mask |= 1 << slices.Index(b.m.symptoms, s)
			}
			var except uint8
			switch g.Except {
			case "before-phrase":
				except = exceptBeforePhrase
			case "after-name":
				except = exceptAfterName
			}
			var scope uint8
			switch g.Scope {
			case "post":
				scope = scopePost
			case "market":
				scope = scopeMarket
			case "subject":
				scope = scopeSubject
			case "other":
				scope = scopeOther
			case "answer":
				scope = scopeAnswer
			case "conditional":
				scope = scopeConditional
			}
			for _, p := range g.Phrases {
				mn := meaning{kind: sec.kind, service: -1, symptoms: mask, weak: g.Weak, price: g.Price, adjacent: g.Adjacent, scope: scope, prefix: g.Prefix, compound: g.Compound, lang: g.Lang, except: except}
				variants := [2]string{p, unaccented(p)}
				for vi, v := range variants {
					if vi == 1 && (v == "" || normalizeString(v) == normalizeString(p)) {
						continue
					}
					mn.entry = ""
					if vi == 1 {
						mn.entry = p + " (unaccented: " + v + ")"
					}
					if head, tail, ok := strings.Cut(v, "~"); ok && sec.kind == kOutage {
						b.addSplit(head, tail, mn)
						continue
					}
					b.add(v, mn)
				}
			}
		}
	}
}

type builder struct {
	m     *Matcher
	index map[string]int32 // normalised text -> pattern
}

func (b *builder) add(entry string, mn meaning) {
	norm := normalizeString(entry)
	norm = strings.TrimSpace(norm)
	if norm == "" {
		return
	}
	if mn.entry == "" {
		mn.entry = entry
	}
	m := b.m
	pi, ok := b.index[norm]
	if !ok {
		first, _ := utf8.DecodeRuneInString(norm)
		last, _ := utf8.DecodeLastRuneInString(norm)
		pi = int32(len(m.patterns))
		b.index[norm] = pi
		m.patterns = append(m.patterns, pattern{
			text:      norm,
			needStart: isWordRune(first) && !isUnspaced(first),
			needEnd:   isWordRune(last) && !isUnspaced(last),
		})
	}
	p := &m.patterns[pi]
	p.compound = p.compound || mn.compound
	for _, mi := range p.meanings {
		o := m.meanings[mi]
		if o.kind == mn.kind && o.service == mn.service && o.scope == mn.scope && o.prefix == mn.prefix && o.compound == mn.compound && o.pair == mn.pair && o.part == mn.part {
			// Same meaning twice: merge symptoms, keep the stricter flags.
			m.meanings[mi].symptoms |= mn.symptoms
			m.meanings[mi].ambiguous = o.ambiguous && mn.ambiguous
			m.meanings[mi].weak = o.weak && mn.weak
			m.meanings[mi].price = o.price && mn.price
			return
		}
	}
	p.meanings = append(p.meanings, int32(len(m.meanings)))
	m.meanings = append(m.meanings, mn)
}

// addSplit adds a split outage phrase: its head and tail are patterns of
// their own (kSplitPart) that pairSplits joins into one outage occurrence.
func (b *builder) addSplit(head, tail string, mn meaning) {
	m := b.m
	entry := mn.entry
	if entry == "" {
		entry = strings.TrimSpace(head) + " ~ " + strings.TrimSpace(tail)
	}
	mn.entry = entry
	mn.split = true
	tailPrefix := mn.prefix
	mn.prefix = false
	pair := int32(len(m.meanings)) + 1
	m.meanings = append(m.meanings, mn)
	b.add(head, meaning{kind: kSplitPart, service: -1, part: 1, pair: pair, entry: entry + " (head)"})
	b.add(tail, meaning{kind: kSplitPart, service: -1, part: 2, pair: pair, prefix: tailPrefix, entry: entry + " (tail)"})
}

// unaccented returns s without the diacritics of Latin letters ("não
// funciona" -> "nao funciona", "çalışmıyor" -> "calismiyor", "działa" ->
// "dziala"), the way people type without a national keyboard, or "" when s
// has none or is not all Latin.
func unaccented(s string) string {
	changed := false
	var sb strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			changed = true
			continue
		case r < utf8.RuneSelf:
		case r == 'ł' || r == 'Ł':
			r, changed = 'l', true
		case r == 'ı':
			r, changed = 'i', true
		case r == 'ø':
			r, changed = 'o', true
		case r == 'đ':
			r, changed = 'd', true
		case unicode.Is(unicode.Latin, r) || unicode.IsPunct(r) || unicode.IsSpace(r):
		default:
			return ""
		}
		sb.WriteRune(r)
	}
	if !changed {
		return ""
	}
	return sb.String()
}

// inflectedScript reports whether a name ends in a script whose words take
// suffixes without a space (Bengali হোয়াটসঅ্যাপের, Russian Ютуба, Arabic,
// Korean 유튜브가): such names may end inside a word.
func inflectedScript(norm string) bool {
	r, _ := utf8.DecodeLastRuneInString(norm)
	if r < 0x370 || !isWordRune(r) || isUnspaced(r) {
		return false
	}
	return !unicode.Is(unicode.Latin, r)
}

// latinSlug returns the letters and digits of an all-ASCII name ("Disney+" ->
// "disney", "AT&T" -> "att"), or "" for names in other scripts.
func latinSlug(norm string) string {
	var sb strings.Builder
	for i := 0; i < len(norm); i++ {
		c := norm[i]
		switch {
		case c >= utf8.RuneSelf:
			return ""
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			sb.WriteByte(c)
		case c == '+':
			sb.WriteString("plus")
		}
	}
	return sb.String()
}

// scratch is the per-call working memory, pooled.
type scratch struct {
	norm    *normalizer
	raw     []rawHit
	occ     []occurrence
	svc     []svcState
	touched []int16
	author  []byte
	// Attachment (attach.go); valid when multi is set.
	multi  bool
	tok    []token
	links  []link
	shared uint16 // symptoms of phrases and keywords in clauses naming no service
	facts  facts
}

type occurrence struct {
	meaning    int32
	start, end int32
	dead       uint8 // reason it does not count; 0 = live
}

// Reasons an occurrence does not count (for Explain).
const (
	live uint8 = iota
	deadNegative
	deadPostNegative
	deadInsideName
	deadInsidePhrase
	deadAmbiguous
	deadSepOverlap
	deadSepBeforePhrase
	deadSepAfterName
	deadMarketContext
	deadMarketSubject
	deadOtherSubject
	deadVenue
	deadNotAdjacent
	deadAnswered
	deadPriceMove
	deadConditional
	deadEarlierClause
)

var deadReasons = [...]string{"", "cancelled by an overlapping negative", "cancelled by a post-scope negative (weak phrase)", "part of a longer name of another service", "part of a longer lexicon phrase", "ambiguous name without stronger evidence",
	"overlaps a service name or outage phrase, so it separates nothing",
	"right before an outage phrase it is an intensifier (\"so down\"), not a clause separator",
	"right after a service name it is a postposition (\"whatsapp par\" = on WhatsApp), not \"but\"",
	"cancelled by share-price context (\"buying the dip\", \"sell-off\"): a weak or \"down\"-family phrase",
	"its subject is a market word (\"stock\", \"shares\", a $cashtag): share-price talk",
	"its subject is something else (\"my battery\", \"my car\", \"my wifi\"), not a service",
	"the platform the post is written on or addressed to (\"coming to Twitter\", \"Twitter, is Gmail down?\"), not what is down",
	"a phrase that is also an ordinary phrase (\"se cae\") counts only right next to a service name",
	"asked and answered no (\"is X down? no, everyone is watching\")",
	"a percentage follows or precedes it (\"caiu 12%\", \"crolla del 20%\", \"yüzde 10 çöktü\"): a share-price move, not an outage",
	"in a conditional or habitual clause (\"whenever WhatsApp goes down\", \"wenn WhatsApp nicht funktioniert\"): not a report",
	"a weak phrase in a clause before the one that names the service (\"the server went down, so it's iCloud\"): about something else"}

type svcState struct {
	named    bool
	downTag  bool
	official bool // the author speaks for the service
	// When the post names several services (scratch.multi), attached has a
	// bit per kind of phrase attached to a name of this service (attOutage,
	// attAck, attResolved) and symptoms the symptoms of those phrases and of
	// the keywords in their clauses.
	attached uint8
	symptoms uint16
}

// Match appends one Hit per matched service to dst and returns it, in catalog
// order. It is safe for concurrent use. A post that matches nothing costs no
// allocation.
func (m *Matcher) Match(p *downwatch.Post, dst []Hit) []Hit {
	if p == nil {
		return dst
	}
	sc := m.pool.Get().(*scratch)
	dst = m.match(p, sc, dst, nil)
	m.pool.Put(sc)
	return dst
}

// facts is what the phases learn about one post; it lives in the scratch.
type facts struct {
	officialFor []int16 // services the author is an official account of
	statusPage  bool
	isNews      bool
	hasOutage   bool
	hasAck      bool
	hasResolved bool
	multiNamed  bool   // the post names several services
	symptoms    uint16 // of the live phrases (plus keywords when a phrase or outage hashtag is live)
	keywords    uint16 // of the live symptom keywords
}

func (f *facts) anyPhrase() bool { return f.hasOutage || f.hasAck || f.hasResolved }

// match runs the phases over one post: scan (automaton and word
// boundaries), cancel (negatives, nested names, ambiguity, venues, other
// subjects), attribute (which service each phrase belongs to, and whom the
// author speaks for), classify (the verdict table, per service) and
// symptoms.
func (m *Matcher) match(p *downwatch.Post, sc *scratch, dst []Hit, ex *Explanation) []Hit {
	text, anyName := m.scan(p, sc)
	f := &sc.facts
	*f = facts{statusPage: p.Source == "statuspage"}
	sc.multi = false // attribute sets it; a post that names nothing never gets there
	sc.author = appendFoldedHandle(sc.author[:0], p.Author)
	f.officialFor = m.official[string(sc.author)]
	if !anyName && len(f.officialFor) == 0 && !f.statusPage {
		if ex != nil {
			m.explain(ex, p, text, sc, nil)
		}
		return dst
	}
	_, isAgency := m.news[string(sc.author)]
	f.isNews = isAgency || p.Source == "rss"

	sc.occ = m.appendCashtags(text, sc.occ)
	m.cancel(text, sc)
	m.resolveNames(text, sc, f.officialFor, f.statusPage)
	m.requireAdjacent(text, sc)
	m.liveSeparators(text, sc)
	m.earlierClause(text, sc)
	m.tally(sc)
	m.attribute(text, sc, p.Author)
	return m.classify(p, text, sc, dst, ex)
}

// scan normalises the text, runs the automaton and keeps the occurrences
// that respect word boundaries; anyName reports whether a name or outage
// hashtag was found.
func (m *Matcher) scan(p *downwatch.Post, sc *scratch) (text []byte, anyName bool) {
	text = sc.norm.normalize(p.Text)
	sc.raw = m.ac.scan(text, sc.raw[:0])
	sc.occ = sc.occ[:0]
	anySplit := false
	for _, r := range sc.raw {
		pat := &m.patterns[r.pattern]
		startOK := !pat.needStart || boundaryBefore(text, int(r.start)) || m.procliticBefore(text, int(r.start))
		if !startOK && !pat.compound {
			continue
		}
		endOK := !pat.needEnd || boundaryAfter(text, int(r.end))
		suffixEnd := -1 // the end of a Latin name's case ending ("Instagrama")
		for _, mi := range pat.meanings {
			mn := &m.meanings[mi]
			if !startOK && !mn.compound {
				continue
			}
			if !endOK && !mn.prefix && mn.kind == kName && suffixEnd < 0 {
				suffixEnd = m.caseEnding(text, int(r.end))
			}
			if !endOK && !mn.prefix && mn.kind == kName && suffixEnd > 0 {
				sc.occ = append(sc.occ, occurrence{meaning: mi, start: r.start, end: int32(suffixEnd)})
				anyName = true
				continue
			}
			if !endOK && !mn.prefix {
				continue
			}
			anyName = anyName || isNameKind(mn.kind)
			anySplit = anySplit || mn.kind == kSplitPart
			sc.occ = append(sc.occ, occurrence{meaning: mi, start: r.start, end: r.end})
		}
	}
	if anySplit && anyName {
		m.pairSplits(text, sc)
	}
	return text, anyName
}

// procliticBefore reports whether the word that text[i] continues starts
// with a proclitic (lexicon words: proclitics) and nothing else before i:
// Arabic writes "and", "for", "with", "the" joined to the next word ("لعطل
// فني", "بعطل مفاجئ", "الانقطاع"), so a phrase or name may start there.
func (m *Matcher) procliticBefore(text []byte, i int) bool {
	if len(m.proclitic) == 0 || i < 2 || text[i-1] < utf8.RuneSelf {
		return false
	}
	j := i
	for j > 0 && i-j <= 8 {
		r, size := utf8.DecodeLastRune(text[:j])
		if !isWordRune(r) || r < utf8.RuneSelf {
			break
		}
		j -= size
	}
	if j == i || i-j > 8 || !boundaryBefore(text, j) {
		return false
	}
	_, ok := m.proclitic[string(text[j:i])]
	return ok
}

// caseEnding returns the end of the Latin word continuing at text[i] when it
// is a case ending of a name (lexicon words: name_suffixes) followed by a
// word boundary, or -1.
func (m *Matcher) caseEnding(text []byte, i int) int {
	if i == 0 || i >= len(text) || text[i-1] >= utf8.RuneSelf || !m.sufFirst[text[i]] {
		return -1
	}
	j := i
	for j < len(text) && j-i <= 4 {
		r, size := utf8.DecodeRune(text[j:])
		if !isWordRune(r) || !isLatinLetter(r) {
			break
		}
		j += size
	}
	if j == i || j-i > 4 || !boundaryAfter(text, j) {
		return -1
	}
	for _, suf := range m.nameSuf {
		if string(text[i:j]) == suf {
			return j
		}
	}
	return -1
}

// tally collects the live phrases' kinds and symptoms and marks the named
// services.
func (m *Matcher) tally(sc *scratch) {
	f := &sc.facts
	for i := range sc.occ {
		o := &sc.occ[i]
		if o.dead != live {
			continue
		}
		mn := &m.meanings[o.meaning]
		switch mn.kind {
		case kOutage:
			f.hasOutage = true
			f.symptoms |= mn.symptoms
		case kAck:
			f.hasAck = true
			f.symptoms |= mn.symptoms
		case kResolved:
			f.hasResolved = true
			f.symptoms |= mn.symptoms
		case kKeyword:
			f.keywords |= mn.symptoms
		case kName, kDownTag:
			st := m.touch(sc, mn.service)
			st.named = true
			st.downTag = st.downTag || mn.kind == kDownTag
		}
	}
}

// touch returns the state of service si, listing it among the touched ones.
func (m *Matcher) touch(sc *scratch, si int16) *svcState {
	st := &sc.svc[si]
	if !st.named && !st.downTag && !st.official {
		sc.touched = append(sc.touched, si)
	}
	return st
}

// attribute attaches phrases to names when the post names several services
// (attach.go) and marks the services the author speaks for.
func (m *Matcher) attribute(text []byte, sc *scratch, author string) {
	f := &sc.facts
	sc.multi = false
	f.multiNamed = len(sc.touched) > 1
	if f.multiNamed {
		anyTag := false
		for _, si := range sc.touched {
			anyTag = anyTag || sc.svc[si].downTag
		}
		if f.anyPhrase() || anyTag {
			sc.multi = true
			m.attach(text, sc)
		}
	}
	speaks := f.officialFor
	if f.statusPage {
		if si, ok := m.statusPageService(sc.author, author); ok {
			speaks = []int16{si} // allocates only on status page posts
		}
	}
	namedSpoken := false
	for _, si := range speaks {
		namedSpoken = namedSpoken || sc.svc[si].named
	}
	for _, si := range speaks {
		if len(speaks) > 1 && namedSpoken && !sc.svc[si].named && !f.statusPage {
			continue
		}
		m.touch(sc, si).official = true
	}
	anyDownTag := false
	for _, si := range sc.touched {
		anyDownTag = anyDownTag || sc.svc[si].downTag
	}
	if f.anyPhrase() || anyDownTag {
		f.symptoms |= f.keywords
	}
}

// classify decides, per touched service in catalog order, with the verdict
// table, and appends the hits.
func (m *Matcher) classify(p *downwatch.Post, text []byte, sc *scratch, dst []Hit, ex *Explanation) []Hit {
	f := &sc.facts
	slices.Sort(sc.touched)
	var verdicts []ServiceVerdict
	for _, si := range sc.touched {
		st := &sc.svc[si]
		v := m.verdictInput(f, st, sc.shared)
		r := decide(&v)
		if r.hit {
			h := Hit{Service: m.services[si].ID, Kind: v.kind, Symptoms: m.symptomList(v.symptoms)}
			if v.kind != downwatch.KindComplaint {
				h.Ack, h.Resolved = v.ack, v.resolved
			}
			dst = append(dst, h)
		}
		if ex != nil {
			why := r.why
			if r.detail {
				why += ": " + m.droppedDetail(text, sc, si)
			}
			if v.own && r.ownWhy != "" {
				why = r.ownWhy
			}
			verdicts = append(verdicts, ServiceVerdict{Service: m.services[si].ID, Hit: r.hit, Kind: v.kind, Rule: r.name, Reason: why})
		}
		*st = svcState{}
	}
	sc.touched = sc.touched[:0]
	if ex != nil {
		m.explain(ex, p, text, sc, verdicts)
	}
	return dst
}

// verdictInput is what the verdict table reads for one service: facts as
// bits (vStatusPage...), and what a hit carries.
type verdictInput struct {
	facts    uint16
	kind     downwatch.Kind
	own      bool // phrases count per service (the post names several)
	ack      bool
	resolved bool
	symptoms uint16
}

// Facts the verdict rules test, one bit each.
const (
	vStatusPage     uint16 = 1 << iota // a status page post
	vOfficial                          // the author speaks for the service
	vNamed                             // the post names the service
	vDownTag                           // an outage hashtag of the service
	vOwn                               // phrases count per service (several named)
	vAnyPhrase                         // an outage, ack or resolved phrase in the post
	vHasOutage                         // an outage phrase in the post
	vSvcOutage                         // an outage phrase for this service (attached when own)
	vAttached                          // a phrase attached to this service
	vNews                              // a news agency or rss
	vOfficialOrName                    // vOfficial or vNamed
	vPhraseOrTag                       // vAnyPhrase or vDownTag
	vSvcAnyOrTag                       // a phrase for this service (attached when own) or vDownTag
)

func (m *Matcher) verdictInput(f *facts, st *svcState, shared uint16) verdictInput {
	v := verdictInput{kind: downwatch.KindComplaint, own: f.multiNamed && st.named && !st.official && !f.statusPage,
		ack: f.hasAck, resolved: f.hasResolved, symptoms: f.symptoms}
	svcOutage, svcAny := f.hasOutage, f.anyPhrase()
	if v.own {
		svcOutage, svcAny = st.attached&attOutage != 0, st.attached != 0
		v.ack, v.resolved = st.attached&attAck != 0, st.attached&attResolved != 0
		v.symptoms = st.symptoms | shared
	}
	switch {
	case f.statusPage || st.official:
		v.kind = downwatch.KindOfficial
	case f.isNews:
		v.kind = downwatch.KindNews
	}
	v.facts = bit(f.statusPage, vStatusPage) | bit(st.official, vOfficial) | bit(st.named, vNamed) |
		bit(st.downTag, vDownTag) | bit(v.own, vOwn) | bit(f.anyPhrase(), vAnyPhrase) | bit(f.hasOutage, vHasOutage) |
		bit(svcOutage, vSvcOutage) | bit(st.attached != 0, vAttached) | bit(v.kind == downwatch.KindNews, vNews) |
		bit(st.official || st.named, vOfficialOrName) | bit(f.anyPhrase() || st.downTag, vPhraseOrTag) |
		bit(svcAny || st.downTag, vSvcAnyOrTag)
	return v
}

// verdictRule is one row of the verdict table: the first rule whose facts
// include all of need and none of forbid decides. Match and Explain read the
// same table.
type verdictRule struct {
	name         string // shown by Explain: which rule decided
	need, forbid uint16
	hit          bool
	why          string
	ownWhy       string // replaces why when phrases count per service
	detail       bool   // Explain appends which name took the phrases
}

var verdictTable = [...]verdictRule{
	{name: "status-page", need: vStatusPage | vOfficialOrName, hit: true,
		why: "status page post"},
	{name: "official-phrase", need: vOfficial | vPhraseOrTag, hit: true,
		why: "official account with an outage, acknowledgement or resolved phrase"},
	{name: "official-no-phrase", need: vOfficial,
		why: "official account, but no outage, acknowledgement or resolved phrase"},
	{name: "several-not-attached", need: vOwn | vAnyPhrase, forbid: vDownTag | vAttached, detail: true,
		why: "the post names several services and no outage, acknowledgement or resolved phrase is attached to this one"},
	{name: "news-phrase", need: vNews | vNamed | vSvcAnyOrTag, hit: true,
		why:    "news agency names the service with an outage, acknowledgement or resolved phrase",
		ownWhy: "news agency names the service with an outage, acknowledgement or resolved phrase attached to it"},
	{name: "news-no-phrase", need: vNews,
		why: "news agency names the service, but no outage, acknowledgement or resolved phrase"},
	{name: "outage-hashtag", need: vDownTag, hit: true,
		why: "outage hashtag"},
	{name: "named-outage", need: vNamed | vSvcOutage, hit: true,
		why:    "names the service and has an outage phrase",
		ownWhy: "names the service and an outage phrase is attached to it (see the phrases' \"attached to\")"},
	{name: "several-ack-only", need: vOwn | vHasOutage,
		why: "the post names several services; only an acknowledgement or resolved phrase is attached to this one, and no outage phrase"},
	{name: "no-outage-phrase",
		why: "names the service, but has no outage phrase (or it was cancelled by a negative)"},
}

func bit(on bool, b uint16) uint16 {
	if on {
		return b
	}
	return 0
}

func decide(v *verdictInput) *verdictRule {
	for i := range verdictTable {
		r := &verdictTable[i]
		if v.facts&r.need == r.need && v.facts&r.forbid == 0 {
			return r
		}
	}
	return &verdictTable[len(verdictTable)-1]
}

// appendCashtags appends a post-scope negative and a market subject for every
// cashtag ($ and 1 to 5 letters, "$nflx") in text.
func (m *Matcher) appendCashtags(text []byte, occ []occurrence) []occurrence {
	for i := 0; i < len(text); {
		j := bytes.IndexByte(text[i:], '$')
		if j < 0 {
			break
		}
		j += i
		i = j + 1
		if !boundaryBefore(text, j) {
			continue
		}
		k := j + 1
		for k < len(text) && k-j <= 6 && 'a' <= text[k] && text[k] <= 'z' {
			k++
		}
		if n := k - j - 1; n < 1 || n > 5 || !boundaryAfter(text, k) {
			continue
		}
		occ = append(occ,
			occurrence{meaning: m.cashPost, start: int32(j), end: int32(k)},
			occurrence{meaning: m.cashSubject, start: int32(j), end: int32(k)})
		i = k
	}
	return occ
}

// otherSubjectNested cancels the phrases inside one whose subject is something
// else: in "laptop went down", "down" is the laptop's as much as "went down".
func otherSubjectNested(occ []occurrence, meanings []meaning) {
	for i := range occ {
		o := &occ[i]
		if o.dead != deadOtherSubject {
			continue
		}
		for j := range occ {
			p := &occ[j]
			if p.dead == live && meanings[p.meaning].kind == kOutage && p.start >= o.start && p.end <= o.end {
				p.dead = deadOtherSubject
			}
		}
	}
}

// cancel applies negatives and drops names and phrases nested in longer ones.
func (m *Matcher) cancel(text []byte, sc *scratch) {
	occ := sc.occ
	subject := false
	for i := range occ {
		n := &occ[i]
		nm := &m.meanings[n.meaning]
		switch nm.kind {
		case kNegative:
			for j := range occ {
				o := &occ[j]
				om := &m.meanings[o.meaning]
				if om.kind != kOutage && om.kind != kAck && om.kind != kResolved {
					continue
				}
				switch {
				case nm.scope == scopeOther && o.start < n.end && n.start < o.end:
					// Another subject overlapping a phrase is part of it.
				case o.start < n.end && n.start < o.end:
					o.dead = deadNegative
				case o.dead != live:
				case nm.scope == scopePost && om.kind == kOutage && om.weak:
					o.dead = deadPostNegative
				case nm.scope == scopeMarket && om.kind == kOutage && (om.weak || om.price):
					o.dead = deadMarketContext
				case nm.scope == scopeSubject && o.start >= n.end && m.marketGap(text, sc, int(n.end), int(o.start)):
					o.dead = deadMarketSubject
					subject = true
				case nm.scope == scopeOther && o.start >= n.end && m.fillerGap(text[n.end:o.start], 3):
					o.dead = deadOtherSubject
				case nm.scope == scopeAnswer && om.kind == kOutage && o.end <= n.start+1:
					o.dead = deadAnswered
				case nm.scope == scopeConditional && o.start >= n.end && sameClause(text[n.end:o.start], 10):
					o.dead = deadConditional
				}
			}
		case kOutage:
			if m.priceMove(text, int(n.start), int(n.end)) {
				n.dead = deadPriceMove
			}
		case kName:
			// A name strictly inside a longer name of another service, or
			// an ambiguous name strictly inside a lexicon phrase.
			for j := range occ {
				o := &occ[j]
				if o.start > n.start || o.end < n.end || o.end-o.start <= n.end-n.start {
					continue
				}
				om := &m.meanings[o.meaning]
				if (om.kind == kName || om.kind == kDownTag) && om.service != nm.service {
					n.dead = deadInsideName
					break
				}
				if nm.ambiguous && om.kind != kName && om.kind != kDownTag && !om.split {
					n.dead = deadInsidePhrase
					break
				}
			}
		}
	}
	otherSubjectNested(occ, m.meanings)
	if !subject {
		return
	}
	// A phrase overlapping one whose subject is a market word has the same
	// subject ("down" in "azioni Netflix in down").
	for i := range occ {
		if occ[i].dead != deadMarketSubject {
			continue
		}
		for j := range occ {
			o := &occ[j]
			if o.dead == live && isPhraseKind(m.meanings[o.meaning].kind) && o.start < occ[i].end && occ[i].start < o.end {
				o.dead = deadMarketSubject
			}
		}
	}
}

// priceMove reports whether a percentage follows the phrase at text[start:end]
// (after at most two lexicon words: price_fillers, "um", "del", "на") or
// precedes it ("yüzde 10", "%10"): "o Snapchat caiu 12%", "Netflix crolla
// del 20%" tell a share price, whatever the verb.
func (m *Matcher) priceMove(text []byte, start, end int) bool {
	i := skipSpaces(text, end)
	for k := 0; k < 2 && i < len(text) && !isDigit(text[i]); k++ {
		j := wordEnd(text, i)
		if j == i {
			return false
		}
		if _, ok := m.priceFill[string(text[i:j])]; !ok {
			return false
		}
		i = skipSpaces(text, j)
	}
	if i < len(text) && isDigit(text[i]) {
		for i < len(text) && (isDigit(text[i]) || ((text[i] == '.' || text[i] == ',') && i+1 < len(text) && isDigit(text[i+1]))) {
			i++
		}
		i = skipSpaces(text, i)
		if i < len(text) && text[i] == '%' {
			return true
		}
		for _, w := range m.percent {
			if len(text)-i >= len(w) && string(text[i:i+len(w)]) == w && boundaryAfter(text, i+len(w)) {
				return true
			}
		}
		return false
	}
	// Before: "yüzde 10 çöktü", "%10 düştü".
	j := start
	for j > 0 && text[j-1] == ' ' {
		j--
	}
	d := j
	for d > 0 && (isDigit(text[d-1]) || text[d-1] == ',' || text[d-1] == '.') {
		d--
	}
	if d == j || !isDigit(text[j-1]) {
		return false
	}
	if d > 0 && text[d-1] == '%' {
		return true
	}
	for d > 0 && text[d-1] == ' ' {
		d--
	}
	for _, w := range m.percent {
		if d >= len(w) && string(text[d-len(w):d]) == w && boundaryBefore(text, d-len(w)) {
			return true
		}
	}
	return false
}

// sameClause reports whether gap holds no clause or sentence punctuation
// and at most max words.
func sameClause(gap []byte, max int) bool {
	words, in := 0, false
	for _, c := range gap {
		switch {
		case c == ',' || c == ';' || c == '.' || c == '?' || c == '!' || c == ':' || c == '\n':
			return false
		case c == ' ':
			in = false
		case !in:
			in = true
			words++
		}
	}
	return words <= max
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

func skipSpaces(text []byte, i int) int {
	for i < len(text) && text[i] == ' ' {
		i++
	}
	return i
}

// wordEnd returns the end of the word starting at text[i].
func wordEnd(text []byte, i int) int {
	j := i
	for j < len(text) {
		r, size := utf8.DecodeRune(text[j:])
		if !isWordRune(r) {
			break
		}
		j += size
	}
	return j
}

// resolveNames applies the ambiguous-name rule (see Matcher).
func (m *Matcher) resolveNames(text []byte, sc *scratch, officialFor []int16, statusPage bool) {
	for i := range sc.occ {
		n := &sc.occ[i]
		nm := &m.meanings[n.meaning]
		if n.dead != live || nm.kind != kName {
			continue
		}
		if m.venue(text, sc, n) {
			// Every mention of the venue is the venue ("ke twitter: oh lagi
			// down. twitter penyelamat").
			for j := range sc.occ {
				if o := &sc.occ[j]; o.dead == live && m.meanings[o.meaning].kind == kName && m.meanings[o.meaning].service == nm.service {
					o.dead = deadVenue
				}
			}
			continue
		}
		if !nm.ambiguous {
			continue
		}
		if statusPage || slices.Contains(officialFor, nm.service) {
			continue
		}
		if n.start > 0 && (text[n.start-1] == '#' || text[n.start-1] == '@') {
			continue
		}
		if m.adjacent(text, sc, n) || m.listed(text, sc, n) {
			continue
		}
		n.dead = deadAmbiguous
	}
}

// listed reports whether ambiguous name n stands in a list with a name that
// is not ambiguous, joined by a comma or a coordinator word ("Instagram,
// WhatsApp i Messenger", "Facebook و Messenger و Instagram", "zoals Messenger,
// WhatsApp en Instagram"): a list of services makes every member one. Being
// live, it still gets a phrase only by the attachment rules (attach.go).
func (m *Matcher) listed(text []byte, sc *scratch, n *occurrence) bool {
	for i := range sc.occ {
		o := &sc.occ[i]
		om := &m.meanings[o.meaning]
		if o.dead != live || om.kind != kName || om.ambiguous || om.service == m.meanings[n.meaning].service {
			continue
		}
		lo, hi := o.end, n.start
		if o.start >= n.end {
			lo, hi = n.end, o.start
		}
		if lo > hi {
			continue
		}
		if ok, _ := m.coordGap(text, int(lo), int(hi)); ok {
			return true
		}
	}
	return false
}

// requireAdjacent cancels the adjacent-only outage phrases that no live
// service name stands right next to: at most one filler word between them.
func (m *Matcher) requireAdjacent(text []byte, sc *scratch) {
	for i := range sc.occ {
		o := &sc.occ[i]
		if o.dead != live || !m.meanings[o.meaning].adjacent {
			continue
		}
		near := false
		for j := range sc.occ {
			n := &sc.occ[j]
			if n.dead != live || !isNameKind(m.meanings[n.meaning].kind) {
				continue
			}
			if (o.start >= n.end && m.fillerGap(text[n.end:o.start], 1)) || (o.end <= n.start && m.fillerGap(text[o.end:n.start], 1)) {
				near = true
				break
			}
		}
		if !near {
			o.dead = deadNotAdjacent
		}
	}
}

// earlierClause cancels a weak outage phrase ("down", "went down") that ends a
// clause before the one naming the service: a contrast or consequence word
// ("but", "so", "aber", "mas", lexicon separators) stands between the phrase
// and every name after it, and no name comes before the phrase. "The server at
// work went down, so it's iCloud Drive for the rest of the day" and "my internet
// is down but WhatsApp works" are about something else; a phrase after the
// name ("tried Gmail but it's down") is left to the other rules.
func (m *Matcher) earlierClause(text []byte, sc *scratch) {
	for i := range sc.occ {
		o := &sc.occ[i]
		om := &m.meanings[o.meaning]
		if o.dead != live || om.kind != kOutage || !om.weak {
			continue
		}
		sepAt, named := -1, false
		for j := range sc.occ {
			n := &sc.occ[j]
			nm := &m.meanings[n.meaning]
			if n.dead != live {
				continue
			}
			switch {
			case isNameKind(nm.kind) && n.start < o.end:
				named = true
			case nm.kind == kSeparator && n.start >= o.end && (sepAt < 0 || int(n.start) < sepAt):
				sepAt = int(n.start)
			}
		}
		if named || sepAt < 0 {
			continue
		}
		cut := true
		for j := range sc.occ {
			n := &sc.occ[j]
			if n.dead == live && isNameKind(m.meanings[n.meaning].kind) && int(n.start) < sepAt {
				cut = false // a name between the phrase and the separator shares its clause
				break
			}
		}
		if cut {
			o.dead = deadEarlierClause
		}
	}
}

// venue reports whether the name occurrence n is where the post is written
// or whom it addresses, not what is down: right after a venue phrase
// ("coming to Twitter", "pindah ke Twitter"), or opening the post with a
// comma after it and no name after the comma in a question that names
// another service ("Twitter, is Gmail down?").
func (m *Matcher) venue(text []byte, sc *scratch, n *occurrence) bool {
	for i := range sc.occ {
		v := &sc.occ[i]
		if v.dead == live && m.meanings[v.meaning].kind == kVenue && v.end <= n.start && venueGap(text[v.end:n.start]) {
			return true
		}
	}
	if !onlySpaces(text[:n.start]) || int(n.end) >= len(text) || text[n.end] != ',' || bytes.IndexByte(text, '?') < 0 {
		return false
	}
	next := int(n.end) + 1
	for next < len(text) && text[next] == ' ' {
		next++
	}
	if m.anyNameEndAt(sc, next) > 0 {
		return false // a list: "WhatsApp, Facebook and Instagram are down"
	}
	for i := range sc.occ {
		o := &sc.occ[i]
		if o.start > n.end && o.dead == live && isNameKind(m.meanings[o.meaning].kind) && m.meanings[o.meaning].service != m.meanings[n.meaning].service {
			return true
		}
	}
	return false
}

// venueGap reports whether b, between a venue phrase and a name, holds only
// spaces and the '@' or '#' of the name.
func venueGap(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '@' && c != '#' {
			return false
		}
	}
	return true
}

// adjacent reports whether the name occurrence n is right next to a live
// outage, acknowledgement or resolved phrase.
func (m *Matcher) adjacent(text []byte, sc *scratch, n *occurrence) bool {
	if m.precededByDeterminer(text, int(n.start)) {
		return false
	}
	for i := range sc.occ {
		o := &sc.occ[i]
		if o.dead != live {
			continue
		}
		switch m.meanings[o.meaning].kind {
		case kOutage, kAck, kResolved:
		default:
			continue
		}
		if o.start >= n.end && m.fillerGap(text[n.end:o.start], 2) {
			return true
		}
		if m.meanings[o.meaning].split && o.start < n.start && n.end < o.end {
			return true // "lädt X bei euch auch nicht"
		}
		if o.end <= n.start && (m.fillerGap(text[o.end:n.start], 1) || (!m.meanings[o.meaning].weak && m.prepositionGap(text[o.end:n.start]))) {
			return true
		}
	}
	return false
}

// pairSplits joins the head and tail of split outage phrases ("lädt ~
// nicht", "werkt ~ niet") into one outage occurrence when the words between
// them are service names or split fillers ("bei mir", "auch", "gerade") only,
// at most maxSplitGap of them, with no punctuation, and they hold a service
// name or the locative "bei"/"bij" ("bei mir", "bei euch", "bij mij"):
// "Lädt WhatsApp bei euch auch nicht?", "Bei mir geht Instagram gerade
// nicht", "WhatsApp funktioniert bei mir auch nicht", "werkt WhatsApp bij
// jullie ook niet?"; not "Netflix: die Serie geht mir nicht aus dem Kopf".
// Separable verbs and verb-second word order put the service name between
// the two parts of the phrase.
func (m *Matcher) pairSplits(text []byte, sc *scratch) {
	n := len(sc.occ)
	for i := 0; i < n; i++ {
		h := sc.occ[i]
		hm := &m.meanings[h.meaning]
		if hm.kind != kSplitPart || hm.part != 1 {
			continue
		}
		best := -1
		for j := 0; j < n; j++ {
			t := &sc.occ[j]
			tm := &m.meanings[t.meaning]
			if tm.kind != kSplitPart || tm.part != 2 || tm.pair != hm.pair || t.start <= h.end {
				continue
			}
			if best < 0 || t.start < sc.occ[best].start {
				best = j
			}
		}
		if best < 0 {
			continue
		}
		t := sc.occ[best]
		if !m.splitGap(text, sc, int(h.end), int(t.start)) {
			continue
		}
		sc.occ = append(sc.occ, occurrence{meaning: hm.pair - 1, start: h.start, end: t.end})
	}
}

// maxSplitGap is the most words (a service name counts as one) between the
// head and the tail of a split phrase.
const maxSplitGap = 5

// splitGap reports whether text[from:to] holds only service names and split
// fillers, at most maxSplitGap words, and no punctuation but apostrophes and
// hyphens.
func (m *Matcher) splitGap(text []byte, sc *scratch, from, to int) bool {
	words := 0
	anchored := false
	for i := from; i < to; {
		r, size := utf8.DecodeRune(text[i:to])
		if !isWordRune(r) {
			switch r {
			case ' ', '\'', '-', '@', '#':
			default:
				return false
			}
			i += size
			continue
		}
		words++
		if words > maxSplitGap {
			return false
		}
		if e := m.anyNameEndAt(sc, i); e > i && e <= to {
			anchored = true
			i = e
			continue
		}
		j := i
		for j < to {
			r, size := utf8.DecodeRune(text[j:to])
			if !isWordRune(r) {
				break
			}
			j += size
		}
		w := string(text[i:j])
		if _, ok := m.sfillers[w]; !ok {
			return false
		}
		if _, ok := m.sanchors[w]; ok {
			anchored = true
		}
		i = j
	}
	return anchored
}

// anyNameEndAt returns the end of the longest service name occurrence that
// starts at text[i], dead or alive, or -1.
func (m *Matcher) anyNameEndAt(sc *scratch, i int) int {
	end := -1
	for k := range sc.occ {
		o := &sc.occ[k]
		if int(o.start) == i && m.meanings[o.meaning].kind == kName && int(o.end) > end {
			end = int(o.end)
		}
	}
	return end
}

// marketGap reports whether text[from:to], between a market word and a phrase,
// holds at most four filler words ("stock is still down", "shares have been
// down"), numbers ("down 3%") and a service name right after the market word
// or after a genitive word ("azioni Netflix in down", "shares of Netflix are
// down"), and no sentence or clause punctuation: the market word is then the
// subject of the phrase.
func (m *Matcher) marketGap(text []byte, sc *scratch, from, to int) bool {
	words := 0
	genitive := false
	for i := from; i < to; {
		r, size := utf8.DecodeRune(text[i:to])
		if !isWordRune(r) {
			switch r {
			case ' ', '\'', '-', '"', '(', ')', '*', '_', '%', '+', '$', '€', '£':
			case '.':
				if i+1 >= to || text[i+1] < '0' || text[i+1] > '9' {
					return false
				}
			default:
				return false
			}
			i += size
			continue
		}
		if i == from && from > 0 {
			// The rest of a market word matched as a prefix ("hisse" in
			// "hisseleri", "aktie" in "aktienkurs").
			if r, _ := utf8.DecodeLastRune(text[:from]); isWordRune(r) {
				for i < to {
					r, size := utf8.DecodeRune(text[i:to])
					if !isWordRune(r) {
						break
					}
					i += size
				}
				continue
			}
		}
		if genitive || words == 0 {
			// "shares of Netflix", "acciones de Netflix"; and in apposition
			// right after the market word: "azioni Netflix", "saham Netflix".
			if e := m.nameEndAt(sc, i); e > i && e <= to {
				genitive = false
				i = e
				continue
			}
		}
		j := i
		latin, digits := true, true
		for j < to {
			r, size := utf8.DecodeRune(text[j:to])
			if !isWordRune(r) {
				break
			}
			if r >= 0x250 && !unicode.Is(unicode.Latin, r) {
				latin = false
			}
			if r < '0' || r > '9' {
				digits = false
			}
			j += size
		}
		words++
		if words > 4 {
			return false
		}
		w := text[i:j]
		_, genitive = m.genitive[string(w)]
		if latin && !digits && !genitive {
			if _, ok := m.fillers[string(w)]; !ok {
				if _, ok := m.mfillers[string(w)]; !ok {
					return false
				}
			}
		}
		i = j
	}
	return true
}

// nameEndAt returns the end of the live service name that starts at text[i],
// or -1.
func (m *Matcher) nameEndAt(sc *scratch, i int) int {
	end := -1
	for k := range sc.occ {
		o := &sc.occ[k]
		if int(o.start) == i && o.dead == live && m.meanings[o.meaning].kind == kName && int(o.end) > end {
			end = int(o.end)
		}
	}
	return end
}

// fillerGap reports whether gap holds at most max filler words and no sentence
// punctuation.
func (m *Matcher) fillerGap(gap []byte, max int) bool {
	words := 0
	for i := 0; i < len(gap); {
		r, size := utf8.DecodeRune(gap[i:])
		if !isWordRune(r) {
			switch r {
			case ' ', '\'', '-', '"', '(', ')', '*', '_', '#', '@':
			default:
				return false
			}
			i += size
			continue
		}
		j := i
		latin := true
		for j < len(gap) {
			r, size := utf8.DecodeRune(gap[j:])
			if !isWordRune(r) {
				break
			}
			if r >= 0x250 && !unicode.Is(unicode.Latin, r) {
				latin = false
			}
			j += size
		}
		words++
		if words > max {
			return false
		}
		if latin {
			if _, ok := m.fillers[string(gap[i:j])]; !ok {
				return false
			}
		}
		i = j
	}
	return true
}

// prepositionGap reports whether gap, between a strong outage phrase and the
// ambiguous name after it, is one preposition ("can't log in to Outlook",
// "can't send messages on Teams", "impossible de me connecter à Outlook").
func (m *Matcher) prepositionGap(gap []byte) bool {
	i, j := 0, len(gap)
	for i < j && gap[i] == ' ' {
		i++
	}
	for j > i && gap[j-1] == ' ' {
		j--
	}
	if i == j || i == 0 || j == len(gap) {
		return false
	}
	_, ok := m.preps[string(gap[i:j])]
	return ok
}

// precededByDeterminer reports whether the word before text[i] is an article,
// possessive or signal word ("the signal", "my teams", "weak signal").
func (m *Matcher) precededByDeterminer(text []byte, i int) bool {
	j := i
	for j > 0 && text[j-1] == ' ' {
		j--
	}
	k := j
	for k > 0 {
		r, size := utf8.DecodeLastRune(text[:k])
		if !isWordRune(r) {
			break
		}
		k -= size
	}
	if k == j {
		return false
	}
	_, ok := m.determ[string(text[k:j])]
	return ok
}

// statusPageService resolves the author of a status page post: a service id, an
// official handle, a name, or a name followed by "status".
func (m *Matcher) statusPageService(folded []byte, author string) (int16, bool) {
	if si, ok := m.svcIndex[string(folded)]; ok {
		return si, true
	}
	if s := m.official[string(folded)]; len(s) == 1 {
		return s[0], true
	}
	name := normalizeString(author)
	name = strings.TrimSpace(name)
	for _, suf := range m.statusSuf {
		name = strings.TrimSpace(strings.TrimSuffix(name, suf))
	}
	if si, ok := m.nameIndex[name]; ok {
		return si, true
	}
	return 0, false
}

func (m *Matcher) symptomList(mask uint16) []string {
	if mask == 0 {
		return nil
	}
	out := make([]string, 0, 4)
	for _, bit := range m.symOrder {
		if mask&(1<<bit) != 0 {
			out = append(out, m.symptoms[bit])
		}
	}
	return out
}

// appendFoldedHandle appends the handle lower-cased (ASCII) without '@' and
// surrounding spaces; non-ASCII handles are kept as they are.
func appendFoldedHandle(dst []byte, h string) []byte {
	h = strings.TrimSpace(h)
	h = strings.TrimPrefix(h, "@")
	for i := 0; i < len(h); i++ {
		c := h[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}

func wordList(words []string) []string {
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = normalizeString(w)
	}
	return out
}

func wordSet(words []string) map[string]struct{} {
	s := make(map[string]struct{}, len(words))
	for _, w := range words {
		s[normalizeString(w)] = struct{}{}
	}
	return s
}
