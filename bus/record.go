package bus

import "github.com/segmentio/kafka-go"

// The record types of the topics, as the rest of downwatch sees them: bus is the
// only package that imports kafka-go, and these are its types under bus's name.
type (
	// Message is one record: key, value, headers, and where it was read from.
	Message = kafka.Message
	// Header is a record header.
	Header = kafka.Header
	// WriteErrors is the per-record error of a batch the broker refused in part.
	WriteErrors = kafka.WriteErrors
)
