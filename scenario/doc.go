// Package scenario generates realistic synthetic post streams with ground truth: the
// everyday background of complaints and chatter for each simulated service (Poisson per
// minute on a daily cycle), generic noise, outages that ramp up, plateau and decay with
// complaints in their users' languages, official and news acknowledgements, and traps
// that look like outages but are not (share prices, slang, spam, repost storms, launches).
//
// It owns the named scenario suite (Suite, ByName, Demo) that the tests, the demo and the
// detection-quality evaluation run, and the Truth each run is scored against. Its text
// templates are written independently of the matcher's lexicon, so an evaluation against
// them measures the matcher rather than repeating it.
//
// Generation is deterministic: the same Scenario (same Seed) yields byte-identical posts.
// The package keeps no global mutable state; it imports only the root package downwatch
// from this module.
package scenario
