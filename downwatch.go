// Package downwatch holds the public records that every part of downwatch speaks
// (docs/CONTRACT.md): the Post every source is normalised into, the Mention the ingester
// produces to Kafka, the Incident the detector stores and reports, and the Alert it
// publishes. It imports nothing from this module; every other package may import it.
//
// Where things live:
//
//	catalog/   service catalog, outage lexicon and the matcher (where a post is matched)
//	ingest/    sources, post normalisation, producing mentions to Kafka
//	detect/    event-time windows, baseline, burst decision, incident lifecycle
//	store/     incidents, checkpoints and alerts in Redis
//	cmd/       the downwatch binary (thin)
package downwatch
