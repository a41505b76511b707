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
// Why the service clients are written here and not taken from a library:
//
//   - X: github.com/dghubble/go-twitter speaks the retired v1.1 streaming API; the
//     v2 filtered stream is one long-lived GET of newline-delimited JSON plus a
//     rules endpoint, and what a library would add (types for the whole API) is
//     what we would have to keep up with, while the reconnect rules X documents
//     (linear backoff on network errors, exponential on HTTP errors, the reset
//     time of a 429, 20 s without a keep-alive) have to be ours anyway.
//   - Mastodon: github.com/mattn/go-mastodon covers the REST API, but its
//     streaming client hides reconnects and gives no hook to fill the gap after
//     one; the streaming API is server-sent events (or one WebSocket) of a few
//     event types, which this package reads with the statuses' HTML turned to text.
//   - Statuspage: two documented JSON documents (summary.json, incidents.json)
//     polled with conditional GETs; no maintained Go client exists.
//   - Feeds: see feedparse.go (why not github.com/mmcdole/gofeed).
//   - Bluesky Jetstream: JSON over a WebSocket (github.com/coder/websocket).
//
// It imports the root package, catalog and bus, and the websocket and Prometheus
// client libraries; never detect or store.
package ingest
