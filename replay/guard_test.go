package replay

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// TestGuardNoProgress: a run where nothing moves is ended with the last error
// logged; one that moves is not.
func TestGuardNoProgress(t *testing.T) {
	causes := make(chan error, 1)
	g := newGuard(200*time.Millisecond, func(err error) { causes <- err })
	g.logged("partition handler failed; retrying: bus: fetch partition 0: connection refused")
	stop := make(chan struct{})
	defer close(stop)
	go g.watch(func() int64 { return 7 }, stop)
	select {
	case err := <-causes:
		if !strings.Contains(err.Error(), "no progress") || !strings.Contains(err.Error(), "connection refused") {
			t.Errorf("got %q, want no progress and the last error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a run without progress was not ended")
	}

	moved := make(chan error, 1)
	g2 := newGuard(300*time.Millisecond, func(err error) { moved <- err })
	var n atomic.Int64
	stop2 := make(chan struct{})
	go g2.watch(func() int64 { return n.Add(1) }, stop2) // moves at every look
	ended := make(chan error, 1)
	g3 := newGuard(300*time.Millisecond, func(err error) { ended <- err })
	stop3 := make(chan struct{})
	go g3.watch(func() int64 { return 0 }, stop3) // a still run beside it, as the clock
	<-ended
	close(stop2)
	close(stop3)
	select {
	case err := <-moved:
		t.Errorf("a run that moves was ended: %v", err)
	default:
	}
}

// TestGuardStoreRecovers: a store that fails and then succeeds before the bound
// does not end the run; one that keeps failing does, naming the store's error.
func TestGuardStoreRecovers(t *testing.T) {
	causes := make(chan error, 2)
	g := newGuard(150*time.Millisecond, func(err error) { causes <- err })
	g.store(errors.New("dial tcp: connection refused"))
	g.store(nil) // recovered
	g.store(errors.New("read tcp: i/o timeout"))
	select {
	case err := <-causes:
		if !strings.Contains(err.Error(), "i/o timeout") || !strings.Contains(err.Error(), "store kept failing") {
			t.Errorf("got %q, want the store's last error", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a store failing for longer than the bound did not end the run")
	}
	select {
	case err := <-causes:
		t.Errorf("ended twice (the first failure had recovered): %v", err)
	case <-time.After(300 * time.Millisecond):
	}
}
