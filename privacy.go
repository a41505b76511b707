package downwatch

import (
	"slices"
	"strings"
	"time"
)

// Privacy (docs/CONTRACT.md §3, §5): an incident keeps the text and the author
// of a few posts, its sample posts and its acknowledgement. They leave it when
// the source says the post was deleted (a retract), when a person asks for an
// author's posts to be forgotten, and when the retention ends; its statistics
// (mentions, authors, languages, countries, peak) stay, since they hold no post.

// Retracted is a post deleted upstream that a detector handled (a retract
// mention): its service, the post (source and id), and whether the detector
// took it out of an incident it holds (Removed: then that incident's earlier
// alerts carried it). The store takes it out of the rest.
type Retracted struct {
	Service string
	Post    Post
	Removed bool
}

// RemovePosts takes the posts gone selects out of the incident's sample posts
// and its acknowledgement and returns how many it took out. With retracted (the
// post was deleted upstream, so it no longer says what it said) a removed
// acknowledgement also takes acknowledged_at back, and an acknowledged incident
// is open again, as the detector does; otherwise (forget) acknowledged_at stays:
// the company did speak, only its post is not kept. The revision is not
// changed: that is the writer's.
func (i *Incident) RemovePosts(gone func(*Post) bool, retracted bool) int {
	n := 0
	kept := i.SamplePosts[:0]
	for k := range i.SamplePosts {
		if gone(&i.SamplePosts[k]) {
			n++
			continue
		}
		kept = append(kept, i.SamplePosts[k])
	}
	clear(i.SamplePosts[len(kept):])
	i.SamplePosts = kept
	if len(i.SamplePosts) == 0 {
		i.SamplePosts = nil
	}
	if a := i.Acknowledgement; a != nil && gone(a) {
		n++
		i.Acknowledgement = nil
		if retracted {
			i.AcknowledgedAt = nil
			if i.State == StateAcknowledged {
				i.State = StateOpen
			}
		}
	}
	return n
}

// Redact takes every sample post and the acknowledgement out of the incident
// (the retention ended) and records when in RedactedAt; acknowledged_at stays.
// It reports whether there was anything to take out.
func (i *Incident) Redact(at time.Time) bool {
	if len(i.SamplePosts) == 0 && i.Acknowledgement == nil {
		return false
	}
	i.SamplePosts, i.Acknowledgement = nil, nil
	t := at.UTC()
	i.RedactedAt = &t
	return true
}

// ByAuthor selects the posts of author (a handle or account id as the source
// gives it, compared without case and a leading "@") on source (any source
// when empty), and reposts of them in the text form ("RT @author:", whose
// repost_of is "@author"), which copy the author's text.
func ByAuthor(author, source string) func(*Post) bool {
	author = strings.TrimPrefix(author, "@")
	return func(p *Post) bool {
		if source != "" && p.Source != source {
			return false
		}
		return strings.EqualFold(strings.TrimPrefix(p.Author, "@"), author) ||
			strings.EqualFold(p.RepostOf, "@"+author)
	}
}

// ByPost selects the post id of source.
func ByPost(source, id string) func(*Post) bool {
	return func(p *Post) bool { return p.ID == id && p.Source == source }
}

// ByRetracted selects the posts of rs.
func ByRetracted(rs []Retracted) func(*Post) bool {
	return func(p *Post) bool {
		return slices.ContainsFunc(rs, func(r Retracted) bool { return r.Post.ID == p.ID && r.Post.Source == p.Source })
	}
}
