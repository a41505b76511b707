package catalog

import (
	"time"

	"github.com/downwatch/downwatch"
)

// firehoseMix is a mix of posts like a sampled stream: most name nothing, some
// name a service without an outage, a few are complaints.
var firehoseMix = []string{
	"just had the best coffee of my life",
	"can't wait for the weekend, who's coming to the party?",
	"watching the game tonight with friends",
	"new blog post about gardening is up",
	"I love WhatsApp and Instagram",
	"anyone else think the new season of that show is slow?",
	"traffic is terrible today on the highway",
	"kalomi1234 is my favourite app",
	"whatsapp down again??",
	"terquivan9999 not working since morning",
	"happy birthday to my best friend!!",
	"el partido de hoy fue increíble",
	"o instagram ta fora do ar? gente?",
	"bugün hava çok güzel",
	"インスタが開けない",
	"going to the gym then work, long day ahead",
}

// FirehoseMix returns the posts of the firehose mix the match-rate figures are
// measured on (issue 10: at least 1M posts/s per core): 16 posts, most naming
// nothing, some a service without an outage, a few complaints, in several
// scripts. Each call returns new posts.
func FirehoseMix() []downwatch.Post {
	posts := make([]downwatch.Post, len(firehoseMix))
	for i, s := range firehoseMix {
		posts[i] = downwatch.Post{ID: "f", Source: "x", Author: "someone", Text: s}
	}
	return posts
}

// MatchRate matches posts in turn with m, on the calling goroutine (one core)
// and reusing one slice of hits, for at least d, and returns the posts matched
// a second. `go test -run TestScaleCatalog ./catalog/` and `downwatch bench
// --all` both measure with it.
func MatchRate(m *Matcher, posts []downwatch.Post, d time.Duration) float64 {
	var dst []Hit
	n := 0
	start := time.Now()
	for {
		for range 4096 {
			dst = m.Match(&posts[n%len(posts)], dst[:0])
			n++
		}
		if el := time.Since(start); el >= d {
			return float64(n) / el.Seconds()
		}
	}
}
