package catalog

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Normalisation. Patterns (names, phrases) and post texts go through the same
// steps, so they meet in one form:
//
//  1. NFKC: full-width "ＷｈａｔｓＡｐｐ" and half-width katakana become ordinary
//     letters, Bengali and Devanagari nukta forms are put in their canonical
//     (NFC) order, no-break and other spaces become U+0020.
//  2. Unicode case folding (x/text/cases Fold): "WHATSAPP" = "whatsapp", ß = ss.
//  3. Foldings Unicode does not do but users' writing needs:
//     - runs of white space become one space;
//     - zero-width joiners and non-joiners, soft hyphens and BOMs are dropped
//       (Bengali and Hindi keyboards insert them inconsistently);
//     - typographic apostrophes (’ ‘ ʼ ´ `) become ';
//     - Turkish dotless ı becomes i and the dot of İ (i + U+0307) is dropped, so
//       "ÇALIŞMIYOR" and "çalışmıyor" agree;
//     - Arabic: tatweel and harakat are dropped, alef forms (أ إ آ ٱ) become ا,
//       Arabic yeh/alef maksura and kaf become their Persian/Urdu forms (ی ک),
//       so Arabic and Urdu spellings of one word meet.
//
// A pure-ASCII text takes a fast path (lower-casing and space folding only)
// that gives the same result as the full path.

// normalizer holds the buffers and the (stateful) case folder one goroutine
// uses to normalise texts. It is not safe for concurrent use; Matcher keeps
// them in a sync.Pool.
type normalizer struct {
	nfkc  []byte
	fold  []byte
	iter  norm.Iter
	out   []byte
	caser cases.Caser
}

func newNormalizer() *normalizer {
	return &normalizer{caser: cases.Fold()}
}

// normalizeString normalises one pattern. It allocates; use it at build time.
func normalizeString(s string) string {
	n := newNormalizer()
	return string(n.normalize(s))
}

// normalize returns the normalised form of s in a buffer owned by n, valid
// until the next call.
func (n *normalizer) normalize(s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		n.out = appendASCII(n.out[:0], s)
		return n.out
	}
	n.appendNFKC(s)
	n.out = appendFolded(n.out[:0], n.foldCase(n.nfkc))
	n.out = unmixScripts(n.out)
	return n.out
}

// latinLookalike returns the Latin letter a lower-case Cyrillic or Greek
// letter looks like (in either case), or 0.
func latinLookalike(r rune) byte {
	switch r {
	case 'а', 'α':
		return 'a'
	case 'в', 'β':
		return 'b'
	case 'с':
		return 'c'
	case 'ԁ':
		return 'd'
	case 'е', 'ε':
		return 'e'
	case 'һ', 'н':
		return 'h'
	case 'і', 'ι':
		return 'i'
	case 'ј':
		return 'j'
	case 'к', 'κ':
		return 'k'
	case 'м':
		return 'm'
	case 'η':
		return 'n'
	case 'о', 'ο':
		return 'o'
	case 'р', 'ρ':
		return 'p'
	case 'ԛ':
		return 'q'
	case 'ѕ':
		return 's'
	case 'т', 'τ':
		return 't'
	case 'υ':
		return 'u'
	case 'ν':
		return 'v'
	case 'ԝ':
		return 'w'
	case 'х', 'χ':
		return 'x'
	case 'у':
		return 'y'
	}
	return 0
}

// unmixScripts rewrites, in place, each word that mixes Latin letters with
// Cyrillic or Greek look-alikes into Latin: "Тelegram" typed with a Cyrillic
// Т (a keyboard left in Ukrainian, or a spammer's disguise) is "telegram". A
// word with a Cyrillic or Greek letter that has no Latin look-alike, without
// a Latin letter after a look-alike (a case ending written in Cyrillic after a
// Latin name, "WhatsAppе", stays one), or without any Latin letter, is left as
// it is, so Russian and Greek text never changes. A text with no Latin letter
// right after another script's letter in a word costs one pass and no change.
func unmixScripts(b []byte) []byte {
	if !mixedWord(b) {
		return b
	}
	w := 0
	for r := 0; r < len(b); {
		end := r
		other, mixed, odd := false, false, false
		for end < len(b) {
			c, size := utf8.DecodeRune(b[end:])
			if !unicode.IsLetter(c) {
				break
			}
			switch {
			case c < utf8.RuneSelf:
				mixed = mixed || other
			case latinLookalike(c) != 0:
				other = true
			default:
				odd = true
			}
			end += size
		}
		if mixed && !odd {
			for i := r; i < end; {
				c, size := utf8.DecodeRune(b[i:])
				if l := latinLookalike(c); l != 0 {
					b[w] = l
					w++
				} else {
					w += copy(b[w:], b[i:i+size])
				}
				i += size
			}
		} else {
			w += copy(b[w:], b[r:end])
		}
		if end < len(b) { // the non-letter that ended the word
			_, size := utf8.DecodeRune(b[end:])
			w += copy(b[w:], b[end:end+size])
			end += size
		}
		r = end
	}
	return b[:w]
}

// mixedWord says some word of b may have an ASCII letter right after a
// Cyrillic or Greek letter: the only words unmixScripts changes. It reads
// bytes, not runes (those scripts are the two-byte sequences led by 0xCD to
// 0xD4), so the texts it rules out, nearly all, cost almost nothing.
func mixedWord(b []byte) bool {
	other := false
	for i := 0; i < len(b); i++ {
		switch c := b[i]; {
		case c >= 0xCD && c <= 0xD4:
			other = true
			i++ // its second byte
		case c|0x20 >= 'a' && c|0x20 <= 'z':
			if other {
				return true
			}
		case c >= 0x80 && c < 0xC0: // inside another script's letter
		default:
			other = false
		}
	}
	return false
}

// appendASCII appends s lower-cased with runs of white space as one space
// and backquotes as apostrophes.
func appendASCII(out []byte, s string) []byte {
	space := false
	for i := 0; i < len(s); i++ {
		b := s[i]
		switch {
		case b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f':
			if !space {
				out = append(out, ' ')
			}
			space = true
			continue
		case 'A' <= b && b <= 'Z':
			b += 'a' - 'A'
		case b == '`':
			b = '\''
		}
		space = false
		out = append(out, b)
	}
	return out
}

// appendNFKC sets n.nfkc to the NFKC form of s.
func (n *normalizer) appendNFKC(s string) {
	// norm.Form.Append allocates; QuickSpan plus a reused Iter does not.
	// Copy the spans that are already NFKC and run the Iter only over the
	// segments that are not.
	n.nfkc = n.nfkc[:0]
	for rest := s; len(rest) > 0; {
		q := norm.NFKC.QuickSpanString(rest)
		n.nfkc = append(n.nfkc, rest[:q]...)
		rest = rest[q:]
		if len(rest) == 0 {
			break
		}
		e := norm.NFKC.NextBoundaryInString(rest, true)
		if e <= 0 || e > len(rest) {
			e = len(rest)
		}
		n.iter.InitString(norm.NFKC, rest[:e])
		for !n.iter.Done() {
			n.nfkc = append(n.nfkc, n.iter.Next()...)
		}
		rest = rest[e:]
	}
}

// appendFolded appends the case-folded text without invisible characters,
// tatweel and harakat, with runs of white space as one space.
func appendFolded(out, folded []byte) []byte {
	space := false
	var prev rune
	for i := 0; i < len(folded); {
		r, size := utf8.DecodeRune(folded[i:])
		i += size
		switch {
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\u2060' || r == '\ufeff' || r == '\u00ad':
			continue
		case r == '\u0640' || (r >= '\u064b' && r <= '\u065f') || r == '\u0670':
			continue // tatweel, harakat
		case r == '\u0307' && (prev == 'i' || prev == 'j'):
			continue
		case r < utf8.RuneSelf && r != ' ' && !isSpaceByte(byte(r)):
			if r == '`' {
				r = '\''
			}
		case unicode.IsSpace(r):
			if !space {
				out = append(out, ' ')
			}
			space = true
			prev = ' '
			continue
		default:
			r = foldRune(r)
		}
		space = r == ' '
		out = utf8.AppendRune(out, r)
		prev = r
	}
	return out
}

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\v' || b == '\f'
}

// foldRune applies the foldings of step 3 to one non-space rune.
func foldRune(r rune) rune {
	switch r {
	case '\u2018', '\u2019', '\u02bc', '\u00b4', '\u2032':
		return '\''
	case '\u0131': // dotless i
		return 'i'
	case '\u0623', '\u0625', '\u0622', '\u0671':
		return '\u0627'
	case '\u064a', '\u0649':
		return '\u06cc'
	case '\u0643':
		return '\u06a9'
	}
	return r
}

// foldCase case-folds src into n.fold.
func (n *normalizer) foldCase(src []byte) []byte {
	size := len(src) + len(src)/2 + 16
	for {
		if cap(n.fold) < size {
			n.fold = make([]byte, size)
		}
		dst := n.fold[:cap(n.fold)]
		n.caser.Reset()
		nDst, _, err := n.caser.Transform(dst, src, true)
		if err == nil {
			return dst[:nDst]
		}
		if err != transform.ErrShortDst {
			// Fold reports no other error for valid or invalid UTF-8; be safe
			// and match on the unfolded text.
			return src
		}
		size = 2*cap(n.fold) + 16
	}
}

// isWordRune reports whether r is part of a word: a letter, digit, combining
// mark (Indic vowel signs and viramas are marks) or '_' (handles).
func isWordRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') || ('A' <= r && r <= 'Z')
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// isUnspaced reports whether r belongs to a script that does not separate words
// with spaces (Han, kana, Thai, Lao, Khmer, Myanmar); matches there need no
// word boundary.
func isUnspaced(r rune) bool {
	switch {
	case r < 0x0e00:
		return false
	case r <= 0x0eff: // Thai, Lao
		return true
	case r >= 0x1000 && r <= 0x109f: // Myanmar
		return true
	case r >= 0x1780 && r <= 0x17ff: // Khmer
		return true
	case r >= 0x3005 && r <= 0x3007, r >= 0x3040 && r <= 0x30ff, r >= 0x31f0 && r <= 0x31ff:
		return true // kana, iteration marks, ー
	case r >= 0x3400 && r <= 0x4dbf, r >= 0x4e00 && r <= 0x9fff, r >= 0xf900 && r <= 0xfaff:
		return true // Han
	case r >= 0xff66 && r <= 0xff9f: // half-width katakana (NFKC removes them)
		return true
	case r >= 0x20000 && r <= 0x3ffff:
		return true
	}
	return false
}

// boundaryBefore reports whether a match may start at text[i]: at the start of
// the text, after a non-word rune, or after a rune of an unspaced script.
func boundaryBefore(text []byte, i int) bool {
	if i <= 0 {
		return true
	}
	r, _ := utf8.DecodeLastRune(text[:i])
	return !isWordRune(r) || isUnspaced(r)
}

// boundaryAfter reports whether a match may end just before text[i].
func boundaryAfter(text []byte, i int) bool {
	if i >= len(text) {
		return true
	}
	r, _ := utf8.DecodeRune(text[i:])
	if !isWordRune(r) || isUnspaced(r) {
		return true
	}
	// A Latin-script name followed by a suffix in another script
	// ("WhatsAppএ", "WhatsAppपर", "WhatsAppが") ends at the script change.
	prev, _ := utf8.DecodeLastRune(text[:i])
	return isLatinLetter(prev) != isLatinLetter(r)
}

// isLatinLetter reports whether r is an ASCII letter or digit or a Latin letter.
func isLatinLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return true
	}
	return unicode.Is(unicode.Latin, r)
}
