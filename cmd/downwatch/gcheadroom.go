package main

import (
	"os"
	"runtime/debug"
	"runtime/metrics"
)

// gcHeadroom is the garbage an ingester lets pile up between collections:
// about 64 MiB, or, with a small heap, the heap's size again (Go's default).
const gcHeadroom = 64 << 20

// fitGC sets the collector's target so that a heap held mostly by the
// matcher, which never becomes garbage, is not doubled by Go's default
// (GOGC=100: the next collection when the heap is twice what the last one
// kept). With 10,000 services the matcher holds about 130 MiB: GOGC 100 let
// the ingester grow to about 290 MiB, a headroom of gcHeadroom to about 220
// MiB, for a collection every few seconds at 10,000 posts/s. It collects first
// and returns the memory freed to the system (the catalog's parse, or the
// matcher a reload replaced, is garbage now). It keeps what the user set in
// GOGC. It returns the percentage set (0: none).
func fitGC() int {
	debug.FreeOSMemory()
	if _, set := os.LookupEnv("GOGC"); set {
		return 0
	}
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	pct := gcPercent(s[0].Value.Uint64())
	debug.SetGCPercent(pct)
	return pct
}

// gcPercent is the GOGC that gives a live heap of live bytes gcHeadroom of
// garbage: 100 up to 64 MiB, then less, never under 25.
func gcPercent(live uint64) int {
	if live == 0 {
		return 100
	}
	return int(max(25, min(100, 100*gcHeadroom/live)))
}
