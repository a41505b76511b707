package runner

import (
	"encoding/binary"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
	"github.com/downwatch/downwatch/bus"
	"github.com/downwatch/downwatch/detect"
)

type observations []float64

func (o *observations) Observe(v float64) { *o = append(*o, v) }

// A mention record stamped by ingest (bus.HeaderAccepted) is timed from that
// stamp to being counted, on the injected clock; one without the header, or
// with a malformed one, is counted but not timed.
func TestHandleRecordTimesAcceptedMentions(t *testing.T) {
	det, err := detect.New(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)
	var obs observations
	rc := Config{Stats: &Stats{IngestToCount: &obs}, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Now: func() time.Time { return now }}
	m := downwatch.Mention{Service: "slack", Kind: downwatch.KindComplaint,
		Post: downwatch.Post{ID: "1", Source: "x", Author: "a", Text: "slack is down", CreatedAt: now}}
	val := bus.AppendMention(nil, &m)
	stamp := binary.BigEndian.AppendUint64(nil, uint64(now.Add(-300*time.Millisecond).UnixNano()))
	var into downwatch.Mention
	for _, hs := range [][]bus.Header{
		{{Key: bus.HeaderAccepted, Value: stamp}},
		nil,
		{{Key: bus.HeaderAccepted, Value: stamp[:4]}},
	} {
		msg := bus.Message{Key: []byte("slack"), Value: val, Headers: hs}
		if handleRecord(det, rc, &msg, &into) {
			t.Fatal("a mention was taken for an end record")
		}
	}
	if n := rc.Stats.Records.Load(); n != 3 {
		t.Errorf("%d records counted, want 3", n)
	}
	if len(obs) != 1 || obs[0] != 0.3 {
		t.Errorf("observed %v, want [0.3]", obs)
	}
}

// Control records reach the detector as watermarks and ends; a record that is
// not a mention is counted as bad and skipped.
func TestHandleRecordControlAndBad(t *testing.T) {
	det, err := detect.New(detect.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	rc := Config{Stats: &Stats{}, Logger: slog.New(slog.DiscardHandler), Now: time.Now}
	at := time.Date(2024, 3, 4, 12, 0, 0, 0, time.UTC)
	var into downwatch.Mention
	wm := bus.ControlRecords(bus.ControlWatermark, at, []int{0})[0]
	if handleRecord(det, rc, &wm, &into) {
		t.Error("a watermark was taken for an end record")
	}
	if got := det.Clock(); !got.Equal(at) {
		t.Errorf("clock after a watermark at %v: got %v", at, got)
	}
	bad := bus.Message{Value: []byte(`{"service":`)}
	if handleRecord(det, rc, &bad, &into) || rc.Stats.Bad.Load() != 1 || rc.Stats.Records.Load() != 0 {
		t.Errorf("a broken record: got %d bad, %d records, want 1 and 0", rc.Stats.Bad.Load(), rc.Stats.Records.Load())
	}
	end := bus.ControlRecords(bus.ControlEnd, at.Add(time.Minute), []int{0})[0]
	if !handleRecord(det, rc, &end, &into) {
		t.Error("an end record was not reported as the end")
	}
}

// The seconds from decision to publishing are the injected clock's.
func TestObserveSince(t *testing.T) {
	var obs observations
	observeSince(&obs, 1500*time.Millisecond, 2)
	observeSince(&obs, time.Second, 0)
	observeSince(nil, time.Second, 3)
	if len(obs) != 2 || obs[0] != 1.5 || obs[1] != 1.5 {
		t.Errorf("observed %v, want [1.5 1.5]", obs)
	}
}
