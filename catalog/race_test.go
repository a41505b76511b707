//go:build race

package catalog

// raceEnabled: under the race detector sync.Pool drops pooled items at random,
// so the matcher's scratch is rebuilt now and then and allocation counts mean
// nothing.
const raceEnabled = true
