package replay

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/downwatch/downwatch/catalog"
)

// TestBenchFirehose runs the firehose figure of Bench alone:
//
//	DOWNWATCH_FIREHOSE=1000000 go test -run BenchFirehose -v ./replay/
func TestBenchFirehose(t *testing.T) {
	if os.Getenv("DOWNWATCH_FIREHOSE") == "" {
		t.Skip("set DOWNWATCH_FIREHOSE to the number of posts")
	}
	cfg := BenchConfig{Dir: t.TempDir(), Rounds: 2, Logf: t.Logf}
	cfg.Firehose, _ = strconv.Atoi(os.Getenv("DOWNWATCH_FIREHOSE"))
	cat, _ := catalog.Default()
	figs, err := benchFirehose(context.Background(), cfg, cat.ServiceIDs())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range figs {
		t.Logf("%s | %s | %s | %s | %v", f.What, f.Target, f.Measured, f.Compared, f.Holds)
	}
}
