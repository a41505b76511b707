// Package scenario generates realistic synthetic post streams with ground truth: the
// everyday background of complaints and chatter for each simulated service, generic
// noise, outages that ramp up, plateau and decay with complaints in their users'
// languages, official and news acknowledgements, and traps that look like outages but are
// not (share prices, slang, spam, repost storms, launches, jokes after an announcement,
// posts where "down" belongs to something else).
//
// A background is either the built-in one (Poisson per minute on a daily cycle) or is
// shaped by one of the real series the package embeds (Shape; the NAB realTweets corpus
// under realdata/, MIT-licensed): a stretch of days of a company's Twitter mention volume
// with its daily and weekly cycles, level shifts and heavy-tailed bursts. The real
// series' spikes are news, not complaints, so the two are read differently: complaints
// follow the series smoothed (spikes of an hour or less removed, news days capped at 2.5
// times the week's level) with overdispersed noise that comes in clusters (a lognormal
// multiplier with a 10-minute memory); chatter follows the raw series, spikes included;
// and a few percent of the chatter in the spikes uses outage words loosely, a trap named
// news-chatter. LevelShift adds a lasting new normal that is not an outage.
//
// It owns the named scenario suite (Suite, ByName, Demo) that the tests, the demo and the
// detection-quality evaluation run, and the Truth each run is scored against. Its text
// templates are written independently of the matcher's lexicon, so an evaluation against
// them measures the matcher rather than repeating it.
//
// It also reads NAB corpora and scores alarms on them with NAB's published rules (NAB,
// RealData), for the real-data test.
//
// Generation is deterministic: the same Scenario (same Seed) yields byte-identical posts.
// The package keeps no global mutable state (the embedded data is read-only); it imports
// only the root package downwatch from this module.
package scenario
