package catalog

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed lexicon.yaml
var lexiconYAML []byte

// Symptoms is the symptom vocabulary (docs/CONTRACT.md §3, §5), in the order the
// lexicon declares it.
func Symptoms() []string {
	return []string{"send-messages", "receive-messages", "login", "connect", "load", "payments", "calls", "upload", "notifications", "search", "stream"}
}

// lexGroup is one group of phrases sharing their attributes.
type lexGroup struct {
	Lang     string   `yaml:"lang"`
	Symptoms []string `yaml:"symptoms"`
	Weak     bool     `yaml:"weak"`
	Price    bool     `yaml:"price"` // outage: also says a share price fell ("down again")
	Scope    string   `yaml:"scope"` // negatives: overlap (default) | post | market | subject | other | answer | conditional
	Prefix   bool     `yaml:"prefix"`
	// Compound: an outage noun that may end a compound word, starting
	// inside it (German "Großstörung", "Totalausfall", "Serverprobleme").
	Compound bool `yaml:"compound"`
	// Adjacent: an outage phrase that is also an ordinary phrase ("se cae":
	// someone falls) counts only right next to a service name.
	Adjacent bool     `yaml:"adjacent"`
	Except   string   `yaml:"except"` // separators: before-phrase | after-name
	Phrases  []string `yaml:"phrases"`
	// Stems and Endings give a phrase's inflection paradigm: every stem
	// followed by every ending is a phrase of the group ("çök" + "tü",
	// "müş", "üyor" -> "çöktü", "çökmüş", "çöküyor"; "isn't" + " working").
	// An ending may start with a space. Both or neither.
	Stems   []string `yaml:"stems"`
	Endings []string `yaml:"endings"`
}

// expand appends the paradigm's forms to the group's phrases.
func (g *lexGroup) expand() {
	for _, s := range g.Stems {
		for _, e := range g.Endings {
			g.Phrases = append(g.Phrases, s+e)
		}
	}
}

type lexicon struct {
	Symptoms  []string   `yaml:"symptoms"`
	Outage    []lexGroup `yaml:"outage"`
	Negatives []lexGroup `yaml:"negatives"`
	Ack       []lexGroup `yaml:"ack"`
	Resolved  []lexGroup `yaml:"resolved"`
	Keywords  []lexGroup `yaml:"keywords"`
	// Separators split a sentence into clauses when a post names several
	// services (see attach.go).
	Separators []lexGroup `yaml:"separators"`
	// Venues are the words before the platform people go to in order to
	// complain ("coming to", "rushing to", "pindah ke"): a name right after
	// one is where the post is written, not what is down.
	Venues []lexGroup `yaml:"venues"`
	// Words are the function words the rules read, by role: fillers,
	// split_fillers, prepositions, market_fillers, genitives, determiners,
	// coordinators, list_openers, name_suffixes, proclitics, price_fillers, percent_words, comitatives,
	// apostrophe_suffixes (see their comments in
	// lexicon.yaml).
	Words map[string][]string `yaml:"words"`
}

// parseLexicon decodes and validates a lexicon file.
func parseLexicon(name string, data []byte) (*lexicon, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var lx lexicon
	if err := dec.Decode(&lx); err != nil {
		return nil, yamlError(name, err)
	}
	if len(lx.Symptoms) == 0 {
		return nil, &FileError{File: name, Msg: "lexicon declares no symptoms"}
	}
	if len(lx.Symptoms) > 16 {
		return nil, &FileError{File: name, Msg: "lexicon declares more than 16 symptoms"}
	}
	for _, sec := range []struct {
		name   string
		groups []lexGroup
	}{{"outage", lx.Outage}, {"negatives", lx.Negatives}, {"ack", lx.Ack}, {"resolved", lx.Resolved}, {"keywords", lx.Keywords}, {"separators", lx.Separators}, {"venues", lx.Venues}} {
		for i := range sec.groups {
			g := &sec.groups[i]
			if (len(g.Stems) == 0) != (len(g.Endings) == 0) {
				return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: a paradigm needs both stems and endings", sec.name, i+1)}
			}
			g.expand()
			if g.Except != "" && (sec.name != "separators" || (g.Except != "before-phrase" && g.Except != "after-name")) {
				return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: except must be before-phrase or after-name (separators only), got %q", sec.name, i+1, g.Except)}
			}
			for _, s := range g.Symptoms {
				if !slices.Contains(lx.Symptoms, s) {
					return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: unknown symptom %q", sec.name, i+1, s)}
				}
			}
			switch g.Scope {
			case "", "overlap", "post", "market", "subject", "other", "answer", "conditional":
			default:
				return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: scope must be overlap, post, market, subject, other, answer or conditional, got %q", sec.name, i+1, g.Scope)}
			}
			if g.Scope != "" && sec.name != "negatives" {
				return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: scope is for negatives only", sec.name, i+1)}
			}
			if g.Compound && sec.name != "outage" {
				return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: compound is for outage phrases only", sec.name, i+1)}
			}
			if g.Price && sec.name != "outage" {
				return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: price is for outage phrases only", sec.name, i+1)}
			}
			for _, p := range g.Phrases {
				if normalizeString(p) == "" {
					return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: empty phrase %q", sec.name, i+1, p)}
				}
				if strings.Contains(p, "~") {
					head, tail, _ := strings.Cut(p, "~")
					if sec.name != "outage" || strings.Contains(tail, "~") || strings.TrimSpace(normalizeString(head)) == "" || strings.TrimSpace(normalizeString(tail)) == "" {
						return nil, &FileError{File: name, Msg: fmt.Sprintf("%s group %d: %q: a split phrase (head ~ tail) is for outage phrases only and has one ~ between two non-empty parts", sec.name, i+1, p)}
					}
				}
			}
		}
	}
	for _, role := range []string{"fillers", "split_fillers", "prepositions", "market_fillers", "genitives", "determiners", "coordinators", "list_openers", "name_suffixes", "proclitics", "price_fillers", "percent_words", "comitatives", "apostrophe_suffixes"} {
		if len(lx.Words[role]) == 0 {
			return nil, &FileError{File: name, Msg: fmt.Sprintf("words: no %s", role)}
		}
	}
	return &lx, nil
}
