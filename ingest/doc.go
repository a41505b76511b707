// Package ingest reads posts from sources, normalises them into downwatch.Post,
// matches them against the catalog (package catalog) and produces the mentions to
// Kafka, together with the watermark and end records the detector's clock runs on.
// Every source follows one contract (Source). It imports the root package,
// catalog and bus; never detect or store.
package ingest
