// Package ingest reads posts from sources, normalises them into downwatch.Post,
// matches them against the catalog (package catalog) and produces the mentions to
// Kafka, together with the watermark and end records the detector's clock runs on.
//
// Every source follows one contract (Source): the file and channel sources, the
// X filtered stream, Bluesky Jetstream, Mastodon streaming, RSS/Atom feeds,
// Atlassian status pages and the HTTP push endpoint. The Pipeline reconnects them
// with backoff and jitter (or the wait a source asks for with a *RetryError),
// deduplicates by (source, id), clamps far-future times, dead-letters bad records
// and counts what it does (Stats, optionally as Prometheus metrics). Cursors and
// seen sets survive restarts through store.IngestState when the caller wants state.
//
// It imports the root package, catalog and bus, and the go-redis, websocket and
// Prometheus client libraries; never detect or store.
package ingest
