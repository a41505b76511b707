package scenario

import (
	"math"
	"strconv"
)

// An author is a uint64: the country index times authorSpan plus a number within the
// country. Everything about the author (handle, source, followers, whether the country
// is known) is derived from it, so the same author always looks the same.
type author uint64

// authorSpan is the number of distinct authors per country: large enough that two
// authors drawn in the same minute are almost never the same person.
const authorSpan = 1 << 22

// countries indexes the first-name tables; index 0 is "unknown".
var countries = []string{"", "IN", "BD", "GB", "US", "ZA", "NG", "IT", "TR", "ES", "MX", "AR", "BR", "PT", "SA", "EG", "ID", "JP", "DE", "FR"}

var firstNames = [][]string{
	{"alex", "sam", "jay", "kai", "nova", "pixel", "echo", "river", "sky", "max", "luna", "zed", "ash", "remy"},
	{"rahul", "priya", "amit", "neha", "arjun", "pooja", "vikram", "anjali", "rohit", "sneha", "karan", "divya", "suresh", "kavya", "aditya", "riya", "sourav", "moumita", "arijit", "tanushree"},
	{"rafiq", "nusrat", "tanvir", "farhana", "shakib", "mim", "imran", "sadia", "rakib", "tasnim"},
	{"olivia", "harry", "amelia", "jack", "isla", "george", "poppy", "charlie", "ellie", "alfie", "freya", "callum"},
	{"emma", "liam", "ava", "noah", "mia", "ethan", "madison", "tyler", "chloe", "jordan", "kayla", "brandon", "ashley", "dylan"},
	{"thabo", "lerato", "sipho", "naledi", "pieter", "zanele", "kagiso", "lindiwe", "bongani", "anele"},
	{"chidi", "ngozi", "tunde", "amaka", "emeka", "funmi", "segun", "chioma", "ifeanyi", "bisi"},
	{"giulia", "marco", "francesca", "luca", "chiara", "matteo", "sara", "alessandro", "martina", "davide"},
	{"mehmet", "ayse", "emre", "zeynep", "burak", "elif", "can", "merve", "oguz", "selin", "kerem", "busra"},
	{"javi", "lucia", "pablo", "carmen", "sergio", "marta", "alvaro", "nerea"},
	{"diego", "fernanda", "alejandro", "ximena", "luis", "valeria", "jorge", "daniela", "memo", "lupita"},
	{"matias", "sofia", "nico", "agustina", "facu", "cami", "santi", "flor"},
	{"joao", "ana", "pedro", "beatriz", "lucas", "mariana", "gabriel", "larissa", "thiago", "juliana", "rafa", "bruna"},
	{"tiago", "ines", "rui", "catarina", "goncalo", "rita"},
	{"abdullah", "noura", "faisal", "reem", "khalid", "sara_", "turki", "lama", "saud", "hessa"},
	{"ahmed", "mariam", "mostafa", "nour", "omar", "yasmin", "karim", "salma"},
	{"budi", "sari", "agus", "dewi", "rizky", "putri", "adit", "nadia", "fajar", "ayu"},
	{"yuki", "haruto", "sakura", "ren", "aoi", "sora", "hina", "kaito", "mio", "takumi", "nyanko", "tororo"},
	{"lukas", "lea", "jonas", "anna", "felix", "lena", "paul", "marie"},
	{"lucas_", "chloe_", "hugo", "lea_", "theo", "manon", "louis", "camille"},
}

// countryIndex returns the index of an ISO country code in countries (0 when absent).
func countryIndex(c string) int {
	for i, cc := range countries {
		if cc == c {
			return i
		}
	}
	return 0
}

// lastNames are paired with firstNames, same country order.
var lastNames = [][]string{
	{"x", "dev", "official", "tv", "fan", "art", "irl", "online"},
	{"sharma", "verma", "singh", "patel", "gupta", "iyer", "das", "ghosh", "kumar", "reddy", "nair", "bose"},
	{"hossain", "rahman", "islam", "ahmed", "chowdhury", "akter"},
	{"smith", "jones", "taylor", "brown", "wilson", "evans", "walker", "wright"},
	{"johnson", "miller", "davis", "garcia", "moore", "lee", "clark", "hall"},
	{"nkosi", "dlamini", "botha", "mokoena", "vanwyk", "khumalo"},
	{"okafor", "adeyemi", "eze", "bello", "okonkwo", "balogun"},
	{"rossi", "russo", "ferrari", "esposito", "bianchi", "romano", "greco"},
	{"yilmaz", "kaya", "demir", "sahin", "celik", "ozturk", "aydin"},
	{"garcia", "lopez", "martin", "sanchez", "perez", "gomez"},
	{"hernandez", "ramirez", "flores", "torres", "cruz", "reyes"},
	{"gonzalez", "fernandez", "diaz", "romero", "alvarez"},
	{"silva", "santos", "oliveira", "souza", "lima", "costa", "ferreira", "alves"},
	{"pereira", "carvalho", "rodrigues", "sousa"},
	{"alqahtani", "alharbi", "alotaibi", "alghamdi", "alzahrani"},
	{"hassan", "ali", "mahmoud", "ibrahim", "farouk"},
	{"santoso", "wijaya", "pratama", "saputra", "lestari", "nugroho"},
	{"tanaka", "sato", "suzuki", "takahashi", "ito", "yamada", "nakamura", "kobayashi"},
	{"mueller", "schmidt", "schneider", "fischer", "weber"},
	{"martin", "bernard", "dubois", "moreau", "laurent"},
}

var mastodonInstances = []string{"mastodon.social", "mstdn.jp", "mas.to", "fosstodon.org", "mastodon.online", "social.vivaldi.net"}

// mix64 is SplitMix64's finaliser: a cheap, well-spread hash of an author id.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func (a author) country() string { return countries[int(uint64(a)/authorSpan)%len(countries)] }

// source is the network the author posts on: mostly X, some Bluesky and Mastodon.
func (a author) source() string {
	switch h := mix64(uint64(a)) % 100; {
	case h < 82:
		return "x"
	case h < 93:
		return "bluesky"
	default:
		return "mastodon"
	}
}

// handle is the author's unique handle on its source, e.g. "priya_sharma417". The number
// encodes the country, so handles from different countries never collide.
func (a author) handle() string {
	ci := uint64(a) / authorSpan
	n := uint64(a) % authorSpan
	firsts, lasts := firstNames[int(ci)%len(firstNames)], lastNames[int(ci)%len(lastNames)]
	first := firsts[n%uint64(len(firsts))]
	n /= uint64(len(firsts))
	last := lasts[n%uint64(len(lasts))]
	n /= uint64(len(lasts))
	num := strconv.FormatUint(n*uint64(len(countries))+ci, 10)
	h := mix64(uint64(a))
	switch a.source() {
	case "bluesky":
		return first + last + num + ".bsky.social"
	case "mastodon":
		return first + "_" + last + num + "@" + mastodonInstances[(h>>16)%uint64(len(mastodonInstances))]
	}
	switch (h >> 8) % 3 {
	case 0:
		return first + "_" + last + num
	case 1:
		return first + last + "_" + num
	}
	return first + num + "_" + last
}

// countryKnown says whether the source reports the author's country (about 60%).
func (a author) countryKnown() bool { return (mix64(uint64(a))>>20)%10 < 6 }

// followers is the follower count the source reports, or 0 when it reports none.
func (a author) followers() int64 {
	h := mix64(uint64(a))
	if (h>>24)%3 != 0 {
		return 0
	}
	// Log-uniform between e^2 (7) and e^10 (22026).
	return int64(math.Exp(2 + float64((h>>32)%1000)/125))
}

func (a author) verified() bool { return (mix64(uint64(a))>>44)%250 == 0 }
