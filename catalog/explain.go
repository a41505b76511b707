package catalog

import (
	"fmt"
	"slices"
	"strings"

	"github.com/downwatch/downwatch"
)

// Explanation says what the matcher found in one post and why it did or did
// not match ("why did my post not match?"). It is for people and for the
// JSON of a debugging endpoint; its exact wording is not a contract.
type Explanation struct {
	// Normalized is the text the automaton ran over; Start and End of every
	// Finding are byte offsets into it.
	Normalized string `json:"normalized"`
	Author     string `json:"author,omitempty"`
	Source     string `json:"source,omitempty"`
	// AuthorOfficialFor lists the services the author is an official account of.
	AuthorOfficialFor []string `json:"author_official_for,omitempty"`
	// AuthorIsNews is set when the author is a news agency or the source is rss.
	AuthorIsNews bool `json:"author_is_news,omitempty"`
	// Found lists every name, phrase, negative and keyword found, in text order.
	Found []Finding `json:"found"`
	// Services has one verdict per service the post names or the author speaks for.
	Services []ServiceVerdict `json:"services"`
	// Hits is what Match returns for the post.
	Hits []Hit `json:"hits"`
}

// Finding is one catalog or lexicon entry found in the text.
type Finding struct {
	Kind     string   `json:"kind"`  // name, outage-hashtag, outage, negative, ack, resolved, symptom-keyword
	Text     string   `json:"text"`  // the normalised text that matched
	Entry    string   `json:"entry"` // the catalog or lexicon entry, as written there
	Service  string   `json:"service,omitempty"`
	Lang     string   `json:"lang,omitempty"`
	Symptoms []string `json:"symptoms,omitempty"`
	Flags    []string `json:"flags,omitempty"` // ambiguous, weak, price, post-scope, share-price-context, market-subject, prefix
	Start    int      `json:"start"`
	End      int      `json:"end"`
	// Ignored says why the finding does not count; empty when it does.
	Ignored string `json:"ignored,omitempty"`
	// When the post names several services, phrases belong to the service
	// they are attached to (see attach.go). Clause numbers the clause of a
	// name, phrase, keyword or separator from 1; AttachedTo lists the
	// services a phrase is attached to and Attachment says how (or why it is
	// attached to none). All three are empty when the post names one service.
	Clause     int      `json:"clause,omitempty"`
	AttachedTo []string `json:"attached_to,omitempty"`
	Attachment string   `json:"attachment,omitempty"`
}

// ServiceVerdict is the decision for one service.
type ServiceVerdict struct {
	Service string         `json:"service"`
	Hit     bool           `json:"hit"`
	Kind    downwatch.Kind `json:"kind"`
	Rule    string         `json:"rule"` // the row of the verdict table that decided
	Reason  string         `json:"reason"`
}

// Explain runs the matcher on p and reports what it found and why it did or
// did not match. It is slower than Match and allocates; use it for debugging.
func (m *Matcher) Explain(p *downwatch.Post) Explanation {
	var ex Explanation
	if p == nil {
		return ex
	}
	sc := m.pool.Get().(*scratch)
	ex.Hits = m.match(p, sc, nil, &ex)
	m.pool.Put(sc)
	return ex
}

func (m *Matcher) explain(ex *Explanation, p *downwatch.Post, text []byte, sc *scratch, verdicts []ServiceVerdict) {
	ex.Normalized = string(text)
	ex.Author, ex.Source = p.Author, p.Source
	for _, si := range m.official[foldHandle(p.Author)] {
		ex.AuthorOfficialFor = append(ex.AuthorOfficialFor, m.services[si].ID)
	}
	_, agency := m.news[foldHandle(p.Author)]
	ex.AuthorIsNews = agency || p.Source == "rss"
	order := make([]int, len(sc.occ))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		if sc.occ[a].start != sc.occ[b].start {
			return int(sc.occ[a].start - sc.occ[b].start)
		}
		return int(sc.occ[b].end - sc.occ[a].end)
	})
	clause := map[int32]int{}
	if sc.multi {
		for _, t := range sc.tok {
			clause[t.occ] = int(t.clause) + 1
		}
	}
	cut := slices.ContainsFunc(sc.occ, func(o occurrence) bool { return o.dead == deadEarlierClause })
	for _, oi := range order {
		o := sc.occ[oi]
		mn := &m.meanings[o.meaning]
		f := Finding{
			Kind:     mn.kind.String(),
			Text:     string(text[o.start:o.end]),
			Entry:    mn.entry,
			Lang:     mn.lang,
			Symptoms: m.symptomList(mn.symptoms),
			Start:    int(o.start),
			End:      int(o.end),
			Ignored:  deadReasons[o.dead],
			Clause:   clause[int32(oi)],
		}
		if mn.kind == kSeparator && !sc.multi && o.dead == live && !cut {
			f.Ignored = "clause separators matter only when a post names several services, or after a weak phrase that comes before the name"
		}
		if sc.multi && isPhraseKind(mn.kind) && o.dead == live {
			m.explainAttachment(&f, text, sc, int32(oi))
		}
		if mn.service >= 0 {
			f.Service = m.services[mn.service].ID
		}
		for _, fl := range []struct {
			on   bool
			name string
		}{{mn.ambiguous, "ambiguous"}, {mn.weak, "weak"}, {mn.price, "price"}, {mn.scope != scopeOverlap, scopeFlags[mn.scope]}, {mn.prefix, "prefix"}} {
			if fl.on {
				f.Flags = append(f.Flags, fl.name)
			}
		}
		ex.Found = append(ex.Found, f)
	}
	ex.Services = verdicts
	if len(verdicts) == 0 && len(sc.occ) == 0 {
		ex.Services = nil
	}
}

// String renders the explanation for people, one finding or verdict a line.
func (e Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "text (normalised): %q\n", e.Normalized)
	if e.Author != "" || e.Source != "" {
		fmt.Fprintf(&b, "author: %s (source %s)", e.Author, e.Source)
		if len(e.AuthorOfficialFor) > 0 {
			fmt.Fprintf(&b, ", official for %s", strings.Join(e.AuthorOfficialFor, ", "))
		}
		if e.AuthorIsNews {
			b.WriteString(", news")
		}
		b.WriteByte('\n')
	}
	if len(e.Found) == 0 {
		b.WriteString("found: nothing (no service name, outage phrase or negative)\n")
	}
	for _, f := range e.Found {
		fmt.Fprintf(&b, "found %s %q at %d-%d", f.Kind, f.Text, f.Start, f.End)
		if f.Service != "" {
			fmt.Fprintf(&b, " service=%s", f.Service)
		}
		if f.Lang != "" {
			fmt.Fprintf(&b, " lang=%s", f.Lang)
		}
		if len(f.Symptoms) > 0 {
			fmt.Fprintf(&b, " symptoms=%s", strings.Join(f.Symptoms, ","))
		}
		if len(f.Flags) > 0 {
			fmt.Fprintf(&b, " [%s]", strings.Join(f.Flags, ","))
		}
		if f.Clause > 0 {
			fmt.Fprintf(&b, " clause=%d", f.Clause)
		}
		if f.Ignored != "" {
			fmt.Fprintf(&b, " IGNORED: %s", f.Ignored)
		}
		if f.Attachment != "" {
			fmt.Fprintf(&b, "\n    -> attached to %s", f.Attachment)
		}
		b.WriteByte('\n')
	}
	for _, v := range e.Services {
		verdict := "no match"
		if v.Hit {
			verdict = "MATCH as " + string(v.Kind)
		}
		fmt.Fprintf(&b, "%s: %s: %s (rule %s)\n", v.Service, verdict, v.Reason, v.Rule)
	}
	if len(e.Services) == 0 {
		b.WriteString("no service named and the author speaks for none: not a mention\n")
	}
	return b.String()
}

// explainAttachment fills in the services phrase occurrence oi is attached to.
func (m *Matcher) explainAttachment(f *Finding, text []byte, sc *scratch, oi int32) {
	var parts []string
	for _, l := range sc.links {
		if l.phrase != oi {
			continue
		}
		no := &sc.occ[l.name]
		id := m.services[m.meanings[no.meaning].service].ID
		if !slices.Contains(f.AttachedTo, id) {
			f.AttachedTo = append(f.AttachedTo, id)
		}
		how := howNames[l.how]
		if l.how == howCoordinated {
			vo := &sc.occ[l.via]
			how += fmt.Sprintf(" %q", text[vo.start:vo.end])
		}
		for _, t := range sc.tok {
			if t.occ == l.name && t.addressee {
				how += "; an addressee of the reply, which takes a phrase only when no other name does"
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%q at %d: %s)", id, text[no.start:no.end], no.start, how))
	}
	if len(parts) > 0 {
		f.Attachment = strings.Join(parts, ", ")
		return
	}
	f.Attachment = "no service: its clause names none (its symptoms go to every hit)"
	for _, t := range sc.tok {
		if t.occ == oi {
			for _, u := range sc.tok {
				if u.clause == t.clause && isNameKind(u.kind) {
					f.Attachment = "no service: no name before it in its clause, and a comma separates it from the name after it"
				}
			}
		}
	}
}
