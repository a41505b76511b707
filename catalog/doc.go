// Package catalog owns what downwatch knows about services and about the words
// people use when one of them breaks: the service catalog (ids, names in every
// script their users write, outage hashtags, official accounts, status pages and
// the list of news agencies), the outage lexicon (outage phrases in many
// languages with symptom tags, negatives, acknowledgement and resolved phrases)
// and the Matcher that decides whether a post is a mention of a service.
//
// Both the catalog and the lexicon are embedded YAML files (catalog.yaml,
// lexicon.yaml). A user catalog given with --catalog is read by Load and either
// extends or replaces the embedded one.
//
// Matching runs one Aho-Corasick automaton, built once per Matcher, over the
// normalised bytes of a post (NFKC, case folding and a few script-specific
// foldings, see normalize.go); word boundaries are enforced for scripts that
// separate words with spaces and not for Han, kana and Thai. When a post names
// several services, each outage phrase belongs only to the service name it is
// attached to, within its clause (attach.go); the @handles a reply starts
// with are addressees, which take a phrase only when no other name does.
// Share-price talk is not an outage: a market word ("stock", "$NFLX",
// "acciones") cancels the phrases it is the subject of, and share-price
// context ("buying the dip") the phrases that say only "down". The no-match
// path allocates nothing. Venues ("coming to Twitter") and a post-opening
// vocative ("Twitter, is Gmail down?") name where a post is written, not what
// is down; another subject ("my battery", "my car") cancels the phrase it is
// the subject of; adjacent-only phrases ("se cae") and catalog nicknames
// ("WA") count only next to a name. Match runs scan, cancel, attribute and
// classify phases; the verdict is one rule table (verdictTable) that Match
// and Explain share. Matcher.Explain says why a text did or did not
// match, and which service each phrase was attached to.
//
// The package imports only the root package downwatch, golang.org/x/text and
// go.yaml.in/yaml/v3 besides the standard library. It has no global mutable
// state: a Catalog and a Matcher are immutable once built and safe for
// concurrent use.
package catalog
