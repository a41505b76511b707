package bus

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
)

// AlertWriter produces alerts to the alerts topic, keyed by incident id, so one
// incident's alerts stay in order on one partition.
type AlertWriter struct{ w *Writer }

// NewAlertWriter returns a writer for topic (default downwatch.alerts) that
// connects with sec.
func NewAlertWriter(brokers []string, topic string, sec Security) *AlertWriter {
	if topic == "" {
		topic = downwatch.TopicAlerts
	}
	return &AlertWriter{w: NewWriter(WriterConfig{Brokers: brokers, Topic: topic, BatchSize: 100, BatchTimeout: 5e6, Security: sec})}
}

// Publish produces alerts and returns when the broker has them all.
func (a *AlertWriter) Publish(ctx context.Context, alerts []downwatch.Alert) error {
	if len(alerts) == 0 {
		return nil
	}
	msgs := make([]kafka.Message, len(alerts))
	for i := range alerts {
		v, err := json.Marshal(alerts[i])
		if err != nil {
			return fmt.Errorf("bus: encode alert for %s: %w", alerts[i].Incident.ID, err)
		}
		msgs[i] = kafka.Message{Key: []byte(alerts[i].Incident.ID), Value: v}
	}
	return a.w.Write(ctx, msgs...)
}

// Close flushes and closes the writer.
func (a *AlertWriter) Close() error { return a.w.Close() }
