package faults

import "testing"

// TestUndisturbedTwice: two runs without faults agree (else the comparisons
// of the other tests mean nothing).
func TestUndisturbedTwice(t *testing.T) {
	skipShort(t)
	want := undisturbed(t)
	r := newRun(t, "again")
	r.detect()
	r.startIngest()
	r.waitDone(90e9)
	r.finish()
	compare(t, want, r.snapshot())
}
