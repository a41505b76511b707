// Package detect is the pure detector core: it turns matched mentions into
// incidents, with event-time windows of distinct complaining authors, a
// time-of-day baseline, the burst decision, the incident lifecycle (open →
// acknowledged → resolved) and a versioned checkpoint of its state. It reads no
// clock but event time and talks to no Kafka or Redis (its only I/O is reading a
// settings file): it imports the root package and YAML, never bus, store,
// ingest or sink. Package detect/runner runs it in a consumer group.
//
// Where a burst is decided: Tracker.Burst in decide.go. The same Tracker runs the
// live detector (Detector, one per partition) and `downwatch backtest --series`.
package detect
