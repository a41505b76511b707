package ingest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/downwatch/downwatch"
)

// slowSequence is a sequence whose first Write waits until released, so that
// calls pile up in an asyncOutput's queue and get merged.
type slowSequence struct {
	sequence
	release chan struct{}
	writes  int
}

func (s *slowSequence) Write(ctx context.Context, ms []downwatch.Mention) error {
	if s.writes++; s.writes == 1 {
		<-s.release
	}
	return s.sequence.Write(ctx, ms)
}

// TestAsyncOutputKeepsTheOrder: calls queued behind a slow write are merged,
// and a consumer reads the same mentions and watermarks in the same order as
// from the calls made one by one.
func TestAsyncOutputKeepsTheOrder(t *testing.T) {
	at := func(m int) time.Time { return time.Date(2026, 11, 27, 10, m, 0, 0, time.UTC) }
	batch := func(ids ...string) []downwatch.Mention {
		var ms []downwatch.Mention
		for _, id := range ids {
			ms = append(ms, downwatch.Mention{Post: downwatch.Post{ID: id, CreatedAt: at(0)}})
		}
		return ms
	}
	calls := func(out Output) error {
		for _, c := range []func() error{
			func() error { return out.Write(context.Background(), batch("a")) },
			func() error { return out.Write(context.Background(), batch("b", "c")) },
			func() error { return out.Watermark(context.Background(), at(1)) },
			func() error { return out.Write(context.Background(), batch("d")) },
			func() error { return out.Write(context.Background(), batch("e")) },
			func() error { return out.Watermark(context.Background(), at(2)) },
			func() error { return out.Write(context.Background(), nil) },
			func() error { return out.Write(context.Background(), batch("f")) },
			func() error { return out.Watermark(context.Background(), at(3)) },
			func() error { return out.Write(context.Background(), batch("g")) },
		} {
			if err := c(); err != nil {
				return err
			}
		}
		return nil
	}
	direct := &sequence{}
	if err := calls(direct); err != nil {
		t.Fatal(err)
	}
	slow := &slowSequence{release: make(chan struct{})}
	var stats Stats
	a := newAsyncOutput(context.Background(), slow, &stats, 1000)
	go func() { // the first write goes on once the queue behind it is full
		for len(a.ops) < cap(a.ops) {
			runtime.Gosched()
		}
		close(slow.release)
	}()
	if err := calls(a); err != nil {
		t.Fatal(err)
	}
	if err := a.wait(); err != nil {
		t.Fatal(err)
	}
	want := "post a,post b,post c,post d,watermark 1,post e,watermark 2,post f,post g,watermark 3"
	for _, l := range [][]string{direct.log, slow.log} {
		g := strings.NewReplacer(" 2026-11-27T10:00:00Z", "", " 2026-11-27T10:0", " ", ":00Z", "").Replace(strings.Join(l, ","))
		if g != want {
			t.Errorf("got %s, want %s", g, want)
		}
	}
	if slow.writes >= 7 {
		t.Errorf("got %d writes behind a slow one, want some merged (7 one by one)", slow.writes)
	}
	if n := stats.Mentions.Load(); n != 7 {
		t.Errorf("counted %d mentions, want 7", n)
	}
}

type failing struct{ sequence }

func (f *failing) Write(context.Context, []downwatch.Mention) error {
	return errors.New("broker says no")
}

// TestAsyncOutputReturnsTheFirstError: after a write fails, later calls and
// wait return its error.
func TestAsyncOutputReturnsTheFirstError(t *testing.T) {
	var stats Stats
	a := newAsyncOutput(context.Background(), &failing{}, &stats, 10)
	var err error
	for i := 0; i < 100 && err == nil; i++ {
		err = a.Write(context.Background(), []downwatch.Mention{{Service: fmt.Sprint(i)}})
	}
	if err == nil || !strings.Contains(err.Error(), "broker says no") {
		t.Errorf("Write: got %v, want the broker's error", err)
	}
	if err := a.wait(); err == nil || !strings.Contains(err.Error(), "broker says no") {
		t.Errorf("wait: got %v, want the broker's error", err)
	}
	if n := stats.Mentions.Load(); n != 0 {
		t.Errorf("counted %d mentions, want none acknowledged", n)
	}
}
