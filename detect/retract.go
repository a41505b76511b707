package detect

import (
	"slices"
	"time"

	"github.com/downwatch/downwatch"
)

// Retractions (docs/CONTRACT.md §5): a post deleted or edited upstream comes
// as a retract mention for each service it matched. A complaint counted in a
// minute that is not final yet is taken back from that minute, and its author
// may count again (an edit that still complains follows as a new mention). A
// minute already final stays as it was decided, and so do an incident's
// statistics (mentions, authors, languages): only its sample posts and its
// acknowledgement lose the post, and the incident is published again.
//
// Two things a retract does not undo, both rare: a second post by the same
// author in the same long window, which did not count because the first did,
// does not count in its place; and a long text the retracted post counted first
// still makes the same text from other accounts count once.

// postKey identifies a post by source and id (FNV-1a, as hashString).
func postKey(p *downwatch.Post) uint64 {
	h := hashString(p.Source)
	h ^= 0
	h *= 1099511628211
	for i := 0; i < len(p.ID); i++ {
		h ^= uint64(p.ID[i])
		h *= 1099511628211
	}
	return h
}

// track remembers where a post counted, until its minute is final.
func (sv *service) track(k uint64, c countedPost) {
	if sv.counted == nil {
		sv.counted = map[uint64]countedPost{}
	}
	sv.counted[k] = c
}

// retract takes the post back: from the minute it counted in, the service's
// recent complaints, and its open incident's samples and acknowledgement.
func (d *Detector) retract(m *downwatch.Mention, t time.Time) {
	d.retracted = append(d.retracted, downwatch.Retracted{Service: m.Service, Post: m.Post})
	sv, ok := d.st.Svcs[m.Service]
	if !ok {
		return
	}
	p := &m.Post
	if c, ok := sv.counted[postKey(p)]; ok {
		delete(sv.counted, postKey(p))
		if c.b > d.st.Closed {
			for _, s := range c.in {
				if s != nil {
					s.uncount(c.author, c.b)
				}
			}
		}
	}
	same := func(q downwatch.Post) bool { return q.ID == p.ID && q.Source == p.Source }
	sv.Recent = slices.DeleteFunc(sv.Recent, same)
	if sv.PendingAck != nil && same(*sv.PendingAck) {
		sv.PendingAck = nil
	}
	inc := sv.Inc
	if inc == nil {
		return
	}
	n := len(inc.I.SamplePosts)
	inc.I.SamplePosts = slices.DeleteFunc(inc.I.SamplePosts, same)
	changed := len(inc.I.SamplePosts) != n
	if a := inc.I.Acknowledgement; a != nil && same(*a) {
		inc.I.Acknowledgement, inc.I.AcknowledgedAt = nil, nil
		if inc.I.State == downwatch.StateAcknowledged {
			inc.I.State = downwatch.StateOpen
		}
		changed = true
	}
	if changed {
		d.retracted[len(d.retracted)-1].Removed = true
		d.emit(inc, downwatch.AlertUpdated, t)
	}
}

// uncount takes one back from minute b for author, who may count again.
func (s *signal) uncount(author uint64, b int64) {
	if s.T.count(b) > 0 {
		s.T.add(b, -1)
	}
	if last, ok := s.Seen.get(author); ok && last == b {
		s.Seen.del(author)
	}
}

// Forget takes posts (by source and id) out of the incident id the detector
// holds, and out of its service's recent complaints and pending
// acknowledgement: the store removed them from the stored incident (a
// forgotten author, the post retention; package store, privacy.go) and the
// detector must not write them back. acknowledged_at stays. Call it before
// Operated, which then rewrites the incident over the stored one.
func (d *Detector) Forget(id string, posts []downwatch.Post) {
	sv, inc := d.held(id)
	if sv == nil || len(posts) == 0 {
		return
	}
	gone := func(q *downwatch.Post) bool {
		return slices.ContainsFunc(posts, func(p downwatch.Post) bool { return p.ID == q.ID && p.Source == q.Source })
	}
	sv.Recent = slices.DeleteFunc(sv.Recent, func(q downwatch.Post) bool { return gone(&q) })
	if sv.PendingAck != nil && gone(sv.PendingAck) {
		sv.PendingAck = nil
	}
	if inc != nil {
		inc.I.RemovePosts(gone, false)
	}
}
