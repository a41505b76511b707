package store_test

import (
	"context"
	"testing"

	"github.com/downwatch/downwatch/store/storetest"
)

// TestCopyOutlivesTheOriginal: a copy keeps answering, under the same prefix,
// after the store it was copied from is closed.
func TestCopyOutlivesTheOriginal(t *testing.T) {
	st := storetest.Open(t)
	cp := st.Copy()
	defer cp.Close()
	st.Close()
	if cp.Prefix() != st.Prefix() {
		t.Errorf("copy prefix %q, want %q", cp.Prefix(), st.Prefix())
	}
	if err := cp.Ping(context.Background()); err != nil {
		t.Errorf("copy after the original's Close: %v", err)
	}
}
