package bus

import (
	"encoding/binary"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
)

// This file owns the control records of the mentions topic: ControlRecords
// writes them and Control reads them.

// Control records share the mentions topic with mentions. They carry the header
// headerControl with one of the values below and an RFC 3339 event time as value.
const (
	headerControl = "downwatch-control"
	// ControlWatermark: no mention older than this time (minus allowed lateness)
	// will follow on this partition.
	ControlWatermark = "watermark"
	// ControlEnd: the input of a replay is complete on this partition.
	ControlEnd = "end"
)

// ControlRecords returns one control record per partition, each pinned to its
// partition, to be written with a Writer of this package.
func ControlRecords(kind string, at time.Time, parts []int) []kafka.Message {
	msgs := make([]kafka.Message, len(parts))
	val := []byte(at.UTC().Format(time.RFC3339Nano))
	for i, p := range parts {
		var pb [4]byte
		binary.BigEndian.PutUint32(pb[:], uint32(p))
		msgs[i] = kafka.Message{Value: val, Headers: []kafka.Header{
			{Key: headerControl, Value: []byte(kind)},
			{Key: headerPartition, Value: pb[:]},
		}}
	}
	return msgs
}

// Control returns the control kind of a record ("" for a mention) and its time.
func Control(m kafka.Message) (kind string, at time.Time, ok bool) {
	for _, h := range m.Headers {
		if h.Key == headerControl {
			t, err := downwatch.ParseTime(string(m.Value))
			return string(h.Value), t, err == nil
		}
	}
	return "", time.Time{}, false
}
