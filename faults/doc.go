// Package faults is downwatch's fault suite: tests that run the real binary as an
// operator would (a redis-server and a `downwatch dev-kafka` of their own on
// loopback ports, `ingest` fed a scenario, one or more `detect` processes in one
// group) and break things while it works: kill -9 of a detector, three detectors
// with one killed, Redis stopped for 10 s, the broker stopped and restarted, a
// rebalance while partitions are mid-batch. Each run's final incidents (ids,
// states, times, counts, related links) and alert revisions are compared with an
// undisturbed run: the same incidents, every revision on the Redis stream exactly
// once, every revision on the Kafka alerts topic at least once.
//
// The package holds only tests; it imports the store and Kafka client to read the
// results. The suite skips under -short.
package faults
