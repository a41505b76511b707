// Package detect turns matched mentions into incidents: event-time windows of
// distinct complaining authors, a time-of-day baseline, the burst decision, and the
// incident lifecycle (open → acknowledged → resolved). It depends on Redis and Kafka
// only through the small interfaces it declares (Store, AlertSink: the list of
// alert sinks that package sink builds) and the bus consumer; it never imports
// ingest or sink.
//
// Where a burst is decided: Tracker.Burst in decide.go. The same Tracker runs the
// live detector (Detector, one per partition) and `downwatch backtest --series`.
package detect
