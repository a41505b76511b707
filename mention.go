package downwatch

// Kind says what a mention is (docs/CONTRACT.md §5).
type Kind string

const (
	// KindComplaint: someone says the service is broken.
	KindComplaint Kind = "complaint"
	// KindOfficial: the service's own account or status page speaks about it.
	KindOfficial Kind = "official"
	// KindNews: a news agency or outlet reports it.
	KindNews Kind = "news"
	// KindRetract: the post (Post.Source and Post.ID) was deleted or edited at
	// Post.CreatedAt; it stops counting for Service (docs/CONTRACT.md §5). An
	// edit that still matches follows as a mention of its own.
	KindRetract Kind = "retract"
)

// Mention is one matched post for one service, the value of a record on the
// mentions topic (key = service id).
type Mention struct {
	Service  string   `json:"service"`
	Kind     Kind     `json:"kind"`
	Symptoms []string `json:"symptoms,omitempty"`
	// Ack is set on official and news mentions that acknowledge a problem
	// ("we're aware", "working to restore"); Resolved on ones that say it is fixed.
	Ack      bool `json:"ack,omitempty"`
	Resolved bool `json:"resolved,omitempty"`
	Post     Post `json:"post"`
}

// Default topic names (docs/CONTRACT.md §5).
const (
	TopicMentions = "downwatch.mentions"
	TopicAlerts   = "downwatch.alerts"
)
