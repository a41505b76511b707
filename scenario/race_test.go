//go:build race

package scenario

// raceDetector says the tests run with -race, which makes generation several times
// slower: the slowest checks try fewer seeds.
const raceDetector = true
