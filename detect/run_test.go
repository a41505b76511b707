package detect

import (
	"encoding/binary"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
)

type observations []float64

func (o *observations) Observe(v float64) { *o = append(*o, v) }

// A mention record stamped by ingest (bus.HeaderAccepted) is timed from that
// stamp to being counted; one without the header, or with a malformed one, is
// counted but not timed.
func TestHandleRecordTimesAcceptedMentions(t *testing.T) {
	det, err := New(DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	var obs observations
	rc := RunConfig{Stats: &RunStats{IngestToCount: &obs}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	m := downwatch.Mention{Service: "slack", Kind: downwatch.KindComplaint,
		Post: downwatch.Post{ID: "1", Source: "x", Author: "a", Text: "slack is down", CreatedAt: time.Now().UTC()}}
	val := bus.AppendMention(nil, &m)
	stamp := binary.BigEndian.AppendUint64(nil, uint64(time.Now().Add(-300*time.Millisecond).UnixNano()))
	var into downwatch.Mention
	for _, hs := range [][]kafka.Header{
		{{Key: bus.HeaderAccepted, Value: stamp}},
		nil,
		{{Key: bus.HeaderAccepted, Value: stamp[:4]}},
	} {
		msg := kafka.Message{Key: []byte("slack"), Value: val, Headers: hs}
		if handleRecord(det, rc, &msg, &into) {
			t.Fatal("a mention was taken for an end record")
		}
	}
	if n := rc.Stats.Records.Load(); n != 3 {
		t.Errorf("%d records counted, want 3", n)
	}
	if len(obs) != 1 || obs[0] < 0.3 || obs[0] > 5 {
		t.Errorf("observed %v, want one latency of about 0.3s", obs)
	}
}
