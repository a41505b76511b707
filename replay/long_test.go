package replay

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/downwatch/downwatch/catalog"
	"github.com/downwatch/downwatch/ingest"
	"github.com/downwatch/downwatch/scenario"
)

// TestReplayLongHistory: three days of 14 services (about 250k posts) replay on the
// embedded Redis as into a real one, with identical incidents, and the store does
// not slow the embedded run down as history grows (before the series moved to day
// hashes, a 2.5-day replay took minutes there and could stall for good).
func TestReplayLongHistory(t *testing.T) {
	if testing.Short() {
		t.Skip("a three-day replay; skipped with -short")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cat, err := catalog.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, err := scenario.LongHistory(time.Date(2024, 3, 4, 0, 0, 0, 0, time.UTC), 3, cat.ServiceIDs()[:14])
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "long.jsonl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	truth, err := scenario.WriteJSONL(f, s)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	run := func(redisURL, prefix string) (*Report, time.Duration) {
		began := time.Now()
		rep, err := Run(ctx, Options{Source: ingest.NewFile(path), Redis: redisURL, Prefix: prefix})
		if err != nil {
			t.Fatal(err)
		}
		return rep, time.Since(began)
	}
	emb, tookEmb := run("", "")
	real, tookReal := run(redisURL(), freshPrefix(t))
	t.Logf("%d posts: embedded Redis %v, real Redis %v", emb.Stats.Posts, tookEmb, tookReal)
	sc := scenario.Evaluate(truth, emb.Incidents)
	if sc.Found != len(truth.Outages) {
		t.Errorf("found %d of %d outages", sc.Found, len(truth.Outages))
	}
	a, _ := json.Marshal(emb.Incidents)
	b, _ := json.Marshal(real.Incidents)
	if !bytes.Equal(a, b) {
		t.Errorf("embedded and real Redis differ:\n%s\n%s", a, b)
	}
	// Generous: the two differ by their Redis only, and the embedded one was 100x
	// slower before; under the race detector both are slower alike.
	if tookEmb > 3*tookReal+10*time.Second {
		t.Errorf("embedded Redis took %v, real Redis %v: want about the same", tookEmb, tookReal)
	}
}
