// Package bus is downwatch's Kafka side: topic creation, the wire formats of the
// topics (it encodes and decodes mentions, mentioncodec.go; control records,
// control.go; and alerts, alerts.go), the producers and the consumer group
// (segmentio/kafka-go), and the embedded Kafka-protocol broker (kfake) used by
// demo, replay, dev-kafka and tests. It imports only the root package downwatch,
// internal/jsonscan (the JSON scanner it shares with downwatch.DecodePost) and the
// Kafka libraries.
//
// Delivery: writers use acks=all (RequiredAcks -1) and batch; keys are service ids
// (mentions) or incident ids (alerts) and are partitioned with kafka.Murmur2Balancer,
// the partition a Java producer would pick, so one service's mentions meet in one
// detector. Control records (watermark, end) are written to every partition.
package bus
